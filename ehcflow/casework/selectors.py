"""Reads of the casework record, counted in the database.

`kpis()` counts exactly what `ehcflow.statutory.measures.kpis()` counts over plain records
(docs/domain/measures.md), but with aggregate queries so it stays fast on a large authority; the
tests prove the two equal on random histories. Only initial requests count (docs/domain/measures.md:
"initial requests", "new plans"); re-assessments are casework but not these measures.

Longer than 500 lines on purpose: every read of casework that pages and measures share,
with the SQL counting that the tests prove equal to the pure measures.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from ehcflow.casework import choices as c
from ehcflow.casework import counts
from ehcflow.casework.counts import initial_requests
from ehcflow.casework.events import EventAction
from ehcflow.casework.models import (
    AdviceRequest,
    AssessmentRequest,
    CaseEvent,
    Child,
    EHCPlan,
    RecordAccess,
    StatutoryException,
)
from ehcflow.people.access import ALL_CHILD_FIELDS, ChildField
from ehcflow.people.models import Role, StaffMember
from ehcflow.statutory import measures
from ehcflow.statutory.clock import (
    COMMENT_PERIOD_DAYS,
    DECISION_NOT_TO_ISSUE_DAYS,
    DECISION_TO_ASSESS_DAYS,
    FINAL_PLAN_DAYS,
)
from ehcflow.statutory.exceptions import (
    Deadline,
    DeadlineKind,
    ExceptionPeriod,
    ExceptionReason,
    Step,
    request_timeline,
)

# The backlog's thresholds: docs/domain/measures.md's, defined once in statutory.measures.
OVER_20_WEEKS_DAYS = measures.OVER_20_WEEKS_DAYS
OVER_30_WEEKS_DAYS = measures.OVER_30_WEEKS_DAYS
OVER_50_WEEKS_DAYS = measures.OVER_50_WEEKS_DAYS
# A decision not to issue is due by week 16 (reg 10(1)). The law sets no separate date for a
# decision to issue or for the draft; these targets keep the final plan on time: decide by
# week 16, and send the draft so that the 15 days of reg 13(1)(a) end by week 20.
DRAFT_TARGET_DAYS = FINAL_PLAN_DAYS - COMMENT_PERIOD_DAYS


def open_on(on: date) -> Q:
    """Q for requests open at `on` (docs/domain/measures.md, "Requests and their state at a
    date")."""
    return Q(received_date__lte=on) & ~(
        Q(decision=c.Decision.NOT_ASSESS, decision_date__lte=on)
        | Q(outcome=c.Outcome.NO_PLAN, outcome_date__lte=on)
        | Q(final_date__lte=on)
        | Q(closed_date__lte=on)
    )


def backlog(*, on: date) -> measures.Backlog:
    """Open requests at `on` and those older than 20, 30 and 50 weeks (report 000, table 4)."""
    figures = initial_requests().filter(open_on(on)).aggregate(
        open=Count("id"),
        over_20=Count("id", filter=Q(received_date__lt=on - timedelta(days=OVER_20_WEEKS_DAYS))),
        over_30=Count("id", filter=Q(received_date__lt=on - timedelta(days=OVER_30_WEEKS_DAYS))),
        over_50=Count("id", filter=Q(received_date__lt=on - timedelta(days=OVER_50_WEEKS_DAYS))),
    )
    return measures.Backlog(
        open=figures["open"],
        over_20_weeks=figures["over_20"],
        over_30_weeks=figures["over_30"],
        over_50_weeks=figures["over_50"],
    )


def kpis(*, as_of: date, period: measures.Period | None = None) -> measures.Kpis:
    """The measures of docs/domain/measures.md at `as_of` over `period` (default: 12 months to
    as_of).

    Mirrors `measures.kpis()`: only the part of the period up to `as_of` counts (a plan dated
    after `as_of` is not yet issued), a period starting after `as_of` counts nothing, and the
    backlog is taken at `as_of`. The flow figures are `counts.period_figures` for this one
    period, the same function the dashboards count their years and months with, so a headline
    figure is counted in one place. Four aggregate queries, whatever the size of the authority.
    """
    chosen = period or measures.twelve_months_ending(as_of)
    flow = counts.period_figures([chosen], as_of=as_of)[0]
    return measures.Kpis(as_of=as_of, period=chosen, backlog=backlog(on=as_of),
                         **flow.as_kpis_fields())


def request_records() -> Iterator[measures.RequestRecord]:
    """Every initial request as a plain record, for the pure measures and for tests."""
    fields = ("case_ref", "received_date", "decision", "decision_date", "outcome",
              "outcome_date", "draft_date", "final_date", "week20_exception", "closed_date",
              "closed_reason")
    for row in initial_requests().values_list(*fields).iterator(chunk_size=5000):
        (case_ref, received, decision, decision_date, outcome, outcome_date, draft, final,
         exception, closed, closed_reason) = row
        yield measures.RequestRecord(
            case_ref=case_ref, request_date=received, decision=decision or None,
            decision_date=decision_date, outcome=outcome or None, outcome_date=outcome_date,
            draft_date=draft, final_date=final, exception=exception, closed_date=closed,
            closed_reason=closed_reason or None,
        )


# --- the work queue ----------------------------------------------------------------------------

# The "Time since request" filter of My work. "Over 20 weeks" means every request older than
# 20 weeks, as on the home page and the backlog dashboard (docs/domain/measures.md, "Backlog":
# strictly more
# than 140 days), so the filter's count equals the headline figure; the bands over 20 weeks
# nest rather than slice.
AGE_BANDS: dict[str, tuple[int, int | None]] = {
    "under_6": (0, 42),
    "6_to_20": (42, OVER_20_WEEKS_DAYS),
    "over_20": (OVER_20_WEEKS_DAYS, None),
    "over_30": (OVER_30_WEEKS_DAYS, None),
    "over_50": (OVER_50_WEEKS_DAYS, None),
}
AGE_BAND_LABELS = {
    "under_6": "Up to 6 weeks",
    "6_to_20": "Over 6, up to 20 weeks",
    "over_20": "Over 20 weeks",
    "over_30": "Over 30 weeks",
    "over_50": "Over 50 weeks",
}


def _plus(field: str, days: int) -> Cast:
    # PostgreSQL gives a timestamp for date + interval; the cast keeps it a date everywhere.
    return Cast(ExpressionWrapper(F(field) + timedelta(days=days), output_field=DateField()),
                output_field=DateField())


def next_deadline_annotation() -> Case:
    """The next statutory date each open request faces, by stage (statutory-timescales §1.2).

    Awaiting decision: reg 5(1), 6 weeks. Assessing: the earliest outstanding advice (reg 8(1))
    or, with all advice in, the decision whether to issue by week 16 (reg 10(1)). Decision
    made: the draft must go by day 125 so that the 15 days of reg 13(1)(a) end by week 20.
    Draft out: the final plan, 20 weeks (reg 13(2)).
    """
    earliest_advice = (
        AdviceRequest.objects.filter(request=OuterRef("pk"), received_on__isnull=True)
        .order_by("due_on").values("due_on")[:1]
    )
    return Case(
        When(stage=c.Stage.AWAITING_DECISION, then=_plus("received_date", DECISION_TO_ASSESS_DAYS)),
        When(stage=c.Stage.ASSESSING,
             then=Coalesce(Subquery(earliest_advice, output_field=DateField()),
                           _plus("received_date", DECISION_NOT_TO_ISSUE_DAYS))),
        When(stage=c.Stage.AWAITING_DRAFT, then=_plus("received_date", DRAFT_TARGET_DAYS)),
        When(stage=c.Stage.DRAFT_ISSUED, then=_plus("received_date", FINAL_PLAN_DAYS)),
        default=Value(None, output_field=DateField()),
        output_field=DateField(),
    )


NEXT_STEP_LABELS = {
    c.Stage.AWAITING_DECISION: "Decision whether to assess",
    c.Stage.ASSESSING: "Advice due, then the decision whether to issue a plan",
    c.Stage.AWAITING_DRAFT: "Draft plan (to leave 15 days before week 20)",
    c.Stage.DRAFT_ISSUED: "Final plan",
}


def adviser_deadline_annotation(adviser: StaffMember) -> Subquery:
    """The date this adviser's own earliest outstanding advice is due (reg 8(1), 6 weeks).

    An adviser's queue is ordered by what they owe, not by another adviser's lateness.
    """
    return Subquery(
        AdviceRequest.objects.filter(request=OuterRef("pk"), adviser=adviser,
                                     received_on__isnull=True)
        .order_by("due_on").values("due_on")[:1], output_field=DateField())


def work_queue(
    requests: QuerySet[AssessmentRequest], *, today: date, stage: str | None = None,
    age_band: str | None = None, exception: str | None = None,
    adviser: StaffMember | None = None,
) -> QuerySet[AssessmentRequest]:
    """Open requests ordered by their next statutory deadline: one query, any caseload.

    For an adviser (`adviser`), the deadline is their own advice's, and requests where they owe
    nothing come last.
    """
    queue = requests.filter(stage__in=c.OPEN_STAGES).select_related("child", "officer")
    if stage in c.Stage.values:
        queue = queue.filter(stage=stage)
    if age_band in AGE_BANDS:
        # Over N weeks means strictly more than 7N days (docs/domain/measures.md, "Backlog").
        low, high = AGE_BANDS[age_band]
        if low:
            queue = queue.filter(received_date__lt=today - timedelta(days=low))
        if high is not None:
            queue = queue.filter(received_date__gte=today - timedelta(days=high))
    if exception == "yes":
        queue = queue.filter(week20_exception=True)
    elif exception == "no":
        queue = queue.filter(week20_exception=False)
    deadline = (adviser_deadline_annotation(adviser) if adviser is not None
                else next_deadline_annotation())
    return queue.annotate(next_deadline=deadline).order_by(
        F("next_deadline").asc(nulls_last=True), "received_date", "id")


@dataclass(frozen=True)
class OfficerCaseload:
    officer: StaffMember
    open_assessments: int
    plans_maintained: int

    @property
    def fte(self) -> float:
        return float(self.officer.fte)

    @property
    def plans_per_fte(self) -> float | None:
        return measures.per_fte(self.plans_maintained, self.fte)

    @property
    def assessments_per_fte(self) -> float | None:
        return measures.per_fte(self.open_assessments, self.fte)


def team_caseloads(*, team_id: int | None, today: date) -> list[OfficerCaseload]:
    """Open assessments and plans maintained per case officer (report 004, table 2).

    Counted as the caseloads dashboard counts them (docs/domain/measures.md, "Caseloads"):
    open assessments are the initial requests open at `today` (`open_on`), plans maintained
    the plans in force. DfE benchmarks: 150–200 plans and 25 assessments per case officer
    FTE. Two queries.
    """
    officers = StaffMember.objects.filter(role=Role.CASE_OFFICER).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today), start_date__lte=today)
    if team_id is not None:
        officers = officers.filter(team_id=team_id)
    plans_in_force = Q(plans__first_issued_date__lte=today) & (
        Q(plans__cease_date__isnull=True) | Q(plans__cease_date__gt=today))
    rows = officers.annotate(
        plans_n=Count("plans", filter=plans_in_force, distinct=True)).order_by("name")
    opened = dict(initial_requests().filter(open_on(today), officer__in=officers)
                  .values("officer").annotate(n=Count("id")).values_list("officer", "n"))
    return [OfficerCaseload(officer=o, open_assessments=opened.get(o.pk, 0),
                            plans_maintained=o.plans_n)  # type: ignore[attr-defined]
            for o in rows]


