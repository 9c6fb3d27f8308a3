"""Signing in with a password: argon2, throttling, session expiry and security headers.

Entra ID over OIDC is in test_oidc.py; leavers, lifetime and lockout in test_sessions.py.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings as django_settings
from django.test import Client, override_settings
from django.urls import reverse

from ehcflow.people.models import Role, StaffMember, User

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unguessable phrase"


@pytest.fixture
def officer_user() -> User:
    user = User.objects.create_user(username="officer", password=PASSWORD,
                                    email="alex.officer@council.example")
    StaffMember.objects.create(user=user, staff_ref="S1", name="Alex Officer",
                               role=Role.CASE_OFFICER, start_date=date(2021, 1, 4))
    return user


def test_production_hashes_passwords_with_argon2() -> None:
    from ehcflow import settings as project_settings

    with override_settings(PASSWORD_HASHERS=project_settings.PASSWORD_HASHERS):
        user = User.objects.create_user(username="hashed", password=PASSWORD)
        assert user.password.startswith("argon2$argon2id$")
        assert user.check_password(PASSWORD)


def test_sign_in_with_a_password(officer_user: User) -> None:
    client = Client()
    response = client.post(reverse("login"), {"username": "officer", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(officer_user.pk)
    assert client.session.get_expire_at_browser_close() is True
    assert django_settings.SESSION_COOKIE_AGE == 30 * 60


def test_repeated_failures_lock_the_account_even_for_the_right_password(
    officer_user: User,
) -> None:
    client = Client()
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "officer", "password": "wrong"})
        assert b"Enter a correct username and password" in response.content
    response = client.post(reverse("login"), {"username": "officer", "password": "wrong"})
    assert response.status_code == 429
    response = client.post(reverse("login"), {"username": "officer", "password": PASSWORD})
    assert response.status_code in {403, 429}
    assert b"Too many attempts to sign in" in response.content
    assert "_auth_user_id" not in client.session


def test_pages_need_sign_in_and_send_security_headers(officer_user: User) -> None:
    client = Client()
    response = client.get(reverse("casework:my_work"))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
    page = client.get(reverse("login"))
    csp = page["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'nonce-" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"'.encode() in page.content
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_SSL_REDIRECT=False)
def test_hsts_in_production_over_https() -> None:
    response = Client().get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
