"""`ehcflow sen2 import FILE.xml`: records from a SEN2 return, for moving to ehcflow.

An authority moving from another case system can start from its last SEN2 return: every child,
request, assessment, plan, setting, need and review in the file becomes a record. It is a
migration route, so it writes only into a service that holds no children yet, and it is all or
nothing: the file is read and checked in full first (schema, then what the records' rules need),
and any problem names the element path; then everything is written in one transaction.

A SEN2 file holds less than the records (no case references, no closure reasons, a single
date for the decision to issue and the final plan), so the import fills the gaps in the one way
that gives the same return back (decision 0016): the return exported from the imported
records for the same collection is the same file, byte for byte, apart from the time it was
made. What it fills is listed in docs/domain/sen2.md ("Import").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, IntegrityError, transaction

from ehcflow.casework import choices as c
from ehcflow.casework.models import (
    AnnualReview,
    AssessmentRequest,
    CaseEvent,
    Child,
    EHCPlan,
    Institution,
    PlanNeed,
    PlanSetting,
)
from ehcflow.casework.services import derive_stage
from ehcflow.disagreements import vocabulary
from ehcflow.disagreements.models import Disagreement
from ehcflow.people.models import User
from ehcflow.sen2 import items, xmlfile
from ehcflow.sen2.models import ReturnFile
from ehcflow.sen2.services import Sen2Error, may_export_return, named_user

PERSON_PREFIX = "SEN2-"


@dataclass
class Imported:
    collection: items.Collection
    children: int = 0
    requests: int = 0
    plans: int = 0
    problems: list[str] = field(default_factory=list)


class ImportProblem(Sen2Error):
    """The file cannot be imported; `problems` name each element path. Nothing was written."""

    def __init__(self, summary: str, problems: list[str]) -> None:
        super().__init__(summary)
        self.problems = problems


def _rule_problems(ret: items.Sen2Return) -> list[str]:
    """What the records' rules refuse, found before anything is written, by element path."""
    problems: list[str] = []
    for person in ret.persons:
        for req in person.requests:
            path = req.case_ref  # the Requests element's path, as read
            a = req.assessment
            plan = a.named_plan if a is not None else None
            if req.received_date is None and plan is None:
                problems.append(f"{path}: a request without ReceivedDate must carry a plan "
                                "(Assessment/NamedPlan)")
            if req.active_plan is not None and plan is None:
                problems.append(f"{path}/ActivePlans: a plan in force needs its NamedPlan")
            if req.received_date is not None:
                if req.outcome_date is not None and req.outcome_date < req.received_date:
                    problems.append(f"{path}/RequestOutcomeDate: before ReceivedDate")
                if (a is not None and a.outcome_date is not None
                        and a.outcome_date < req.received_date):
                    problems.append(f"{path}/Assessment/AssessmentOutcomeDate: before "
                                    "ReceivedDate")
            if plan is not None and plan.cease_date is not None:
                issued = (a.outcome_date if a is not None and a.outcome_date else None) \
                    or plan.start_date
                if plan.cease_date < issued:
                    problems.append(f"{path}/Assessment/NamedPlan/CeaseDate: before the plan "
                                    "was issued")
            places = [("Assessment/NamedPlan/PlanDetail", p)
                      for p in (plan.details if plan else [])]
            if req.active_plan is not None:
                places += [("ActivePlans/PlacementDetail", p) for p in req.active_plan.placements]
                ranks = [n.rank for n in req.active_plan.needs]
                if len(ranks) != len(set(ranks)):
                    problems.append(f"{path}/ActivePlans/SENneed: two needs have the same rank")
            counters: dict[str, int] = {}
            for tag, place in places:
                counters[tag] = counters.get(tag, 0) + 1
                if not (place.urn or place.ukprn or place.sen_setting):
                    problems.append(f"{path}/{tag}[{counters[tag]}]: no URN, UKPRN or "
                                    "SENSetting")
    return problems


