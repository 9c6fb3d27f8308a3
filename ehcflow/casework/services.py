"""Every write to a child's record: one function per step, one transaction, one case event.

Each function checks that the law allows the step now (statutory-timescales.md §1.2: the
decision to assess comes before advice, advice before the decision to issue, the draft before
the final plan, and the 15-day comment period of reg 13(1)(a) before the final plan), refuses
with a `CaseworkError` that says why, and otherwise changes the record and appends a
`CaseEvent` in the same transaction. Views, the importer and the demo all write through here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from ehcflow.casework import choices as c
from ehcflow.casework.identifiers import case_reference, uln_problem, upn_problem
from ehcflow.casework.models import (
    AdviceRequest,
    AnnualReview,
    AssessmentRequest,
    CaseEvent,
    Child,
    Disagreement,
    EHCPlan,
    Institution,
    PlanNeed,
    PlanSetting,
    StatutoryException,
)
from ehcflow.people.models import StaffMember, User
from ehcflow.statutory import clock, dates
from ehcflow.statutory.exceptions import ExceptionReason, Step, validate_exception


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


def _record_event(
    *,
    child: Child,
    action: str,
    description: str,
    on: date,
    by: Actor,
    request: AssessmentRequest | None = None,
    plan: EHCPlan | None = None,
    reason: str = "",
    changes: Mapping[str, Any] | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        child=child,
        request=request,
        plan=plan,
        effective_date=on,
        actor=by.user,
        actor_name=by.label,
        action=action,
        description=description,
        reason=reason,
        changes=dict(changes or {}),
    )


def _today() -> date:
    return timezone.localdate()


def _not_future(on: date, what: str, field: str) -> None:
    """Refuse a step's date in the future, or before the earliest date the service records.

    The range is `statutory.dates.accepted_range(EVENT)`, the same the forms, the register
    import and the command line use, so a date in year 1 cannot come in by any of them.
    """
    if on > _today():
        raise CaseworkError(f"The {what} cannot be in the future.", field=field)
    if on < dates.EARLIEST_RECORD:
        raise CaseworkError(f"The {what} must be the same as or after "
                            f"{dates.long_date(dates.EARLIEST_RECORD)}.", field=field)


def _under_25_on(received_date: date, date_of_birth: date) -> None:
    """Refuse a request for someone 25 or over on the day it was received.

    Children and Families Act 2014 s.83(2): EHC plans are for children and young people
    under 25 (`statutory.dates.accepted_range(BIRTH, start=received_date)`).
    """
    accepted = dates.accepted_range(dates.DateKind.BIRTH, today=_today(), start=received_date)
    if date_of_birth < accepted.earliest:
        raise CaseworkError(
            f"The child or young person must be under {dates.YOUNG_PERSON_AGE_LIMIT} on the date "
            f"the request was received: their date of birth must be the same as or after "
            f"{dates.long_date(accepted.earliest)}.", field="date_of_birth")


def _exception_end_problem(start: date, end: date | None) -> None:
    """Refuse an exception period that ends more than `MAX_EXCEPTION_YEARS` after it starts."""
    if end is None:
        return
    accepted = dates.accepted_range(dates.DateKind.EXCEPTION_END, today=_today(), start=start)
    if end > accepted.latest:
        raise CaseworkError(
            f"The end of the exception must be the same as or before "
            f"{dates.long_date(accepted.latest)}: an exception runs at most "
            f"{dates.MAX_EXCEPTION_YEARS} years.", field="end_date")


def _not_before(on: date, earlier: date | None, what: str, earlier_what: str, field: str) -> None:
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
    """The stage implied by the recorded steps (the order of statutory-timescales.md §1.2)."""
    if request.closed_date is not None:
        return c.Stage.CLOSED
    if request.final_date is not None:
        return c.Stage.PLAN_ISSUED
    if request.decision == c.Decision.NOT_ASSESS:
        return c.Stage.NOT_ASSESSED
    if request.outcome == c.Outcome.NO_PLAN:
        return c.Stage.NO_PLAN
    if request.draft_date is not None:
        return c.Stage.DRAFT_ISSUED
    if request.outcome == c.Outcome.PLAN:
        return c.Stage.AWAITING_DRAFT
    if request.decision == c.Decision.ASSESS:
        return c.Stage.ASSESSING
    return c.Stage.AWAITING_DECISION


# --- the child ---------------------------------------------------------------------------


def child_problems(
    *, date_of_birth: date | None, upn: str = "", uln: str = "", upn_unknown: str = ""
) -> dict[str, str]:
    """Field problems in a child's identifying details (SEN2 module 1 rules)."""
    problems: dict[str, str] = {}
    if date_of_birth is not None and date_of_birth > _today():
        problems["date_of_birth"] = "Date of birth must be in the past."
    elif date_of_birth is not None and date_of_birth < (earliest := dates.accepted_range(
            dates.DateKind.BIRTH, today=_today()).earliest):
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
    _record_event(child=child, action="child_recorded", description="Child's record created",
                  on=_today(), by=by)
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
    _not_future(received_date, "date the request was received", "received_date")
    _not_before(received_date, child.date_of_birth, "date the request was received",
                "date of birth", "received_date")
    _under_25_on(received_date, child.date_of_birth)
    if AssessmentRequest.objects.filter(case_ref=case_ref).exists():
        raise CaseworkError(f"Case reference {case_ref} is already in use.", field="case_ref")
    request = AssessmentRequest.objects.create(
        child=child, case_ref=case_ref, received_date=received_date, source=source, kind=kind,
        officer=officer, relevant_youth_accommodation=relevant_youth_accommodation,
    )
    _record_event(
        child=child, request=request, action="request_received", on=received_date, by=by,
        description="Request for an EHC needs assessment received",
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
    _record_event(
        child=request.child, request=request, action="request_allocated", on=_today(), by=by,
        description=f"Allocated to {officer.name}" if officer else "Allocation removed",
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
    _not_future(on, "decision date", "decision_date")
    _not_before(on, request.received_date, "decision date", "date the request was received",
                "decision_date")
    request.decision, request.decision_date = decision, on
    request.stage = derive_stage(request)
    _save(request, ["decision", "decision_date", "stage"])
    due = clock.decision_to_assess_due(request.received_date)
    _record_event(
        child=request.child, request=request, action="decision_recorded", on=on, by=by,
        description=("Decided to carry out an EHC needs assessment" if decision == "assess"
                     else "Decided not to carry out an EHC needs assessment"),
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
    _not_future(requested_on, "date advice was requested", "requested_on")
    _not_before(requested_on, request.decision_date, "date advice was requested",
                "decision to assess", "requested_on")
    advice = AdviceRequest.objects.create(
        request=request, adviser_type=adviser_type, adviser=adviser,
        adviser_organisation=organisation, requested_on=requested_on,
        due_on=clock.advice_due(requested_on),
    )
    _save(request, [])
    label = c.AdviserType(adviser_type).label.lower()
    _record_event(
        child=request.child, request=request, action="advice_requested", on=requested_on, by=by,
        description=f"Advice requested: {label}",
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
    _not_future(received_on, "date advice was received", "received_on")
    _not_before(received_on, advice.requested_on, "date advice was received",
                "date it was requested", "received_on")
    advice.received_on = received_on
    advice.save(update_fields=["received_on", "updated_at"])
    request = advice.request
    label = c.AdviserType(advice.adviser_type).label.lower()
    _record_event(
        child=request.child, request=request, action="advice_received", on=received_on, by=by,
        description=f"Advice received: {label}",
        changes={"adviser_type": advice.adviser_type, "received_on": received_on.isoformat(),
                 "due_on": advice.due_on.isoformat(), "met": received_on <= advice.due_on},
    )
    return advice


@transaction.atomic
def advice_record_chase(*, advice: AdviceRequest, on: date, by: Actor) -> AdviceRequest:
    advice = AdviceRequest.objects.select_for_update().get(pk=advice.pk)
    if advice.received_on is not None:
        raise CaseworkError("This advice has been received; there is nothing to chase.")
    advice.last_chased_on = on
    advice.chase_count += 1
    advice.save(update_fields=["last_chased_on", "chase_count", "updated_at"])
    request = advice.request
    _record_event(
        child=request.child, request=request, action="advice_chased", on=on, by=by,
        description=f"Advice chased: {c.AdviserType(advice.adviser_type).label.lower()}",
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
    _not_future(on, "decision date", "outcome_date")
    _not_before(on, request.decision_date, "decision whether to issue a plan",
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
    _record_event(
        child=request.child, request=request, action="outcome_recorded", on=on, by=by,
        description=("Decided to issue an EHC plan" if outcome == c.Outcome.PLAN
                     else "Decided not to issue an EHC plan"),
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
    _not_future(on, "date the draft was issued", "draft_date")
    _not_before(on, request.outcome_date, "draft plan", "decision to issue a plan", "draft_date")
    request.draft_date = on
    request.stage = derive_stage(request)
    _save(request, ["draft_date", "stage"])
    ends = clock.comment_period_ends(on)
    _record_event(
        child=request.child, request=request, action="draft_issued", on=on, by=by,
        description="Draft EHC plan issued for comment",
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
    _not_future(on, "date comments were received", "comments_received_date")
    _not_before(on, request.draft_date, "date comments were received", "draft plan",
                "comments_received_date")
    request.comments_received_date = on
    request.school_requested = school_requested
    _save(request, ["comments_received_date", "school_requested"])
    _record_event(
        child=request.child, request=request, action="comments_received", on=on, by=by,
        description="Comments on the draft plan received",
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
    _not_future(on, "date the final plan was issued", "final_date")
    _not_before(on, request.draft_date, "final plan", "draft plan", "final_date")
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
    _record_event(
        child=request.child, request=request, plan=plan, action="final_issued", on=on, by=by,
        description="Final EHC plan issued",
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
    _not_before(start, request.received_date, "start of the exception",
                "date the request was received", "start_date")
    _not_future(start, "start of the exception", "start_date")
    _exception_end_problem(start, end)
    problems = validate_exception(Step.FINAL_PLAN, ExceptionReason(reason), start, end)
    if problems:
        raise CaseworkError(problems[0], field="reason")
    exception = StatutoryException.objects.create(
        request=request, reason=reason, start_date=start, end_date=end, note=note
    )
    request.week20_exception = True
    _save(request, ["week20_exception"])
    _record_event(
        child=request.child, request=request, action="exception_applied", on=start, by=by,
        description=f"Exception to the time limit: {c.ExceptionReason(reason).label.lower()}",
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
    _not_future(on, "closing date", "closed_date")
    _not_before(on, request.received_date, "closing date", "date the request was received",
                "closed_date")
    request.closed_date, request.closed_reason = on, closed_reason
    request.exported = closed_reason == c.ClosedReason.MOVED_AWAY
    request.stage = derive_stage(request)
    _save(request, ["closed_date", "closed_reason", "exported", "stage"])
    _record_event(
        child=request.child, request=request, action="request_closed", on=on, by=by,
        description=f"Request closed: {c.ClosedReason(closed_reason).label.lower()}",
        reason=note, changes={"closed_date": on.isoformat(), "closed_reason": closed_reason},
    )
    return request


@transaction.atomic
def disagreement_record(
    *, child: Child, kind: str, stage: str, decision_notice_date: date, started_on: date,
    by: Actor, request: AssessmentRequest | None = None,
) -> Disagreement:
    """Record mediation (reg 33: contact within 2 months) or an appeal to the Tribunal."""
    if kind not in c.DisagreementKind.values or stage not in c.DisagreementStage.values:
        raise CaseworkError("Choose the kind of disagreement and the decision disputed.")
    _not_future(started_on, "start date", "started_on")
    _not_before(started_on, decision_notice_date, "start date", "decision letter", "started_on")
    item = Disagreement.objects.create(
        child=child, request=request, kind=kind, stage=stage,
        decision_notice_date=decision_notice_date, started_on=started_on,
    )
    _record_event(
        child=child, request=request, action=f"{kind}_started", on=started_on, by=by,
        description=f"{c.DisagreementKind(kind).label} started",
        changes={"stage": stage,
                 "appeal_deadline": clock.appeal_deadline(decision_notice_date).isoformat()},
    )
    return item


# --- plans and reviews -----------------------------------------------------------------------


@transaction.atomic
def plan_cease(*, plan: EHCPlan, on: date, cease_reason: str, by: Actor, note: str = "") -> EHCPlan:
    """Cease a plan (CFA 2014 s.45; regs 29–31). SEN2 CeaseDate is when it ended."""
    plan = EHCPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.cease_date is not None:
        raise CaseworkError("This plan has already ceased.")
    if cease_reason not in c.CeaseReason.values:
        raise CaseworkError("Choose why the plan is ceasing.", field="cease_reason")
    _not_before(on, plan.first_issued_date, "cease date", "plan's issue date", "cease_date")
    plan.cease_date, plan.cease_reason = on, cease_reason
    plan.save(update_fields=["cease_date", "cease_reason", "updated_at"])
    _record_event(
        child=plan.child, plan=plan, action="plan_ceased", on=on, by=by, reason=note,
        description=f"Plan ceased: {c.CeaseReason(cease_reason).label.lower()}",
        changes={"cease_date": on.isoformat(), "cease_reason": cease_reason},
    )
    return plan


@transaction.atomic
def review_schedule(
    *, plan: EHCPlan, due_date: date, by: Actor, phase_transfer_year: int | None = None,
    secondary_to_post16: bool = False,
) -> AnnualReview:
    """Schedule a review: at least every 12 months (s.44(1)); a phase transfer by reg 18(1)."""
    if plan.cease_date is not None:
        raise CaseworkError("A ceased plan is not reviewed.")
    review = AnnualReview.objects.create(
        plan=plan, due_date=due_date, phase_transfer=phase_transfer_year is not None,
        transfer_year=phase_transfer_year, secondary_to_post16=secondary_to_post16,
        phase_transfer_due=(clock.phase_transfer_deadline(
            phase_transfer_year, secondary_to_post16=secondary_to_post16)
            if phase_transfer_year is not None else None),
    )
    _record_event(
        child=plan.child, plan=plan, action="review_scheduled", on=_today(), by=by,
        description=("Phase transfer review scheduled" if review.phase_transfer
                     else "Annual review scheduled"),
        changes={"due_date": due_date.isoformat()},
    )
    return review


@transaction.atomic
def review_record_meeting(*, review: AnnualReview, on: date, by: Actor) -> AnnualReview:
    review = AnnualReview.objects.select_for_update().get(pk=review.pk)
    if review.meeting_date is not None:
        raise CaseworkError("The review meeting has already been recorded.")
    _not_future(on, "review meeting date", "meeting_date")
    _not_before(on, review.plan.first_issued_date, "review meeting", "plan's issue date",
                "meeting_date")
    review.meeting_date = on
    review.save(update_fields=["meeting_date", "updated_at"])
    plan = review.plan
    plan.next_review_due = clock.next_review_due(on)
    plan.save(update_fields=["next_review_due", "updated_at"])
    _record_event(
        child=plan.child, plan=plan, action="review_meeting", on=on, by=by,
        description="Review meeting held",
        changes={"decision_due": clock.review_decision_due(on).isoformat(),
                 "amended_plan_due": clock.amended_plan_due(on).isoformat()},
    )
    return review


@transaction.atomic
def review_record_decision(
    *, review: AnnualReview, outcome: str, on: date, by: Actor, reason: str = "",
) -> AnnualReview:
    """Notify the decision to maintain, amend or cease: within 4 weeks (reg 20(10))."""
    review = AnnualReview.objects.select_for_update().get(pk=review.pk)
    if review.meeting_date is None:
        raise CaseworkError("Record the review meeting before the decision.", field="outcome")
    if review.decision_date is not None:
        raise CaseworkError("The review decision has already been recorded.", field="outcome")
    if outcome not in c.ReviewOutcome.values:
        raise CaseworkError("Choose the decision after the review.", field="outcome")
    _not_future(on, "decision date", "decision_date")
    _not_before(on, review.meeting_date, "review decision", "review meeting", "decision_date")
    review.decision_date, review.outcome = on, outcome
    if outcome == c.ReviewOutcome.AMEND:
        review.amendment_notice_date = on  # reg 22(2)(a): the proposals go with the notice
    review.save(update_fields=["decision_date", "outcome", "amendment_notice_date", "updated_at"])
    due = clock.review_decision_due(review.meeting_date)
    _record_event(
        child=review.plan.child, plan=review.plan, action="review_decision", on=on, by=by,
        description=f"Review decision: {c.ReviewOutcome(outcome).label.lower()}", reason=reason,
        changes={"outcome": outcome, "due": due.isoformat(), "met": on <= due},
    )
    return review


@transaction.atomic
def review_issue_amended_plan(*, review: AnnualReview, on: date, by: Actor) -> AnnualReview:
    """Issue the final amended plan: within 12 weeks of the meeting (reg 22(3); Devon 2022)."""
    review = AnnualReview.objects.select_for_update().get(pk=review.pk)
    if review.outcome != c.ReviewOutcome.AMEND:
        raise CaseworkError("An amended plan follows only a decision to amend.")
    if review.amended_final_date is not None:
        raise CaseworkError("The amended plan has already been issued.")
    assert review.decision_date is not None and review.meeting_date is not None
    _not_future(on, "date the amended plan was issued", "amended_final_date")
    _not_before(on, review.decision_date, "amended plan", "review decision",
                "amended_final_date")
    review.amended_final_date = on
    review.save(update_fields=["amended_final_date", "updated_at"])
    plan = review.plan
    plan.start_date = on
    plan.save(update_fields=["start_date", "updated_at"])
    due = clock.amended_plan_due(review.meeting_date)
    _record_event(
        child=plan.child, plan=plan, action="amended_plan_issued", on=on, by=by,
        description="Amended EHC plan issued",
        changes={"due": due.isoformat(), "met": on <= due},
    )
    return review


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
    "disagreement_record",
    "exception_apply",
    "plan_cease",
    "request_allocate",
    "request_close",
    "request_issue_draft",
    "request_issue_final",
    "request_record_comments",
    "request_record_decision",
    "request_record_outcome",
    "request_register",
    "review_issue_amended_plan",
    "review_record_decision",
    "review_record_meeting",
    "review_schedule",
]



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
