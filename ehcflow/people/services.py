"""Every write to accounts and staff records, each audited in the account-change log.

An administrator creates, changes, disables and re-enables accounts and sends set-password
links here; the bulk staff load applies its checked plan here. Each function runs in one
transaction with its `AccountChange` row, so a change is never made without its record
(UK GDPR art. 5(2), accountability; art. 32, security of processing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ehcflow.people.models import AccountChange, Role, StaffMember, Team, User

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class AccountError(ValueError):
    """A change the rules refuse; the message is plain English for the administrator."""


@dataclass(frozen=True)
class AccountDetails:
    """What an administrator sets on an account. `team` None means no team."""

    role: str
    team: Team | None
    fte: Decimal
    end_date: date | None
    email: str
    entra_object_id: str = ""


def normalise_object_id(value: str) -> str:
    """An Entra object id as stored: lower-case GUID, or "" for none. Raises AccountError."""
    value = value.strip().lower()
    if value and not GUID.match(value):
        raise AccountError("The Microsoft Entra object ID must be a GUID, like "
                           "00000000-0000-0000-0000-000000000000")
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _log(staff: StaffMember, action: str, by: User | None,
         changes: dict[str, list[str]] | None = None) -> AccountChange:
    return AccountChange.objects.create(
        staff=staff, action=action, by=by,
        by_name=(by.get_username() if by is not None else "command line"), changes=changes or {})


def account_snapshot(staff: StaffMember) -> dict[str, str]:
    """An account's fields as text, as the account-change log records them."""
    user = staff.user
    return {
        "name": staff.name,
        "username": user.username if user else "",
        "email": user.email if user else "",
        "role": staff.role,
        "team": staff.team.name if staff.team else "",
        "fte": _text(Decimal(staff.fte).quantize(Decimal("0.01"))),
        "start_date": _text(staff.start_date),
        "end_date": _text(staff.end_date),
        "entra_object_id": (user.entra_object_id or "") if user else "",
        "active": ("yes" if user.is_active else "no") if user else "",
    }


def changed_fields(before: dict[str, str], after: dict[str, str]) -> dict[str, list[str]]:
    """`{field: [before, after]}` for each field of two snapshots that differs."""
    return {key: [before.get(key, ""), value] for key, value in after.items()
            if before.get(key, "") != value}


def _check_object_id_free(object_id: str, user: User | None) -> None:
    if not object_id:
        return
    clash = User.objects.filter(entra_object_id=object_id)
    if user is not None and user.pk is not None:
        clash = clash.exclude(pk=user.pk)
    if clash.exists():
        raise AccountError("Another account already has that Microsoft Entra object ID")


def apply_user_fields(user: User, details: AccountDetails) -> None:
    """Set a user's e-mail and Entra identity from `details` (refused if the id is taken)."""
    object_id = normalise_object_id(details.entra_object_id)
    _check_object_id_free(object_id, user)
    user.email = details.email.strip().lower()
    user.entra_object_id = object_id or None
    # The tenant is the council's pinned tenant (settings.OIDC_TENANT_ID): an object id is
    # only meaningful within its tenant, and sign-in matches both (decision 0009).
    user.entra_tenant_id = settings.OIDC_TENANT_ID if object_id else ""


def create_account(*, staff_ref: str, name: str, username: str, start_date: date,
                   details: AccountDetails, by: User | None) -> StaffMember:
    """A new account and staff record. The account has no password until one is set."""
    staff_ref, name, username = staff_ref.strip(), name.strip(), username.strip()
    if details.role not in Role.values:
        raise AccountError("Select a role")
    if details.end_date is not None and details.end_date < start_date:
        raise AccountError("The end date must be on or after the start date")
    with transaction.atomic():
        if StaffMember.objects.filter(staff_ref=staff_ref).exists():
            raise AccountError("A staff record with that staff ID already exists")
        if User.objects.filter(username__iexact=username).exists():
            raise AccountError("An account with that username already exists")
        first, _, last = name.partition(" ")
        user = User(username=username, first_name=first[:150], last_name=last[:150])
        apply_user_fields(user, details)
        user.set_unusable_password()
        user.save()
        staff = StaffMember.objects.create(
            user=user, staff_ref=staff_ref, name=name, role=details.role, team=details.team,
            fte=details.fte, start_date=start_date, end_date=details.end_date)
        _log(staff, AccountChange.Action.CREATED, by, changed_fields({}, account_snapshot(staff)))
    return staff


