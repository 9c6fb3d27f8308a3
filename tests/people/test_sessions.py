"""Leavers, disabled accounts, session lifetime, lockout behind a proxy, quiet 403s.

Issue 9, findings 4 and 12. Each test fails on the code before the fix.
"""

from __future__ import annotations

import io
import logging
import time
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from ehcflow.people.log_filters import RefusalWithoutTraceback
from ehcflow.people.models import Role, StaffMember, User
from ehcflow.people.signin import SIGNED_IN_AT

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unguessable phrase"


@pytest.fixture
def officer_user() -> User:
    user = User.objects.create_user(username="officer", password=PASSWORD)
    StaffMember.objects.create(user=user, staff_ref="S1", name="Alex Officer",
                               role=Role.CASE_OFFICER, start_date=date(2021, 1, 4))
    return user


def sign_in(client: Client, **extra: str) -> int:
    response = client.post(reverse("login"), {"username": "officer", "password": PASSWORD},
                           **extra)  # type: ignore[arg-type]
    return response.status_code


def set_end_date(user: User, days_from_today: int) -> None:
    StaffMember.objects.filter(user=user).update(
        end_date=timezone.localdate() + timedelta(days=days_from_today))


# --- leavers and disabled accounts -----------------------------------------------------------

def test_a_leaver_cannot_sign_in_after_their_end_date(officer_user: User) -> None:
    set_end_date(officer_user, -1)
    client = Client()
    assert sign_in(client) == 200  # the form again, with its error
    assert "_auth_user_id" not in client.session


def test_the_end_date_itself_is_still_a_working_day(officer_user: User) -> None:
    set_end_date(officer_user, 0)
    client = Client()
    assert sign_in(client) == 302
    assert client.get(reverse("casework:my_work")).status_code == 200


def test_a_leavers_open_session_ends_at_its_next_request(officer_user: User) -> None:
    client = Client()
    assert sign_in(client) == 302
    assert client.get(reverse("casework:my_work")).status_code == 200
    set_end_date(officer_user, -1)  # no job run: the date alone ends it
    response = client.get(reverse("casework:my_work"))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
    assert "_auth_user_id" not in client.session


def test_a_disabled_accounts_open_session_ends_at_its_next_request(officer_user: User) -> None:
    client = Client()
    assert sign_in(client) == 302
    User.objects.filter(pk=officer_user.pk).update(is_active=False)
    response = client.get(reverse("casework:my_work"))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
    assert "_auth_user_id" not in client.session
    assert sign_in(Client()) == 200


# --- absolute session lifetime ---------------------------------------------------------------

def _age_session(client: Client, hours: float) -> None:
    session = client.session
    session[SIGNED_IN_AT] = int(time.time() - hours * 3600)
    session.save()


def test_sessions_end_after_their_maximum_lifetime_however_active(officer_user: User) -> None:
    assert timedelta(hours=10) == settings.SESSION_MAX_AGE
    client = Client()
    assert sign_in(client) == 302
    _age_session(client, 9.9)
    assert client.get(reverse("casework:my_work")).status_code == 200
    _age_session(client, 10.1)
    response = client.get(reverse("casework:my_work"))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
    assert "_auth_user_id" not in client.session


@override_settings(SESSION_MAX_AGE=timedelta(hours=1))
def test_the_maximum_lifetime_is_configurable(officer_user: User) -> None:
    client = Client()
    assert sign_in(client) == 302
    _age_session(client, 1.1)
    assert client.get(reverse("casework:my_work")).status_code == 302


def test_a_session_without_a_sign_in_time_is_ended(officer_user: User) -> None:
    client = Client()
    assert sign_in(client) == 302
    session = client.session
    del session[SIGNED_IN_AT]
    session.save()
    assert client.get(reverse("casework:my_work")).status_code == 302


# --- lockout behind the council's proxy ------------------------------------------------------

PROXY = "10.0.0.1"
STRANGER = "203.0.113.9"
OFFICER_DESK = "198.51.100.7"


def attempt(ip_chain: str, password: str = "wrong") -> int:
    """A sign-in as `officer` arriving through one proxy that appended `ip_chain`'s last hop."""
    return Client().post(reverse("login"), {"username": "officer", "password": password},
                         REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ip_chain).status_code


@override_settings(EHCFLOW_PROXY_COUNT=1)
def test_a_stranger_cannot_lock_a_named_user_out_from_elsewhere(officer_user: User) -> None:
    """Before the fix every request behind the proxy had the proxy's address, so a stranger's
    five wrong passwords locked the officer out everywhere."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(STRANGER)
    assert attempt(STRANGER, PASSWORD) in {403, 429}  # the stranger is locked out
    assert attempt(OFFICER_DESK, PASSWORD) == 302     # the officer is not


@override_settings(EHCFLOW_PROXY_COUNT=1)
def test_a_forged_forwarded_for_header_cannot_pick_the_victims_address(
    officer_user: User,
) -> None:
    """The stranger writes the officer's address first; the proxy appends the real one."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(f"{OFFICER_DESK}, {STRANGER}")
    assert attempt(OFFICER_DESK, PASSWORD) == 302


def test_without_a_proxy_the_forwarded_for_header_is_ignored(officer_user: User) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(reverse("login"), {"username": "officer", "password": "wrong"},
                      REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_FOR=OFFICER_DESK)
    ok = Client().post(reverse("login"), {"username": "officer", "password": PASSWORD},
                       REMOTE_ADDR=OFFICER_DESK)
    assert ok.status_code == 302
    locked = Client().post(reverse("login"), {"username": "officer", "password": PASSWORD},
                           REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_FOR=OFFICER_DESK)
    assert locked.status_code in {403, 429}


@pytest.mark.parametrize("value", ["-1", "two", "6", "1.5"])
def test_the_proxy_count_is_validated(value: str) -> None:
    from tests.people.test_oidc import _settings_error

    assert "EHCFLOW_PROXY_COUNT must be a whole number from 0 to 5" in _settings_error(
        EHCFLOW_PROXY_COUNT=value)


@pytest.mark.parametrize("value", ["0", "-3", "ten", "169"])
def test_the_session_maximum_is_validated(value: str) -> None:
    from tests.people.test_oidc import _settings_error

    assert "EHCFLOW_SESSION_MAX_HOURS must be a number of hours" in _settings_error(
        EHCFLOW_SESSION_MAX_HOURS=value)


# --- a refusal is one line in the log --------------------------------------------------------

def test_a_403_writes_one_line_and_no_traceback(officer_user: User) -> None:
    handlers = [h for h in logging.getLogger().handlers
                if any(isinstance(f, RefusalWithoutTraceback) for f in h.filters)]
    assert handlers, "the console handler carries the refusal filter"
    handler = handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        client = Client()
        assert sign_in(client) == 302
        assert client.get(reverse("people:accounts")).status_code == 403
    finally:
        handler.setStream(previous)  # type: ignore[arg-type]
    written = stream.getvalue()
    assert "Forbidden" in written and "/accounts/" in written
    assert "Traceback" not in written
    assert len([line for line in written.splitlines() if "Forbidden" in line]) == 1
    assert "officer" not in written and "Alex" not in written
