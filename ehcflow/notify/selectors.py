"""Reading messages: what an officer must know about on a request's page."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ehcflow.notify.models import NEEDS_ATTENTION, Message


def undelivered_for_case(case: Any) -> QuerySet[Message]:
    """Messages about a case that nobody received (failed, refused or not sent), newest
    first: the officer must get the news to the family or partner another way."""
    return Message.objects.filter(case=case, status__in=NEEDS_ATTENTION).order_by(
        "-created_at", "-id")
