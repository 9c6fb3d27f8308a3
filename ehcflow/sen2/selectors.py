"""The SEN2 return built from the case records, in a fixed handful of queries.

Which requests a collection covers (docs/domain/sen2.md §2.1, tech spec §1.3 scope): every initial
request with a step in the collection window (1 January of the activity year to census day:
received, decided, plan issued or not, closed), every request still open on census day, and every
request whose plan was in force on census day or ceased in the window. A plan with no initial
request on record (issued before the records began, transferred in, or after a re-assessment) is
reported under a historical ("H") request of its own. Only initial requests count, as on the
dashboards (docs/domain/measures.md; decision 0004).

Each related table is read once with the same filters as subqueries, never one query per row
and never a list of ids (SQLite refuses more than 32,766 parameters).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from ehcflow.casework import choices as c
from ehcflow.casework.models import (
    AnnualReview,
    AssessmentRequest,
    Child,
    EHCPlan,
    PlanNeed,
    PlanSetting,
)
from ehcflow.casework.selectors import initial_requests, open_on
from ehcflow.disagreements import vocabulary
from ehcflow.disagreements.models import Disagreement
from ehcflow.sen2 import items
from ehcflow.sen2.items import Collection

SOFTWARE_CODE = "ehcflow"
# Only the columns the return reads, as plain tuples: a large authority has tens of thousands
# of requests and plans and a hundred thousand reviews, and building a model instance for each
# would be most of the export's time.


class ChildRow(NamedTuple):
    pk: int
    public_id: uuid.UUID
    person_ref: str
    forename: str
    surname: str
    date_of_birth: date
    sex: str
    ethnicity: str
    postcode: str
    upn: str
    uln: str
    upn_unknown: str


class RequestRow(NamedTuple):
    pk: int
    child_id: int
    public_id: uuid.UUID
    case_ref: str
    received_date: date
    source: str
    relevant_youth_accommodation: bool
    decision: str
    decision_date: date | None
    outcome: str
    outcome_date: date | None
    final_date: date | None
    closed_date: date | None
    exported: bool
    week20_exception: bool


class PlanRow(NamedTuple):
    pk: int
    child_id: int
    request_id: int | None
    start_date: date
    first_issued_date: date
    cease_date: date | None
    cease_reason: str
    personal_budget: bool
    organised_arrangements: bool

    def in_force(self, on: date) -> bool:
        """As `EHCPlan.in_force`: issued by `on` and not ceased by then."""
        return self.first_issued_date <= on and (self.cease_date is None or self.cease_date > on)


class SettingRow(NamedTuple):
    plan_id: int
    rank: int
    urn: str | None
    ukprn: str | None
    sen_setting: str
    sen_setting_other: str
    sen_unit: bool
    resourced_provision: bool
    entry_date: date | None
    leaving_date: date | None


SETTING_COLUMNS = ("plan_id", "rank", "institution__urn", "institution__ukprn", "sen_setting",
                   "sen_setting_other", "sen_unit", "resourced_provision", "entry_date",
                   "leaving_date")


class NeedRow(NamedTuple):
    plan_id: int
    rank: int
    sen_type: str


class ReviewRow(NamedTuple):
    plan_id: int
    pk: int
    meeting_date: date | None
    decision_date: date | None
    outcome: str
    draft_amended_date: date | None
    amended_final_date: date | None
    phase_transfer: bool
    phase_transfer_due: date | None
RELEASE = "0.1.0"


def header(coll: Collection, generated_at: datetime | None = None) -> items.Header:
    """The header: collection facts, and what the records cannot hold, from settings."""
    moment = timezone.localtime(generated_at or timezone.now())
    return items.Header(
        collection=coll,
        la_number=settings.EHCFLOW_SEN2_LA_NUMBER,
        dmo=settings.EHCFLOW_SEN2_DMO, dco=settings.EHCFLOW_SEN2_DCO,
        dsco=settings.EHCFLOW_SEN2_DSCO,
        software=SOFTWARE_CODE, release=RELEASE, serial_no="001",
        generated_at=moment.strftime("%Y-%m-%dT%H:%M:%S"),
    )


def _in_window(field_name: str, start: date, end: date) -> Q:
    return Q(**{f"{field_name}__range": (start, end)})


def _plan_reported(start: date, census: date, prefix: str = "") -> Q:
    """Plans in force on census day or ceased in the window: issued by census day and not
    ceased before the window began."""
    return Q(**{f"{prefix}first_issued_date__lte": census}) & (
        Q(**{f"{prefix}cease_date__isnull": True}) | Q(**{f"{prefix}cease_date__gte": start}))


def scoped_requests(coll: Collection) -> QuerySet[AssessmentRequest]:
    """The initial requests the collection reports (see the module docstring)."""
    start, census = coll.activity_year.start, coll.census_day
    step_in_window = (
        _in_window("received_date", start, census) | _in_window("decision_date", start, census)
        | _in_window("outcome_date", start, census) | _in_window("final_date", start, census)
        | _in_window("closed_date", start, census)
    )
    has_plan = Q(plan__isnull=False) & _plan_reported(start, census, "plan__")
    return initial_requests().filter(received_date__lte=census).filter(
        step_in_window | open_on(census) | has_plan)


def orphan_plans(coll: Collection) -> QuerySet[EHCPlan]:
    """Reported plans with no initial request on record."""
    start, census = coll.activity_year.start, coll.census_day
    return EHCPlan.objects.filter(_plan_reported(start, census)).exclude(
        request__kind=c.RequestKind.INITIAL)


def _placement(setting: SettingRow, plan: PlanRow) -> items.Placement:
    return items.Placement(
        rank=setting.rank, urn=setting.urn or "", ukprn=setting.ukprn or "",
        sen_setting=setting.sen_setting, sen_setting_other=setting.sen_setting_other,
        sen_unit=setting.sen_unit, resourced_provision=setting.resourced_provision,
        # The 2024 schema requires a start for every placement: the plan's date stands in
        # for one not recorded, and a check says so.
        entry_date=setting.entry_date or plan.start_date,
        entry_date_recorded=setting.entry_date is not None,
        leaving_date=setting.leaving_date,
    )


class _Related:
    """Settings, needs, reviews and disagreements of the reported plans and requests."""

    def __init__(self, coll: Collection, plans: QuerySet[EHCPlan],
                 requests: QuerySet[AssessmentRequest]) -> None:
        census = coll.census_day
        self.settings: dict[int, list[SettingRow]] = defaultdict(list)
        for row in (PlanSetting.objects.filter(plan__in=plans).order_by("rank", "id")
                    .values_list(*SETTING_COLUMNS)):
            setting = SettingRow(*row)
            self.settings[setting.plan_id].append(setting)
        self.needs: dict[int, list[NeedRow]] = defaultdict(list)
        for row in (PlanNeed.objects.filter(plan__in=plans).order_by("rank", "id")
                    .values_list("plan_id", "rank", "sen_type")):
            self.needs[row[0]].append(NeedRow(*row))
        self.reviews: dict[int, list[ReviewRow]] = defaultdict(list)
        # Only the reviews a return can report: met by census day, or phase transfers.
        for row in (AnnualReview.objects.filter(plan__in=plans)
                    .filter(Q(meeting_date__lte=census) | Q(phase_transfer=True))
                    .order_by("due_date", "id").values_list(*ReviewRow._fields)):
            self.reviews[row[0]].append(ReviewRow(*row))
        self.disputes: dict[int, set[tuple[str, str]]] = defaultdict(set)
        for request_id, kind, decision in Disagreement.objects.filter(
                request__in=requests, started_on__lte=census).values_list(
                    "request_id", "kind", "decision"):
            self.disputes[request_id].add(vocabulary.sen2_flag(kind, decision))


def settings_on(settings_of_plan: list[SettingRow], on: date) -> list[SettingRow]:
    """The settings a plan names on a day: started by then (or undated) and not yet left.

    The setting rows are the plan's placement history, so a return reports only those current
    on census day (or, for a plan that has ceased, on its last day). When none was current
    (the history has gaps), the ones left last stand for it.
    """
    current = [s for s in settings_of_plan
               if (s.entry_date is None or s.entry_date <= on)
               and (s.leaving_date is None or s.leaving_date > on)]
    if current or not settings_of_plan:
        return current
    last = max(s.leaving_date or on for s in settings_of_plan)
    return [s for s in settings_of_plan if (s.leaving_date or on) == last]


def _plan_day(plan: PlanRow, census: date) -> date:
    """The day a plan's settings are reported for: census day, or its last day if ceased."""
    if plan.cease_date is not None and plan.cease_date <= census:
        return max(plan.first_issued_date, plan.cease_date - timedelta(days=1))
    return census


