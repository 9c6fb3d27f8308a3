"""What a family's page shows, in plain words, read in a fixed number of queries.

The stage, the named officer and how to reach them, the next date the law sets, the likely
final-plan date with its range (the planner's kept forecast, planning.forecasts), the letters,
draft plan and documents they may open, and the history of the case: case events rewritten
for the family, with no internal notes, no staff-only steps and nobody's name but the officer's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings

from ehcflow.casework import choices as c
from ehcflow.casework.models import AssessmentRequest, CaseEvent
from ehcflow.families.models import DraftResponse, MeetingRequest
from ehcflow.families.services import VIEWS_STAGES, draft_response_window, first_name
from ehcflow.files.models import StoredFile
from ehcflow.planning import forecasts
from ehcflow.statutory import clock
from ehcflow.statutory.dates import long_date

STAGE_WORDS: dict[str, tuple[str, str]] = {
    c.Stage.AWAITING_DECISION: (
        "We are deciding whether to assess",
        "We have your request and are deciding whether to carry out an education, health and "
        "care (EHC) needs assessment."),
    c.Stage.ASSESSING: (
        "We are carrying out the assessment",
        "We are asking professionals, such as an educational psychologist, health and social "
        "care, for advice about {name}'s needs."),
    c.Stage.AWAITING_DRAFT: (
        "We are writing the draft plan",
        "We have decided to write an EHC plan for {name} and are writing the draft."),
    c.Stage.DRAFT_ISSUED: (
        "The draft plan is ready for your comments",
        "We have sent you the draft EHC plan. You can comment on it and tell us which school "
        "or college you would like named."),
    c.Stage.PLAN_ISSUED: (
        "The final plan has been issued",
        "The final EHC plan has been issued. It will be reviewed at least every 12 months."),
    c.Stage.NOT_ASSESSED: (
        "We decided not to assess",
        "We decided not to carry out an EHC needs assessment. Our letter explains why and how "
        "you can appeal."),
    c.Stage.NO_PLAN: (
        "We decided not to issue a plan",
        "After the assessment we decided not to issue an EHC plan. Our letter explains why "
        "and how you can appeal."),
    c.Stage.CLOSED: ("The request has closed", "This request has closed."),
}


@dataclass(frozen=True)
class NextDate:
    what: str
    due: date

    @property
    def late(self) -> bool:
        """The date has passed without the step: the family is told so, not shown a past date
        as if it were still to come."""
        return self.due < clock.today()


def next_date(case: AssessmentRequest) -> NextDate | None:
    """The next date the law sets for the service, in the family's words (statutory.clock)."""
    received = case.received_date
    if case.stage == c.Stage.AWAITING_DECISION:
        return NextDate("We must tell you whether we will assess by",
                        clock.decision_to_assess_due(received))
    if case.stage == c.Stage.ASSESSING:
        return NextDate("If we decide not to issue a plan, we must tell you by",
                        clock.decision_not_to_issue_due(received))
    if case.stage == c.Stage.DRAFT_ISSUED and case.draft_date is not None:
        ends = clock.comment_period_ends(case.draft_date)
        if case.comments_received_date is None and ends >= clock.today():
            return NextDate("You can send your comments on the draft plan until", ends)
    if case.stage in (c.Stage.AWAITING_DRAFT, c.Stage.DRAFT_ISSUED):
        return NextDate("The final plan is due by", clock.final_plan_due(received))
    return None



# --- the history in plain words ----------------------------------------------------------------

_PLAIN = {
    "request_received": "We received the request for an EHC needs assessment",
    "request_allocated": "A case officer was given your request",
    "advice_requested": "We asked for advice: {advice}",
    "advice_received": "We received advice: {advice}",
    "comments_received": "We received your comments on the draft plan",
    "final_issued": "We issued the final EHC plan",
    "exception_applied": "The 20-week time limit does not apply for a while, because of "
                         "circumstances we have told you about",
    "request_closed": "The request was closed",
    "family_invited": "We invited you to follow the request online",
    "family_joined": "An account was set up to follow the request",
    "family_views_submitted": "We received your views",
    "family_views_resubmitted": "We received your updated views",
    "family_meeting_asked": "You asked for a meeting",
    "family_consent_given": "The young person let a parent or carer follow their case",
    "family_consent_withdrawn": "The young person stopped a parent or carer following their case",
}


