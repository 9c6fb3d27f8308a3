"""Sending e-mails, text messages and letters through GOV.UK Notify, in the background.

`send_email`, `send_sms` and `send_letter` check the template's fields, record a `Message`
and queue the `deliver_message` task; they never wait for the network. The task hands the
message to Notify (`deliver`), retrying network and server failures with growing delays
(`retry_delay`), and the delivery report comes back through the callback view or the poll in
`sweep` (`record_status`).

Without `EHCFLOW_NOTIFY_API_KEY` (development, the demo) e-mails go through Django's e-mail
backend and text messages and letters are recorded as not sent, so the officer can see that
nobody got them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.tasks import default_task_backend
from django.utils import timezone

from ehcflow.notify import templates
from ehcflow.notify.models import FINAL, Channel, Message, Status

logger = logging.getLogger(__name__)

# Waits before the 2nd, 3rd, … attempt after a network or Notify server failure. Notify asks
# clients to back off on 429 and 5xx; six attempts span about eight and a half hours.
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1

# Notify's statuses (e-mail, text and letter) mapped to ours.
NOTIFY_STATUSES: dict[str, Status] = {
    "created": Status.SENDING, "sending": Status.SENDING, "pending": Status.SENDING,
    "sent": Status.SENDING, "accepted": Status.SENDING, "pending-virus-check": Status.SENDING,
    "delivered": Status.DELIVERED, "received": Status.DELIVERED,
    "permanent-failure": Status.PERMANENT_FAILURE, "validation-failed": Status.PERMANENT_FAILURE,
    "temporary-failure": Status.FAILED, "technical-failure": Status.FAILED,
    "virus-scan-failed": Status.FAILED, "cancelled": Status.FAILED,
}
FAILURE_WORDS = {
    "permanent-failure": "The address or number is not in use.",
    "temporary-failure": "The inbox was full or the phone was off for 72 hours.",
    "technical-failure": "Notify could not send it.",
    "validation-failed": "The letter's address could not be printed.",
    "virus-scan-failed": "Notify's virus check failed.",
    "cancelled": "The letter was cancelled before printing.",
}


class NotifyNotConfigured(Exception):
    """There is no Notify key or no Notify template id for this template."""


def retry_delay(attempts: int) -> timedelta | None:
    """How long to wait after `attempts` failed attempts, or None to stop trying."""
    if attempts < 1 or attempts >= MAX_ATTEMPTS:
        return None
    return RETRY_DELAYS[attempts - 1]


def mask(channel: str, recipient: str) -> str:
    """A hint of who the message went to that identifies nobody on its own."""
    if channel == Channel.EMAIL:
        local, _, domain = recipient.partition("@")
        return f"{local[:1]}…@{domain}"[:80]
    if channel == Channel.SMS:
        digits = "".join(ch for ch in recipient if ch.isdigit())
        return f"…{digits[-3:]}"
    last = recipient.splitlines()[-1].strip() if recipient.strip() else ""
    return f"postcode area {last.split(' ')[0]}"[:80] if last else ""


def _plain(value: object) -> object:
    """Dates in the words the service uses ("4 December 2026"); everything else as given."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return f"{value.day} {value:%B %Y}"
    return value


def _case_of(request: object) -> Any:
    """The case a message is about. `request` is a casework `AssessmentRequest`; anything
    else (an HTTP request passed by mistake) links no case."""
    from ehcflow.casework.models import AssessmentRequest

    return request if isinstance(request, AssessmentRequest) else None


def _queue(template_key: str, channel: Channel, recipient: str,
           personalisation: Mapping[str, object], request: object) -> Message:
    template = templates.get(template_key)
    if template.channel != channel:
        raise templates.PersonalisationError(
            f"Template {template_key!r} is a {template.channel} template, not {channel}")
    fields = {key: _plain(value) for key, value in personalisation.items()}
    template.check(fields)
    message = Message.objects.create(
        channel=channel, template=template_key, recipient=recipient,
        recipient_hint=mask(channel, recipient), personalisation=fields,
        case=_case_of(request),
    )
    from ehcflow.notify.tasks import deliver_message

    deliver_message.enqueue(message.pk)
    message.refresh_from_db()
    return message


