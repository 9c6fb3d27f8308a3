"""A message to the family at every statutory step of their request, through GOV.UK Notify.

When a step is recorded on a request (received, the decision whether to assess, the decision
whether to write a plan, the draft plan, the final plan) or a plan's review is scheduled,
every family member following the child online who may see it today
(`families.access.link_in_force`: a parent of a child under 16; from 16 the young person, and
a parent only with their consent) is sent the step's template: an e-mail where they gave an
address, otherwise a text message. Each names the stage and what happens next, with its date
(`notify.templates`). Messages are queued after the step is committed, so a refused step sends
nothing; the register import and the demo write events in bulk and send nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction

from ehcflow.casework import choices as c
from ehcflow.casework.events import EventAction
from ehcflow.casework.models import AssessmentRequest, CaseEvent, Child, EHCPlan
from ehcflow.families.access import link_in_force
from ehcflow.families.models import ChildLink, Consent, FamilyMember
from ehcflow.families.services import first_name
from ehcflow.notify import services as notify
from ehcflow.notify.templates import PersonalisationError
from ehcflow.statutory import clock
from ehcflow.statutory.dates import long_date

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StepMessage:
    """The e-mail template of a step, its fields, and the text message's words."""

    template: str
    fields: dict[str, str]
    stage: str
    next_step: str
    next_date: str


def _received(case: AssessmentRequest) -> StepMessage:
    due = long_date(clock.decision_to_assess_due(case.received_date))
    return StepMessage("request_received", {"received_date": long_date(case.received_date),
                                            "decision_due": due},
                       "request received", "our decision whether to assess", due)


def _decision(case: AssessmentRequest) -> StepMessage | None:
    if case.decision == c.Decision.ASSESS:
        due = long_date(clock.decision_not_to_issue_due(case.received_date))
        return StepMessage("decision_to_assess", {"outcome_due": due}, "we will assess",
                           "our decision whether to issue a plan", due)
    if case.decision == c.Decision.NOT_ASSESS:
        return StepMessage("decision_not_to_assess", {}, "we will not assess",
                           "you may appeal", "2 months from our letter")
    return None


def _outcome(case: AssessmentRequest) -> StepMessage | None:
    if case.outcome == c.Outcome.PLAN:
        due = long_date(clock.final_plan_due(case.received_date))
        return StepMessage("decision_to_issue", {"final_due": due}, "we will write a plan",
                           "the final plan", due)
    if case.outcome == c.Outcome.NO_PLAN:
        return StepMessage("decision_not_to_issue", {}, "we will not write a plan",
                           "you may appeal", "2 months from our letter")
    return None


def _draft(case: AssessmentRequest) -> StepMessage | None:
    if case.draft_date is None:
        return None
    comments = long_date(clock.comment_period_ends(case.draft_date))
    return StepMessage("draft_issued", {
        "comments_due": comments, "final_due": long_date(clock.final_plan_due(case.received_date))},
        "draft plan issued", "your comments on the draft", comments)


def _final(case: AssessmentRequest) -> StepMessage:
    return StepMessage("final_issued", {}, "final plan issued", "the plan's first review",
                       "12 months from the plan")


def _review(plan: EHCPlan) -> StepMessage | None:
    if plan.next_review_due is None:
        return None
    due = long_date(plan.next_review_due)
    return StepMessage("review_due", {"review_due": due}, "annual review due",
                       "the review meeting", due)


#: The steps on a request a family is told of, and how each message is made from it.
STEPS: dict[str, Callable[[AssessmentRequest], StepMessage | None]] = {
    EventAction.REQUEST_RECEIVED: _received,
    EventAction.DECISION_RECORDED: _decision,
    EventAction.OUTCOME_RECORDED: _outcome,
    EventAction.DRAFT_ISSUED: _draft,
    EventAction.FINAL_ISSUED: _final,
}
#: The steps on a plan a family is told of.
PLAN_STEPS: dict[str, Callable[[EHCPlan], StepMessage | None]] = {
    EventAction.REVIEW_SCHEDULED: _review,
}


def members_to_tell(child: Child, today: date) -> list[FamilyMember]:
    """The family members following this child who may see their requests today."""
    links = list(ChildLink.objects.filter(child=child).select_related("member__user", "child"))
    consented = set(Consent.objects.filter(
        child=child, withdrawn_at__isnull=True).values_list("member_id", flat=True))
    return [link.member for link in links
            if link_in_force(link, {child.pk} if link.member_id in consented else set(), today)]


def tell_family(case: AssessmentRequest, action: str, today: date) -> int:
    """Queue the request step's message to each family member; how many were queued."""
    make = STEPS.get(action)
    message = make(case) if make is not None else None
    if message is None:
        return 0
    return _send(message, child=case.child, case_ref=case.case_ref, case=case, today=today)


def tell_family_of_plan(plan: EHCPlan, action: str, today: date) -> int:
    """Queue the plan step's message (a review scheduled) to each family member."""
    make = PLAN_STEPS.get(action)
    message = make(plan) if make is not None else None
    if message is None:
        return 0
    case = plan.request
    return _send(message, child=plan.child, case_ref=case.case_ref if case else "", case=case,
                 today=today)


def _send(message: StepMessage, *, child: Child, case_ref: str,
          case: AssessmentRequest | None, today: date) -> int:
    common = {"child_first_name": first_name(child), "case_ref": case_ref or "your plan",
              "team_phone": settings.EHCFLOW_SEND_TEAM_PHONE}
    sent = 0
    for member in members_to_tell(child, today):
        try:
            if member.user.email:
                notify.send_email(message.template, to=member.user.email, request=case,
                                  personalisation={**common, **message.fields})
            elif member.mobile:
                notify.send_sms("stage_update_sms", to=member.mobile, request=case,
                                personalisation={"case_ref": common["case_ref"],
                                                 "stage": message.stage,
                                                 "next_step": message.next_step,
                                                 "next_date": message.next_date})
            else:
                continue
        except PersonalisationError as problem:  # a malformed address: nothing is queued
            log.warning("family message not queued for child %s: %s", child.public_id,
                        problem)
            continue
        sent += 1
    return sent


def on_case_event(sender: Any, instance: CaseEvent, created: bool, **kwargs: Any) -> None:
    """post_save of a case event written by a service: tell the family once it commits."""
    if not created:
        return
    action = instance.action
    if instance.request_id is not None and action in STEPS:
        request_id = instance.request_id

        def send() -> None:
            case = (AssessmentRequest.objects.select_related("child")
                    .filter(pk=request_id).first())
            if case is not None:
                tell_family(case, action, clock.today())

        transaction.on_commit(send)
    elif instance.plan_id is not None and action in PLAN_STEPS:
        plan_id = instance.plan_id

        def send_plan() -> None:
            plan = EHCPlan.objects.select_related("child", "request").filter(pk=plan_id).first()
            if plan is not None:
                tell_family_of_plan(plan, action, clock.today())

        transaction.on_commit(send_plan)
