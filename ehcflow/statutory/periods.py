"""Reporting periods: inclusive date ranges (docs/domain/measures.md, "For a period [from, to]")."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from ehcflow.statutory.dates import add_years

__all__ = ["Period", "calendar_month", "calendar_year", "twelve_months_ending"]


@dataclass(frozen=True)
class Period:
    """The days from `start` to `end`, both included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"a period cannot end ({self.end}) before it starts ({self.start})")

    def contains(self, day: date | None) -> bool:
        """True when `day` falls in the period; a missing date never does."""
        return day is not None and self.start <= day <= self.end

    @property
    def days(self) -> int:
        """Number of days in the period."""
        return (self.end - self.start).days + 1

    def ending_by(self, as_of: date) -> Period | None:
        """The part of the period on or before `as_of`; None when it starts after `as_of`."""
        if self.start > as_of:
            return None
        return Period(self.start, min(self.end, as_of))


def twelve_months_ending(as_of: date) -> Period:
    """The 12 months to `as_of`: 2023-07-31 gives 2022-08-01 to 2023-07-31.

    One calendar year back plus a day; a year back from 29 February is 28 February, so the
    period to 2024-02-29 starts on 2023-03-01.
    """
    return Period(add_years(as_of, -1) + timedelta(days=1), as_of)


def calendar_year(year: int) -> Period:
    """1 January to 31 December: DfE's activity year for timeliness and requests."""
    return Period(date(year, 1, 1), date(year, 12, 31))


def calendar_month(year: int, month: int) -> Period:
    """One calendar month, as in report 000 table 3 (average weeks to issue by month)."""
    return Period(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))