def _named_plan(plan: PlanRow, rel: _Related, census: date) -> items.NamedPlan:
    ceased = plan.cease_date is not None and plan.cease_date <= census
    on = _plan_day(plan, census)
    return items.NamedPlan(
        start_date=plan.start_date,
        details=[_placement(s, plan) for s in settings_on(rel.settings.get(plan.pk, []), on)],
        personal_budget=plan.personal_budget,
        organised_arrangements=plan.organised_arrangements,
        cease_date=plan.cease_date if ceased else None,
        cease_reason=plan.cease_reason if ceased else "",
    )


def _active_plan(plan: PlanRow, rel: _Related, coll: Collection) -> items.ActivePlan:
    census = coll.census_day
    down_syndrome = "DS" if coll.has_down_syndrome else "OTH"  # before 2025, DS was OTH
    active = items.ActivePlan(
        placements=[_placement(s, plan)
                    for s in settings_on(rel.settings.get(plan.pk, []), census)],
        needs=[items.Need(sen_type=down_syndrome if n.sen_type == c.SENType.DS else n.sen_type,
                          rank=n.rank) for n in rel.needs.get(plan.pk, [])],
        plan_start=plan.first_issued_date,
    )
    reviews = rel.reviews.get(plan.pk, [])
    if coll.has_reviews:
        met = [r for r in reviews if r.meeting_date is not None and r.meeting_date <= census]
        if met:
            latest = max(met, key=lambda r: (r.meeting_date, r.pk))
            active.review_meeting = latest.meeting_date
            if latest.decision_date is not None and latest.decision_date <= census:
                active.last_review = latest.decision_date
                active.review_outcome = items.review_outcome_code(latest.outcome) or ""
            if (coll.has_review_draft and latest.draft_amended_date is not None
                    and latest.draft_amended_date <= census):
                active.review_draft = latest.draft_amended_date
    if coll.has_phase_transfers:
        transfers = [r for r in reviews if r.phase_transfer and r.phase_transfer_due is not None
                     and r.phase_transfer_due >= coll.activity_year.start]
        if transfers:
            transfer = min(transfers, key=lambda r: (r.phase_transfer_due, r.pk))
            active.phase_transfer_due = transfer.phase_transfer_due
            if transfer.amended_final_date is not None and transfer.amended_final_date <= census:
                active.phase_transfer_final = transfer.amended_final_date
    return active