class _Writer:
    def __init__(self, ret: items.Sen2Return, user: User) -> None:
        self.ret = ret
        self.coll = ret.collection
        self.user = user
        self.institutions: dict[tuple[str, str], Institution] = {}
        self.result = Imported(collection=self.coll)
        self.requests = 0

    def institution(self, place: items.Placement) -> Institution | None:
        if not place.urn and not place.ukprn:
            return None
        key = (place.urn, place.ukprn)
        if key not in self.institutions:
            found = (Institution.objects.filter(urn=place.urn).first() if place.urn
                     else Institution.objects.filter(ukprn=place.ukprn).first())
            if found is None:
                label = f"URN {place.urn}" if place.urn else f"UKPRN {place.ukprn}"
                # A SEN2 file holds no setting's name or kind: a placeholder until the
                # register of settings is loaded (docs/domain/sen2.md, Import).
                found = Institution.objects.create(
                    urn=place.urn or None, ukprn=place.ukprn or None,
                    name=f"Setting with {label}", kind=c.InstitutionKind.PRIMARY)
            self.institutions[key] = found
        return self.institutions[key]

    def settings(self, plan: EHCPlan, places: list[items.Placement]) -> None:
        PlanSetting.objects.bulk_create([PlanSetting(
            plan=plan, rank=p.rank, institution=self.institution(p), sen_setting=p.sen_setting,
            sen_setting_other=p.sen_setting_other, sen_unit=p.sen_unit,
            resourced_provision=p.resourced_provision, entry_date=p.entry_date,
            leaving_date=p.leaving_date) for p in places])

    def plan(self, child: Child, request: AssessmentRequest | None, req: items.Request
             ) -> EHCPlan:
        a = req.assessment
        assert a is not None and a.named_plan is not None
        named = a.named_plan
        plan = EHCPlan.objects.create(
            child=child, request=request, start_date=named.start_date,
            first_issued_date=a.outcome_date or named.start_date,
            transferred_in=False, cease_date=named.cease_date, cease_reason=named.cease_reason,
            personal_budget=named.personal_budget,
            organised_arrangements=named.organised_arrangements)
        active = req.active_plan
        self.settings(plan, active.placements if active is not None else named.details)
        if active is not None:
            PlanNeed.objects.bulk_create([PlanNeed(plan=plan, rank=n.rank, sen_type=n.sen_type)
                                          for n in active.needs])
            if active.review_meeting is not None:
                AnnualReview.objects.create(
                    plan=plan, due_date=active.review_meeting, meeting_date=active.review_meeting,
                    decision_date=active.last_review,
                    outcome=items.REVIEW_OUTCOME_OF_CODE.get(active.review_outcome, ""),
                    draft_amended_date=active.review_draft)
            if active.phase_transfer_due is not None:
                AnnualReview.objects.create(
                    plan=plan, due_date=active.phase_transfer_due, phase_transfer=True,
                    phase_transfer_due=active.phase_transfer_due,
                    amended_final_date=active.phase_transfer_final)
        self.result.plans += 1
        return plan

    def request(self, child: Child, req: items.Request) -> AssessmentRequest:
        census = self.coll.census_day
        assert req.received_date is not None
        self.requests += 1
        row = AssessmentRequest(
            case_ref=f"SEN2-{self.coll.year}-{self.requests:06d}", child=child,
            kind=c.RequestKind.INITIAL, received_date=req.received_date,
            source=items.SOURCE_OF_CODE.get(req.source, ""),
            relevant_youth_accommodation=req.rya, exported=req.exported)
        if req.outcome in ("Y", "H", "N"):
            row.decision = c.Decision.NOT_ASSESS if req.outcome == "N" else c.Decision.ASSESS
            # An H request need not carry its date: the day received stands in for it.
            row.decision_date = req.outcome_date or req.received_date
        elif req.outcome == "W":
            # A withdrawn request's day is not in the file: census day keeps it in the return.
            row.closed_date, row.closed_reason = census, c.ClosedReason.WITHDRAWN
        a = req.assessment
        if a is not None:
            has_plan = a.named_plan is not None
            if a.outcome in ("Y", "H") and a.outcome_date is not None and has_plan:
                row.outcome = c.Outcome.PLAN
                row.outcome_date = row.final_date = a.outcome_date
            elif a.outcome in ("N", "H") and a.outcome_date is not None:
                row.outcome, row.outcome_date = c.Outcome.NO_PLAN, a.outcome_date
            elif a.outcome == "Y":
                row.outcome, row.outcome_date = c.Outcome.PLAN, row.decision_date
            elif a.outcome == "W":
                row.closed_date, row.closed_reason = census, c.ClosedReason.WITHDRAWN
            row.week20_exception = bool(a.week20)
        row.stage = derive_stage(row)
        row.save()
        disputes = [(req.mediation, c.DisagreementKind.MEDIATION, c.DisagreementStage.REQUEST),
                    (req.tribunal, c.DisagreementKind.TRIBUNAL, c.DisagreementStage.REQUEST)]
        if a is not None:
            disputes += [
                (a.mediation, c.DisagreementKind.MEDIATION, c.DisagreementStage.ASSESSMENT),
                (a.tribunal, c.DisagreementKind.TRIBUNAL, c.DisagreementStage.ASSESSMENT),
                (a.other_mediation, c.DisagreementKind.MEDIATION, c.DisagreementStage.OTHER),
                (a.other_tribunal, c.DisagreementKind.TRIBUNAL, c.DisagreementStage.OTHER)]
        notice = row.decision_date or row.received_date
        Disagreement.objects.bulk_create([Disagreement(
            child=child, request=row, kind=vocabulary.KINDS[kind],
            decision=vocabulary.decision_for(stage, row.outcome), decision_notice_date=notice,
            started_on=notice) for flag, kind, stage in disputes if flag])
        return row

    def write(self) -> Imported:
        census = self.coll.census_day
        for number, person in enumerate(self.ret.persons, start=1):
            child = Child.objects.create(
                person_ref=f"{PERSON_PREFIX}{number:06d}", forename=person.forename,
                surname=person.surname, date_of_birth=person.birth_date, sex=person.sex,
                ethnicity=person.ethnicity, postcode=person.postcode, upn=person.upn,
                uln=person.uln, upn_unknown=person.upn_unknown)
            self.result.children += 1
            for req in person.requests:
                request = self.request(child, req) if req.received_date is not None else None
                plan = None
                if req.assessment is not None and req.assessment.named_plan is not None:
                    plan = self.plan(child, request, req)
                CaseEvent.objects.create(
                    child=child, request=request, plan=plan, effective_date=census,
                    actor=self.user, actor_name=self.user.get_username(),
                    action="sen2_import",
                    description=f"Imported from the SEN2 {self.coll.year} return")
        self.result.requests = self.requests
        return self.result


