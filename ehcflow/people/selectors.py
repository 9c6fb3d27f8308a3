"""Reads for the account pages: accounts with their staff records, and the change log."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from ehcflow.people.models import AccountChange, StaffMember


def accounts() -> QuerySet[StaffMember]:
    """Every staff member with an account, by name (people without accounts are history)."""
    return (StaffMember.objects.filter(user__isnull=False).select_related("user", "team")
            .order_by("name", "pk"))


def account(public_id: uuid.UUID) -> StaffMember | None:
    return (StaffMember.objects.filter(public_id=public_id, user__isnull=False)
            .select_related("user", "team").first())


def changes(staff: StaffMember | None = None) -> QuerySet[AccountChange]:
    found = AccountChange.objects.select_related("staff").order_by("-at", "-id")
    return found.filter(staff=staff) if staff is not None else found
