"""Every write to a child's record: one function per step, one transaction, one case event.

Each function checks that the law allows the step now (docs/domain/statutory-timescales.md §1.2: the
decision to assess comes before advice, advice before the decision to issue, the draft before
the final plan, and the 15-day comment period of reg 13(1)(a) before the final plan), refuses
with a `CaseworkError` that says why, and otherwise changes the record and appends a
`CaseEvent` in the same transaction. The pages write through here; the register import and
the demo writer do not (they write whole histories in bulk) but keep the same rules: the stage
from `statutory.records.current_stage`, the events of `casework.events`, and the invariants of
docs/decisions/0023-three-writers-one-set-of-rules.md.

Longer than 500 lines on purpose: one service per statutory step of an assessment, all
sharing the date checks, locking and event writing at the top of the module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction

from ehcflow.casework import choices as c
from ehcflow.casework import events
from ehcflow.casework.events import DESCRIPTIONS, EventAction
from ehcflow.casework.identifiers import case_reference, uln_problem, upn_problem
from ehcflow.casework.models import (
    AdviceRequest,
    AssessmentRequest,
    Child,
    EHCPlan,
    Institution,
    PlanNeed,
    PlanSetting,
    StatutoryException,
)
from ehcflow.people.models import StaffMember, User
from ehcflow.statutory import clock, dates
from ehcflow.statutory.exceptions import ExceptionReason, Step, validate_exception
from ehcflow.statutory.records import RequestRecord, current_stage


class CaseworkError(Exception):
    """A step the law or the record does not allow; the message says why, for the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Actor:
    """Who made a change: a signed-in user, or a named process (import, demo, task)."""

    user: User | None = None
    name: str = ""

    @property
    def label(self) -> str:
        if self.user is not None:
            return self.user.get_full_name() or self.user.get_username()
        return self.name or "system"


def actor_for(user: User | None, fallback: str = "system") -> Actor:
    return Actor(user=user, name=fallback)


#: Every service appends its case event with this (`casework.events`: one vocabulary of
#: actions and descriptions for the services, the register import and the demo writer).
# Re-exported: the services, and the apps above casework, call it from here.
record_event = events.record_event


def not_future(on: date, what: str, field: str) -> None:
    """Refuse a step's date in the future, or before the earliest date the service records.

    The range is `statutory.dates.accepted_range(EVENT)`, the same the forms, the register
    import and the command line use, so a date in year 1 cannot come in by any of them.
    """
    if on > clock.today():
        raise CaseworkError(f"The {what} cannot be in the future.", field=field)
    if on < dates.EARLIEST_RECORD:
        raise CaseworkError(f"The {what} must be the same as or after "
                            f"{dates.long_date(dates.EARLIEST_RECORD)}.", field=field)


def _under_25_on(received_date: date, date_of_birth: date) -> None:
    """Refuse a request for someone 25 or over on the day it was received.

    Children and Families Act 2014 s.83(2): EHC plans are for children and young people
    under 25 (`statutory.dates.accepted_range(BIRTH, start=received_date)`).
    """
    accepted = dates.accepted_range(dates.DateKind.BIRTH, today=clock.today(), start=received_date)
    if date_of_birth < accepted.earliest:
        raise CaseworkError(
            f"The child or young person must be under {dates.YOUNG_PERSON_AGE_LIMIT} on the date "
            f"the request was received: their date of birth must be the same as or after "
            f"{dates.long_date(accepted.earliest)}.", field="date_of_birth")


def _exception_end_problem(start: date, end: date | None) -> None:
    """Refuse an exception period that ends more than `MAX_EXCEPTION_YEARS` after it starts."""
    if end is None:
        return
    accepted = dates.accepted_range(dates.DateKind.EXCEPTION_END, today=clock.today(), start=start)
    if end > accepted.latest:
        raise CaseworkError(
            f"The end of the exception must be the same as or before "
            f"{dates.long_date(accepted.latest)}: an exception runs at most "
            f"{dates.MAX_EXCEPTION_YEARS} years.", field="end_date")