def change_account(staff: StaffMember, details: AccountDetails, *,
                   by: User | None) -> dict[str, list[str]]:
    """Change role, team, FTE, end date, e-mail or Entra object id; returns what changed."""
    if details.role not in Role.values:
        raise AccountError("Select a role")
    if details.end_date is not None and details.end_date < staff.start_date:
        raise AccountError("The end date must be on or after the start date")
    if by is not None and staff.user_id == by.pk and details.role != staff.role:
        # An administrator demoting themselves could leave the council with nobody able to
        # manage accounts; another administrator must do it.
        raise AccountError("You cannot change your own role")
    with transaction.atomic():
        staff = StaffMember.objects.select_for_update(of=("self",)).select_related(
            "user", "team").get(pk=staff.pk)
        before = account_snapshot(staff)
        staff.role, staff.team, staff.fte = details.role, details.team, details.fte
        staff.end_date = details.end_date
        staff.save(update_fields=["role", "team", "fte", "end_date"])
        if staff.user is not None:
            apply_user_fields(staff.user, details)
            staff.user.save(update_fields=["email", "entra_object_id", "entra_tenant_id"])
        changes = changed_fields(before, account_snapshot(staff))
        if changes:
            _log(staff, AccountChange.Action.CHANGED, by, changes)
    return changes


def set_active(staff: StaffMember, active: bool, *, by: User | None) -> bool:
    """Disable or re-enable an account; returns whether anything changed.

    A disabled account cannot sign in and its open sessions end at their next request
    (people.middleware). Re-enabling a leaver does not bring them back: their end date does.
    """
    if staff.user_id is None:
        raise AccountError("This staff record has no account")
    if not active and by is not None and staff.user_id == by.pk:
        raise AccountError("You cannot disable your own account")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=staff.user_id)
        if user.is_active == active:
            return False
        user.is_active = active
        user.save(update_fields=["is_active"])
        _log(staff, AccountChange.Action.ENABLED if active else AccountChange.Action.DISABLED,
             by, {"active": ["no" if active else "yes", "yes" if active else "no"]})
    return True


def send_set_password_link(staff: StaffMember, *, by: User | None, site_url: str) -> None:
    """E-mail a one-use link to set a password (Django's token: it stops working once used,
    after a sign-in, or after `PASSWORD_RESET_TIMEOUT`). The token is never logged."""
    user = staff.user
    if user is None:
        raise AccountError("This staff record has no account")
    if not user.is_active:
        raise AccountError("Re-enable the account before sending a set-password link")
    if staff.has_left(timezone.localdate()):
        raise AccountError("This person has left: their end date has passed")
    if not user.email:
        raise AccountError("Add an email address before sending a set-password link")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = site_url.rstrip("/") + reverse("people:set_password", args=[uid, token])
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    body = (f"Hello {staff.name},\n\n"
            f"An administrator has asked for you to set a password for "
            f"{settings.EHCFLOW_AUTHORITY_NAME}'s SEND service.\n\n"
            f"Open this link to set it (it works once, for {hours} hours):\n{link}\n\n"
            f"Your username is {user.username}.\n\n"
            "If you did not expect this email, tell your administrator.\n")
    with transaction.atomic():
        _log(staff, AccountChange.Action.SET_PASSWORD_LINK, by, {"email": ["", user.email]})
        send_mail("Set your password", body, None, [user.email])


def record_password_set(user: User) -> None:
    """The person set their own password from a link: logged, without the password."""
    staff = StaffMember.objects.filter(user=user).first()
    if staff is not None:
        _log(staff, AccountChange.Action.PASSWORD_SET, user)
