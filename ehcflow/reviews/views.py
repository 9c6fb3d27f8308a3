"""Pages after a plan is issued: a plan's reviews, the steps, the team's reviews and the phase
transfer cohorts. Thin: selectors read, `reviews.services` write, `people.access` decides.

Who sees what: the casework roles (case officer, team manager, head of service) see and
record the plans in their scope (`plan_scope`); an analyst sees the counts only; anyone else
is refused. A plan outside the user's scope answers 404, as a guessed address does, and the
attempt is logged. Every page that shows a child's record writes the access log.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ehcflow.casework import choices as c
from ehcflow.casework import services as casework_services
from ehcflow.casework.audit import record_access
from ehcflow.casework.models import EHCPlan, RecordAccess
from ehcflow.casework.services import Actor, CaseworkError
from ehcflow.people.access import Action, may, plan_scope, staff_of
from ehcflow.people.models import Role, User
from ehcflow.reviews import forms as f
from ehcflow.reviews import selectors, services
from ehcflow.reviews.access import may_count_reviews, may_work_on_reviews
from ehcflow.statutory import reviews as law

log = logging.getLogger(__name__)


def _actor(http_request: HttpRequest) -> Actor:
    return Actor(user=http_request.user if http_request.user.is_authenticated
                 else None)  # type: ignore[arg-type]


def _casework(http_request: HttpRequest) -> bool:
    return may_work_on_reviews(http_request.user)


def _counts_only(http_request: HttpRequest) -> bool:
    return may_count_reviews(http_request.user)


def _plans(http_request: HttpRequest) -> Any:
    return EHCPlan.objects.filter(plan_scope(http_request.user))


def _visible_plan(http_request: HttpRequest, public_id: uuid.UUID, page: str) -> EHCPlan:
    """The plan, if this user's role and scope reach it; otherwise 404, logged."""
    found = None
    if _casework(http_request):
        found = (_plans(http_request).select_related("child", "officer")
                 .filter(public_id=public_id).first())
    if found is None:
        existing = EHCPlan.objects.filter(public_id=public_id).select_related("child").first()
        if existing is not None:
            record_access(http_request, RecordAccess.Kind.REFUSED, page=page,
                          child=existing.child)
            log.warning("refused access to a plan for user %s", http_request.user.pk)
        raise Http404("No such plan")
    return found


# --- a plan's reviews ---------------------------------------------------------------------


