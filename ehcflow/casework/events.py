"""Case events: the one vocabulary of what happened to a child's case, and the one writer.

Three writers change a child's case (docs/decisions/0023-three-writers-one-set-of-rules.md):
the casework services (one step at a time, from the pages), the register import (many
requests in bulk) and the demo writer (a whole synthetic authority). All three name each
event with an `EventAction` and describe it with the functions below, so the timeline of a
case reads the same whoever wrote it. `record_event` is the services' writer of one event;
the importer and the demo writer build the same rows in bulk (`CaseEvent.objects.bulk_create`
and the demo's INSERTs both link each event into the hash chain, decision 0008).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ehcflow.casework import choices as c
from ehcflow.casework.models import AssessmentRequest, CaseEvent, Child, EHCPlan

if TYPE_CHECKING:
    from ehcflow.casework.services import Actor

__all__ = [
    "EventAction",
    "advice_description",
    "allocation_description",
    "closure_description",
    "decision_description",
    "exception_description",
    "outcome_description",
    "plan_ceased_description",
    "record_event",
    "review_decision_description",
    "review_scheduled_description",
]


class EventAction(StrEnum):
    """What a case event records; the value is stored in `CaseEvent.action`."""

    CHILD_RECORDED = "child_recorded"
    REQUEST_RECEIVED = "request_received"
    REQUEST_ALLOCATED = "request_allocated"
    DECISION_RECORDED = "decision_recorded"
    ADVICE_REQUESTED = "advice_requested"
    ADVICE_CHASED = "advice_chased"
    ADVICE_RECEIVED = "advice_received"
    EXCEPTION_APPLIED = "exception_applied"
    OUTCOME_RECORDED = "outcome_recorded"
    DRAFT_ISSUED = "draft_issued"
    COMMENTS_RECEIVED = "comments_received"
    FINAL_ISSUED = "final_issued"
    REQUEST_CLOSED = "request_closed"
    REQUEST_IMPORTED = "request_imported"
    REQUEST_UPDATED_BY_IMPORT = "request_updated_by_import"
    PLAN_RECORDED = "plan_recorded"
    PLAN_TRANSFERRED_IN = "plan_transferred_in"
    REVIEW_SCHEDULED = "review_scheduled"
    REVIEW_MEETING = "review_meeting"
    REVIEW_DECISION = "review_decision"
    AMENDED_PLAN_ISSUED = "amended_plan_issued"
    PLAN_CEASED = "plan_ceased"
    # After the plan: reviews, amendments, transfers, ceasing
    REVIEW_INVITATIONS = "review_invitations"
    REVIEW_REPORT = "review_report"
    AMENDMENT_PROPOSED = "amendment_proposed"
    AMENDMENT_ISSUED = "amendment_issued"
    AMENDMENT_NOT_PROCEEDING = "amendment_not_proceeding"
    CEASE_PROPOSED = "cease_proposed"
    TRANSFER_NOTICE = "transfer_notice"
    PLAN_TRANSFERRED_OUT = "plan_transferred_out"
    # The plan document: versions, consultation, audits
    FAMILY_VIEWS_SUBMITTED = "family_views_submitted"
    PLAN_DRAFTING_STARTED = "plan_drafting_started"
    PLAN_EDITED = "plan_edited"
    PLAN_CONSULTATION_STARTED = "plan_consultation_started"
    PLAN_RESPONSE_RECORDED = "plan_response_recorded"
    PLAN_VERSION_STARTED = "plan_version_started"
    PLAN_MADE_FINAL = "plan_made_final"
    PLAN_AMENDMENT_STARTED = "plan_amendment_started"
    PLAN_AUDITED = "plan_audited"
    PLAN_AUDIT_MODERATED = "plan_audit_moderated"
    # History of plans, reviews and disagreements imported from another system
    CHILD_UPDATED_BY_IMPORT = "child_updated_by_import"
    PLAN_UPDATED_BY_IMPORT = "plan_updated_by_import"
    # Mediation and appeals
    MEDIATION_UPDATED = "mediation_updated"
    APPEAL_UPDATED = "appeal_updated"
    TRIBUNAL_ORDER = "tribunal_order"
    TRIBUNAL_ORDER_COMPLIED = "tribunal_order_complied"
    MEDIATION_STARTED = "mediation_started"
    APPEAL_REGISTERED = "appeal_registered"
    # Families (their sign-in and what they send)
    FAMILY_INVITED = "family_invited"
    FAMILY_JOINED = "family_joined"
    FAMILY_MEETING_ASKED = "family_meeting_asked"
    FAMILY_CONSENT_GIVEN = "family_consent_given"
    FAMILY_CONSENT_WITHDRAWN = "family_consent_withdrawn"
    # Partners: advice and consultations
    ADVICE_SENT_TO_PARTNER = "advice_sent_to_partner"
    SCHOOL_CONSULTED = "school_consulted"
    SCHOOL_ANSWERED = "school_answered"
    ADVICE_ESCALATED = "advice_escalated"
    # Files on a case
    FILE_ADDED = "file_added"


#: The description of each event whose wording does not depend on the step's details.
DESCRIPTIONS: Mapping[EventAction, str] = {
    EventAction.CHILD_RECORDED: "Child's record created",
    EventAction.REQUEST_RECEIVED: "Request for an EHC needs assessment received",
    EventAction.DRAFT_ISSUED: "Draft EHC plan issued for comment",
    EventAction.COMMENTS_RECEIVED: "Comments on the draft plan received",
    EventAction.FINAL_ISSUED: "Final EHC plan issued",
    EventAction.REQUEST_IMPORTED: "Request imported from the request register",
    EventAction.PLAN_RECORDED: "EHC plan recorded from the previous case management system",
    EventAction.PLAN_TRANSFERRED_IN: "EHC plan transferred in from another local authority",
    EventAction.REVIEW_MEETING: "Review meeting held",
    EventAction.AMENDED_PLAN_ISSUED: "Amended EHC plan issued",
}


def allocation_description(officer_name: str | None) -> str:
    return f"Allocated to {officer_name}" if officer_name else "Allocation removed"


def decision_description(decision: str) -> str:
    """The decision whether to carry out an EHC needs assessment (reg 4, 5)."""
    return ("Decided to carry out an EHC needs assessment" if decision == c.Decision.ASSESS
            else "Decided not to carry out an EHC needs assessment")


def outcome_description(outcome: str) -> str:
    """The decision, after the assessment, whether to issue a plan (reg 10)."""
    return ("Decided to issue an EHC plan" if outcome == c.Outcome.PLAN
            else "Decided not to issue an EHC plan")


def advice_description(action: EventAction, adviser_type: str) -> str:
    """Advice requested, chased or received, naming the kind of adviser."""
    verb = {EventAction.ADVICE_REQUESTED: "requested", EventAction.ADVICE_CHASED: "chased",
            EventAction.ADVICE_RECEIVED: "received"}[action]
    return f"Advice {verb}: {c.AdviserType(adviser_type).label.lower()}"


def exception_description(reason: str) -> str:
    return f"Exception to the time limit: {c.ExceptionReason(reason).label.lower()}"


def closure_description(closed_reason: str) -> str:
    return f"Request closed: {c.ClosedReason(closed_reason).label.lower()}"


def review_scheduled_description(phase_transfer: bool) -> str:
    return "Phase transfer review scheduled" if phase_transfer else "Annual review scheduled"


def review_decision_description(outcome: str) -> str:
    return f"Review decision: {c.ReviewOutcome(outcome).label.lower()}"


def plan_ceased_description(cease_reason: str) -> str:
    return f"Plan ceased: {c.CeaseReason(cease_reason).label.lower()}"


def record_event(
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
    """Append one event to the case's log (in the caller's transaction), signed by `by`."""
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