def send_email(template: str, *, to: str, personalisation: dict,
               request: object = None) -> Message:
    """Queue an e-mail from the template named `template` to `to`.

    `request` is the casework `AssessmentRequest` the message is about (if any): a failure
    then shows on that request's page. Raises `PersonalisationError` if the fields do not
    match the template.
    """
    if "@" not in to:
        raise templates.PersonalisationError("An e-mail address needs an @")
    return _queue(template, Channel.EMAIL, to.strip(), personalisation, request)


def send_sms(template: str, *, to: str, personalisation: dict, request: object = None) -> Message:
    """Queue a text message from the template named `template` to the phone number `to`."""
    if sum(ch.isdigit() for ch in to) < 10:
        raise templates.PersonalisationError("A phone number needs at least 10 digits")
    return _queue(template, Channel.SMS, to.strip(), personalisation, request)


def send_letter(template: str, *, address_lines: list[str], personalisation: dict,
                request: object = None) -> Message:
    """Queue a letter to the address in `address_lines` (3 to 7 lines, the last a postcode,
    as Notify requires)."""
    lines = [line.strip() for line in address_lines if line.strip()]
    if not 3 <= len(lines) <= 7:
        raise templates.PersonalisationError("A letter address needs 3 to 7 lines")
    return _queue(template, Channel.LETTER, "\n".join(lines), personalisation, request)


def _client() -> Any:
    from notifications_python_client.notifications import NotificationsAPIClient

    return NotificationsAPIClient(
        settings.EHCFLOW_NOTIFY_API_KEY, base_url=settings.EHCFLOW_NOTIFY_BASE_URL, timeout=20)


def _template_id(key: str) -> str:
    template_id = settings.EHCFLOW_NOTIFY_TEMPLATE_IDS.get(key, "")
    if not template_id:
        raise NotifyNotConfigured(f"No Notify template set up for “{templates.get(key).stage}”")
    return str(template_id)


def _post(message: Message) -> str:
    """Hand the message to Notify; its id. Raises the client's errors."""
    client = _client()
    template_id = _template_id(message.template)
    reference = str(message.public_id)  # no personal data in references
    if message.channel == Channel.EMAIL:
        response = client.send_email_notification(
            email_address=message.recipient, template_id=template_id,
            personalisation=message.personalisation, reference=reference)
    elif message.channel == Channel.SMS:
        response = client.send_sms_notification(
            phone_number=message.recipient, template_id=template_id,
            personalisation=message.personalisation, reference=reference)
    else:
        address = {f"address_line_{n}": line
                   for n, line in enumerate(message.recipient.splitlines(), start=1)}
        response = client.send_letter_notification(
            template_id=template_id, personalisation={**address, **message.personalisation},
            reference=reference)
    return str(response["id"])


def _send_without_notify(message: Message) -> tuple[Status, str]:
    """Development: e-mail through Django's backend; text messages and letters not sent."""
    if message.channel != Channel.EMAIL:
        return Status.NOT_SENT, "Not sent: no Notify key"
    subject, body = templates.get(message.template).render(message.personalisation)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [message.recipient])
    return Status.SENT, ""


def _erase(message: Message) -> list[str]:
    """Forget the recipient and fields once the message can no longer be sent again."""
    message.recipient = ""
    message.personalisation = {}
    return ["recipient", "personalisation"]


def _http_problem(status_code: int) -> tuple[bool, str]:
    """(worth retrying, words for the officer) for an HTTP status from Notify."""
    if status_code == 400:
        return False, "Notify could not accept the address or the message's fields."
    if status_code == 403:
        return False, "Notify refused the service's key: tell the system administrator."
    if status_code == 429:
        return True, "Notify asked us to slow down."
    return True, "Notify could not be reached or had a problem."