@login_required
def plan_reviews(http_request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    plan = _visible_plan(http_request, public_id, "reviews:plan")
    today = timezone.localdate()
    record_access(http_request, RecordAccess.Kind.VIEW, page="reviews:plan", child=plan.child)
    page = selectors.plan_page(plan, today=today)
    can_record = may(http_request.user, Action.RECORD_STEP)
    steps = [s for s in STEPS.values() if can_record and s.offered(page)]
    return render(http_request, "reviews/plan.html", {
        "plan": plan, "page": page, "today": today, "steps": steps,
        "statuses": law.RISK_LABELS})


@dataclass(frozen=True)
class PlanStep:
    slug: str
    title: str
    form: Callable[..., Any]
    handler: Callable[[selectors.PlanPage, dict[str, Any], Actor], object]
    offered: Callable[[selectors.PlanPage], bool]
    done: str
    form_kwargs: dict[str, Any] | None = None


def _review(page: selectors.PlanPage) -> Any:
    if page.open_review is None:
        raise CaseworkError("There is no review of this plan to record this on.")
    return page.open_review


def _amendment(page: selectors.PlanPage) -> Any:
    if page.open_amendment is None:
        raise CaseworkError("No amendment of this plan is in progress.")
    return page.open_amendment


def _schedule(page: selectors.PlanPage, d: dict[str, Any], by: Actor) -> object:
    kind = d["phase_transfer"]
    return services.review_schedule(
        plan=page.plan, due_date=d["due_date"], by=by,
        phase_transfer_year=d["transfer_year"] if kind in {"school", "post16"} else None,
        secondary_to_post16=kind == "post16")


def _open(page: selectors.PlanPage) -> bool:
    return page.plan.cease_date is None


def _review_at(stage: str) -> Callable[[selectors.PlanPage], bool]:
    def offered(page: selectors.PlanPage) -> bool:
        r = page.open_review
        if not _open(page) or r is None:
            return False
        if stage == "invitations":
            return r.meeting_date is None and r.invitations_sent_date is None
        if stage == "meeting":
            return r.meeting_date is None
        if stage == "report":
            return r.meeting_date is not None and r.report_date is None
        if stage == "decision":
            return r.meeting_date is not None and r.decision_date is None
        return r.outcome == c.ReviewOutcome.AMEND and r.amended_final_date is None
    return offered


STEPS: dict[str, PlanStep] = {s.slug: s for s in (
    PlanStep("schedule", "Schedule a review", f.ScheduleForm, _schedule,
             lambda p: _open(p) and p.open_review is None, "Review scheduled"),
    PlanStep("invitations", "Record invitations and advice sent", f.InvitationsForm,
             lambda p, d, by: services.review_record_invitations(
                 review=_review(p), invitations_on=d["invitations_on"],
                 advice_on=d["advice_on"], by=by),
             _review_at("invitations"), "Invitations recorded"),
    PlanStep("meeting", "Record the review meeting", f.DateForm,
             lambda p, d, by: services.review_record_meeting(review=_review(p), on=d["on"],
                                                             by=by),
             _review_at("meeting"), "Review meeting recorded",
             {"label": "Date of the review meeting"}),
    PlanStep("report", "Record the review report", f.DateForm,
             lambda p, d, by: services.review_record_report(review=_review(p), on=d["on"],
                                                            by=by),
             _review_at("report"), "Review report recorded",
             {"label": "Date the review report was received"}),
    PlanStep("decision", "Record the decision after the review", f.DecisionForm,
             lambda p, d, by: services.review_record_decision(
                 review=_review(p), outcome=d["outcome"], on=d["on"], by=by,
                 proposed_amendments=d["proposed_amendments"]),
             _review_at("decision"), "Decision recorded"),
    PlanStep("amended-plan", "Issue the amended plan", f.DateForm,
             lambda p, d, by: services.review_issue_amended_plan(review=_review(p),
                                                                 on=d["on"], by=by),
             _review_at("amended"), "Amended plan issued",
             {"label": "Date the amended plan was issued"}),
    PlanStep("propose-amendments", "Propose amendments outside a review", f.AmendmentForm,
             lambda p, d, by: services.amendment_propose(
                 plan=p.plan, on=d["on"], proposed_amendments=d["proposed_amendments"], by=by),
             lambda p: _open(p) and p.open_amendment is None, "Proposed amendments recorded"),
    PlanStep("issue-amendment", "Issue the plan with the proposed amendments", f.DateForm,
             lambda p, d, by: services.amendment_issue(amendment=_amendment(p), on=d["on"],
                                                       by=by),
             lambda p: _open(p) and p.open_amendment is not None, "Amended plan issued",
             {"label": "Date the amended plan was issued"}),
    PlanStep("not-amending", "Record a decision not to amend", f.DateForm,
             lambda p, d, by: services.amendment_not_proceeding(amendment=_amendment(p),
                                                                on=d["on"], by=by),
             lambda p: _open(p) and p.open_amendment is not None, "Decision recorded",
             {"label": "Date the family was told"}),
    PlanStep("propose-cease", "Propose to cease the plan", f.CeaseProposalForm,
             lambda p, d, by: services.cease_propose(plan=p.plan, on=d["on"],
                                                     cease_reason=d["cease_reason"], by=by),
             lambda p: _open(p) and p.plan.cease_proposed_date is None,
             "Proposal to cease recorded"),
    PlanStep("cease", "Cease the plan", f.CeaseForm,
             lambda p, d, by: services.plan_cease(plan=p.plan, on=d["on"],
                                                  cease_reason=d["cease_reason"], by=by),
             _open, "Plan ceased"),
    PlanStep("transfer-notice", "Record telling the family of the transfer",
             f.TransferNoticeForm,
             lambda p, d, by: services.plan_transfer_in_notice(plan=p.plan, on=d["on"],
                                                               decision=d["decision"], by=by),
             lambda p: _open(p) and p.plan.transferred_in and p.plan.transfer_notice_date is None,
             "Notice recorded"),
    PlanStep("transfer-out", "Transfer the plan to another council", f.TransferOutForm,
             lambda p, d, by: services.plan_transfer_out(
                 plan=p.plan, on=d["on"], transferred_to=d["transferred_to"],
                 told_on=d["told_on"], by=by),
             _open, "Plan transferred"),
)}


def _just_done_by(http_request: HttpRequest, plan: EHCPlan) -> bool:
    """A double submit: the same user changed this plan a moment ago."""
    return selectors.plan_changed_just_now_by(plan, http_request.user.pk)


@login_required
@require_http_methods(["GET", "POST"])
def plan_step(http_request: HttpRequest, public_id: uuid.UUID, step: str) -> HttpResponse:
    definition = STEPS.get(step)
    if definition is None:
        raise Http404("No such step")
    plan = _visible_plan(http_request, public_id, f"reviews:{step}")
    if not may(http_request.user, Action.RECORD_STEP):
        record_access(http_request, RecordAccess.Kind.REFUSED, page=f"reviews:{step}",
                      child=plan.child)
        raise PermissionDenied
    today = timezone.localdate()
    page = selectors.plan_page(plan, today=today)
    data = http_request.POST if http_request.method == "POST" else None
    form = definition.form(data, initial={"on": today}, **(definition.form_kwargs or {}))
    refusal = None if definition.offered(page) else "This step is not available for this plan now."
    if http_request.method == "POST":
        if refusal is not None and _just_done_by(http_request, plan):
            messages.info(http_request, "That was already recorded.")
            return redirect("reviews:plan", public_id=plan.public_id)
        if refusal is None and form.is_valid():
            try:
                with transaction.atomic():
                    # The user's row is locked first, so two presses arriving together are
                    # taken one after the other; the second is refused by the service.
                    User.objects.select_for_update().filter(pk=http_request.user.pk or 0).first()
                    definition.handler(page, form.cleaned_data, _actor(http_request))
            except CaseworkError as error:
                if _just_done_by(http_request, plan):
                    messages.info(http_request, "That was already recorded.")
                    return redirect("reviews:plan", public_id=plan.public_id)
                field = error.field if error.field in form.fields else None
                if field is None and "on" in form.fields and (error.field or "").endswith(
                        ("date", "_on", "on")):
                    field = "on"
                form.add_error(field, error.message)
            else:
                record_access(http_request, RecordAccess.Kind.CHANGE, page=f"reviews:{step}",
                              child=plan.child)
                messages.success(http_request, definition.done)
                return redirect("reviews:plan", public_id=plan.public_id)
    record_access(http_request, RecordAccess.Kind.VIEW, page=f"reviews:{step}",
                  child=plan.child)
    return render(http_request, "reviews/step.html", {
        "plan": plan, "page": page, "step": definition, "form": form, "refusal": refusal})


@login_required
@require_http_methods(["GET", "POST"])
def transfer_in(http_request: HttpRequest) -> HttpResponse:
    """Take on a plan from another council: the child's record and the plan together."""
    if not (_casework(http_request) and may(http_request.user, Action.RECORD_STEP)):
        raise PermissionDenied
    form = f.TransferInForm(http_request.POST if http_request.method == "POST" else None)
    if http_request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        staff = staff_of(http_request.user)
        officer = staff if staff is not None and staff.role == Role.CASE_OFFICER else None
        try:
            with transaction.atomic():
                User.objects.select_for_update().filter(pk=http_request.user.pk or 0).first()
                recent = _recent_transfer(http_request, d)
                if recent is not None:
                    messages.info(http_request, "That was already recorded.")
                    return redirect("reviews:plan", public_id=recent.public_id)
                child = casework_services.child_create(
                    person_ref=casework_services.next_person_ref(),
                    date_of_birth=d["date_of_birth"], forename=d["forename"],
                    surname=d["surname"], by=_actor(http_request))
                plan = services.plan_transfer_in(
                    child=child, transferred_on=d["transferred_on"],
                    transferred_from=d["transferred_from"], last_reviewed=d["last_reviewed"],
                    officer=officer, by=_actor(http_request))
        except CaseworkError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            record_access(http_request, RecordAccess.Kind.CHANGE, page="reviews:transfer_in",
                          child=plan.child)
            messages.success(http_request, "Plan transferred in")
            return redirect("reviews:plan", public_id=plan.public_id)
    return render(http_request, "reviews/transfer_in.html", {"form": form})


def _recent_transfer(http_request: HttpRequest, d: dict[str, Any]) -> EHCPlan | None:
    """The plan this user took on for the same child and day a moment ago (a double submit)."""
    return selectors.transferred_in_just_now_by(
        http_request.user.pk, transferred_on=d["transferred_on"],
        date_of_birth=d["date_of_birth"], surname=d["surname"])


# --- the team's reviews and phase transfers -------------------------------------------------

LIST_LIMIT = 200


@login_required
def team(http_request: HttpRequest) -> HttpResponse:
    """Reviews overdue, due soon and decisions owed: lists for casework, counts for analysts."""
    casework, counts_only = _casework(http_request), _counts_only(http_request)
    if not (casework or counts_only):
        raise PermissionDenied
    today = timezone.localdate()
    plans = selectors.scoped_in_force(plan_scope(http_request.user), today=today)
    context: dict[str, Any] = {"today": today, "counts": selectors.due_counts(plans, today=today),
                               "counts_only": counts_only, "soon": today + timedelta(days=7),
                               "horizon": today + timedelta(days=selectors.DUE_SOON_DAYS)}
    if casework:
        status = http_request.GET.get("status")
        status = status if status in {"overdue", "soon", "decisions"} else "overdue"
        context["status"] = status
        if status == "decisions":
            rows = list(selectors.decisions_owed(plans, today=today)[:LIST_LIMIT])
            context["decisions"] = [(r, law.review_timeline(
                due=r.due_date, today=today, meeting=r.meeting_date)[4]) for r in rows]
        else:
            context["rows"] = list(selectors.reviews_due(plans, today=today,
                                                         status=status)[:LIST_LIMIT])
        record_access(http_request, RecordAccess.Kind.VIEW, page="reviews:team")
    return render(http_request, "reviews/team.html", context)


KINDS = {"school": "Starting school", "secondary": "Primary to secondary school",
         "post16": "Secondary school to post-16"}


@login_required
def phase_transfers(http_request: HttpRequest) -> HttpResponse:
    """A transfer year's cohorts, every child at risk of missing the reg 18 date named."""
    casework, counts_only = _casework(http_request), _counts_only(http_request)
    if not (casework or counts_only):
        raise PermissionDenied
    today = timezone.localdate()
    default_year = selectors.transfer_year_for(today)
    try:
        year = int(http_request.GET.get("year", default_year))
    except ValueError:
        year = default_year
    if not 2015 <= year <= 2099:
        year = default_year
    kind = http_request.GET.get("kind", "secondary")
    kind = kind if kind in KINDS else "secondary"
    rows = selectors.phase_transfer_cohort(_plans(http_request), year=year, kind=kind,
                                           today=today)
    deadline = law.phase_transfer_deadline(year, secondary_to_post16=kind == "post16")
    context = {
        "year": year, "kind": kind, "kinds": KINDS, "deadline": deadline, "today": today,
        "counts": selectors.cohort_counts(rows), "labels": law.RISK_LABELS,
        "counts_only": counts_only, "years": [default_year - 1, default_year, default_year + 1],
        "rows": [] if counts_only else rows, "total": len(rows),
    }
    if casework:
        record_access(http_request, RecordAccess.Kind.VIEW, page="reviews:phase_transfers")
    return render(http_request, "reviews/phase_transfers.html", context)
