"""Option values shared by the ``ehcflow`` management commands."""

from __future__ import annotations

import re
from datetime import date

from django.core.management.base import CommandError
from django.utils import timezone

from ehcflow.statutory.dates import DateKind, accepted_range, long_date

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(value: str, option: str) -> date:
    """The date an option gives (YYYY-MM-DD), or a CommandError that names the option.

    Only YYYY-MM-DD is read (Python's parser would also take 20230731 and 2023-W31-1), and
    only within the dates a figure may be asked for (`statutory.dates.accepted_range(FIGURE)`,
    1 January 2000 to 31 December 2099): `--as-of 0001-01-01` is a slip, and a date near
    either end of the calendar overflows the deadline arithmetic behind every measure.
    """
    text = value.strip()
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"{option}: '{value[:40]}' is not a date in the form YYYY-MM-DD.",
                           returncode=2) from error
    accepted = accepted_range(DateKind.FIGURE, today=timezone.localdate())
    if day not in accepted:
        raise CommandError(
            f"{option}: {text} is outside the dates ehcflow works with "
            f"({long_date(accepted.earliest)} to {long_date(accepted.latest)}).", returncode=2)
    return day
