"""The family's pages, sign-in by code, and the officer's invitation. Thin: services write,
selectors read, families.access decides; every page that shows a case is in the access log."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from ehcflow.casework.audit import record_access
from ehcflow.casework.models import AssessmentRequest, RecordAccess
from ehcflow.casework.services import Actor, CaseworkError
from ehcflow.families import forms as f
from ehcflow.families import selectors, services
from ehcflow.families.access import (
    family_requests,
    is_family,
    may_act_for_family,
    member_of,
    young_person_holds_rights,
)
from ehcflow.families.models import FamilyMember, Relationship
from ehcflow.files import kinds
from ehcflow.files import services as files
from ehcflow.people.access import ChildField, child_fields
from ehcflow.people.signin import client_ip

log = logging.getLogger(__name__)

CONTACT_SESSION_KEY = "ehcflow_family_contact"
BACKEND = "ehcflow.people.backends.AccountBackend"

family_login_required: Callable[..., Any] = login_required(login_url="families:sign_in")


def demo_mode() -> bool:
    """The demo's password sign-in is offered only with EHCFLOW_DEMO=1 (never on live)."""
    return os.environ.get("EHCFLOW_DEMO", "").strip() == "1"


# --- signing in ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sign_in(http_request: HttpRequest) -> HttpResponse:
    """Step 1: the e-mail address or mobile number to send a code to."""
    if is_family(http_request.user):
        return redirect("families:home")
    form = f.ContactForm(http_request.POST if http_request.method == "POST" else None)
    if http_request.method == "POST" and form.is_valid():
        try:
            hashed = services.sign_in_code_send(contact=form.cleaned_data["contact"],
                                                ip=client_ip(http_request))
        except services.FamilyError as error:
            form.add_error("contact", error.message)
        else:
            http_request.session[CONTACT_SESSION_KEY] = hashed
            return redirect("families:sign_in_code")
    return render(http_request, "families/sign_in.html", {
        "form": form, "demo": demo_mode(), "demo_form": f.DemoPasswordForm()})


@require_http_methods(["GET", "POST"])
def sign_in_code(http_request: HttpRequest) -> HttpResponse:
    """Step 2: the code. Whether an account exists is never said: the page is the same."""
    hashed = http_request.session.get(CONTACT_SESSION_KEY)
    if not isinstance(hashed, str):
        return redirect("families:sign_in")
    form = f.CodeForm(http_request.POST if http_request.method == "POST" else None)
    if http_request.method == "POST" and form.is_valid():
        try:
            user = services.sign_in_code_check(hashed_contact=hashed,
                                               code=form.cleaned_data["code"])
        except services.FamilyError as error:
            form.add_error("code", error.message)
        else:
            http_request.session.pop(CONTACT_SESSION_KEY, None)
            login(http_request, user, backend=BACKEND)
            return redirect("families:home")
    return render(http_request, "families/sign_in_code.html",
                  {"form": form, "minutes": services.CODE_MINUTES})


@require_POST
def demo_sign_in(http_request: HttpRequest) -> HttpResponse:
    """The demo's family accounts sign in with the password `ehcflow demo-users` lists."""
    if not demo_mode():
        raise Http404("No such page")
    form = f.DemoPasswordForm(http_request.POST)
    if form.is_valid():
        user = authenticate(http_request, username=form.cleaned_data["username"],
                            password=form.cleaned_data["password"])
        if user is not None and is_family(user):
            login(http_request, user, backend=BACKEND)
            return redirect("families:home")
        form.add_error(None, "Enter the username and password of a demo family account.")
    return render(http_request, "families/sign_in.html", {
        "form": f.ContactForm(), "demo": True, "demo_form": form})


@require_http_methods(["GET", "POST"])
def join(http_request: HttpRequest, code: str = "") -> HttpResponse:
    """Accept an invitation: the code from the letter (or in the e-mail's link), and where
    sign-in codes should go. Then a sign-in code is sent there at once."""
    initial = {"code": code} if code else None
    form = f.JoinForm(http_request.POST if http_request.method == "POST" else None,
                      initial=initial)
    if http_request.method == "POST" and form.is_valid():
        try:
            member = services.invitation_accept(code=form.cleaned_data["code"],
                                                contact=form.cleaned_data["contact"])
            hashed = services.sign_in_code_send(
                contact=member.user.email or member.mobile, ip=client_ip(http_request))
        except services.FamilyError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            http_request.session[CONTACT_SESSION_KEY] = hashed
            messages.success(http_request, "Your account is set up. We have sent you a code "
                                           "to sign in.")
            return redirect("families:sign_in_code")
    return render(http_request, "families/join.html", {"form": form})


# --- the family's own pages ---------------------------------------------------------------------