def _request(req: RequestRow, plan: PlanRow | None, rel: _Related,
             coll: Collection) -> items.Request:
    start, census = coll.activity_year.start, coll.census_day
    outcome, outcome_date = items.request_outcome(
        decision=req.decision, decision_date=req.decision_date, closed_date=req.closed_date,
        period_start=start, as_of=census)
    disputes = rel.disputes.get(req.pk, set())
    result = items.Request(
        outcome=outcome, received_date=req.received_date,
        source=(items.request_source_code(req.source) or "") if coll.has_request_source else "",
        rya=req.relevant_youth_accommodation, outcome_date=outcome_date,
        mediation=(c.DisagreementKind.MEDIATION, c.DisagreementStage.REQUEST) in disputes,
        tribunal=(c.DisagreementKind.TRIBUNAL, c.DisagreementStage.REQUEST) in disputes,
        exported=req.exported and coll.has_exported_flag,
        case_ref=req.case_ref, request_id=str(req.public_id),
    )
    if outcome in ("Y", "H"):
        a_outcome, a_date = items.assessment_outcome(
            outcome=req.outcome, outcome_date=req.outcome_date, final_date=req.final_date,
            closed_date=req.closed_date, period_start=start, as_of=census)
        assessment = items.Assessment(
            outcome=a_outcome, outcome_date=a_date,
            mediation=(c.DisagreementKind.MEDIATION, c.DisagreementStage.ASSESSMENT) in disputes,
            tribunal=(c.DisagreementKind.TRIBUNAL, c.DisagreementStage.ASSESSMENT) in disputes,
            other_mediation=(c.DisagreementKind.MEDIATION, c.DisagreementStage.OTHER) in disputes,
            other_tribunal=(c.DisagreementKind.TRIBUNAL, c.DisagreementStage.OTHER) in disputes,
            week20=req.week20_exception if a_outcome == "Y" and a_date is not None else None,
        )
        if plan is not None and plan.first_issued_date <= census and a_outcome in ("Y", "H"):
            assessment.named_plan = _named_plan(plan, rel, census)
        result.assessment = assessment
    if plan is not None and plan.in_force(census):
        result.active_plan = _active_plan(plan, rel, coll)
    return result


