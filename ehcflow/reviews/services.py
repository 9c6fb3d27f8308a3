"""Every write to a plan after it is issued: reviews, amendments, ceasing and moves.

One function per step, one transaction, one case event, like `casework.services` (whose
`Actor`, `CaseworkError` and event writer these share). Each refuses, with a message for the
user, a step the law or the record does not allow now: a review step out of order, a date in
the future or before the step it follows, a step already recorded (so a second press of the
same form changes nothing), or any step on a plan that has ceased. The deadlines come from
`ehcflow.statutory.reviews` and are written into the event, with whether they were met.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from ehcflow.casework import choices as c
from ehcflow.casework.events import EventAction
from ehcflow.casework.models import AnnualReview, Child, EHCPlan, PlanAmendment, PlanNeed
from ehcflow.casework.services import (
    Actor,
    CaseworkError,
    not_before,
    not_future,
    record_event,
)
from ehcflow.people.models import StaffMember
from ehcflow.statutory import clock
from ehcflow.statutory import reviews as law
from ehcflow.statutory.dates import long_date

__all__ = [
    "amendment_issue",
    "amendment_not_proceeding",
    "amendment_propose",
    "cease_propose",
    "plan_cease",
    "plan_transfer_in",
    "plan_transfer_in_notice",
    "plan_transfer_out",
    "review_issue_amended_plan",
    "review_record_decision",
    "review_record_invitations",
    "review_record_meeting",
    "review_record_report",
    "review_schedule",
]


def _locked_plan(plan: EHCPlan) -> EHCPlan:
    return EHCPlan.objects.select_for_update().select_related("child").get(pk=plan.pk)


def _locked_review(review: AnnualReview) -> AnnualReview:
    return (AnnualReview.objects.select_for_update().select_related("plan", "plan__child")
            .get(pk=review.pk))


def _in_force(plan: EHCPlan) -> None:
    if plan.cease_date is not None:
        raise CaseworkError(
            f"This plan ceased on {long_date(plan.cease_date)}, so nothing more can be "
            "recorded on it.")


def _met(due: date, on: date) -> dict[str, object]:
    return {"due": due.isoformat(), "met": on <= due}


# --- annual reviews (s.44; regs 18-22) -------------------------------------------------------


@transaction.atomic
def review_schedule(
    *, plan: EHCPlan, due_date: date, by: Actor, phase_transfer_year: int | None = None,
    secondary_to_post16: bool = False,
) -> AnnualReview:
    """Schedule a review: at least every 12 months (s.44(1)); a phase transfer by reg 18(1).

    One review is open at a time: a plan whose last review has had no meeting is refused a
    second (which also makes a second press of the form harmless).
    """
    plan = _locked_plan(plan)
    _in_force(plan)
    if plan.reviews.filter(meeting_date__isnull=True).exists():
        raise CaseworkError("A review of this plan is already scheduled and its meeting has "
                            "not been recorded.", field="due_date")
    not_before(due_date, plan.first_issued_date, "review's due date", "plan's issue date",
                "due_date")
    deadline = (law.phase_transfer_deadline(phase_transfer_year,
                                            secondary_to_post16=secondary_to_post16)
                if phase_transfer_year is not None else None)
    review = AnnualReview.objects.create(
        plan=plan, due_date=due_date, phase_transfer=phase_transfer_year is not None,
        transfer_year=phase_transfer_year, secondary_to_post16=secondary_to_post16,
        phase_transfer_due=deadline,
    )
    plan.next_review_due = due_date
    plan.save(update_fields=["next_review_due", "updated_at"])
    changes: dict[str, object] = {"due_date": due_date.isoformat()}
    if deadline is not None:
        changes["phase_transfer_due"] = deadline.isoformat()
    record_event(
        child=plan.child, plan=plan, action=EventAction.REVIEW_SCHEDULED, on=clock.today(), by=by,
        description=("Phase transfer review scheduled" if review.phase_transfer
                     else "Annual review scheduled"),
        changes=changes,
    )
    return review


@transaction.atomic
def review_record_invitations(
    *, review: AnnualReview, invitations_on: date, by: Actor, advice_on: date | None = None,
) -> AnnualReview:
    """Record the invitations to the meeting and the advice circulated: each at least 2 weeks
    before the meeting (reg 20(3)-(4), 21(3)-(4))."""
    review = _locked_review(review)
    _in_force(review.plan)
    if review.invitations_sent_date is not None:
        raise CaseworkError("The invitations have already been recorded.",
                            field="invitations_on")
    if review.meeting_date is not None:
        raise CaseworkError("The meeting has been recorded: invitations come before it.",
                            field="invitations_on")
    not_future(invitations_on, "date invitations were sent", "invitations_on")
    if advice_on is not None:
        not_future(advice_on, "date advice was circulated", "advice_on")
    review.invitations_sent_date, review.advice_circulated_date = invitations_on, advice_on
    review.save(update_fields=["invitations_sent_date", "advice_circulated_date",
                               "updated_at"])
    plan = review.plan
    record_event(
        child=plan.child, plan=plan, action=EventAction.REVIEW_INVITATIONS, on=invitations_on,
        by=by,
        description="Review meeting invitations sent",
        changes={"invitations_on": invitations_on.isoformat(),
                 "advice_on": advice_on.isoformat() if advice_on else None},
    )
    return review


@transaction.atomic
def review_record_meeting(*, review: AnnualReview, on: date, by: Actor) -> AnnualReview:
    """Record the review meeting; the next review falls due 12 months on (s.44(1))."""
    review = _locked_review(review)
    _in_force(review.plan)
    if review.meeting_date is not None:
        raise CaseworkError("The review meeting has already been recorded.", field="meeting_date")
    not_future(on, "review meeting date", "meeting_date")
    not_before(on, review.plan.first_issued_date, "review meeting", "plan's issue date",
                "meeting_date")
    not_before(on, review.invitations_sent_date, "review meeting", "invitations",
                "meeting_date")
    review.meeting_date = on
    review.save(update_fields=["meeting_date", "updated_at"])
    plan = review.plan
    plan.next_review_due = law.next_review_due(on)
    plan.save(update_fields=["next_review_due", "updated_at"])
    changes: dict[str, object] = {
        **_met(review.due_date, on),
        "decision_due": clock.review_decision_due(on).isoformat(),
        "amended_plan_due": clock.amended_plan_due(on).isoformat(),
    }
    if review.invitations_sent_date is not None:
        changes["invitations_met"] = review.invitations_sent_date <= clock.review_notice_due(on)
    if review.advice_circulated_date is not None:
        changes["advice_met"] = review.advice_circulated_date <= clock.review_advice_due(on)
    record_event(child=plan.child, plan=plan, action=EventAction.REVIEW_MEETING, on=on, by=by,
                  description="Review meeting held", changes=changes)
    return review


@transaction.atomic
def review_record_report(*, review: AnnualReview, on: date, by: Actor) -> AnnualReview:
    """Record the review report: within 2 weeks of the meeting (reg 20(7)-(8), 21(7))."""
    review = _locked_review(review)
    _in_force(review.plan)
    if review.meeting_date is None:
        raise CaseworkError("Record the review meeting before its report.", field="on")
    if review.report_date is not None:
        raise CaseworkError("The review report has already been recorded.", field="on")
    not_future(on, "date of the review report", "on")
    not_before(on, review.meeting_date, "review report", "review meeting", "on")
    review.report_date = on
    review.save(update_fields=["report_date", "updated_at"])
    plan = review.plan
    record_event(child=plan.child, plan=plan, action=EventAction.REVIEW_REPORT, on=on, by=by,
                  description="Review report received",
                  changes=_met(clock.review_report_due(review.meeting_date), on))
    return review


@transaction.atomic
def review_record_decision(
    *, review: AnnualReview, outcome: str, on: date, by: Actor, reason: str = "",
    proposed_amendments: str = "",
) -> AnnualReview:
    """Notify the decision to maintain, amend or cease: within 4 weeks (reg 20(10)).

    A decision to amend is sent with the proposed amendments (reg 22(2)(a); R (L) v Devon CC
    [2022]): it is refused without them.
    """
    review = _locked_review(review)
    _in_force(review.plan)
    if review.meeting_date is None:
        raise CaseworkError("Record the review meeting before the decision.", field="outcome")
    if review.decision_date is not None:
        raise CaseworkError("The review decision has already been recorded.", field="outcome")
    if outcome not in c.ReviewOutcome.values:
        raise CaseworkError("Choose the decision after the review.", field="outcome")
    proposed_amendments = proposed_amendments.strip()
    if outcome == c.ReviewOutcome.AMEND and not proposed_amendments:
        raise CaseworkError("Enter the proposed amendments: they are sent with the decision to "
                            "amend (reg 22(2)(a)).", field="proposed_amendments")
    not_future(on, "decision date", "decision_date")
    not_before(on, review.meeting_date, "review decision", "review meeting", "decision_date")
    review.decision_date, review.outcome = on, outcome
    if outcome == c.ReviewOutcome.AMEND:
        review.amendment_notice_date = on  # reg 22(2)(a): the proposals go with the notice
        review.proposed_amendments = proposed_amendments
    review.save(update_fields=["decision_date", "outcome", "amendment_notice_date",
                               "proposed_amendments", "updated_at"])
    due = clock.review_decision_due(review.meeting_date)
    changes: dict[str, object] = {"outcome": outcome, **_met(due, on)}
    if outcome == c.ReviewOutcome.AMEND:
        changes["amended_plan_due"] = law.amended_plan_due(review.meeting_date, on).isoformat()
    record_event(
        child=review.plan.child, plan=review.plan, action=EventAction.REVIEW_DECISION, on=on, by=by,
        description=f"Review decision: {c.ReviewOutcome(outcome).label.lower()}", reason=reason,
        changes=changes,
    )
    return review


@transaction.atomic
def review_issue_amended_plan(*, review: AnnualReview, on: date, by: Actor) -> AnnualReview:
    """Issue the final amended plan: within 8 weeks of the proposed amendments and 12 weeks
    of the meeting (reg 22(3); R (L) v Devon CC [2022]), after the 15 days for comments
    (reg 22(2)(c))."""
    review = _locked_review(review)
    _in_force(review.plan)
    if review.outcome != c.ReviewOutcome.AMEND:
        raise CaseworkError("An amended plan follows only a decision to amend.", field="on")
    if review.amended_final_date is not None:
        raise CaseworkError("The amended plan has already been issued.", field="on")
    assert review.decision_date is not None and review.meeting_date is not None
    not_future(on, "date the amended plan was issued", "amended_final_date")
    not_before(on, review.decision_date, "amended plan", "review decision",
                "amended_final_date")
    review.amended_final_date = on
    review.save(update_fields=["amended_final_date", "updated_at"])
    plan = review.plan
    plan.start_date = on
    plan.save(update_fields=["start_date", "updated_at"])
    due = law.amended_plan_due(review.meeting_date, review.amendment_notice_date)
    changes = _met(due, on)
    if review.phase_transfer_due is not None:
        changes["phase_transfer_met"] = on <= review.phase_transfer_due
    record_event(child=plan.child, plan=plan, action=EventAction.AMENDED_PLAN_ISSUED, on=on, by=by,
                  description="Amended EHC plan issued", changes=changes)
    return review


# --- amendments outside a review (reg 22) --------------------------------------------------------


@transaction.atomic
def amendment_propose(*, plan: EHCPlan, on: date, proposed_amendments: str, by: Actor
                      ) -> PlanAmendment:
    """Send proposed amendments outside a review: 15 days to comment (reg 22(2)(c)), the
    amended plan within 8 weeks (reg 22(3))."""
    plan = _locked_plan(plan)
    _in_force(plan)
    if not proposed_amendments.strip():
        raise CaseworkError("Enter the proposed amendments.", field="proposed_amendments")
    if plan.amendments.filter(amended_final_date__isnull=True,
                              not_amended_date__isnull=True).exists():
        raise CaseworkError("Amendments to this plan have already been proposed and are not "
                            "yet finished.", field="proposed_amendments")
    not_future(on, "date the proposed amendments were sent", "on")
    not_before(on, plan.first_issued_date, "proposed amendments", "plan's issue date", "on")
    amendment = PlanAmendment.objects.create(plan=plan, notice_date=on,
                                             proposed_amendments=proposed_amendments.strip())
    record_event(
        child=plan.child, plan=plan, action=EventAction.AMENDMENT_PROPOSED, on=on, by=by,
        description="Amendments to the plan proposed",
        changes={"comments_until": law.amendment_comment_period_ends(on).isoformat(),
                 "final_due": law.amendment_final_due(on).isoformat()},
    )
    return amendment


def _locked_amendment(amendment: PlanAmendment) -> PlanAmendment:
    return (PlanAmendment.objects.select_for_update().select_related("plan", "plan__child")
            .get(pk=amendment.pk))


@transaction.atomic
def amendment_issue(*, amendment: PlanAmendment, on: date, by: Actor) -> PlanAmendment:
    """Issue the amended plan: after the 15 days for comments, within 8 weeks (reg 22)."""
    amendment = _locked_amendment(amendment)
    plan = amendment.plan
    _in_force(plan)
    if amendment.amended_final_date is not None or amendment.not_amended_date is not None:
        raise CaseworkError("This amendment has already been finished.", field="on")
    not_future(on, "date the amended plan was issued", "on")
    ends = law.amendment_comment_period_ends(amendment.notice_date)
    if on <= ends:
        raise CaseworkError(
            "The parent or young person has 15 days to comment on the proposed amendments "
            f"(reg 22(2)(c)); that period runs to {long_date(ends)}.", field="on")
    amendment.amended_final_date = on
    amendment.save(update_fields=["amended_final_date", "updated_at"])
    plan.start_date = on
    plan.save(update_fields=["start_date", "updated_at"])
    record_event(child=plan.child, plan=plan, action=EventAction.AMENDMENT_ISSUED, on=on, by=by,
                  description="Amended EHC plan issued",
                  changes=_met(law.amendment_final_due(amendment.notice_date), on))
    return amendment


@transaction.atomic
def amendment_not_proceeding(*, amendment: PlanAmendment, on: date, by: Actor, reason: str = ""
                             ) -> PlanAmendment:
    """Tell the family the plan will not be amended after all (reg 22(4))."""
    amendment = _locked_amendment(amendment)
    plan = amendment.plan
    if amendment.amended_final_date is not None or amendment.not_amended_date is not None:
        raise CaseworkError("This amendment has already been finished.", field="on")
    not_future(on, "date", "on")
    not_before(on, amendment.notice_date, "decision not to amend", "proposed amendments", "on")
    amendment.not_amended_date = on
    amendment.save(update_fields=["not_amended_date", "updated_at"])
    record_event(child=plan.child, plan=plan, action=EventAction.AMENDMENT_NOT_PROCEEDING, on=on,
                 by=by,
                  description="Decided not to amend the plan", reason=reason)
    return amendment


# --- ceasing (s.45; regs 29-31) ------------------------------------------------------------


@transaction.atomic
def cease_propose(*, plan: EHCPlan, on: date, cease_reason: str, by: Actor, note: str = ""
                  ) -> EHCPlan:
    """Tell the parent or young person the authority is considering ceasing, and consult
    them (reg 31(1)); 15 days to respond (`statutory.reviews.CEASE_CONSULTATION_DAYS`)."""
    plan = _locked_plan(plan)
    _in_force(plan)
    if plan.cease_proposed_date is not None:
        raise CaseworkError("Ceasing this plan has already been proposed.", field="cease_reason")
    if cease_reason not in c.CeaseReason.values:
        raise CaseworkError("Choose why the plan may cease.", field="cease_reason")
    not_future(on, "date the proposal was sent", "on")
    not_before(on, plan.first_issued_date, "proposal to cease", "plan's issue date", "on")
    plan.cease_proposed_date, plan.cease_proposed_reason = on, cease_reason
    plan.save(update_fields=["cease_proposed_date", "cease_proposed_reason", "updated_at"])
    record_event(
        child=plan.child, plan=plan, action=EventAction.CEASE_PROPOSED, on=on, by=by, reason=note,
        description=f"Proposed to cease the plan: {c.CeaseReason(cease_reason).label.lower()}",
        changes={"responses_until": law.cease_consultation_ends(on).isoformat()},
    )
    return plan


@transaction.atomic
def plan_cease(*, plan: EHCPlan, on: date, cease_reason: str, by: Actor, note: str = ""
               ) -> EHCPlan:
    """Cease a plan (CFA 2014 s.45; regs 29-31). SEN2 CeaseDate is when it ended.

    Where ceasing was proposed, not before the 15 days to respond are over.
    """
    plan = _locked_plan(plan)
    if plan.cease_date is not None:
        raise CaseworkError("This plan has already ceased.", field="cease_reason")
    if cease_reason not in c.CeaseReason.values:
        raise CaseworkError("Choose why the plan is ceasing.", field="cease_reason")
    not_before(on, plan.first_issued_date, "cease date", "plan's issue date", "cease_date")
    if plan.cease_proposed_date is not None:
        ends = law.cease_consultation_ends(plan.cease_proposed_date)
        if on <= ends:
            raise CaseworkError(
                "The parent or young person has until "
                f"{long_date(ends)} to respond to the proposal to cease.", field="cease_date")
    plan.cease_date, plan.cease_reason = on, cease_reason
    plan.save(update_fields=["cease_date", "cease_reason", "updated_at"])
    record_event(
        child=plan.child, plan=plan, action=EventAction.PLAN_CEASED, on=on, by=by, reason=note,
        description=f"Plan ceased: {c.CeaseReason(cease_reason).label.lower()}",
        changes={"cease_date": on.isoformat(), "cease_reason": cease_reason},
    )
    return plan


# --- moves between councils (reg 15) ---------------------------------------------------------


@transaction.atomic
def plan_transfer_in(
    *, child: Child, transferred_on: date, transferred_from: str, by: Actor,
    last_reviewed: date | None = None, officer: StaffMember | None = None,
    needs: list[str] | None = None,
) -> EHCPlan:
    """Take on a plan transferred from another council in England (reg 15).

    We maintain it from the day of the transfer; the family is told within 6 weeks whether
    we will assess or review; the first review is due 12 months after the plan was made or
    last reviewed, or 3 months after the transfer, whichever is later.
    """
    if not transferred_from.strip():
        raise CaseworkError("Enter the council the plan is transferring from.",
                            field="transferred_from")
    not_future(transferred_on, "date of the transfer", "transferred_on")
    not_before(transferred_on, child.date_of_birth, "date of the transfer", "date of birth",
                "transferred_on")
    if last_reviewed is not None:
        not_future(last_reviewed, "date the plan was made or last reviewed", "last_reviewed")
    if EHCPlan.objects.filter(child=child, cease_date__isnull=True).exists():
        raise CaseworkError("This child already has a plan maintained by this council.",
                            field="transferred_on")
    if needs and len(needs) > 2:
        raise CaseworkError("A plan records a primary and at most one secondary need.",
                            field="needs")
    first_due = law.first_review_due(transferred_on, transferred_on=transferred_on,
                                     last_reviewed_before=last_reviewed)
    plan = EHCPlan.objects.create(
        child=child, start_date=transferred_on, first_issued_date=transferred_on,
        transferred_in=True, transferred_from=transferred_from.strip(),
        last_reviewed_before_transfer=last_reviewed, first_review_due=first_due,
        next_review_due=first_due, officer=officer,
    )
    for rank, need in enumerate(needs or [], start=1):
        PlanNeed.objects.create(plan=plan, rank=rank, sen_type=need)
    record_event(
        child=child, plan=plan, action=EventAction.PLAN_TRANSFERRED_IN, on=transferred_on, by=by,
        description="EHC plan transferred in from another local authority",
        changes={"notice_due": law.transfer_in_notice_due(transferred_on).isoformat(),
                 "first_review_due": first_due.isoformat()},
    )
    return plan


@transaction.atomic
def plan_transfer_in_notice(*, plan: EHCPlan, on: date, decision: str, by: Actor) -> EHCPlan:
    """Record telling the family of the transfer and whether we will assess or review: within
    6 weeks of the transfer (reg 15). Deciding to review brings the review forward to 3 months
    after the transfer if that is sooner than it was due."""
    plan = _locked_plan(plan)
    _in_force(plan)
    if not plan.transferred_in:
        raise CaseworkError("This plan was not transferred in from another council.",
                            field="decision")
    if plan.transfer_notice_date is not None:
        raise CaseworkError("The notice of the transfer has already been recorded.",
                            field="decision")
    if decision not in c.TransferInDecision.values:
        raise CaseworkError("Choose what the family was told.", field="decision")
    not_future(on, "date of the notice", "on")
    not_before(on, plan.first_issued_date, "notice", "date of the transfer", "on")
    plan.transfer_notice_date, plan.transfer_notice_decision = on, decision
    plan.save(update_fields=["transfer_notice_date", "transfer_notice_decision", "updated_at"])
    record_event(
        child=plan.child, plan=plan, action=EventAction.TRANSFER_NOTICE, on=on, by=by,
        description=f"Family told of the transfer: {c.TransferInDecision(decision).label.lower()}",
        changes=_met(law.transfer_in_notice_due(plan.first_issued_date), on),
    )
    return plan


@transaction.atomic
def plan_transfer_out(*, plan: EHCPlan, on: date, transferred_to: str, by: Actor,
                      moved_on: date | None = None, told_on: date | None = None) -> EHCPlan:
    """Transfer the plan to the new council of a family moving in England (reg 15).

    The plan is transferred on the day of the move, or within 15 working days of our being
    told of it if told later; here it ceases (SEN2 CeaseReason 5, CeaseDate the transfer).
    """
    if not transferred_to.strip():
        raise CaseworkError("Enter the council the plan is transferring to.",
                            field="transferred_to")
    if told_on is not None:
        not_future(told_on, "date we were told of the move", "told_on")
    not_future(on, "date of the transfer", "on")
    plan = plan_cease(plan=plan, on=on, cease_reason=c.CeaseReason.TRANSFERRED, by=by,
                      note=f"Transferred to {transferred_to.strip()}")
    plan.transferred_to = transferred_to.strip()
    plan.save(update_fields=["transferred_to", "updated_at"])
    changes: dict[str, object] = {"transferred_to": plan.transferred_to}
    if told_on is not None:
        changes.update(_met(law.transfer_out_due(moved_on or on, told_on), on))
    record_event(child=plan.child, plan=plan, action=EventAction.PLAN_TRANSFERRED_OUT, on=on, by=by,
                  description="Plan transferred to another council", changes=changes)
    return plan