def _case_for(http_request: HttpRequest, public_id: uuid.UUID) -> tuple[AssessmentRequest, bool]:
    """The request and whether staff are acting for the family; 404 for anyone else.

    A family member gets their own children's requests (families.access); staff who may
    record correspondence get the requests in their scope (the assisted route).
    """
    user = http_request.user
    found: AssessmentRequest | None
    base = AssessmentRequest.objects.select_related("child", "officer__user")
    on_behalf = False
    if is_family(user):
        found = family_requests(user).select_related("child", "officer__user").filter(
            public_id=public_id).first()
    else:
        found = base.filter(public_id=public_id).first()
        if found is not None and not may_act_for_family(user, found):
            found = None
        on_behalf = True
    if found is None:
        existing = AssessmentRequest.objects.filter(public_id=public_id).first()
        if existing is not None:
            record_access(http_request, RecordAccess.Kind.REFUSED, page="family:request",
                          case=existing)
            log.warning("refused family page of request %s to user %s", existing.public_id,
                        user.pk)
        raise Http404("No such request")
    return found, on_behalf


def _actor(http_request: HttpRequest) -> Actor:
    return Actor(user=http_request.user)  # type: ignore[arg-type]


@family_login_required
def home(http_request: HttpRequest) -> HttpResponse:
    member = member_of(http_request.user)
    if member is None:
        raise PermissionDenied
    cases = list(family_requests(http_request.user).select_related("child")
                 .order_by("-received_date"))
    for case in cases:
        record_access(http_request, RecordAccess.Kind.VIEW, page="family:home", case=case)
    rows = [(case, services.first_name(case.child),
             selectors.STAGE_WORDS.get(case.stage, (case.get_stage_display(), ""))[0])
            for case in cases]
    is_young_person = member.links.filter(relationship=Relationship.YOUNG_PERSON).exists()
    return render(http_request, "families/home.html",
                  {"rows": rows, "is_young_person": is_young_person})


