"""Entra ID over OpenID Connect against a local provider stub (issue 9, finding 11).

The stub signs ID tokens with its own key and serves its JWKS, so a forged token from another
tenant is a token the library accepts as correctly signed: only the council's rules (tenant,
issuer, immutable object id) stand between it and an account.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from ehcflow.people.models import Role, StaffMember, User

pytestmark = pytest.mark.django_db

CLIENT_ID = "ehcflow-test-client"
COUNCIL_TENANT = "11111111-2222-3333-4444-555555555555"
OTHER_TENANT = "99999999-8888-7777-6666-555555555555"
OFFICER_OID = "0a0a0a0a-1b1b-2c2c-3d3d-4e4e4e4e4e4e"
STRANGER_OID = "f0f0f0f0-e1e1-d2d2-c3c3-b4b4b4b4b4b4"
EMAIL = "alex.officer@council.example"
ROOT = Path(__file__).resolve().parents[2]


def issuer(tenant: str) -> str:
    return f"https://login.microsoftonline.com/{tenant}/v2.0"


class ProviderStub:
    """A minimal OpenID provider: token and JWKS endpoints on 127.0.0.1.

    `claims` is what the next ID token asserts; tests change it to forge tokens.
    """

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.nonce = ""
        self.claims: dict[str, Any] = {
            "iss": issuer(COUNCIL_TENANT), "aud": CLIENT_ID, "sub": "pairwise-subject",
            "oid": OFFICER_OID, "tid": COUNCIL_TENANT, "email": EMAIL,
            "preferred_username": EMAIL, "upn": EMAIL,
        }
        self.userinfo_calls = 0
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
                else:  # userinfo: unsigned, and must not be what decides the account
                    stub.userinfo_calls += 1
                    self._json({"sub": "pairwise-subject", "email": EMAIL,
                                "oid": OFFICER_OID, "tid": COUNCIL_TENANT})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode())
                assert form["code"] == ["the-code"]
                now = int(time.time())
                token = jwt.encode({**stub.claims, "nonce": stub.nonce, "iat": now,
                                    "exp": now + 300},
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
        OIDC_TENANT_ID=COUNCIL_TENANT, OIDC_OP_ISSUER=issuer(COUNCIL_TENANT),
        OIDC_OP_AUTHORIZATION_ENDPOINT=f"{stub.url}/authorize",
        OIDC_OP_TOKEN_ENDPOINT=f"{stub.url}/token",
        OIDC_OP_USER_ENDPOINT=f"{stub.url}/userinfo",
        OIDC_OP_JWKS_ENDPOINT=f"{stub.url}/jwks",
        AUTHENTICATION_BACKENDS=["axes.backends.AxesStandaloneBackend",
                                 "ehcflow.people.oidc.CouncilOIDCBackend",
                                 "ehcflow.people.backends.AccountBackend"],
    ):
        yield stub


@pytest.fixture
def officer_user() -> User:
    """An account whose administrator recorded its Entra object id in the council's tenant."""
    user = User.objects.create_user(username="officer", email=EMAIL,
                                    entra_object_id=OFFICER_OID, entra_tenant_id=COUNCIL_TENANT)
    StaffMember.objects.create(user=user, staff_ref="S1", name="Alex Officer",
                               role=Role.CASE_OFFICER, start_date=date(2021, 1, 4))
    return user


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


def signed_in_as(client: Client) -> str | None:
    value = client.session.get("_auth_user_id")
    return str(value) if value is not None else None


def test_entra_sign_in_matches_on_object_id_and_tenant(provider: ProviderStub,
                                                       officer_user: User) -> None:
    client = Client()
    sign_in_through(provider, client)
    assert signed_in_as(client) == str(officer_user.pk)
    assert client.get(reverse("casework:my_work")).status_code == 200
    assert provider.userinfo_calls == 0  # the signed ID token decides, not userinfo
    officer_user.refresh_from_db()
    assert officer_user.last_login is not None


def test_another_tenant_cannot_take_over_an_account_by_its_email(
    provider: ProviderStub, officer_user: User,
) -> None:
    """The known takeover: an attacker's own tenant asserts the victim's e-mail address."""
    provider.claims.update(iss=issuer(OTHER_TENANT), tid=OTHER_TENANT, oid=STRANGER_OID)
    client = Client()
    sign_in_through(provider, client)
    assert signed_in_as(client) is None