# --- the request page --------------------------------------------------------------------------


STEP_LABELS = {
    Step.DECISION_TO_ASSESS: "Decision whether to assess",
    Step.ADVICE: "Advice",
    Step.DECISION_NOT_TO_ISSUE: "Decision whether to issue a plan",
    Step.COMMENT_PERIOD: "15 days for comments on the draft",
    Step.FINAL_PLAN: "Final EHC plan",
}


@dataclass(frozen=True)
class DeadlineRow:
    """One row of the request page's timeline: a statutory deadline, or a target that keeps
    the final plan on time, with what was done and whether it was in time."""

    label: str
    regulation: str
    due: date
    done: date | None
    met: bool | None
    is_overdue: bool
    exception_days: int = 0
    exception_label: str = ""
    period_end: bool = False

    @property
    def adjusted_due(self) -> date:
        return self.due + timedelta(days=self.exception_days)

    @classmethod
    def from_deadline(cls, deadline: Deadline, today: date, *,
                      label: str | None = None) -> DeadlineRow:
        base = label or STEP_LABELS.get(deadline.step, deadline.step.replace("_", " "))
        reason = deadline.exception
        return cls(
            label=f"{base}: {deadline.subject}" if deadline.subject else base,
            regulation=deadline.regulation, due=deadline.due,
            # A period's end is not "done" by anyone: the row says when it ended instead.
            done=None if deadline.kind is DeadlineKind.PERIOD_END else deadline.done,
            met=deadline.met, is_overdue=deadline.overdue_on(today),
            exception_days=deadline.exception_days,
            exception_label=c.ExceptionReason(reason).label.lower() if reason else "",
            period_end=deadline.kind is DeadlineKind.PERIOD_END,
        )

    @classmethod
    def target(cls, label: str, explanation: str, due: date, done: date | None,
               today: date) -> DeadlineRow:
        met = (done <= due) if done is not None else (False if today > due else None)
        return cls(label=label, regulation=explanation, due=due, done=done, met=met,
                   is_overdue=done is None and today > due)


