"""Messages through GOV.UK Notify: the exact JSON sent, retries, delivery reports, failures shown.

No test reaches the network: Notify's HTTP API is mocked with requests-mock on a fake host, as
the official client's own tests do.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import requests_mock
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ehcflow.casework import services as casework
from ehcflow.notify import services, templates
from ehcflow.notify.models import Message, Status
from ehcflow.people.models import Role, StaffMember, Team, User

pytestmark = pytest.mark.django_db

HOST = "https://notify.test"
# Notify keys end with the service id and the secret, both UUIDs.
KEY = "test_key-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0"
IDS = {key: f"00000000-0000-0000-0000-{n:012d}" for n, key in enumerate(templates.TEMPLATES)}
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
NOTIFY_ID = "740e5834-3a29-46b4-9a6f-16142fde533a"

REQUEST_RECEIVED = {
    "child_first_name": "Ada", "received_date": date(2026, 11, 2), "case_ref": "EHC-1",
    "decision_due": date(2026, 12, 14), "team_phone": "01234 567890",
}


@pytest.fixture
def notify(settings: object) -> Iterator[requests_mock.Mocker]:
    settings.EHCFLOW_NOTIFY_API_KEY = KEY  # type: ignore[attr-defined]
    settings.EHCFLOW_NOTIFY_BASE_URL = HOST  # type: ignore[attr-defined]
    settings.EHCFLOW_NOTIFY_TEMPLATE_IDS = IDS  # type: ignore[attr-defined]
    settings.TASKS = IMMEDIATE  # type: ignore[attr-defined]
    with requests_mock.Mocker() as mocker:
        yield mocker


@pytest.fixture
def no_notify(settings: object) -> None:
    settings.EHCFLOW_NOTIFY_API_KEY = ""  # type: ignore[attr-defined]
    settings.TASKS = IMMEDIATE  # type: ignore[attr-defined]
    settings.MAILERS = {"default": {  # type: ignore[attr-defined]
        "BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def test_email_posts_exactly_the_template_fields_and_our_reference(
        notify: requests_mock.Mocker) -> None:
    notify.post(f"{HOST}/v2/notifications/email", status_code=201, json={"id": NOTIFY_ID})
    message = services.send_email("request_received", to="parent@example.org",
                                  personalisation=REQUEST_RECEIVED)
    sent = notify.request_history[0]
    assert sent.headers["Authorization"].startswith("Bearer ")
    assert sent.json() == {
        "email_address": "parent@example.org",
        "template_id": IDS["request_received"],
        "personalisation": {
            "child_first_name": "Ada", "received_date": "2 November 2026", "case_ref": "EHC-1",
            "decision_due": "14 December 2026", "team_phone": "01234 567890",
        },
        "reference": str(message.public_id),
    }
    assert message.status == Status.SENDING
    assert message.notify_id == NOTIFY_ID
    assert message.attempts == 1
    # Still needed until the delivery report: then erased.
    assert message.recipient == "parent@example.org"
    assert message.recipient_hint == "p…@example.org"


def test_sms_and_letter_payloads(notify: requests_mock.Mocker) -> None:
    notify.post(f"{HOST}/v2/notifications/sms", status_code=201, json={"id": NOTIFY_ID})
    notify.post(f"{HOST}/v2/notifications/letter", status_code=201, json={"id": NOTIFY_ID})
    services.send_sms("sign_in_code_sms", to="07700 900123",
                      personalisation={"code": "482913", "minutes": 15})
    services.send_letter("invitation_letter_code",
                         address_lines=["A Parent", "1 High Street", "Town", "AB1 2CD"],
                         personalisation={"child_first_name": "Ada", "site_address":
                                          "send.example.gov.uk", "code": "KX7-2PQ",
                                          "expires_on": date(2027, 1, 4),
                                          "team_phone": "01234 567890"})
    sms, letter = (r.json() for r in notify.request_history)
    assert sms == {"phone_number": "07700 900123", "template_id": IDS["sign_in_code_sms"],
                   "personalisation": {"code": "482913", "minutes": 15},
                   "reference": sms["reference"]}
    assert letter == {
        "template_id": IDS["invitation_letter_code"],
        "personalisation": {
            "address_line_1": "A Parent", "address_line_2": "1 High Street",
            "address_line_3": "Town", "address_line_4": "AB1 2CD",
            "child_first_name": "Ada", "site_address": "send.example.gov.uk",
            "code": "KX7-2PQ", "expires_on": "4 January 2027", "team_phone": "01234 567890",
        },
        "reference": letter["reference"],
    }
    hints = sorted(Message.objects.values_list("recipient_hint", flat=True))
    assert hints == ["postcode area AB1", "…123"]


def test_personalisation_must_match_the_template(notify: requests_mock.Mocker) -> None:
    with pytest.raises(templates.PersonalisationError, match="missing"):
        services.send_email("request_received", to="p@example.org",
                            personalisation={"child_first_name": "Ada"})
    with pytest.raises(templates.PersonalisationError, match="unknown"):
        services.send_email("request_received", to="p@example.org",
                            personalisation={**REQUEST_RECEIVED, "date_of_birth": "x"})
    with pytest.raises(templates.PersonalisationError, match="sms template"):
        services.send_email("sign_in_code_sms", to="p@example.org",
                            personalisation={"code": "1", "minutes": 1})
    with pytest.raises(templates.PersonalisationError, match="3 to 7 lines"):
        services.send_letter("invitation_letter_code", address_lines=["Only one"],
                             personalisation={})
    assert Message.objects.count() == 0
    assert notify.call_count == 0


def test_every_template_says_what_happens_next_and_is_never_vague() -> None:
    for template in templates.TEMPLATES.values():
        text = f"{template.subject} {template.body}".lower()
        assert "new information" not in text
        assert template.stage
        if template.channel != "sms" and template.stage != "Signing in":  # a code, not news
            assert "what happens next" in text, template.key
        assert "date_of_birth" not in template.fields


def test_server_errors_are_retried_with_backoff_then_given_up(
        notify: requests_mock.Mocker) -> None:
    notify.post(f"{HOST}/v2/notifications/email", status_code=500,
                json={"errors": [{"error": "Exception", "message": "Internal"}]})
    message = services.send_email("request_received", to="p@example.org",
                                  personalisation=REQUEST_RECEIVED)
    assert message.status == Status.QUEUED
    assert message.attempts == 1
    assert message.next_attempt_at is not None
    wait = message.next_attempt_at - timezone.now()
    assert timedelta(seconds=50) < wait <= timedelta(minutes=1)
    assert "Trying again at" in message.error
    # Not yet due: the sweep leaves it alone.
    assert services.retry_due() == 0 or Message.objects.get().attempts == 1
    for attempt in range(2, services.MAX_ATTEMPTS + 1):
        Message.objects.filter(pk=message.pk).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1))
        services.retry_due()
        message.refresh_from_db()
        assert message.attempts == attempt
    assert message.status == Status.FAILED
    assert message.error.endswith("Gave up after 6 attempts.")
    assert message.recipient == "" and message.personalisation == {}
    assert notify.call_count == services.MAX_ATTEMPTS


def test_retry_delays_grow() -> None:
    delays = [services.retry_delay(n) for n in range(1, services.MAX_ATTEMPTS + 1)]
    assert delays == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
                      timedelta(hours=2), timedelta(hours=6), None]


def test_a_bad_address_fails_permanently_without_retrying(notify: requests_mock.Mocker) -> None:
    notify.post(f"{HOST}/v2/notifications/email", status_code=400, json={
        "errors": [{"error": "ValidationError", "message": "email_address Not a valid email"}],
        "status_code": 400})
    message = services.send_email("request_received", to="p@example",
                                  personalisation=REQUEST_RECEIVED)
    assert message.status == Status.PERMANENT_FAILURE
    assert message.attempts == 1
    assert message.error == "Notify could not accept the address or the message's fields."
    assert message.recipient == ""
    assert notify.call_count == 1


def test_delivery_receipts_need_the_bearer_token(notify: requests_mock.Mocker,
                                                 settings: object) -> None:
    settings.EHCFLOW_NOTIFY_CALLBACK_TOKEN = "s3cret-token-value"  # type: ignore[attr-defined]
    notify.post(f"{HOST}/v2/notifications/email", status_code=201, json={"id": NOTIFY_ID})
    message = services.send_email("request_received", to="p@example.org",
                                  personalisation=REQUEST_RECEIVED)
    url = reverse("notify:delivery_receipt")
    body = json.dumps({"id": NOTIFY_ID, "reference": str(message.public_id),
                       "to": "p@example.org", "status": "delivered",
                       "notification_type": "email"})
    client = Client()
    assert client.post(url, body, content_type="application/json").status_code == 404
    assert client.post(url, body, content_type="application/json",
                       headers={"Authorization": "Bearer wrong"}).status_code == 404
    good = {"Authorization": "Bearer s3cret-token-value"}
    assert client.post(url, "not json", content_type="application/json",
                       headers=good).status_code == 400
    unknown = body.replace(NOTIFY_ID, "11111111-3a29-46b4-9a6f-16142fde533a")
    assert client.post(url, unknown, content_type="application/json",
                       headers=good).status_code == 404
    assert client.post(url, body, content_type="application/json",
                       headers=good).status_code == 204
    message.refresh_from_db()
    assert message.status == Status.DELIVERED
    assert message.recipient == "" and message.personalisation == {}
    # A late "sending" report never moves it back.
    services.record_status(message, "sending")
    message.refresh_from_db()
    assert message.status == Status.DELIVERED


def test_the_poll_records_delivery_reports(notify: requests_mock.Mocker) -> None:
    notify.post(f"{HOST}/v2/notifications/sms", status_code=201, json={"id": NOTIFY_ID})
    notify.get(f"{HOST}/v2/notifications/{NOTIFY_ID}", json={
        "id": NOTIFY_ID, "status": "permanent-failure", "type": "sms"})
    message = services.send_sms("sign_in_code_sms", to="07700900123",
                                personalisation={"code": "1", "minutes": 15})
    assert services.poll() == 1
    message.refresh_from_db()
    assert message.status == Status.PERMANENT_FAILURE
    assert message.error == "The address or number is not in use."


def test_without_a_notify_key_email_uses_django_and_sms_is_not_sent(no_notify: None) -> None:
    email = services.send_email("request_received", to="p@example.org",
                                personalisation=REQUEST_RECEIVED)
    sms = services.send_sms("sign_in_code_sms", to="07700900123",
                            personalisation={"code": "1", "minutes": 15})
    assert email.status == Status.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == (
        "We have received the request for an EHC needs assessment for Ada")
    assert "by 14 December 2026" in mail.outbox[0].body
    assert sms.status == Status.NOT_SENT
    assert sms.error == "Not sent: no Notify key"
    assert sms.get_status_display() == "Not sent: no Notify key"


def test_a_failed_message_shows_on_the_request_page(notify: requests_mock.Mocker) -> None:
    team = Team.objects.create(name="North")
    user = User.objects.create_user(username="officer", password="x")
    staff = StaffMember.objects.create(user=user, staff_ref="O1", name="Officer",
                                       role=Role.CASE_OFFICER, team=team,
                                       start_date=date(2020, 1, 1))
    actor = casework.Actor(name="test")
    child = casework.child_create(person_ref="P1", date_of_birth=date(2016, 5, 1),
                                  forename="Ada", surname="Example", by=actor)
    case = casework.request_register(child=child, case_ref="EHC-1",
                                     received_date=timezone.localdate() - timedelta(days=3),
                                     officer=staff, by=actor)
    notify.post(f"{HOST}/v2/notifications/email", status_code=400, json={"errors": []})
    services.send_email("request_received", to="parent@example.org",
                        personalisation=REQUEST_RECEIVED, request=case)
    client = Client()
    client.force_login(user)
    page = client.get(reverse("casework:request", args=[case.public_id])).content.decode()
    assert "1 message about this request did not reach its recipient" in page
    assert "Request received (e-mail)" in page
    assert "p…@example.org" in page
    assert "parent@example.org" not in page
    assert "Failed: address or number not in use" in page
