"""Signing in: argon2, throttling, session expiry, security headers and Entra ID over OIDC."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
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


# --- Entra ID over OpenID Connect, against a local provider stub ------------------------------

CLIENT_ID = "ehcflow-test-client"


class ProviderStub:
    """A minimal OpenID provider: token, JWKS and userinfo endpoints on 127.0.0.1."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.nonce = ""
        self.email = "alex.officer@council.example"
        self.audience = CLIENT_ID
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def _json(self, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.startswith("/jwks"):
                    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(stub.key.public_key()))
                    jwk.update(kid="test-key", alg="RS256", use="sig")
                    self._json({"keys": [jwk]})
                else:
                    self._json({"sub": "entra-123", "email": stub.email})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode())
                assert form["code"] == ["the-code"]
                now = int(time.time())
                token = jwt.encode(
                    {"iss": stub.url, "aud": stub.audience, "sub": "entra-123",
                     "email": stub.email, "nonce": stub.nonce, "iat": now, "exp": now + 300},
                    stub.key, algorithm="RS256", headers={"kid": "test-key"})
                self._json({"id_token": token, "access_token": "access", "token_type": "Bearer"})

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> ProviderStub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider() -> Iterator[ProviderStub]:
    with ProviderStub() as stub, override_settings(
        OIDC_ENABLED=True, OIDC_RP_CLIENT_ID=CLIENT_ID, OIDC_RP_CLIENT_SECRET="secret",
        OIDC_OP_AUTHORIZATION_ENDPOINT=f"{stub.url}/authorize",
        OIDC_OP_TOKEN_ENDPOINT=f"{stub.url}/token",
        OIDC_OP_USER_ENDPOINT=f"{stub.url}/userinfo",
        OIDC_OP_JWKS_ENDPOINT=f"{stub.url}/jwks",
        AUTHENTICATION_BACKENDS=["axes.backends.AxesStandaloneBackend",
                                 "ehcflow.people.oidc.CouncilOIDCBackend",
                                 "django.contrib.auth.backends.ModelBackend"],
    ):
        yield stub


def sign_in_through(provider: ProviderStub, client: Client) -> Any:
    start = client.get(reverse("oidc_authentication_init"))
    assert start.status_code == 302
    location = urlparse(start["Location"])
    assert location.path == "/authorize"
    query = parse_qs(location.query)
    assert query["client_id"] == [CLIENT_ID]
    provider.nonce = query["nonce"][0]
    return client.get(reverse("oidc_authentication_callback"),
                      {"code": "the-code", "state": query["state"][0]})


def test_entra_sign_in_matches_the_existing_account(provider: ProviderStub,
                                                     officer_user: User) -> None:
    client = Client()
    sign_in_through(provider, client)
    assert client.session["_auth_user_id"] == str(officer_user.pk)
    assert client.get(reverse("casework:my_work")).status_code == 200


def test_entra_sign_in_creates_no_account_for_a_stranger(provider: ProviderStub,
                                                         officer_user: User) -> None:
    provider.email = "someone.else@council.example"
    client = Client()
    sign_in_through(provider, client)
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == 1


def test_a_token_for_another_application_is_refused(provider: ProviderStub,
                                                    officer_user: User) -> None:
    provider.audience = "some-other-app"
    client = Client()
    sign_in_through(provider, client)
    assert "_auth_user_id" not in client.session
