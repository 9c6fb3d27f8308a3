"""Pages for mediation and appeals. Thin: selectors read, services write, `people.access` decides.

Who sees what: the casework roles, business support and analysts see a child's disagreements
where they see the child (`visible_children`), and only those about a request or plan they
may see; advisers see none (their work is the assessment's advice). Only the roles that
record casework steps (`Action.RECORD_STEP`) may record them. Everything else answers 404
(a child or disagreement outside the user's scope, a guessed id) or 403 (a role without the
action), and every view of a child's record is written to the access log.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from ehcflow.casework.access import visible_children, visible_requests
from ehcflow.casework.audit import record_access
from ehcflow.casework.models import Child, EHCPlan, RecordAccess
from ehcflow.casework.services import Actor
from ehcflow.disagreements import forms as f
from ehcflow.disagreements import selectors, services
from ehcflow.disagreements.models import Disagreement, Kind, TribunalOrder
from ehcflow.people.access import (
    Action,
    may,
    may_see_disagreements,
    plan_scope,
)
from ehcflow.statutory.dates import EARLIEST_RECORD

log = logging.getLogger(__name__)


def _actor(http_request: HttpRequest) -> Actor:
    return Actor(user=http_request.user)  # type: ignore[arg-type]


def _require_view(http_request: HttpRequest) -> None:
    if not may_see_disagreements(http_request.user):
        raise PermissionDenied


def _require_record(http_request: HttpRequest, child: Child) -> None:
    if not may(http_request.user, Action.RECORD_STEP):
        record_access(http_request, RecordAccess.Kind.REFUSED, page="disagreements:record",
                      child=child)
        raise PermissionDenied


def _visible_child(http_request: HttpRequest, public_id: uuid.UUID) -> Child:
    _require_view(http_request)
    child = visible_children(http_request.user).filter(public_id=public_id).first()
    if child is None:
        existing = Child.objects.filter(public_id=public_id).first()
        if existing is not None:
            record_access(http_request, RecordAccess.Kind.REFUSED, page="disagreements",
                          child=existing)
            log.warning("refused disagreements of a child for user %s", http_request.user.pk)
        raise Http404("No such child")
    return child


def _scope(http_request: HttpRequest, child: Child) -> tuple[Any, Any]:
    requests = visible_requests(http_request.user).filter(child=child)
    plans = EHCPlan.objects.filter(child=child).filter(plan_scope(http_request.user))
    return requests, plans


def _visible_item(http_request: HttpRequest, public_id: uuid.UUID, kind: str) -> Disagreement:
    """The disagreement, if this user may see it; otherwise 404 (the attempt logged)."""
    _require_view(http_request)
    item = (Disagreement.objects.select_related("child", "request", "plan")
            .filter(public_id=public_id, kind=kind).first())
    if item is None:
        raise Http404("No such disagreement")
    child = visible_children(http_request.user).filter(pk=item.child_id).first()
    allowed = False
    if child is not None:
        requests, plans = _scope(http_request, child)
        allowed = ((item.request_id is None and item.plan_id is None)
                   or requests.filter(pk=item.request_id).exists()
                   or plans.filter(pk=item.plan_id).exists())
    if not allowed:
        record_access(http_request, RecordAccess.Kind.REFUSED, page="disagreement",
                      child=item.child)
        raise Http404("No such disagreement")
    return item


@login_required
@require_GET
def child_page(http_request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A child's mediations and appeals, each with its deadlines met, missed or to come."""
    child = _visible_child(http_request, public_id)
    record_access(http_request, RecordAccess.Kind.VIEW, page="disagreements", child=child)
    requests, plans = _scope(http_request, child)
    page = selectors.for_child(child, today=timezone.localdate(), requests=requests,
                               plans=plans)
    return render(http_request, "disagreements/child.html", {
        "child": child, "page": page, "today": timezone.localdate(),
        "can_record": may(http_request.user, Action.RECORD_STEP)})


def _about(data: dict[str, Any], requests: Any, plans: Any) -> dict[str, Any]:
    about = data.get("about") or ""
    kind, _, ref = about.partition(":")
    try:
        key = uuid.UUID(ref) if ref else None
    except ValueError:
        key = None
    if kind == "r" and key:
        return {"request": requests.filter(public_id=key).first()}
    if kind == "p" and key:
        return {"plan": plans.filter(public_id=key).first()}
    return {}


@login_required
@require_http_methods(["GET", "POST"])
def start(http_request: HttpRequest, public_id: uuid.UUID, kind: str) -> HttpResponse:
    """Record a mediation asked for, or an appeal registered."""
    if kind not in ("mediation", "appeal"):
        raise Http404("No such page")
    child = _visible_child(http_request, public_id)
    _require_record(http_request, child)
    requests, plans = _scope(http_request, child)
    form_class = f.MediationStartForm if kind == "mediation" else f.AppealStartForm
    form = form_class(http_request.POST if http_request.method == "POST" else None,
                      requests=list(requests.order_by("received_date")),
                      plans=list(plans.order_by("first_issued_date")))
    if http_request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.disagreement_open(
                child=child, kind=kind, decision=data["decision"],
                decision_notice_date=data["decision_notice_date"],
                started_on=data["started_on"], by=_actor(http_request),
                sections=frozenset(data.get("sections") or ()),
                grounds=data.get("grounds") or "", notice_sent_on=data.get("notice_sent_on"),
                **_about(data, requests, plans))
        except services.AlreadyRecorded:
            messages.info(http_request, "That was already recorded.")
            return redirect("disagreements:child", public_id=child.public_id)
        except services.DisagreementError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            record_access(http_request, RecordAccess.Kind.CHANGE, page=f"disagreements:{kind}",
                          child=child)
            messages.success(http_request, "Mediation recorded" if kind == "mediation"
                             else "Appeal recorded")
            return redirect("disagreements:child", public_id=child.public_id)
    record_access(http_request, RecordAccess.Kind.VIEW, page=f"disagreements:{kind}",
                  child=child)
    title = "Record mediation" if kind == "mediation" else "Record an appeal"
    return render(http_request, "disagreements/form.html",
                  {"child": child, "form": form, "title": title})


