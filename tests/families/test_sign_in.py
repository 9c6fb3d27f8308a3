"""Families sign in with a one-time code by e-mail or text message: no password.

Codes expire, are limited per address and per client address, are kept only hashed, and the
pages never tell whether an account exists.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ehcflow.families import codes, services
from ehcflow.families.models import SignInCode
from ehcflow.notify.models import Message
from tests.families.builders import World, build_world

pytestmark = pytest.mark.django_db

SENT_PAGE = "If we have an account for the email address or mobile number you gave"


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def ask(client: Client, contact: str, ip: str = "192.0.2.10") -> str:
    response = client.post(reverse("families:sign_in"), {"contact": contact}, REMOTE_ADDR=ip,
                           follow=True)
    return response.content.decode()


def last_code(template: str) -> str:
    message = Message.objects.filter(template=template).latest("id")
    return str(message.personalisation["code"])


def test_a_parent_signs_in_with_a_code_by_email(world: World) -> None:
    client = Client()
    page = ask(client, "Parent@Example.com ")
    assert SENT_PAGE in page
    message = Message.objects.get(template="sign_in_code_email")
    assert message.recipient == "parent@example.com"
    code = str(message.personalisation["code"])
    assert len(code) == 6 and code.isdigit()
    response = client.post(reverse("families:sign_in_code"), {"code": code})
    assert response.status_code == 302 and response["Location"] == reverse("families:home")
    assert client.session["_auth_user_id"] == str(world.families["parent"].user.pk)
    page = client.get(reverse("families:home")).content.decode()
    assert "Ada: request received" in page


def test_a_young_person_signs_in_with_a_code_by_text_message(world: World) -> None:
    client = Client()
    ask(client, "07700 900123")
    message = Message.objects.get(template="sign_in_code_sms")
    assert message.recipient == "+447700900123"
    client.post(reverse("families:sign_in_code"), {"code": last_code("sign_in_code_sms")})
    assert client.session["_auth_user_id"] == str(world.families["young_person"].user.pk)


def test_codes_are_stored_hashed_never_in_clear(world: World) -> None:
    ask(Client(), "parent@example.com")
    code = last_code("sign_in_code_email")
    row = SignInCode.objects.get()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert "parent@example.com" not in row.contact_hash
    assert codes.same(row.code_hash, "sign-in", code)


def test_an_unknown_address_looks_the_same_and_nothing_is_sent(world: World) -> None:
    known, unknown = Client(), Client()
    known_page = ask(known, "parent@example.com")
    unknown_page = ask(unknown, "nobody@example.com")
    assert SENT_PAGE in unknown_page
    strip = lambda page: page.replace(known.cookies["csrftoken"].value, "")  # noqa: E731
    assert len(strip(known_page).splitlines()) == len(strip(unknown_page).splitlines())
    assert Message.objects.filter(recipient="nobody@example.com").count() == 0
    assert SignInCode.objects.count() == 2  # the limits count both alike
    response = unknown.post(reverse("families:sign_in_code"), {"code": "123456"})
    assert services.WRONG_CODE in response.content.decode()
    assert "_auth_user_id" not in unknown.session


def test_a_wrong_code_is_refused_and_nothing_changes(world: World) -> None:
    client = Client()
    ask(client, "parent@example.com")
    code = last_code("sign_in_code_email")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = client.post(reverse("families:sign_in_code"), {"code": wrong})
    page = response.content.decode()
    assert response.status_code == 200 and services.WRONG_CODE in page
    assert "There is a problem" in page and "<title>Error: " in page
    assert "_auth_user_id" not in client.session
    row = SignInCode.objects.get()
    assert row.used_at is None and row.attempts == 1


def test_an_expired_code_is_refused_with_the_reason(world: World) -> None:
    client = Client()
    ask(client, "parent@example.com")
    code = last_code("sign_in_code_email")
    SignInCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    page = client.post(reverse("families:sign_in_code"), {"code": code}).content.decode()
    assert "The code has expired: codes last 15 minutes. Ask for a new code." in page
    assert "_auth_user_id" not in client.session


def test_a_code_works_once(world: World) -> None:
    client = Client()
    ask(client, "parent@example.com")
    code = last_code("sign_in_code_email")
    client.post(reverse("families:sign_in_code"), {"code": code})
    other = Client()
    session = other.session
    session["ehcflow_family_contact"] = SignInCode.objects.get().contact_hash
    session.save()
    page = other.post(reverse("families:sign_in_code"), {"code": code}).content.decode()
    assert "Ask for a new code: the last one has been used." in page


def test_five_wrong_guesses_end_the_code(world: World) -> None:
    client = Client()
    ask(client, "parent@example.com")
    code = last_code("sign_in_code_email")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(services.MAX_ATTEMPTS):
        client.post(reverse("families:sign_in_code"), {"code": wrong})
    page = client.post(reverse("families:sign_in_code"), {"code": code}).content.decode()
    assert "entered wrongly too many times" in page
    assert "_auth_user_id" not in client.session


def test_codes_are_limited_per_address(world: World) -> None:
    for n in range(services.CODES_PER_ADDRESS):
        ask(Client(), "parent@example.com", ip=f"192.0.2.{n + 1}")
    page = ask(Client(), "parent@example.com", ip="192.0.2.99")
    assert "You have asked for 3 codes in the last 15 minutes." in page
    assert Message.objects.filter(template="sign_in_code_email").count() == 3
    # The same for an address with no account: the limit tells nothing.
    for n in range(services.CODES_PER_ADDRESS):
        ask(Client(), "nobody@example.com", ip=f"198.51.100.{n + 1}")
    assert "You have asked for 3 codes" in ask(Client(), "nobody@example.com", ip="192.0.2.98")


def test_codes_are_limited_per_client_address(world: World) -> None:
    for n in range(services.CODES_PER_IP):
        ask(Client(), f"person{n}@example.com", ip="203.0.113.7")
    page = ask(Client(), "parent@example.com", ip="203.0.113.7")
    assert "Too many codes have been asked for from this device." in page
    assert Message.objects.filter(template="sign_in_code_email").count() == 0


def test_an_address_that_is_neither_email_nor_mobile_is_refused(world: World) -> None:
    page = ask(Client(), "not an address")
    assert "Enter an email address, or a UK mobile number starting 07." in page
    assert SignInCode.objects.count() == 0


def test_the_demo_password_form_shows_only_in_demo_mode(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    parent = world.families["parent"].user
    parent.set_password("demo password for tests")
    parent.save()
    monkeypatch.delenv("EHCFLOW_DEMO", raising=False)
    assert "Demo families" not in Client().get(reverse("families:sign_in")).content.decode()
    assert Client().post(reverse("families:demo_sign_in"), {
        "username": parent.username, "password": "demo password for tests"}).status_code == 404
    monkeypatch.setenv("EHCFLOW_DEMO", "1")
    assert "Demo families" in Client().get(reverse("families:sign_in")).content.decode()
    client = Client()
    response = client.post(reverse("families:demo_sign_in"), {
        "username": parent.username, "password": "demo password for tests"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(parent.pk)
    # A member of staff cannot use the family's demo form.
    staff = Client()
    page = staff.post(reverse("families:demo_sign_in"), {
        "username": "officer", "password": "correct horse battery"}).content.decode()
    assert "Enter the username and password of a demo family account." in page
    assert "_auth_user_id" not in staff.session