@dataclass(frozen=True)
class RequestPage:
    """Everything the request page shows, read in a fixed number of queries."""

    deadlines: list[DeadlineRow]
    events: list[CaseEvent]
    advice: list[AdviceRequest]
    exceptions: list[StatutoryException]
    headline: str
    plan: EHCPlan | None


def _plan_targets(case: AssessmentRequest, today: date) -> list[DeadlineRow]:
    """The decision to issue and the draft, once a plan is on its way (see DRAFT_TARGET_DAYS)."""
    if case.decision != c.Decision.ASSESS or case.outcome == c.Outcome.NO_PLAN:
        return []
    rows = [DeadlineRow.target(
        "Draft EHC plan", "Sent so that the 15 days for comments (reg 13(1)(a)) end by week 20",
        case.received_date + timedelta(days=DRAFT_TARGET_DAYS), case.draft_date, today)]
    plan_known = (case.outcome == c.Outcome.PLAN or case.draft_date is not None
                  or case.final_date is not None)
    if plan_known:
        rows.append(DeadlineRow.target(
            "Decision whether to issue a plan",
            "Week 16, the limit reg 10(1) sets for a decision not to issue",
            case.received_date + timedelta(days=DECISION_NOT_TO_ISSUE_DAYS),
            case.outcome_date or case.draft_date or case.final_date, today))
    return rows