def not_before(on: date, earlier: date | None, what: str, earlier_what: str, field: str) -> None:
    if earlier is not None and on < earlier:
        raise CaseworkError(
            f"The {what} ({on:%-d %B %Y}) cannot be before the {earlier_what} "
            f"({earlier:%-d %B %Y}).",
            field=field,
        )


def _check_version(request: AssessmentRequest, expected_version: int | None) -> None:
    """Refuse a change made from a stale page: another officer changed the request since."""
    if expected_version is not None and request.version != expected_version:
        raise CaseworkError(
            "Someone else changed this request while you were working on it. "
            "Reload the page to see their change, then try again.",
            field="version",
        )


def _locked(request: AssessmentRequest) -> AssessmentRequest:
    return AssessmentRequest.objects.select_for_update().get(pk=request.pk)


def _save(request: AssessmentRequest, fields: list[str]) -> None:
    request.version += 1
    request.save(update_fields=[*fields, "version", "updated_at"])


def derive_stage(request: AssessmentRequest) -> str:
    """The stage implied by the recorded steps: `statutory.records.current_stage`, the one
    stage rule of every writer (docs/decisions/0023-three-writers-one-set-of-rules.md)."""
    return c.Stage(current_stage(RequestRecord(
        case_ref=request.case_ref, request_date=request.received_date or date.min,
        decision=request.decision or None, decision_date=request.decision_date,
        outcome=request.outcome or None, outcome_date=request.outcome_date,
        draft_date=request.draft_date, final_date=request.final_date,
        closed_date=request.closed_date,
    )).value)


# --- the child ---------------------------------------------------------------------------


def child_problems(
    *, date_of_birth: date | None, upn: str = "", uln: str = "", upn_unknown: str = ""
) -> dict[str, str]:
    """Field problems in a child's identifying details (SEN2 module 1 rules)."""
    problems: dict[str, str] = {}
    if date_of_birth is not None and date_of_birth > clock.today():
        problems["date_of_birth"] = "Date of birth must be in the past."
    elif date_of_birth is not None and date_of_birth < (earliest := dates.accepted_range(
            dates.DateKind.BIRTH, today=clock.today()).earliest):
        problems["date_of_birth"] = (
            f"Date of birth must be the same as or after {dates.long_date(earliest)}.")
    if upn and (problem := upn_problem(upn)):
        problems["upn"] = problem
    if uln and (problem := uln_problem(uln)):
        problems["uln"] = problem
    if upn and upn_unknown:
        problems["upn_unknown"] = "Give a reason the UPN is unknown only when there is no UPN."
    return problems


@transaction.atomic
def child_create(
    *,
    person_ref: str,
    date_of_birth: date,
    by: Actor,
    forename: str = "",
    surname: str = "",
    sex: str = c.Sex.UNKNOWN,
    ethnicity: str = "",
    postcode: str = "",
    upn: str = "",
    uln: str = "",
    upn_unknown: str = "",
) -> Child:
    problems = child_problems(date_of_birth=date_of_birth, upn=upn, uln=uln,
                              upn_unknown=upn_unknown)
    if problems:
        field, message = next(iter(problems.items()))
        raise CaseworkError(message, field=field)
    if Child.objects.filter(person_ref=person_ref).exists():
        raise CaseworkError(f"A child with person id {person_ref} is already recorded.",
                            field="person_ref")
    child = Child.objects.create(
        person_ref=person_ref, date_of_birth=date_of_birth, forename=forename, surname=surname,
        sex=sex, ethnicity=ethnicity, postcode=postcode.upper().strip(),
        upn=upn.upper().strip(), uln=uln.strip(), upn_unknown=upn_unknown,
    )
    record_event(child=child, action=EventAction.CHILD_RECORDED,
                  description=DESCRIPTIONS[EventAction.CHILD_RECORDED],
                  on=clock.today(), by=by)
    return child


# --- the request and the assessment --------------------------------------------------------


