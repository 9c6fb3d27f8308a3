"""Option values shared by the ``ehcflow`` management commands."""

from __future__ import annotations

from datetime import date

from django.core.management.base import CommandError


def parse_date(value: str, option: str) -> date:
    """The date an option gives (YYYY-MM-DD), or a CommandError that names the option."""
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{option}: '{value}' is not a date in the form YYYY-MM-DD.") from error