def _orphan_request(plan: PlanRow, child: ChildRow, rel: _Related, coll: Collection
                    ) -> items.Request:
    census = coll.census_day
    result = items.Request(outcome="H", child_id=str(child.public_id),
                           case_ref=f"plan of {child.person_ref}")
    result.assessment = items.Assessment(outcome="H", outcome_date=plan.first_issued_date,
                                         named_plan=_named_plan(plan, rel, census))
    if plan.in_force(census):
        result.active_plan = _active_plan(plan, rel, coll)
    return result


def _person(child: ChildRow) -> items.Person:
    return items.Person(
        surname=child.surname, forename=child.forename, birth_date=child.date_of_birth,
        sex=child.sex or c.Sex.UNKNOWN, ethnicity=child.ethnicity or c.Ethnicity.NOBT,
        ethnicity_recorded=bool(child.ethnicity), postcode=child.postcode, upn=child.upn,
        uln=child.uln, upn_unknown=child.upn_unknown,
    )


def build_return(coll: Collection, generated_at: datetime | None = None) -> items.Sen2Return:
    """The whole return for a collection, as the records stand for its census day."""
    requests = scoped_requests(coll)
    orphans = orphan_plans(coll)
    plans = EHCPlan.objects.filter(Q(request__in=requests) | Q(pk__in=orphans.values("pk")))
    rel = _Related(coll, plans, requests)
    plan_rows = [PlanRow(*row) for row in plans.order_by().values_list(*PlanRow._fields)]
    orphan_ids = set(orphans.values_list("pk", flat=True))
    plan_of_request = {p.request_id: p for p in plan_rows
                       if p.request_id is not None and p.pk not in orphan_ids}
    request_rows = [RequestRow(*row)
                    for row in requests.order_by().values_list(*RequestRow._fields)]
    children = {row[0]: ChildRow(*row) for row in Child.objects.filter(
        Q(pk__in=requests.values("child_id")) | Q(pk__in=orphans.values("child_id"))
    ).values_list(*ChildRow._fields)}
    keyed: dict[int, list[tuple[tuple[int, date, str], items.Request]]] = defaultdict(list)
    for req in request_rows:
        keyed[req.child_id].append(((1, req.received_date, req.case_ref),
                                    _request(req, plan_of_request.get(req.pk), rel, coll)))
    for plan in plan_rows:
        if plan.pk in orphan_ids:
            keyed[plan.child_id].append(((0, plan.first_issued_date, f"{plan.pk:012d}"),
                                         _orphan_request(plan, children[plan.child_id], rel,
                                                         coll)))
    result = items.Sen2Return(header=header(coll, generated_at))
    for child in sorted((children[pk] for pk in keyed), key=lambda ch: ch.person_ref):
        person = _person(child)
        person.requests = [request for _key, request in sorted(keyed[child.pk],
                                                               key=lambda kr: kr[0])]
        result.persons.append(person)
    return result