def plain_event(event: CaseEvent, shared_files: set[str]) -> str | None:
    """The family's words for one case event, or None for what is not theirs to see."""
    changes = event.changes or {}
    if event.action == "decision_recorded":
        return ("We decided to carry out an EHC needs assessment"
                if changes.get("decision") == c.Decision.ASSESS
                else "We decided not to carry out an EHC needs assessment")
    if event.action == "outcome_recorded":
        return ("We decided to write an EHC plan" if changes.get("outcome") == c.Outcome.PLAN
                else "We decided not to issue an EHC plan")
    if event.action == "draft_issued":
        ends = changes.get("comment_period_ends")
        until = f" You had until {long_date(date.fromisoformat(ends))} to comment." if ends else ""
        return f"We sent you the draft EHC plan.{until}"
    if event.action == "file_added":
        if changes.get("file") not in shared_files:
            return None
        return ("You sent us a document" if changes.get("kind") == "family_upload"
                else "We added a document for you to read")
    text = _PLAIN.get(event.action)
    if text is None:
        return None
    if "{advice}" in text:
        kind = changes.get("adviser_type", "")
        label = c.AdviserType(kind).label.lower() if kind in c.AdviserType.values else "other"
        return text.format(advice=label)
    return text


@dataclass(frozen=True)
class HistoryItem:
    on: date
    text: str


@dataclass(frozen=True)
class Contact:
    officer_name: str | None
    email: str
    phone: str


@dataclass(frozen=True)
class FamilyCasePage:
    case: AssessmentRequest
    child_name: str
    stage_title: str
    stage_text: str
    contact: Contact
    next: NextDate | None
    likely: forecasts.LikelyDates | None
    documents: list[StoredFile]
    history: list[HistoryItem]
    can_send_views: bool
    draft_window: tuple[date, date] | None
    draft_open: bool
    draft_responded: bool


def case_page(case: AssessmentRequest, *, today: date) -> FamilyCasePage:
    """Everything the family's page shows about one request (about 5 queries)."""
    name = first_name(case.child)
    title, text = STAGE_WORDS.get(case.stage, (case.get_stage_display(), ""))
    documents = list(StoredFile.objects.filter(request=case, shared_with_family=True)
                     .order_by("-uploaded_at", "-id"))
    shared = {str(f.public_id) for f in documents}
    events = case.events.order_by("-effective_date", "-occurred_at", "-id").only(
        "action", "changes", "effective_date", "occurred_at")
    history = [HistoryItem(e.effective_date, words) for e in events
               if (words := plain_event(e, shared)) is not None]
    officer = case.officer
    officer_email = ""
    if officer is not None and officer.user is not None and officer.user.email:
        officer_email = officer.user.email
    window = draft_response_window(case)
    responded = (case.stage == c.Stage.DRAFT_ISSUED
                 and (case.comments_received_date is not None
                      or DraftResponse.objects.filter(request=case).exists()))
    return FamilyCasePage(
        case=case, child_name=name, stage_title=title, stage_text=text.format(name=name),
        contact=Contact(officer_name=officer.name if officer else None,
                        email=officer_email or settings.EHCFLOW_SEND_TEAM_EMAIL,
                        phone=settings.EHCFLOW_SEND_TEAM_PHONE),
        next=next_date(case),
        likely=(forecasts.kept_for([case], today=today).get(case.pk) if case.is_open
                else None),
        documents=documents, history=history,
        can_send_views=case.stage in VIEWS_STAGES,
        draft_window=window,
        draft_open=(case.stage == c.Stage.DRAFT_ISSUED and window is not None
                    and today <= window[1] and not responded),
        draft_responded=responded,
    )


@dataclass(frozen=True)
class FamilySent:
    """What the family wrote, for the officer: responses to the draft and meeting requests."""

    responses: list[DraftResponse]
    meetings: list[MeetingRequest]


def family_sent(case: AssessmentRequest) -> FamilySent:
    return FamilySent(
        responses=list(DraftResponse.objects.filter(request=case).order_by("-submitted_at")),
        meetings=list(MeetingRequest.objects.filter(request=case).order_by("-submitted_at")))
