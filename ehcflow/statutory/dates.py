"""Calendar arithmetic the regulations rely on: calendar months, calendar years, days.

Periods "of N weeks" are plain day counts (7 days a week) and need nothing here. Periods of
months follow the corresponding-date rule the courts apply to statutory months (Dodds v Walker
[1981] 1 WLR 1441, HL): a month after 15 March is 15 April; where the later month has no
corresponding day (31 January plus one month), the period ends on that month's last day.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

__all__ = ["add_days", "add_months", "add_years", "days_between"]


def add_days(start: date, days: int) -> date:
    """Return `start` moved by `days` calendar days (negative moves back)."""
    return start + timedelta(days=days)


def days_between(start: date, end: date) -> int:
    """Whole calendar days from `start` to `end` (negative when `end` is earlier)."""
    return (end - start).days


def add_months(start: date, months: int) -> date:
    """Return the corresponding date `months` calendar months after (or before) `start`.

    The day is clamped to the last day of the target month, so 2023-12-31 plus two months is
    2024-02-29 and 2023-03-31 minus one month is 2023-02-28 (Dodds v Walker).
    """
    years, month_index = divmod(start.month - 1 + months, 12)
    year = start.year + years
    month = month_index + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def add_years(start: date, years: int) -> date:
    """Return the same day `years` calendar years on; 29 February becomes 28 February."""
    return add_months(start, 12 * years)