def _headline(case: AssessmentRequest, final: Deadline | None, today: date) -> str:
    """Where the request stands against the 20 weeks, in whole weeks (docs/domain/measures.md)."""
    received = case.received_date
    due = received + timedelta(days=FINAL_PLAN_DAYS)
    if case.final_date is not None:
        weeks = (case.final_date - received).days // 7
        in_time = "within" if case.final_date <= due else "after"
        return (f"Final plan issued {case.final_date:%-d %B %Y}, {weeks} weeks after the "
                f"request ({in_time} the 20 weeks).")
    if not case.is_open:
        ended = case.closed_date or case.outcome_date or case.decision_date
        how = case.get_stage_display().lower()
        return f"{case.get_stage_display()} on {ended:%-d %B %Y}." if ended else f"{how}."
    days = (today - received).days
    moved = ""
    if final is not None and final.exception_days:
        moved = (f" With the exception to the time limit, {final.adjusted_due:%-d %B %Y}.")
    if days < FINAL_PLAN_DAYS:
        return f"Week {days // 7 + 1} of 20. Final plan due {due:%-d %B %Y}.{moved}"
    return (f"{days // 7} weeks since the request. The final plan was due by "
            f"{due:%-d %B %Y}.{moved}")


def request_page(case: AssessmentRequest, *, today: date) -> RequestPage:
    """The statutory timeline (statutory.exceptions.request_timeline) and the event history."""
    advice = list(case.advice_requests.select_related("adviser").order_by("requested_on", "id"))
    exceptions = list(case.exceptions.all())
    events = list(case.events.select_related("actor").order_by("-occurred_at", "-id"))
    periods = [ExceptionPeriod(reason=ExceptionReason(e.reason), start=e.start_date,
                               end=e.end_date) for e in exceptions]
    deadlines = request_timeline(
        request_date=case.received_date,
        decision=case.decision or None, decision_date=case.decision_date,
        advice=[(a.get_adviser_type_display(), a.requested_on, a.received_on) for a in advice],
        outcome=case.outcome or None, outcome_date=case.outcome_date,
        draft_date=case.draft_date, final_date=case.final_date, exceptions=periods,
        as_of=today,
    )
    final = next((d for d in deadlines if d.step == Step.FINAL_PLAN), None)
    rows = [DeadlineRow.from_deadline(
        d, today, label=("Decision not to issue a plan" if d.step == Step.DECISION_NOT_TO_ISSUE
                         and case.outcome == c.Outcome.NO_PLAN else None))
        for d in deadlines] + _plan_targets(case, today)
    rows.sort(key=lambda r: (r.due, r.period_end))
    plan = EHCPlan.objects.filter(request=case).first() if case.final_date else None
    return RequestPage(
        deadlines=rows, events=events, advice=advice, exceptions=exceptions,
        headline=_headline(case, final, today), plan=plan,
    )