def test_another_tenant_cannot_replay_the_victims_object_id(
    provider: ProviderStub, officer_user: User,
) -> None:
    """Even asserting the victim's own oid: the tenant and the issuer are not the council's."""
    provider.claims.update(iss=issuer(OTHER_TENANT), tid=OTHER_TENANT)
    client = Client()
    sign_in_through(provider, client)
    assert signed_in_as(client) is None


def test_a_token_claiming_the_councils_tenant_with_another_issuer_is_refused(
    provider: ProviderStub, officer_user: User,
) -> None:
    provider.claims.update(iss=issuer(OTHER_TENANT))
    client = Client()
    sign_in_through(provider, client)
    assert signed_in_as(client) is None


def test_a_token_from_the_councils_issuer_naming_another_tenant_is_refused(
    provider: ProviderStub, officer_user: User,
) -> None:
    provider.claims.update(tid=OTHER_TENANT)
    client = Client()
    sign_in_through(provider, client)
    assert signed_in_as(client) is None


def test_a_matching_email_without_the_recorded_object_id_is_refused(
    provider: ProviderStub, officer_user: User,
) -> None:
    """Before the fix, any token carrying the address signed in (matched on e-mail)."""
    provider.claims.update(oid=STRANGER_OID)
    client = Client()
    sign_in_through(provider, client)
    assert signed_in_as(client) is None


def test_an_account_without_a_recorded_object_id_cannot_use_single_sign_on(
    provider: ProviderStub, officer_user: User,
) -> None:
    User.objects.filter(pk=officer_user.pk).update(entra_object_id=None, entra_tenant_id="")
    client = Client()
    sign_in_through(provider, client)
    assert signed_in_as(client) is None


def test_a_token_without_object_id_is_refused(provider: ProviderStub,
                                              officer_user: User) -> None:
    del provider.claims["oid"]
    client = Client()
    sign_in_through(provider, client)
    assert signed_in_as(client) is None


def test_entra_sign_in_creates_no_account_for_a_stranger(provider: ProviderStub,
                                                         officer_user: User) -> None:
    provider.claims.update(oid=STRANGER_OID, email="someone.else@council.example")
    client = Client()
    sign_in_through(provider, client)
    assert signed_in_as(client) is None
    assert User.objects.count() == 1


def test_a_token_for_another_application_is_refused(provider: ProviderStub,
                                                    officer_user: User) -> None:
    provider.claims.update(aud="some-other-app")
    client = Client()
    sign_in_through(provider, client)
    assert signed_in_as(client) is None


def test_a_leaver_is_refused_even_with_a_valid_token(provider: ProviderStub,
                                                     officer_user: User) -> None:
    StaffMember.objects.filter(user=officer_user).update(
        end_date=timezone.localdate() - timedelta(days=1))
    client = Client()
    sign_in_through(provider, client)
    assert signed_in_as(client) is None


def test_a_disabled_account_is_refused_even_with_a_valid_token(provider: ProviderStub,
                                                               officer_user: User) -> None:
    User.objects.filter(pk=officer_user.pk).update(is_active=False)
    client = Client()
    sign_in_through(provider, client)
    assert signed_in_as(client) is None


def _settings_error(**env: str) -> str:
    """Import the settings in a fresh interpreter with `env`; return stderr ('' if fine)."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("EHCFLOW_")}
    full.update(EHCFLOW_SECRET_KEY="only-for-this-check", **env)
    done = subprocess.run([sys.executable, "-c", "import ehcflow.settings"], cwd=ROOT,
                          env=full, capture_output=True, text=True, timeout=60, check=False)
    return done.stderr if done.returncode else ""


@pytest.mark.parametrize("tenant", ["", "organizations", "common", "not-a-guid"])
def test_single_sign_on_needs_the_councils_tenant_id(tenant: str) -> None:
    error = _settings_error(EHCFLOW_OIDC_CLIENT_ID="app", EHCFLOW_OIDC_TENANT=tenant)
    assert "EHCFLOW_OIDC_TENANT must be the council's Microsoft Entra tenant ID" in error


def test_the_councils_tenant_id_is_accepted_and_pins_the_issuer() -> None:
    assert _settings_error(EHCFLOW_OIDC_CLIENT_ID="app",
                           EHCFLOW_OIDC_TENANT=COUNCIL_TENANT) == ""
