"""One message sent (or being sent) by e-mail, text message or letter.

The recipient and the personalisation are kept only while the message may still be sent or
retried; once it reaches a final state they are erased and only a masked hint remains
(`recipient_hint`, e.g. "j…@example.org", "…0123"). Nothing here is ever logged.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


class Status(models.TextChoices):
    QUEUED = "queued", "Waiting to send"
    SENDING = "sending", "Sent, waiting for delivery"
    SENT = "sent", "Sent by e-mail (no delivery report)"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    PERMANENT_FAILURE = "permanent_failure", "Failed: address or number not in use"
    NOT_SENT = "not_sent", "Not sent: no Notify key"


FINAL = frozenset({Status.SENT, Status.DELIVERED, Status.FAILED, Status.PERMANENT_FAILURE,
                   Status.NOT_SENT})
# The states an officer must act on: the person did not get the message.
NEEDS_ATTENTION = frozenset({Status.FAILED, Status.PERMANENT_FAILURE, Status.NOT_SENT})


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "Text message"
    LETTER = "letter", "Letter"


class Message(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    template = models.CharField(max_length=60)
    # Kept only until the message reaches a final state (then emptied): see the module note.
    recipient = models.TextField(blank=True)
    recipient_hint = models.CharField(max_length=80, blank=True)
    personalisation = models.JSONField(default=dict, blank=True)
    case = models.ForeignKey(
        "casework.AssessmentRequest", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="messages",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    notify_id = models.CharField("Notify id", max_length=36, blank=True, db_index=True)
    # Why the last attempt failed, in words for the officer (never personal data).
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    status_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["case", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.template} ({self.get_status_display()})"

    @property
    def needs_attention(self) -> bool:
        return self.status in NEEDS_ATTENTION