def import_file(path: Path, *, by: str) -> Imported:
    """Read, check and write a SEN2 file, all or nothing (ImportProblem names the paths)."""
    user = named_user(by)
    if not may_export_return(user):
        raise Sen2Error("Your role may not import a SEN2 return: it writes every child's name, "
                        "date of birth, UPN and postcode.")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise Sen2Error(f"{path}: cannot read the file ({error.strerror}).") from None
    try:
        ret = xmlfile.parse(data)
    except xmlfile.FileProblem as error:
        raise ImportProblem(str(error), [str(p) for p in error.problems]) from None
    problems = _rule_problems(ret)
    if problems:
        raise ImportProblem("The file breaks rules the records keep, so nothing was imported.",
                            problems)
    if Child.objects.exists():
        raise Sen2Error("This service already holds children's records. Importing a SEN2 return "
                        "is for moving to ehcflow, into a service with no records yet, so that "
                        "no child is recorded twice.")
    try:
        with transaction.atomic():
            result = _Writer(ret, user).write()
            ReturnFile.objects.create(
                user=user, action=ReturnFile.Action.IMPORT, collection_year=ret.collection.year,
                census_day=ret.collection.census_day, persons=result.children,
                requests=len(ret.requests()), sha256=hashlib.sha256(data).hexdigest())
    except (IntegrityError, DatabaseError) as error:
        raise Sen2Error("The file could not be imported, and nothing was written: a record "
                        f"broke a rule of the database ({str(error)[:120]}).") from None
    return result


__all__ = ["ImportProblem", "Imported", "import_file"]