def deliver(message_id: int) -> Message | None:
    """Make one attempt to send the message; the message after it (None if gone).

    Claims the attempt by bumping `attempts` on a queued row, so two workers never send the
    same message; a message not queued (already sent, or final) is left alone.
    """
    message = Message.objects.filter(pk=message_id).first()
    if message is None or message.status != Status.QUEUED:
        return message
    now = timezone.now()
    if message.next_attempt_at and message.next_attempt_at > now:
        return message
    claimed = Message.objects.filter(
        pk=message.pk, status=Status.QUEUED, attempts=message.attempts,
    ).update(attempts=F("attempts") + 1, next_attempt_at=None)
    if not claimed:
        return Message.objects.get(pk=message.pk)
    message.refresh_from_db()
    fields = ["status", "error", "sent_at", "status_at", "notify_id", "next_attempt_at"]
    retry = False
    if not settings.EHCFLOW_NOTIFY_API_KEY:
        message.status, message.error = _send_without_notify(message)
        message.sent_at = message.status_at = timezone.now()
    else:
        from notifications_python_client.errors import APIError

        try:
            message.notify_id = _post(message)
        except NotifyNotConfigured as error:
            message.status, message.error = Status.NOT_SENT, str(error)
        except APIError as error:
            retry, words = _http_problem(error.status_code)
            message.error = words
            message.status = Status.FAILED
            logger.warning("Notify refused message %s: HTTP %s", message.public_id,
                           error.status_code)
            if error.status_code == 400:
                message.status = Status.PERMANENT_FAILURE
        else:
            message.status, message.error = Status.SENDING, ""
            message.sent_at = timezone.now()
        message.status_at = timezone.now()
    if retry:
        wait = retry_delay(message.attempts)
        if wait is not None:
            message.status = Status.QUEUED
            message.next_attempt_at = timezone.now() + wait
            local = timezone.localtime(message.next_attempt_at)
            message.error = f"{message.error} Trying again at {local:%H:%M}."
        else:
            message.error = f"{message.error} Gave up after {message.attempts} attempts."
    if message.status in FINAL:
        fields += _erase(message)
    message.save(update_fields=fields)
    if message.status == Status.QUEUED and message.next_attempt_at:
        _schedule_retry(message)
    return message


def _schedule_retry(message: Message) -> None:
    """Queue the next attempt when the task backend can defer; otherwise `sweep` finds it."""
    if not default_task_backend.supports_defer:
        return
    from ehcflow.notify.tasks import deliver_message

    deliver_message.using(run_after=message.next_attempt_at).enqueue(message.pk)


@transaction.atomic
def record_status(message: Message, notify_status: str, *, at: datetime | None = None) -> Message:
    """Record Notify's delivery report for a message (from the callback or the poll).

    A report never moves a message back from a final state, so a late "sending" after
    "delivered" changes nothing.
    """
    status = NOTIFY_STATUSES.get(notify_status)
    locked = Message.objects.select_for_update().get(pk=message.pk)
    if status is None or locked.status in FINAL:
        return locked
    if status == locked.status:
        return locked
    locked.status = status
    locked.status_at = at or timezone.now()
    locked.error = FAILURE_WORDS.get(notify_status, "")
    fields = ["status", "status_at", "error"]
    if status in FINAL:
        fields += _erase(locked)
    locked.save(update_fields=fields)
    return locked


def poll(limit: int = 500) -> int:
    """Ask Notify for the status of messages still waiting for delivery; how many changed."""
    if not settings.EHCFLOW_NOTIFY_API_KEY:
        return 0
    from notifications_python_client.errors import APIError

    client = _client()
    changed = 0
    waiting = Message.objects.filter(status=Status.SENDING).exclude(notify_id="")
    for message in waiting.order_by("sent_at")[:limit]:
        try:
            report = client.get_notification_by_id(message.notify_id)
        except APIError as error:
            logger.warning("Notify status poll failed for %s: HTTP %s", message.public_id,
                           error.status_code)
            continue
        before = message.status
        after = record_status(message, str(report.get("status", "")))
        changed += after.status != before
    return changed


def retry_due(now: datetime | None = None) -> int:
    """Attempt every queued message whose time has come (the fallback to deferred tasks)."""
    moment = now or timezone.now()
    due = Message.objects.filter(status=Status.QUEUED).filter(
        next_attempt_at__isnull=True, created_at__lte=moment - timedelta(minutes=5),
    ) | Message.objects.filter(status=Status.QUEUED, next_attempt_at__lte=moment)
    count = 0
    for pk in due.values_list("pk", flat=True)[:500]:
        deliver(pk)
        count += 1
    return count