@transaction.atomic
def request_register(
    *,
    child: Child,
    case_ref: str,
    received_date: date,
    by: Actor,
    source: str = "",
    kind: str = c.RequestKind.INITIAL,
    officer: StaffMember | None = None,
    relevant_youth_accommodation: bool = False,
) -> AssessmentRequest:
    """Register a request for an EHC needs assessment; the 20-week clock starts (reg 13(2))."""
    not_future(received_date, "date the request was received", "received_date")
    not_before(received_date, child.date_of_birth, "date the request was received",
                "date of birth", "received_date")
    _under_25_on(received_date, child.date_of_birth)
    if AssessmentRequest.objects.filter(case_ref=case_ref).exists():
        raise CaseworkError(f"Case reference {case_ref} is already in use.", field="case_ref")
    request = AssessmentRequest.objects.create(
        child=child, case_ref=case_ref, received_date=received_date, source=source, kind=kind,
        officer=officer, relevant_youth_accommodation=relevant_youth_accommodation,
    )
    record_event(
        child=child, request=request, action=EventAction.REQUEST_RECEIVED, on=received_date,
        by=by, description=DESCRIPTIONS[EventAction.REQUEST_RECEIVED],
        changes={"received_date": received_date.isoformat(), "source": source},
    )
    return request


@transaction.atomic
def request_allocate(
    *, request: AssessmentRequest, officer: StaffMember | None, by: Actor, reason: str = "",
    expected_version: int | None = None,
) -> AssessmentRequest:
    request = _locked(request)
    _check_version(request, expected_version)
    if officer is not None and officer.role not in {"case_officer", "team_manager"}:
        raise CaseworkError("Requests can only be allocated to a case officer or team manager.",
                            field="officer")
    before = request.officer.name if request.officer else None
    request.officer = officer
    _save(request, ["officer"])
    record_event(
        child=request.child, request=request, action=EventAction.REQUEST_ALLOCATED,
        on=clock.today(), by=by,
        description=events.allocation_description(officer.name if officer else None),
        reason=reason, changes={"officer": [before, officer.name if officer else None]},
    )
    return request


def _require_open(request: AssessmentRequest) -> None:
    if not request.is_open:
        raise CaseworkError(
            f"This request is no longer open ({request.get_stage_display().lower()}), "
            "so no further step can be recorded on it."
        )


@transaction.atomic
def request_record_decision(
    *, request: AssessmentRequest, decision: str, on: date, by: Actor, reason: str = "",
    expected_version: int | None = None,
) -> AssessmentRequest:
    """Record the decision whether to assess; due within 6 weeks (reg 5(1))."""
    request = _locked(request)
    _check_version(request, expected_version)
    _require_open(request)
    if request.decision:
        raise CaseworkError("The decision whether to assess has already been recorded.",
                            field="decision")
    if decision not in c.Decision.values:
        raise CaseworkError("Choose whether to assess.", field="decision")
    not_future(on, "decision date", "decision_date")
    not_before(on, request.received_date, "decision date", "date the request was received",
                "decision_date")
    request.decision, request.decision_date = decision, on
    request.stage = derive_stage(request)
    _save(request, ["decision", "decision_date", "stage"])
    due = clock.decision_to_assess_due(request.received_date)
    record_event(
        child=request.child, request=request, action=EventAction.DECISION_RECORDED, on=on, by=by,
        description=events.decision_description(decision),
        reason=reason,
        changes={"decision": decision, "decision_date": on.isoformat(),
                 "due": due.isoformat(), "met": on <= due},
    )
    return request


