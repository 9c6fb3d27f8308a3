"""Partner pages: the inbox of advice asked, advice by plan section, consultation answers, the
organisation's own timeliness and (for its manager) its staff. Officer pages: sending advice
requests and consultations to an organisation, and the partners' measures.

Every page that shows a child is written to the access log; a page for something not asked
of this person answers 404 (and the refusal is logged), whatever the address.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.views.decorators.http import require_http_methods, require_POST

from ehcflow.casework.access import visible_requests
from ehcflow.casework.audit import record_access
from ehcflow.casework.models import AdviceRequest, AssessmentRequest, Child, RecordAccess
from ehcflow.casework.services import actor_for
from ehcflow.partners import forms as f
from ehcflow.partners import selectors, services
from ehcflow.partners.models import (
    ADVICE_OF_KIND,
    AdviceAttachment,
    Consultation,
    Membership,
    OrganisationKind,
)
from ehcflow.people.access import Action, can, may
from ehcflow.statutory.dates import age_on

# Soonest due first, 50 to a page (as My work): a health body asked on every open assessment
# of a large authority has about a thousand.
INBOX_PAGE_SIZE = 50


@dataclass(frozen=True)
class ChildShown:
    """What a partner page shows of a child (formatted here so templates read no raw field).

    A partner must know whom they are advising on (reg 6(1)): name and date of birth, the same
    parts of the record as the council's own advisers (people.access.ROLE_FIELDS), no more.
    """

    name: str
    born: str
    age: int


def child_shown(child: Child, today: date) -> ChildShown:
    name = f"{child.forename} {child.surname}".strip() or "Name not recorded"
    return ChildShown(name=name, born=format_date(child.date_of_birth, "j F Y"),
                      age=age_on(child.date_of_birth, today))


@dataclass(frozen=True)
class InboxRow:
    advice: AdviceRequest
    child: ChildShown
    days_left: int
    organisation: str


def _partner(http_request: HttpRequest) -> Membership | None:
    """The partner's membership (None for a council adviser); 404 for everyone else."""
    membership = selectors.membership_of(http_request.user)
    if membership is None and not selectors.is_partner(http_request.user):
        raise Http404("Not a partner")
    return membership


def _refuse(http_request: HttpRequest, page: str, case: AssessmentRequest | None) -> None:
    if case is not None:
        record_access(http_request, RecordAccess.Kind.REFUSED, page=page, case=case)
    raise Http404("Not asked of you")


@login_required
def inbox(http_request: HttpRequest) -> HttpResponse:
    """The advice asked of this person or their organisation, soonest due first."""
    membership = _partner(http_request)
    today = timezone.localdate()
    page = Paginator(selectors.inbox(http_request.user, membership=membership),
                     INBOX_PAGE_SIZE).get_page(http_request.GET.get("page"))
    rows = [InboxRow(advice=a, child=child_shown(a.request.child, today),
                     days_left=(a.due_on - today).days,
                     organisation=a.assignment.organisation.name
                     if hasattr(a, "assignment") else "")
            for a in page.object_list]
    consultations = list(selectors.consultations_for(membership).filter(
        answered_on__isnull=True).select_related("request__child"))
    record_access(http_request, RecordAccess.Kind.VIEW, page="partner_inbox")
    return render(http_request, "partners/inbox.html", {
        "membership": membership, "rows": rows, "today": today, "page": page,
        "consultations": [(c, child_shown(c.request.child, today), (c.due_on - today).days)
                          for c in consultations],
    })