# What each access-log entry's page code means, in the words of the page the person used.
_ACCESS_PAGES = {
    "request": "Request page",
    "child": "Child's record",
    "my_work": "My work list",
    "search": "Search",
    "request_new": "Registered the request",
    "register:match": "Possible match when registering a request",
    "subject access request": "Subject access request",
    # families and files (ehcflow.families, ehcflow.files)
    "family:home": "Family's list of requests",
    "family:request": "Family's page of the request",
    "family:views": "Family's views",
    "family:document": "Family sending a document",
    "family:draft": "Family's response to the draft plan",
    "family:meeting": "Family asking for a meeting",
    "family:sharing": "Young person's sharing choices",
    "family:invite": "Invitation to the family",
    "file:download": "Document opened",
    "file:not-scanned": "Document not yet checked for viruses",
}


def access_page_label(code: str) -> str:
    """The access log's page code as a person reads it ("step:allocate" → the step's title)."""
    from ehcflow.casework.steps import STEPS

    if code.startswith("step:"):
        step = STEPS.get(code.removeprefix("step:"))
        return step.title if step is not None else "A step of the request"
    if code.startswith("insight:board-pack"):
        return "Board pack download"
    if code.startswith("insight:"):
        return "Cases behind a dashboard figure"
    return _ACCESS_PAGES.get(code, "Another page")


def possible_duplicates(*, forename: str, surname: str, date_of_birth: date,
                        upn: str = "") -> list[Child]:
    """Children who may be the same person: same UPN, or same date of birth and surname/name.

    Names are compared case-insensitively; a duplicate record splits a child's history and is
    worse than a moment's check.
    """
    same_person = Q(date_of_birth=date_of_birth) & (
        Q(surname__iexact=surname.strip()) | Q(forename__iexact=forename.strip()))
    if upn.strip():
        same_person |= Q(upn=upn.strip().upper())
    return list(Child.objects.filter(same_person).order_by("surname", "forename")[:10])


def search_requests(requests: QuerySet[AssessmentRequest], query: str, *,
                    fields: frozenset[ChildField] = ALL_CHILD_FIELDS,
                    ) -> QuerySet[AssessmentRequest]:
    """Requests matching a case reference, and a UPN or the child's names where `fields`
    allows: a search by a detail one may not read would tell whether it is on record."""
    terms = query.split()
    condition = Q(case_ref__iexact=query)
    if ChildField.UPN in fields:
        condition |= Q(child__upn__iexact=query)
    if terms and ChildField.NAME in fields:
        names = Q()
        for term in terms:
            names &= Q(child__forename__icontains=term) | Q(child__surname__icontains=term)
        condition |= names
    return (requests.filter(condition).select_related("child", "officer")
            .order_by("-received_date"))


# --- the pages' reads: allocation, double submits, the access log -------------------------------

#: A second press of a button within this long of the first is the same action, not a new one.
DOUBLE_SUBMIT_WINDOW = timedelta(seconds=30)


def allocatable_officers(by: StaffMember | None) -> QuerySet[StaffMember]:
    """Whom a request may be allocated to: case officers and team managers without an end
    date; a team manager allocates within their own team."""
    officers = StaffMember.objects.filter(role__in=[Role.CASE_OFFICER, Role.TEAM_MANAGER],
                                          end_date__isnull=True)
    if by is not None and by.role == Role.TEAM_MANAGER and by.team_id:
        officers = officers.filter(team_id=by.team_id)
    return officers


def changed_just_now_by(case: AssessmentRequest, user_id: int | None) -> bool:
    """Whether this user changed the request within `DOUBLE_SUBMIT_WINDOW`: a step form
    pressed twice finds its first press recorded, and says so instead of refusing."""
    recent = timezone.now() - DOUBLE_SUBMIT_WINDOW
    return case.events.filter(actor_id=user_id, occurred_at__gte=recent).exists()


def registered_just_now_by(user_id: int | None, *, received_date: date, date_of_birth: date,
                           surname: str) -> AssessmentRequest | None:
    """The request this user registered for the same child, received the same day, within
    `DOUBLE_SUBMIT_WINDOW`: a second press of the register button, not a new request."""
    recent = timezone.now() - DOUBLE_SUBMIT_WINDOW
    return (AssessmentRequest.objects
            .filter(events__actor_id=user_id, events__occurred_at__gte=recent,
                    events__action=EventAction.REQUEST_RECEIVED, received_date=received_date,
                    child__date_of_birth=date_of_birth, child__surname__iexact=surname.strip())
            .order_by("-id").first())


def access_log(case: AssessmentRequest, *, limit: int = 500) -> list[tuple[RecordAccess, str]]:
    """Who looked at or changed a request or its child, newest first, with each page named
    as a person reads it."""
    entries = (RecordAccess.objects.filter(Q(request=case) | Q(child=case.child))
               .select_related("user").order_by("-at", "-id")[:limit])
    return [(entry, access_page_label(entry.page)) for entry in entries]