@transaction.atomic
def advice_request(
    *, request: AssessmentRequest, adviser_type: str, requested_on: date, by: Actor,
    adviser: StaffMember | None = None, organisation: str = "",
    expected_version: int | None = None,
) -> AdviceRequest:
    """Seek advice for the assessment (reg 6); the adviser must reply in 6 weeks (reg 8(1)).

    Requesting advice moves the request's version on, so a second press of the same form (made
    from the same, now stale, page) is refused rather than asking the same adviser twice.
    """
    request = _locked(request)
    _check_version(request, expected_version)
    _require_open(request)
    if request.decision != c.Decision.ASSESS:
        raise CaseworkError(
            "Advice can only be requested once the decision to assess has been made.",
            field="adviser_type",
        )
    if request.outcome:
        raise CaseworkError("The assessment is finished: the decision whether to issue a plan "
                            "has been made.", field="adviser_type")
    if adviser_type not in c.AdviserType.values:
        raise CaseworkError("Choose the kind of advice.", field="adviser_type")
    not_future(requested_on, "date advice was requested", "requested_on")
    not_before(requested_on, request.decision_date, "date advice was requested",
                "decision to assess", "requested_on")
    advice = AdviceRequest.objects.create(
        request=request, adviser_type=adviser_type, adviser=adviser,
        adviser_organisation=organisation, requested_on=requested_on,
        due_on=clock.advice_due(requested_on),
    )
    _save(request, [])
    record_event(
        child=request.child, request=request, action=EventAction.ADVICE_REQUESTED, on=requested_on,
        by=by, description=events.advice_description(EventAction.ADVICE_REQUESTED, adviser_type),
        changes={"adviser_type": adviser_type, "due_on": advice.due_on.isoformat()},
    )
    return advice


@transaction.atomic
def advice_request_many(
    *, request: AssessmentRequest, adviser_types: list[str], requested_on: date, by: Actor,
    adviser: StaffMember | None = None, organisation: str = "",
    expected_version: int | None = None,
) -> list[AdviceRequest]:
    """Seek several kinds of advice at once (reg 6(1)), all or none.

    A named adviser is attached to the kind of advice their role gives (an educational
    psychologist to educational psychology); the organisation to every kind asked.
    """
    if not adviser_types:
        raise CaseworkError("Choose the kind of advice.", field="adviser_types")
    request = _locked(request)
    _check_version(request, expected_version)
    own_kind = c.ADVICE_OF_ROLE.get(adviser.role) if adviser is not None else None
    created = []
    for kind in dict.fromkeys(adviser_types):  # each kind once, in the order given
        created.append(advice_request(
            request=request, adviser_type=kind, requested_on=requested_on, by=by,
            adviser=adviser if kind == own_kind else None, organisation=organisation))
        request.refresh_from_db(fields=["version"])
    return created


@transaction.atomic
def advice_record_received(
    *, advice: AdviceRequest, received_on: date, by: Actor
) -> AdviceRequest:
    advice = AdviceRequest.objects.select_for_update().get(pk=advice.pk)
    if advice.received_on is not None:
        raise CaseworkError("This advice has already been recorded as received.",
                            field="received_on")
    not_future(received_on, "date advice was received", "received_on")
    not_before(received_on, advice.requested_on, "date advice was received",
                "date it was requested", "received_on")
    advice.received_on = received_on
    advice.save(update_fields=["received_on", "updated_at"])
    request = advice.request
    record_event(
        child=request.child, request=request, action=EventAction.ADVICE_RECEIVED, on=received_on,
        by=by, description=events.advice_description(EventAction.ADVICE_RECEIVED,
                                                     advice.adviser_type),
        changes={"adviser_type": advice.adviser_type, "received_on": received_on.isoformat(),
                 "due_on": advice.due_on.isoformat(), "met": received_on <= advice.due_on},
    )
    return advice


@transaction.atomic
def advice_record_chase(*, advice: AdviceRequest, on: date, by: Actor) -> AdviceRequest:
    """Record a reminder sent to an adviser whose advice is outstanding (reg 8(1))."""
    advice = AdviceRequest.objects.select_for_update().get(pk=advice.pk)
    if advice.received_on is not None:
        raise CaseworkError("This advice has been received; there is nothing to chase.")
    not_future(on, "date advice was chased", "on")
    not_before(on, advice.requested_on, "date advice was chased", "date it was requested", "on")
    advice.last_chased_on = on
    advice.chase_count += 1
    advice.save(update_fields=["last_chased_on", "chase_count", "updated_at"])
    request = advice.request
    record_event(
        child=request.child, request=request, action=EventAction.ADVICE_CHASED, on=on, by=by,
        description=events.advice_description(EventAction.ADVICE_CHASED, advice.adviser_type),
        changes={"chase_count": advice.chase_count},
    )
    return advice