@login_required(login_url="families:sign_in")
def case(http_request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    found, on_behalf = _case_for(http_request, public_id)
    record_access(http_request, RecordAccess.Kind.VIEW, page="family:request", case=found)
    page = selectors.case_page(found, today=timezone.localdate())
    # Staff who read free text on a case (ChildField.NOTES) see what the family wrote.
    sent = (selectors.family_sent(found)
            if on_behalf and ChildField.NOTES in child_fields(http_request.user) else None)
    return render(http_request, "families/case.html", {"page": page, "case": found,
                                                       "on_behalf": on_behalf, "sent": sent})


def _form_page(http_request: HttpRequest, public_id: uuid.UUID, *, form_class: type,
               template: str, page: str, save: Callable[[AssessmentRequest, dict[str, Any],
                                                         Actor, bool], None],
               done: str, allowed: Callable[[AssessmentRequest], str | None] | None = None,
               extra: dict[str, Any] | None = None) -> HttpResponse:
    """One family form: show it, or save it through a service and go back to the case."""
    found, on_behalf = _case_for(http_request, public_id)
    refusal = allowed(found) if allowed is not None else None
    form = (form_class(http_request.POST, http_request.FILES) if http_request.method == "POST"
            else form_class())
    if http_request.method == "POST" and refusal is None and form.is_valid():
        try:
            save(found, form.cleaned_data, _actor(http_request), on_behalf)
        except CaseworkError as error:  # FamilyError, and the casework and plans refusals
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            record_access(http_request, RecordAccess.Kind.CHANGE, page=page, case=found)
            messages.success(http_request, done)
            return redirect("families:case", public_id=found.public_id)
    record_access(http_request, RecordAccess.Kind.VIEW, page=page, case=found)
    return render(http_request, template, {"case": found, "form": form, "refusal": refusal,
                                           "on_behalf": on_behalf,
                                           "child_name": services.first_name(found.child),
                                           **(extra or {})})


def _views_refusal(found: AssessmentRequest) -> str | None:
    if found.stage in services.VIEWS_STAGES:
        return None
    return ("Views are taken before the assessment is finished, so they cannot be sent here "
            "now. To tell us something, ask for a meeting or contact your case officer.")


@login_required(login_url="families:sign_in")
@require_http_methods(["GET", "POST"])
def views_form(http_request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    def save(found: AssessmentRequest, data: dict[str, Any], by: Actor, on_behalf: bool
             ) -> None:
        services.views_send(request=found, text=data["text"], by=by, on_behalf=on_behalf)

    return _form_page(http_request, public_id, form_class=f.ViewsForm,
                      template="families/views.html", page="family:views", save=save,
                      done="Your views have been sent", allowed=_views_refusal)


@login_required(login_url="families:sign_in")
@require_http_methods(["GET", "POST"])
def document(http_request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    def save(found: AssessmentRequest, data: dict[str, Any], by: Actor, on_behalf: bool
             ) -> None:
        try:
            services.document_send(request=found, upload=data["document"],
                                   title=data["title"], by=by,
                                   on_behalf=on_behalf)
        except files.FileRefused as refused:
            raise services.FamilyError(refused.message, field="document") from refused

    def allowed(found: AssessmentRequest) -> str | None:
        return None if found.is_open else ("This request has ended, so documents can no "
                                           "longer be sent here. Contact the SEND team.")

    return _form_page(http_request, public_id, form_class=f.DocumentForm,
                      template="families/document.html", page="family:document", save=save,
                      done="Your document has been sent", allowed=allowed,
                      extra={"accepted": kinds.ACCEPTED_TEXT,
                             "max_size": files.max_size_text()})


@login_required(login_url="families:sign_in")
@require_http_methods(["GET", "POST"])
def draft_response(http_request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    def save(found: AssessmentRequest, data: dict[str, Any], by: Actor, on_behalf: bool
             ) -> None:
        services.draft_respond(request=found, comments=data["comments"],
                               preferred_setting=data["preferred_setting"], by=by,
                               on_behalf=on_behalf)

    def allowed(found: AssessmentRequest) -> str | None:
        page = selectors.case_page(found, today=timezone.localdate())
        if page.draft_open:
            return None
        if page.draft_responded:
            return "Your response to the draft plan has been sent. To add something, " \
                   "contact your case officer."
        if page.draft_window is not None and timezone.localdate() > page.draft_window[1]:
            from ehcflow.statutory.dates import long_date

            return (f"The 15 days to comment on the draft plan ended on "
                    f"{long_date(page.draft_window[1])}, so comments can no longer be sent "
                    "here. Contact your case officer: they can still talk to you about the "
                    "plan.")
        return "There is no draft plan waiting for your comments."

    window = None
    try:
        found = AssessmentRequest.objects.only("draft_date").get(public_id=public_id)
        window = services.draft_response_window(found)
    except AssessmentRequest.DoesNotExist:
        pass
    return _form_page(http_request, public_id, form_class=f.DraftResponseForm,
                      template="families/draft_response.html", page="family:draft",
                      save=save, done="Your response to the draft plan has been sent",
                      allowed=allowed, extra={"window": window})


@login_required(login_url="families:sign_in")
@require_http_methods(["GET", "POST"])
def meeting(http_request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    def save(found: AssessmentRequest, data: dict[str, Any], by: Actor, on_behalf: bool
             ) -> None:
        services.meeting_ask(request=found, about=data["about"],
                             availability=data["availability"], by=by, on_behalf=on_behalf)

    return _form_page(http_request, public_id, form_class=f.MeetingForm,
                      template="families/meeting.html", page="family:meeting", save=save,
                      done="Your request for a meeting has been sent. Your case officer will "
                           "contact you to arrange it.")


@family_login_required
@require_http_methods(["GET", "POST"])
def sharing(http_request: HttpRequest) -> HttpResponse:
    """A young person decides which parents or carers may follow their case (CoP 8.13)."""
    member = member_of(http_request.user)
    if member is None:
        raise PermissionDenied
    today = timezone.localdate()
    own = [link for link in member.links.filter(relationship=Relationship.YOUNG_PERSON)
           .select_related("child") if young_person_holds_rights(link.child.date_of_birth,
                                                                 today)]
    if not own:
        raise Http404("No such page")
    child = own[0].child
    if http_request.method == "POST":
        chosen = _uuid(http_request.POST.get("member"))
        other = (FamilyMember.objects.filter(public_id=chosen).first() if chosen is not None
                 else None)
        if other is None:
            raise Http404("No such person")
        try:
            if http_request.POST.get("allow") == "yes":
                services.consent_give(young_person=member, child=child, to=other)
                messages.success(http_request, "They can now follow your case")
            else:
                services.consent_withdraw(young_person=member, child=child, to=other)
                messages.success(http_request, "They can no longer follow your case")
        except services.FamilyError as error:
            messages.error(http_request, error.message)
        return redirect("families:sharing")
    record_access(http_request, RecordAccess.Kind.VIEW, page="family:sharing", child=child)
    others = [(m, allowed, m.user.get_full_name() or "A parent or carer")
              for m, allowed in services.others_linked(member, child)]
    return render(http_request, "families/sharing.html", {"others": others})


def _uuid(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(text))
    except ValueError:
        return None


# --- the officer's side -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def invite(http_request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A case officer invites a parent, carer or young person (by e-mail or letter)."""
    found = AssessmentRequest.objects.select_related("child").filter(public_id=public_id).first()
    if found is None or is_family(http_request.user) or not may_act_for_family(
            http_request.user, found):
        if found is not None:
            record_access(http_request, RecordAccess.Kind.REFUSED, page="family:invite",
                          case=found)
        raise Http404("No such request")
    form = f.InvitationForm(http_request.POST if http_request.method == "POST" else None)
    if http_request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.invitation_send(
                request=found, relationship=data["relationship"], name=data["name"],
                email=data["email"], address_lines=data["address"].splitlines(),
                by=_actor(http_request))
        except services.FamilyError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            record_access(http_request, RecordAccess.Kind.CHANGE, page="family:invite",
                          case=found)
            messages.success(http_request, "Invitation sent" + (
                " by letter" if not data["email"].strip() else " by email"))
            return redirect(reverse("casework:request", kwargs={"public_id": found.public_id}))
    record_access(http_request, RecordAccess.Kind.VIEW, page="family:invite", case=found)
    return render(http_request, "families/invite.html", {"case": found, "form": form})
