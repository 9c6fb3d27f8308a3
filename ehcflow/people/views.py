"""Account pages for administrators, and the set-password page the e-mailed link opens.

Only a user whose role allows `Action.MANAGE_USERS` (the administrator) reaches the account
pages; everyone else gets 403. Administrators see staff records, never case content.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from ehcflow.people import selectors, services, staff_import
from ehcflow.people.access import Action, may
from ehcflow.people.forms import AccountChangeForm, AccountCreateForm, StaffFileForm
from ehcflow.people.models import StaffMember, User
from ehcflow.people.signin import account_usable

PAGE_SIZE = 50
IMPORT_SESSION_KEY = "people_staff_file"

View = Callable[..., HttpResponse]


def administrators_only(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may(request.user, Action.MANAGE_USERS):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _admin(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _account_or_404(public_id: uuid.UUID) -> StaffMember:
    staff = selectors.account(public_id)
    if staff is None:
        raise Http404("No such account")
    return staff


def _page(request: HttpRequest, items: Any) -> Any:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


@administrators_only
def account_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.accounts())
    today = timezone.localdate()
    rows = [(staff, account_usable(staff.user, today) if staff.user else False)
            for staff in page.object_list]
    return render(request, "people/account_list.html", {"page": page, "rows": rows})


@administrators_only
@require_http_methods(["GET", "POST"])
def account_new(request: HttpRequest) -> HttpResponse:
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            staff = services.create_account(
                staff_ref=data["staff_ref"], name=data["name"], username=data["username"],
                start_date=data["start_date"], details=form.details(), by=_admin(request))
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Account created. Send a set-password link so they "
                                      "can sign in.")
            return redirect("people:account", staff.public_id)
    return render(request, "people/account_form.html",
                  {"form": form, "title": "Create an account", "staff": None})


@administrators_only
def account_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    staff = _account_or_404(public_id)
    assert staff.user is not None
    today = timezone.localdate()
    return render(request, "people/account_detail.html", {
        "staff": staff, "account": staff.user, "left": staff.has_left(today),
        "usable": account_usable(staff.user, today),
        "changes": selectors.changes(staff)[:50],
    })


@administrators_only
@require_http_methods(["GET", "POST"])
def account_change(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    staff = _account_or_404(public_id)
    assert staff.user is not None
    initial = {"role": staff.role, "team": staff.team, "fte": staff.fte,
               "end_date": staff.end_date, "email": staff.user.email,
               "entra_object_id": staff.user.entra_object_id or ""}
    form = AccountChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.change_account(staff, form.details(), by=_admin(request))
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Changes saved." if changed else "Nothing was changed.")
            return redirect("people:account", staff.public_id)
    return render(request, "people/account_form.html",
                  {"form": form, "title": f"Change {staff.name}’s account", "staff": staff})


def _act(request: HttpRequest, public_id: uuid.UUID,
         action: Callable[[StaffMember, User], str]) -> HttpResponse:
    staff = _account_or_404(public_id)
    try:
        messages.success(request, action(staff, _admin(request)))
    except services.AccountError as error:
        messages.error(request, str(error))
    return redirect("people:account", staff.public_id)


@administrators_only
@require_POST
def account_disable(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    def disable(staff: StaffMember, by: User) -> str:
        services.set_active(staff, False, by=by)
        return "Account disabled. They cannot sign in."

    return _act(request, public_id, disable)


@administrators_only
@require_POST
def account_enable(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    def enable(staff: StaffMember, by: User) -> str:
        services.set_active(staff, True, by=by)
        return "Account re-enabled."

    return _act(request, public_id, enable)


@administrators_only
@require_POST
def account_send_link(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    def send(staff: StaffMember, by: User) -> str:
        try:
            services.send_set_password_link(staff, by=by,
                                            site_url=request.build_absolute_uri("/"))
        except OSError as error:  # the mail server refused or could not be reached
            raise services.AccountError("The email could not be sent. Try again later, or "
                                        "ask for the email settings to be checked.") from error
        return f"Set-password link sent to {staff.user.email if staff.user else ''}."

    return _act(request, public_id, send)


@administrators_only
def change_log(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.changes())
    return render(request, "people/change_log.html", {"page": page})


@administrators_only
@require_http_methods(["GET", "POST"])
def staff_file(request: HttpRequest) -> HttpResponse:
    """Upload a staff CSV and see what loading it would do; nothing is written yet."""
    form = StaffFileForm(request.POST or None, request.FILES or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > staff_import.MAX_BYTES:
            form.add_error("file", "The selected file must be smaller than 2 MB")
        else:
            data = upload.read()
            plan = staff_import.read_plan(data)
            if plan.ok:
                # Held in the session (staff details, no children's data) until confirmed;
                # the digest ties the confirmation to exactly this preview.
                request.session[IMPORT_SESSION_KEY] = {
                    "data": data.decode("utf-8-sig"),
                    "digest": hashlib.sha256(data).hexdigest(),
                }
    return render(request, "people/staff_file.html", {"form": form, "plan": plan})


@administrators_only
@require_POST
def staff_file_load(request: HttpRequest) -> HttpResponse:
    held = request.session.get(IMPORT_SESSION_KEY)
    if not held or held.get("digest") != request.POST.get("digest"):
        messages.error(request, "Upload the staff file again: the preview has expired.")
        return redirect("people:staff_file")
    plan = staff_import.apply_plan(held["data"].encode("utf-8"), by=_admin(request))
    if not plan.ok:
        return render(request, "people/staff_file.html",
                      {"form": StaffFileForm(), "plan": plan})
    del request.session[IMPORT_SESSION_KEY]
    count = len(plan.changed)
    messages.success(request, f"Staff file loaded: {count} "
                              f"{'account' if count == 1 else 'accounts'} created or changed.")
    return redirect("people:accounts")


@administrators_only
def staff_file_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(staff_import.template_csv(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="staff.csv"'
    return response


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The page the e-mailed link opens: choose a password (Django's one-use token).

    A disabled account or a leaver is treated as an invalid link.
    """

    template_name = "people/set_password.html"
    success_url = reverse_lazy("people:set_password_done")
    post_reset_login = False

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        if user is not None and not account_usable(user, timezone.localdate()):
            return None
        return user

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.record_password_set(form.user)
        return response


def set_password_done(request: HttpRequest) -> HttpResponse:
    return render(request, "people/set_password_done.html",
                  {"sign_in": reverse("login")})