@transaction.atomic
def request_record_outcome(
    *, request: AssessmentRequest, outcome: str, on: date, by: Actor, reason: str = "",
    expected_version: int | None = None,
) -> AssessmentRequest:
    """Record the decision whether to issue a plan after assessment.

    A decision not to issue is due within 16 weeks of the request (reg 10(1)).
    """
    request = _locked(request)
    _check_version(request, expected_version)
    _require_open(request)
    if request.decision != c.Decision.ASSESS:
        raise CaseworkError("The decision whether to issue a plan comes after the decision to "
                            "assess.", field="outcome")
    if request.outcome:
        raise CaseworkError("The decision whether to issue a plan has already been recorded.",
                            field="outcome")
    if outcome not in c.Outcome.values:
        raise CaseworkError("Choose whether to issue a plan.", field="outcome")
    not_future(on, "decision date", "outcome_date")
    not_before(on, request.decision_date, "decision whether to issue a plan",
                "decision to assess", "outcome_date")
    outstanding = request.advice_requests.filter(received_on__isnull=True)
    if outcome == c.Outcome.PLAN and outstanding.exists():
        raise CaseworkError(
            "Advice is still outstanding. Record it as received before deciding to issue a plan "
            "(the plan must take account of all the advice: reg 7).", field="outcome")
    request.outcome, request.outcome_date = outcome, on
    request.stage = derive_stage(request)
    _save(request, ["outcome", "outcome_date", "stage"])
    changes: dict[str, Any] = {"outcome": outcome, "outcome_date": on.isoformat()}
    if outcome == c.Outcome.NO_PLAN:
        due = clock.decision_not_to_issue_due(request.received_date)
        changes.update(due=due.isoformat(), met=on <= due)
    record_event(
        child=request.child, request=request, action=EventAction.OUTCOME_RECORDED, on=on, by=by,
        description=events.outcome_description(outcome),
        reason=reason, changes=changes,
    )
    return request


@transaction.atomic
def request_issue_draft(
    *, request: AssessmentRequest, on: date, by: Actor, expected_version: int | None = None,
) -> AssessmentRequest:
    """Send the draft plan: the parent or young person has 15 days to comment (reg 13(1))."""
    request = _locked(request)
    _check_version(request, expected_version)
    _require_open(request)
    if request.outcome != c.Outcome.PLAN:
        raise CaseworkError("A draft plan can only be issued after deciding to issue a plan.",
                            field="draft_date")
    if request.draft_date is not None:
        raise CaseworkError("The draft plan has already been issued.", field="draft_date")
    not_future(on, "date the draft was issued", "draft_date")
    not_before(on, request.outcome_date, "draft plan", "decision to issue a plan", "draft_date")
    request.draft_date = on
    request.stage = derive_stage(request)
    _save(request, ["draft_date", "stage"])
    ends = clock.comment_period_ends(on)
    record_event(
        child=request.child, request=request, action=EventAction.DRAFT_ISSUED, on=on, by=by,
        description=DESCRIPTIONS[EventAction.DRAFT_ISSUED],
        changes={"draft_date": on.isoformat(), "comment_period_ends": ends.isoformat()},
    )
    return request


@transaction.atomic
def request_record_comments(
    *, request: AssessmentRequest, on: date, by: Actor,
    school_requested: Institution | None = None, expected_version: int | None = None,
) -> AssessmentRequest:
    """Record the parent's or young person's comments and any school requested (reg 13(1))."""
    request = _locked(request)
    _check_version(request, expected_version)
    if request.stage != c.Stage.DRAFT_ISSUED:
        raise CaseworkError("Comments can only be recorded while a draft plan is out.")
    not_future(on, "date comments were received", "comments_received_date")
    not_before(on, request.draft_date, "date comments were received", "draft plan",
                "comments_received_date")
    request.comments_received_date = on
    request.school_requested = school_requested
    _save(request, ["comments_received_date", "school_requested"])
    record_event(
        child=request.child, request=request, action=EventAction.COMMENTS_RECEIVED, on=on, by=by,
        description=DESCRIPTIONS[EventAction.COMMENTS_RECEIVED],
        changes={"school_requested": school_requested.name if school_requested else None},
    )
    return request