def _edit(http_request: HttpRequest, item: Disagreement, form: Any, save: Any,
          title: str, page: str) -> HttpResponse:
    _require_record(http_request, item.child)
    if http_request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except services.DisagreementError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            record_access(http_request, RecordAccess.Kind.CHANGE, page=page, child=item.child)
            messages.success(http_request, "Saved")
            return redirect("disagreements:child", public_id=item.child.public_id)
    record_access(http_request, RecordAccess.Kind.VIEW, page=page, child=item.child)
    return render(http_request, "disagreements/form.html",
                  {"child": item.child, "form": form, "title": title, "item": item})


@login_required
@require_http_methods(["GET", "POST"])
def mediation(http_request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    item = _visible_item(http_request, public_id, Kind.MEDIATION)
    form = f.MediationForm.for_item(item, http_request.POST if http_request.method == "POST"
                                    else None)

    def save(data: dict[str, Any]) -> None:
        services.mediation_update(mediation=item, by=_actor(http_request),
                                  certificate_on=data["certificate_on"],
                                  mediation_on=data["mediation_on"], outcome=data["outcome"])
    return _edit(http_request, item, form, save, "Update the mediation", "disagreements:mediation")


@login_required
@require_http_methods(["GET", "POST"])
def appeal(http_request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    item = _visible_item(http_request, public_id, Kind.APPEAL)
    form = f.AppealForm.for_item(item, http_request.POST if http_request.method == "POST"
                                 else None)

    def save(data: dict[str, Any]) -> None:
        services.appeal_update(
            appeal=item, by=_actor(http_request), notice_sent_on=data["notice_sent_on"],
            response_sent_on=data["response_sent_on"], unopposed_on=data["unopposed_on"],
            hearing_on=data["hearing_on"], outcome=data["outcome"],
            concluded_on=data["concluded_on"], cost=data["cost"])
    return _edit(http_request, item, form, save, "Update the appeal", "disagreements:appeal")


@login_required
@require_http_methods(["GET", "POST"])
def order_new(http_request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    item = _visible_item(http_request, public_id, Kind.APPEAL)
    form = f.OrderForm(http_request.POST if http_request.method == "POST" else None)

    def save(data: dict[str, Any]) -> None:
        try:
            services.order_record(appeal=item, kind=data["kind"], made_on=data["made_on"],
                                  unopposed=data["unopposed"], by=_actor(http_request))
        except services.AlreadyRecorded:
            messages.info(http_request, "That was already recorded.")
    return _edit(http_request, item, form, save, "Record an order of the Tribunal",
                 "disagreements:order")


@login_required
@require_http_methods(["GET", "POST"])
def order_comply(http_request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _require_view(http_request)
    order = TribunalOrder.objects.filter(public_id=public_id).select_related("appeal").first()
    if order is None:
        raise Http404("No such order")
    item = _visible_item(http_request, order.appeal.public_id, Kind.APPEAL)
    form = f.ComplianceForm(http_request.POST if http_request.method == "POST" else None,
                            initial={"complied_on": order.complied_on})

    def save(data: dict[str, Any]) -> None:
        services.order_comply(order=order, complied_on=data["complied_on"],
                              by=_actor(http_request))
    return _edit(http_request, item, form, save,
                 f"Complied with the order: {order.get_kind_display().lower()}",
                 "disagreements:comply")


@login_required
@require_GET
def open_appeals(http_request: HttpRequest) -> HttpResponse:
    """The team's (or service's) open appeals, soonest deadline first."""
    _require_view(http_request)
    today = timezone.localdate()
    rows = selectors.open_appeals(visible_children(http_request.user), today)
    RecordAccess.objects.create(user=http_request.user, kind=RecordAccess.Kind.VIEW,  # type: ignore[misc]
                                page="open_appeals")
    return render(http_request, "disagreements/open_appeals.html",
                  {"rows": rows, "today": today})


@login_required
@require_GET
def dashboard(http_request: HttpRequest) -> HttpResponse:
    """Counts for a calendar year: the appeal rate, outcomes, compliance and cost."""
    if not may(http_request.user, Action.VIEW_CASELOADS):
        raise PermissionDenied
    today = timezone.localdate()
    latest = today.year
    text = http_request.GET.get("year", "")
    year = int(text) if text.isdigit() and len(text) == 4 else latest - 1
    error = None
    if not EARLIEST_RECORD.year <= year <= latest:
        error = f"Choose a year from {EARLIEST_RECORD.year} to {latest}"
        year = latest - 1
    board = selectors.dashboard(year, today)
    return render(http_request, "disagreements/dashboard.html", {
        "board": board, "rate": board.rate, "year": year, "error": error,
        "years": list(range(latest, max(EARLIEST_RECORD.year, latest - 10) - 1, -1)),
        "census": selectors.law.sen2_census_day(year + 1), "today": today,
        "period_start": date(year, 1, 1), "period_end": date(year, 12, 31)})
