"""Case officers' and managers' pages. Thin: selectors read, services write, access decides."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ehcflow.casework import choices as c
from ehcflow.casework import forms as f
from ehcflow.casework import selectors, services
from ehcflow.casework.access import visible_children, visible_requests
from ehcflow.casework.audit import record_access
from ehcflow.casework.models import AdviceRequest, AssessmentRequest, Child, RecordAccess
from ehcflow.casework.steps import STEPS, StepDefinition
from ehcflow.people.access import (
    CASEWORK_ROLES,
    Action,
    ChildField,
    adviser_of,
    child_fields,
    may,
    may_see_disagreements,
    plan_scope,
    staff_of,
)
from ehcflow.people.models import Role, StaffMember, User
from ehcflow.planning import forecasts
from ehcflow.reviews import selectors as review_selectors

log = logging.getLogger(__name__)


def _actor(http_request: HttpRequest) -> services.Actor:
    return services.Actor(user=http_request.user if http_request.user.is_authenticated
                          else None)  # type: ignore[arg-type]


def _visible_request(http_request: HttpRequest, public_id: uuid.UUID) -> AssessmentRequest:
    """The request, if this user may see it; otherwise 404 (and the attempt is logged)."""
    found = (visible_requests(http_request.user)
             .select_related("child", "officer", "officer__team").filter(public_id=public_id)
             .first())
    if found is None:
        existing = AssessmentRequest.objects.filter(public_id=public_id).first()
        if existing is not None:
            record_access(http_request, RecordAccess.Kind.REFUSED, page="request", case=existing)
            log.warning("refused access to request %s for user %s", existing.public_id,
                        http_request.user.pk)
        raise Http404("No such request")
    return found


WORK_PAGE_SIZE = 50


@login_required
def my_work(http_request: HttpRequest) -> HttpResponse:
    """Open requests by next statutory deadline, 50 to a page; a manager also has caseloads."""
    if not may(http_request.user, Action.VIEW):
        raise PermissionDenied
    today = timezone.localdate()
    staff = staff_of(http_request.user)
    assert staff is not None
    adviser = adviser_of(http_request.user)
    default_scope = "mine" if staff.role == Role.CASE_OFFICER or adviser else "team"
    scope = http_request.GET.get("scope", default_scope)
    can_see_caseloads = may(http_request.user, Action.VIEW_CASELOADS)
    if scope not in {"mine", "team", "caseloads"} or (scope == "caseloads"
                                                      and not can_see_caseloads):
        scope = default_scope
    # The list shows children's cases: it is one entry in the access log, like any list.
    record_access(http_request, RecordAccess.Kind.VIEW, page="my_work")
    context: dict[str, Any] = {"today": today, "scope": scope, "adviser": adviser,
                               "can_see_caseloads": can_see_caseloads,
                               "can_register": may(http_request.user, Action.REGISTER)}
    if scope == "caseloads":
        team_id = staff.team_id if staff.role == Role.TEAM_MANAGER else None
        context["caseloads"] = selectors.team_caseloads(team_id=team_id, today=today)
        return render(http_request, "casework/my_work.html", context)
    requests = visible_requests(http_request.user)
    if scope == "mine":
        requests = requests.filter(Q(officer=staff) | Q(advice_requests__adviser=staff)).distinct()
    filters = {k: http_request.GET.get(k) or None for k in ("stage", "age", "exception")}
    queue = selectors.work_queue(requests, today=today, stage=filters["stage"],
                                 age_band=filters["age"], exception=filters["exception"],
                                 adviser=adviser)
    page = Paginator(queue, WORK_PAGE_SIZE).get_page(http_request.GET.get("page"))
    keep = http_request.GET.copy()
    keep.pop("page", None)
    rows = list(page.object_list)
    if staff.role in CASEWORK_ROLES:
        context["reviews"] = review_selectors.work_reviews(
            review_selectors.work_plans(http_request.user, staff, mine=scope == "mine"),
            today=today)
    context.update({
        "rows": rows, "page_obj": page, "total": page.paginator.count,
        "likely": forecasts.kept_for(rows, today=today),
        "query_string": keep.urlencode(), "filters": filters,
        "soon": today + timedelta(days=7), "stage_choices": c.Stage.choices[:4],
        "age_bands": selectors.AGE_BAND_LABELS.items(),
        "next_step_labels": selectors.NEXT_STEP_LABELS,
    })
    return render(http_request, "casework/my_work.html", context)


def _may_take(http_request: HttpRequest, step: StepDefinition, case: AssessmentRequest) -> bool:
    """Whether this user may record the step on this request.

    Advice received is an adviser's own action (RECORD_ADVICE), and also casework: advice
    usually reaches the case officer, whose RECORD_STEP covers advice (people/access.py).
    """
    # The case came through _visible_request, so it is within the user's scope: only the
    # role's actions remain to check (asking people.access.can would query the scope again).
    if may(http_request.user, step.action):
        return True
    return step.action == Action.RECORD_ADVICE and may(http_request.user, Action.RECORD_STEP)


def _offered_steps(http_request: HttpRequest, case: AssessmentRequest,
                   outstanding: list[AdviceRequest]) -> list[StepDefinition]:
    offered = []
    for step in STEPS.values():
        if case.stage not in step.stages or not _may_take(http_request, step, case):
            continue
        if step.needs_outstanding_advice and not _outstanding_for(http_request, outstanding):
            continue
        offered.append(step)
    return offered


def _outstanding_for(http_request: HttpRequest,
                     outstanding: list[AdviceRequest]) -> list[AdviceRequest]:
    adviser = adviser_of(http_request.user)
    if adviser is not None:
        return [a for a in outstanding if a.adviser_id == adviser.pk]
    return outstanding


@login_required
def request_detail(http_request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = _visible_request(http_request, public_id)
    today = timezone.localdate()
    record_access(http_request, RecordAccess.Kind.VIEW, page="request", case=case)
    page = selectors.request_page(case, today=today)
    outstanding = [a for a in page.advice if a.received_on is None]
    context = {
        "case": case, "page": page, "today": today,
        "likely": (forecasts.kept_for([case], today=today).get(case.pk) if case.is_open
                   else None),
        "steps": _offered_steps(http_request, case, outstanding),
        "can_open_child": bool(child_fields(http_request.user) & {ChildField.ADDRESS,
                                                                   ChildField.HEALTH}),
        "can_audit": may(http_request.user, Action.VIEW_AUDIT),
    }
    return render(http_request, "casework/request_detail.html", context)


def _step_form(step: StepDefinition, http_request: HttpRequest, case: AssessmentRequest,
               data: Any = None) -> Any:
    kwargs: dict[str, Any] = {}
    outstanding_qs = case.advice_requests.filter(received_on__isnull=True)
    adviser = adviser_of(http_request.user)
    if adviser is not None:
        outstanding_qs = outstanding_qs.filter(adviser=adviser)
    if step.form in (f.AdviceReceivedForm, f.ChaseForm):
        kwargs["outstanding"] = outstanding_qs
    if step.form is f.AllocateForm:
        kwargs["officers"] = selectors.allocatable_officers(staff_of(http_request.user))
    if step.form in (f.FinalForm, f.ExceptionForm):
        kwargs["case"] = case
    # Most steps are recorded on the day they happen: the date starts as today.
    initial: dict[str, Any] = {"version": case.version}
    if "on" in step.form.base_fields:
        initial["on"] = timezone.localdate()
    return step.form(data, initial=initial, **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def request_step(http_request: HttpRequest, public_id: uuid.UUID, step: str) -> HttpResponse:
    definition = STEPS.get(step)
    if definition is None:
        raise Http404("No such step")
    case = _visible_request(http_request, public_id)
    if not _may_take(http_request, definition, case):
        record_access(http_request, RecordAccess.Kind.REFUSED, page=f"step:{step}", case=case)
        log.warning("refused step %s on request %s for user %s", step, case.public_id,
                    http_request.user.pk)
        raise PermissionDenied
    form = _step_form(definition, http_request, case,
                      http_request.POST if http_request.method == "POST" else None)
    refusal = None
    if case.stage not in definition.stages:
        refusal = (f"This step is not available now: the request is at "
                   f"'{case.get_stage_display()}'.")
    if http_request.method == "POST" and refusal is not None and _just_done_by(http_request,
                                                                                case):
        # A double submit: the first press already moved the request on.
        messages.info(http_request, "That was already recorded.")
        return redirect("casework:request", public_id=case.public_id)
    if http_request.method == "POST" and refusal is None and form.is_valid():
        try:
            definition.handler(case, form.cleaned_data, _actor(http_request))
        except services.CaseworkError as error:
            if error.field == "version" and _just_done_by(http_request, case):
                messages.info(http_request, "That was already recorded.")
                return redirect("casework:request", public_id=case.public_id)
            field = error.field if error.field in form.fields else None
            if field is None and "on" in form.fields and error.field and error.field.endswith(
                    "date"):
                field = "on"
            form.add_error(field, error.message)
        else:
            record_access(http_request, RecordAccess.Kind.CHANGE, page=f"step:{step}", case=case)
            messages.success(http_request, definition.done_message)
            return redirect("casework:request", public_id=case.public_id)
    record_access(http_request, RecordAccess.Kind.VIEW, page=f"step:{step}", case=case)
    return render(http_request, "casework/request_step.html",
                  {"case": case, "step": definition, "form": form, "refusal": refusal})


def _just_done_by(http_request: HttpRequest, case: AssessmentRequest) -> bool:
    """A double submit: the same user changed this request a moment ago."""
    return selectors.changed_just_now_by(case, http_request.user.pk)


@login_required
@require_http_methods(["GET", "POST"])
def request_new(http_request: HttpRequest) -> HttpResponse:
    """Register a request, finding the child first so nobody is recorded twice.

    The duplicate check looks across the whole authority (a child must have one record), but
    shows only the children this user may already see; a match held by another team is named
    to nobody, logged, and the user is told to ask a manager (people/access.py).
    """
    if not may(http_request.user, Action.REGISTER):
        raise PermissionDenied
    form = f.NewRequestForm(http_request.POST if http_request.method == "POST" else None)
    matches: list[Child] = []
    hidden_matches = 0
    if http_request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        found = selectors.possible_duplicates(
            forename=data["forename"], surname=data["surname"],
            date_of_birth=data["date_of_birth"], upn=data["upn"])
        in_scope = set(visible_children(http_request.user)
                       .filter(pk__in=[m.pk for m in found]).values_list("pk", flat=True))
        matches = [m for m in found if m.pk in in_scope]
        hidden_matches = len(found) - len(matches)
        for m in found:
            record_access(http_request, RecordAccess.Kind.VIEW if m.pk in in_scope
                          else RecordAccess.Kind.REFUSED, page="register:match", child=m)
        chosen = http_request.POST.get("existing_child")
        child = next((m for m in matches if str(m.public_id) == chosen), None)
        if found and child is None and not data["confirm_new_child"]:
            form.add_error(None, "This child may already be recorded. Choose the matching child, "
                                 "or confirm this is a different child."
                           if matches else
                           "A child with these details may already be recorded by another team. "
                           "Ask your team manager to check before you register a new record.")
        else:
            try:
                # The user's row is locked first, so two presses arriving together are taken
                # one after the other; the second finds the first's request (double submit).
                with transaction.atomic():
                    User.objects.select_for_update().filter(
                        pk=http_request.user.pk or 0).first()
                    case = _recent_registration(http_request, data)
                    repeated = case is not None
                    if case is None:
                        case = services.request_register_with_child(
                            child=child, by=_actor(http_request), forename=data["forename"],
                            surname=data["surname"], date_of_birth=data["date_of_birth"],
                            upn=data["upn"], postcode=data["postcode"],
                            received_date=data["received_date"], source=data["source"],
                            officer=_default_officer(http_request))
            except services.CaseworkError as error:
                form.add_error(error.field if error.field in form.fields else None,
                               error.message)
            else:
                if repeated:
                    messages.info(http_request, "That was already recorded.")
                else:
                    record_access(http_request, RecordAccess.Kind.CHANGE, page="request_new",
                                  case=case)
                    messages.success(http_request, f"Request {case.case_ref} registered")
                return redirect("casework:request", public_id=case.public_id)
    return render(http_request, "casework/request_new.html",
                  {"form": form, "matches": matches, "hidden_matches": hidden_matches})


def _recent_registration(http_request: HttpRequest,
                         data: dict[str, Any]) -> AssessmentRequest | None:
    """The request this user registered for the same child a moment ago (a double submit)."""
    return selectors.registered_just_now_by(
        http_request.user.pk, received_date=data["received_date"],
        date_of_birth=data["date_of_birth"], surname=data["surname"])


def _default_officer(http_request: HttpRequest) -> StaffMember | None:
    staff = staff_of(http_request.user)
    if staff is not None and staff.role == Role.CASE_OFFICER:
        return staff
    return None


@login_required
def child_detail(http_request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    child = visible_children(http_request.user).filter(public_id=public_id).first()
    if child is None:
        existing = Child.objects.filter(public_id=public_id).first()
        if existing is not None:
            record_access(http_request, RecordAccess.Kind.REFUSED, page="child", child=existing)
            log.warning("refused access to a child's record for user %s", http_request.user.pk)
        raise Http404("No such child")
    record_access(http_request, RecordAccess.Kind.VIEW, page="child", child=child)
    requests = visible_requests(http_request.user).filter(child=child).order_by("-received_date")
    # Only the plans this user's role and team may see: another team's plan for the same
    # child stays with that team.
    plans = (child.plans.filter(plan_scope(http_request.user))
             .prefetch_related("reviews", "needs", "settings__institution")
             .order_by("-first_issued_date"))
    return render(http_request, "casework/child_detail.html", {
        "child": child, "requests": requests, "plans": plans,
        "sees_disagreements": may_see_disagreements(http_request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def search(http_request: HttpRequest) -> HttpResponse:
    """Find a request by case reference, or by the child's name or UPN where one may read them.

    A POST, so that names and UPNs never reach a URL, the server's log or browser history.
    """
    if not may(http_request.user, Action.VIEW):
        raise PermissionDenied
    query = (http_request.POST.get("q") or "").strip() if http_request.method == "POST" else ""
    results: list[AssessmentRequest] = []
    if query:
        results = list(selectors.search_requests(
            visible_requests(http_request.user), query[:100],
            fields=child_fields(http_request.user))[:50])
        record_access(http_request, RecordAccess.Kind.VIEW, page="search")
        for case in results:
            record_access(http_request, RecordAccess.Kind.VIEW, page="search", case=case)
    fields = child_fields(http_request.user)
    return render(http_request, "casework/search.html", {
        "query": query, "results": results, "searched": http_request.method == "POST",
        "by_name": ChildField.NAME in fields, "by_upn": ChildField.UPN in fields,
    })


@login_required
def access_log(http_request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = _visible_request(http_request, public_id)
    if not may(http_request.user, Action.VIEW_AUDIT):
        raise PermissionDenied
    return render(http_request, "casework/access_log.html",
                  {"case": case, "entries": selectors.access_log(case)})