@dataclass(frozen=True)
class NamedSetting:
    """A setting to name in section I: an institution, or a SEN2 setting code."""

    institution: Institution | None = None
    sen_setting: str = ""
    sen_setting_other: str = ""


@transaction.atomic
def request_issue_final(
    *, request: AssessmentRequest, on: date, by: Actor,
    settings: list[NamedSetting] | None = None, needs: list[str] | None = None,
    expected_version: int | None = None, allow_before_comment_period_end: bool = False,
) -> EHCPlan:
    """Issue the final EHC plan; due within 20 weeks of the request (reg 13(2)).

    The parent or young person must have had the 15-day comment period (reg 13(1)(a)) unless
    they have already commented, in which case the plan may be finalised earlier.
    """
    request = _locked(request)
    _check_version(request, expected_version)
    _require_open(request)
    if request.decision != c.Decision.ASSESS:
        raise CaseworkError("A final plan cannot be issued before the decision to assess.",
                            field="final_date")
    if request.outcome != c.Outcome.PLAN:
        raise CaseworkError("A final plan cannot be issued before deciding to issue a plan.",
                            field="final_date")
    if request.draft_date is None:
        raise CaseworkError("A final plan cannot be issued before the draft plan (reg 13(1)).",
                            field="final_date")
    not_future(on, "date the final plan was issued", "final_date")
    not_before(on, request.draft_date, "final plan", "draft plan", "final_date")
    ends = clock.comment_period_ends(request.draft_date)
    if (on <= ends and request.comments_received_date is None
            and not allow_before_comment_period_end):
        raise CaseworkError(
            "The parent or young person has 15 days to comment on the draft (reg 13(1)(a)); "
            f"that period runs to {ends:%-d %B %Y}. Record their comments first, or wait.",
            field="final_date",
        )
    if needs and len(needs) > 2:
        raise CaseworkError("A plan records a primary and at most one secondary need.",
                            field="needs")
    request.final_date = on
    request.stage = derive_stage(request)
    _save(request, ["final_date", "stage"])
    plan = EHCPlan.objects.create(
        child=request.child, request=request, start_date=on, first_issued_date=on,
        officer=request.officer,
        next_review_due=clock.next_review_due(on),
    )
    for rank, named in enumerate(settings or [], start=1):
        PlanSetting.objects.create(plan=plan, rank=rank, institution=named.institution,
                                   sen_setting=named.sen_setting,
                                   sen_setting_other=named.sen_setting_other, entry_date=on)
    for rank, need in enumerate(needs or [], start=1):
        PlanNeed.objects.create(plan=plan, rank=rank, sen_type=need)
    due = clock.final_plan_due(request.received_date)
    record_event(
        child=request.child, request=request, plan=plan, action=EventAction.FINAL_ISSUED, on=on,
        by=by, description=DESCRIPTIONS[EventAction.FINAL_ISSUED],
        changes={"final_date": on.isoformat(), "due": due.isoformat(),
                 "within_20_weeks": clock.is_within_20_weeks(request.received_date, on),
                 "exception": request.week20_exception},
    )
    return plan


