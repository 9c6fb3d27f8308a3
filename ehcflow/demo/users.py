"""Sign-in accounts for the demo: one per role, linked to a demo member of staff.

Passwords are derived, not stored anywhere: HMAC-SHA256 of the demo seed and the username
under the installation's SECRET_KEY. The same installation always gives the same password
(so `make demo` can print it again), but nobody can work it out from the code, because the
SECRET_KEY is generated per installation and kept out of the repository (settings.py).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from ehcflow.demo.models import DemoLoad
from ehcflow.people.models import Role, StaffMember, User

# The roles to sign in as, in the order they are listed; None is a parent (no staff record).
ROLES: tuple[str | None, ...] = (
    Role.CASE_OFFICER, Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.EDUCATIONAL_PSYCHOLOGIST,
    Role.BUSINESS_SUPPORT, Role.ANALYST, Role.ADMINISTRATOR, None,
)
PARENT_ROLE = "parent"
PARENT_USERNAME = "parent"
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off a screen


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    team: str | None

    def as_dict(self) -> dict[str, str | None]:
        return {"username": self.username, "password": self.password, "role": self.role,
                "team": self.team}


class NoDemo(Exception):
    """The demo authority is not loaded, so there is no staff to sign in as."""


def password_for(seed: int, username: str, attempt: int = 0) -> str:
    """A 19-character password (16 random characters in groups of 4) for a demo account."""
    message = f"ehcflow-demo-user:{seed}:{username}:{attempt}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    chars = "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:16])
    return "-".join(chars[i:i + 4] for i in range(0, 16, 4))


def _username(name: str, taken: set[str]) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z]+", ".", plain).strip(".")
    username, n = base, 1
    while username in taken:
        n += 1
        username = f"{base}{n}"
    return username


def _pick(role: str, today: date) -> StaffMember | None:
    """The longest-serving permanent, full-time member of staff in post with the role."""
    in_post = StaffMember.objects.filter(role=role, start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)).select_related("team", "user")
    ordered = sorted(in_post, key=lambda s: (s.agency, s.fte < 1, s.start_date, s.staff_ref))
    return ordered[0] if ordered else None


@transaction.atomic
def ensure_accounts() -> list[DemoAccount]:
    """Create or refresh the demo accounts (idempotent); returns them with their passwords."""
    load = DemoLoad.objects.order_by("loaded_at").first()
    if load is None:
        raise NoDemo("The demo authority is not loaded, so there is no one to sign in as. "
                     "Load it first: EHCFLOW_DEMO=1 ehcflow demo-data")
    accounts: list[DemoAccount] = []
    taken = set(User.objects.values_list("username", flat=True))
    for role in ROLES:
        if role is None:
            user, password = _account(load.seed, PARENT_USERNAME, "Sam", "Parent",
                                      administrator=False)
            accounts.append(DemoAccount(user.username, password, PARENT_ROLE, None))
            continue
        staff = _pick(role, load.today)
        if staff is None:
            continue
        # Keep the account already linked to the person (re-runs); else name one after them.
        username = staff.user.username if staff.user else _username(staff.name, taken)
        taken.add(username)
        first, _, last = staff.name.partition(" ")
        user, password = _account(load.seed, username, first, last,
                                  administrator=role == Role.ADMINISTRATOR)
        if staff.user_id != user.pk:
            StaffMember.objects.filter(user=user).exclude(pk=staff.pk).update(user=None)
            staff.user = user
            staff.save(update_fields=["user"])
        accounts.append(DemoAccount(user.username, password, str(role),
                                    staff.team.name if staff.team else None))
    # The family accounts: the parent above linked to a demo case, a carer and a young
    # person (ehcflow.families.demo), signing in with these passwords only in demo mode.
    from ehcflow.families import demo as family_demo

    for user, password, role in family_demo.ensure(
            lambda username, first, last: _account(load.seed, username, first, last,
                                                   administrator=False)):
        accounts.append(DemoAccount(user.username, password, str(role), None))
    # Partner accounts: a health DCO, a school's SENCO and social care, with the demo
    # educational psychologist managing the EP service (ehcflow.partners.demo).
    from ehcflow.partners import demo as partner_demo

    for user, password, role in partner_demo.ensure(
            lambda username, first, last: _account(load.seed, username, first, last,
                                                   administrator=False), load.today):
        accounts.append(DemoAccount(user.username, password, role, None))
    return accounts


def _account(seed: int, username: str, first: str, last: str, *, administrator: bool
             ) -> tuple[User, str]:
    """The account with its derived password, created or brought up to date."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username)
    user.first_name, user.last_name = first, last
    user.is_staff = user.is_superuser = administrator
    user.is_active = True
    attempt = 0
    password = password_for(seed, username, attempt)
    while True:  # the project's validators (settings.AUTH_PASSWORD_VALIDATORS) must pass
        try:
            validate_password(password, user)
            break
        except ValidationError:
            attempt += 1
            password = password_for(seed, username, attempt)
    if not user.pk or not user.check_password(password):
        user.set_password(password)  # hashed with argon2 (settings.PASSWORD_HASHERS)
    user.save()
    return user, password