@login_required
@require_http_methods(["GET", "POST"])
def advice(http_request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """One advice request: who it is about, when it is due, and the form to send the advice."""
    _partner(http_request)
    found = selectors.advice_for(http_request.user, public_id)
    if found is None:
        existing = AdviceRequest.objects.filter(public_id=public_id).select_related(
            "request").first()
        _refuse(http_request, "partner_advice", existing.request if existing else None)
    assert found is not None
    case = found.request
    today = timezone.localdate()
    form = f.AdviceForm(http_request.POST or None)
    if http_request.method == "POST":
        record_access(http_request, RecordAccess.Kind.CHANGE, page="partner_advice", case=case)
        if form.is_valid():
            try:
                submitted = services.advice_submit(
                    advice=found, sections=form.sections(),
                    files=http_request.FILES.getlist("files"),
                    by=actor_for(http_request.user))  # type: ignore[arg-type]
            except services.PartnerError as error:
                form.add_error("section_B" if error.field == "sections" else None,
                               error.message)
                if error.field == "files":
                    form.file_error = error.message  # type: ignore[attr-defined]
            else:
                messages.success(http_request, "Advice sent to the case officer" + (
                    f" with {submitted.attachments} document"
                    f"{'s' if submitted.attachments != 1 else ''}"
                    if submitted.attachments else ""))
                return redirect("partners:advice", public_id=found.public_id)
    else:
        record_access(http_request, RecordAccess.Kind.VIEW, page="partner_advice", case=case)
    content = getattr(found, "content", None) if found.received_on else None
    titles = {letter: label for letter, label, _ in f.ADVICE_SECTIONS}
    sent_sections = ([(titles.get(k, k), v) for k, v in content.sections.items()]
                     if content is not None else [])
    attachments = AdviceAttachment.objects.filter(advice=found).select_related("file")
    return render(http_request, "partners/advice.html", {
        "advice": found, "case": case, "child": child_shown(case.child, today),
        "days_left": (found.due_on - today).days, "form": form, "today": today,
        "sent_sections": sent_sections, "attachments": attachments,
        "officer": case.officer.name if case.officer else "",
        "file_error": getattr(form, "file_error", ""),
    })


@login_required
@require_http_methods(["GET", "POST"])
def consultation(http_request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A consultation on naming the school in a plan, and the school's answer."""
    membership = _partner(http_request)
    found = selectors.consultations_for(membership).filter(public_id=public_id).select_related(
        "request__child", "organisation").first()
    if found is None:
        existing = Consultation.objects.filter(public_id=public_id).select_related(
            "request").first()
        _refuse(http_request, "partner_consultation", existing.request if existing else None)
    assert found is not None
    today = timezone.localdate()
    form = f.ConsultationAnswerForm(http_request.POST or None)
    if http_request.method == "POST":
        record_access(http_request, RecordAccess.Kind.CHANGE, page="partner_consultation",
                      case=found.request)
        if form.is_valid():
            try:
                services.consultation_answer(
                    consultation=found, answer=form.cleaned_data["answer"],
                    reasons=form.cleaned_data["reasons"],
                    by=actor_for(http_request.user))  # type: ignore[arg-type]
            except services.PartnerError as error:
                form.add_error("answer" if error.field == "answer" else "reasons"
                               if error.field == "reasons" else None, error.message)
            else:
                messages.success(http_request, "Answer sent to the case officer")
                return redirect("partners:consultation", public_id=found.public_id)
    else:
        record_access(http_request, RecordAccess.Kind.VIEW, page="partner_consultation",
                      case=found.request)
    return render(http_request, "partners/consultation.html", {
        "consultation": found, "child": child_shown(found.request.child, today),
        "days_left": (found.due_on - today).days, "form": form,
    })


@login_required
def timeliness(http_request: HttpRequest) -> HttpResponse:
    """The organisation's own record: advice returned within 6 weeks, average days taken."""
    membership = _partner(http_request)
    today = timezone.localdate()
    rows = AdviceRequest.objects.filter(selectors.advice_scope(http_request.user, membership))
    name = membership.organisation.name if membership else "Advice asked of you"
    figures = selectors.timeliness(rows, name, today=today)
    return render(http_request, "partners/timeliness.html", {
        "figures": figures, "membership": membership, "today": today})


def _manager(http_request: HttpRequest) -> Membership:
    membership = selectors.membership_of(http_request.user)
    if membership is None or not membership.is_manager:
        raise Http404("Only the organisation's manager")
    return membership


@login_required
@require_http_methods(["GET", "POST"])
def staff(http_request: HttpRequest) -> HttpResponse:
    """The manager's page: their organisation's accounts, and adding one."""
    membership = _manager(http_request)
    form = f.MemberForm(http_request.POST or None)
    if http_request.method == "POST" and form.is_valid():
        try:
            added = services.member_add(
                organisation=membership.organisation, by=http_request.user,  # type: ignore[arg-type]
                **{k: form.cleaned_data[k] for k in
                   ("email", "first_name", "last_name", "job_title", "is_manager")})
        except services.PartnerError as error:
            form.add_error("email" if error.field == "email" else None, error.message)
        else:
            messages.success(http_request, f"Account added for {added.user.get_full_name()}")
            return redirect("partners:staff")
    members = (Membership.objects.filter(organisation=membership.organisation,
                                         ended_at__isnull=True)
               .select_related("user").order_by("user__last_name", "user__first_name"))
    return render(http_request, "partners/staff.html", {
        "membership": membership, "members": members, "form": form})


@login_required
@require_POST
def staff_remove(http_request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    membership = _manager(http_request)
    target = Membership.objects.filter(public_id=public_id, organisation=membership.organisation,
                                       ended_at__isnull=True).select_related("user").first()
    if target is None:
        raise Http404("No such member")
    try:
        services.member_end(membership=target, by=http_request.user)  # type: ignore[arg-type]
    except services.PartnerError as error:
        messages.error(http_request, error.message)
    else:
        messages.success(http_request, f"Account removed for {target.user.get_full_name()}")
    return redirect("partners:staff")


# --- Officer pages -----------------------------------------------------------------------------


def _officer_case(http_request: HttpRequest, public_id: uuid.UUID) -> AssessmentRequest:
    case = visible_requests(http_request.user).filter(public_id=public_id).select_related(
        "child").first()
    if case is None or not can(http_request.user, Action.RECORD_STEP, case):
        existing = AssessmentRequest.objects.filter(public_id=public_id).first()
        _refuse(http_request, "partner_send", existing)
    assert case is not None
    return case


@login_required
@require_http_methods(["GET", "POST"])
def assign(http_request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """An officer sends an advice request to a partner organisation (its inbox and e-mail)."""
    found = AdviceRequest.objects.filter(public_id=public_id).select_related("request").first()
    if found is None:
        raise Http404("No such advice request")
    case = _officer_case(http_request, found.request.public_id)
    kinds = [k for k, advice_type in ADVICE_OF_KIND.items() if advice_type == found.adviser_type]
    form = f.AssignForm(http_request.POST or None, kinds=kinds or list(OrganisationKind.values))
    if http_request.method == "POST":
        record_access(http_request, RecordAccess.Kind.CHANGE, page="partner_send", case=case)
        if form.is_valid():
            try:
                services.advice_assign(advice=found, organisation=form.cleaned_data["organisation"],
                                       by=actor_for(http_request.user))  # type: ignore[arg-type]
            except services.PartnerError as error:
                form.add_error(None, error.message)
            else:
                messages.success(http_request, "Advice request sent to "
                                 f"{form.cleaned_data['organisation'].name}")
                return redirect("casework:request", public_id=case.public_id)
    return render(http_request, "partners/assign.html", {
        "form": form, "case": case, "advice": found,
        "title": f"Send the {found.get_adviser_type_display().lower()} advice request"})


@login_required
@require_http_methods(["GET", "POST"])
def consult(http_request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """An officer consults a school or setting on naming it in the plan (15 days)."""
    case = _officer_case(http_request, public_id)
    form = f.AssignForm(http_request.POST or None, kinds=[OrganisationKind.SCHOOL])
    if http_request.method == "POST":
        record_access(http_request, RecordAccess.Kind.CHANGE, page="partner_consult", case=case)
        if form.is_valid():
            try:
                services.consultation_send(
                    request=case, organisation=form.cleaned_data["organisation"],
                    on=timezone.localdate(), by=actor_for(http_request.user))  # type: ignore[arg-type]
            except services.PartnerError as error:
                form.add_error(None, error.message)
            else:
                messages.success(http_request, "Consultation sent to "
                                 f"{form.cleaned_data['organisation'].name}")
                return redirect("casework:request", public_id=case.public_id)
    return render(http_request, "partners/assign.html", {
        "form": form, "case": case, "title": "Consult a school or setting"})


@login_required
def measures(http_request: HttpRequest) -> HttpResponse:
    """Partners on the advice dashboard: each organisation's timeliness, reminders sent, and
    families with an account."""
    if not may(http_request.user, Action.VIEW_CASELOADS):
        raise PermissionDenied
    today = timezone.localdate()
    return render(http_request, "partners/measures.html", {
        "organisations": selectors.by_organisation(today=today),
        "advisers": selectors.by_adviser_type(today=today),
        "chasers": selectors.chasers_sent(),
        "families": selectors.families_with_account(),
        "today": today,
    })