@transaction.atomic
def exception_apply(
    *, request: AssessmentRequest, reason: str, start: date, end: date | None, by: Actor,
    note: str = "", expected_version: int | None = None,
) -> StatutoryException:
    """Record an exception to the 20-week limit with its reason and period (reg 13(3))."""
    request = _locked(request)
    _check_version(request, expected_version)
    _require_open(request)
    if reason not in c.ExceptionReason.values:
        raise CaseworkError("Choose the reason for the exception.", field="reason")
    not_before(start, request.received_date, "start of the exception",
                "date the request was received", "start_date")
    not_future(start, "start of the exception", "start_date")
    _exception_end_problem(start, end)
    problems = validate_exception(Step.FINAL_PLAN, ExceptionReason(reason), start, end)
    if problems:
        raise CaseworkError(problems[0], field="reason")
    exception = StatutoryException.objects.create(
        request=request, reason=reason, start_date=start, end_date=end, note=note
    )
    request.week20_exception = True
    _save(request, ["week20_exception"])
    record_event(
        child=request.child, request=request, action=EventAction.EXCEPTION_APPLIED, on=start, by=by,
        description=events.exception_description(reason),
        reason=note,
        changes={"reason": reason, "start": start.isoformat(),
                 "end": end.isoformat() if end else None},
    )
    return exception


@transaction.atomic
def request_close(
    *, request: AssessmentRequest, on: date, closed_reason: str, by: Actor, note: str = "",
    expected_version: int | None = None,
) -> AssessmentRequest:
    """Close a request that ends without a plan: withdrawn, moved away, or other."""
    request = _locked(request)
    _check_version(request, expected_version)
    _require_open(request)
    if closed_reason not in c.ClosedReason.values:
        raise CaseworkError("Choose why the request is closing.", field="closed_reason")
    not_future(on, "closing date", "closed_date")
    not_before(on, request.received_date, "closing date", "date the request was received",
                "closed_date")
    request.closed_date, request.closed_reason = on, closed_reason
    request.exported = closed_reason == c.ClosedReason.MOVED_AWAY
    request.stage = derive_stage(request)
    _save(request, ["closed_date", "closed_reason", "exported", "stage"])
    record_event(
        child=request.child, request=request, action=EventAction.REQUEST_CLOSED, on=on, by=by,
        description=events.closure_description(closed_reason),
        reason=note, changes={"closed_date": on.isoformat(), "closed_reason": closed_reason},
    )
    return request


__all__ = [
    "Actor",
    "CaseworkError",
    "NamedSetting",
    "actor_for",
    "advice_record_chase",
    "advice_record_received",
    "advice_request",
    "child_create",
    "derive_stage",
    "exception_apply",
    "request_allocate",
    "request_close",
    "request_issue_draft",
    "request_issue_final",
    "request_record_comments",
    "request_record_decision",
    "request_record_outcome",
    "request_register",
]
# The services after a plan is issued (reviews, amendments, ceasing, transfers) are in
# ehcflow.reviews.services.



def next_case_ref(received_date: date) -> str:
    """The next free reference in the form EHC-YYYY-NNNNN (year the request was received)."""
    prefix = f"EHC-{received_date.year}-"
    taken = AssessmentRequest.objects.filter(case_ref__startswith=prefix).values_list(
        "case_ref", flat=True)
    numbers = [int(ref[len(prefix):]) for ref in taken if ref[len(prefix):].isdigit()]
    return case_reference(received_date.year, max(numbers, default=0) + 1)


def next_person_ref() -> str:
    taken = Child.objects.filter(person_ref__startswith="P").values_list("person_ref", flat=True)
    numbers = [int(ref[1:]) for ref in taken if ref[1:].isdigit()]
    return f"P{max(numbers, default=0) + 1:07d}"


@transaction.atomic
def request_register_with_child(
    *, child: Child | None, by: Actor, received_date: date, source: str, forename: str = "",
    surname: str = "", date_of_birth: date | None = None, upn: str = "", postcode: str = "",
    officer: StaffMember | None = None,
) -> AssessmentRequest:
    """Register a request for a known child, or record the child first (one transaction)."""
    if child is None:
        if date_of_birth is None:
            raise CaseworkError("Enter the child's date of birth.", field="date_of_birth")
        child = child_create(person_ref=next_person_ref(), date_of_birth=date_of_birth,
                             forename=forename, surname=surname, upn=upn, postcode=postcode,
                             by=by)
    return request_register(child=child, case_ref=next_case_ref(received_date),
                            received_date=received_date, source=source, officer=officer, by=by)
