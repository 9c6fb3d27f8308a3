"""Calendar arithmetic the regulations rely on: calendar months, calendar years, days.

Periods "of N weeks" are plain day counts (7 days a week) and need nothing here. Periods of
months follow the corresponding-date rule the courts apply to statutory months (Dodds v Walker
[1981] 1 WLR 1441, HL): a month after 15 March is 15 April; where the later month has no
corresponding day (31 January plus one month), the period ends on that month's last day.

It also says, once for every way a date gets in (the casework forms and services, the register
import, the command line, the dashboards' parameters), which dates the service accepts for
each kind of date: `accepted_range()`. A date outside its range is a typing slip (year 0023
for 2023), a spreadsheet's placeholder (1 January 1900, 31 December 9999) or an attack, never
a real record, and a date near the ends of Python's calendar overflows the deadline arithmetic.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

__all__ = [
    "EARLIEST_RECORD",
    "LATEST_FIGURE",
    "MAX_EXCEPTION_YEARS",
    "YOUNG_PERSON_AGE_LIMIT",
    "DateKind",
    "DateRange",
    "accepted_range",
    "add_days",
    "add_months",
    "add_years",
    "age_on",
    "days_between",
    "long_date",
    "range_problem",
]

#: The earliest date of anything the service records: a request received, a decision, advice,
#: a plan, an exception. EHC needs assessments began on 1 September 2014 (Children and
#: Families Act 2014, Part 3, commenced by SI 2014/889); 1 January 2000 leaves room for
#: earlier history a council carries over (statements of SEN, older registers) while still
#: refusing the slips and placeholders above.
EARLIEST_RECORD: Final = date(2000, 1, 1)

#: The latest date a figure, a report or a plan may be asked for (an as-of date, a period's
#: end): far beyond any real planning horizon, and far enough from 31 December 9999 that
#: every deadline computed from it (20 weeks, a year's review) is a real date.
LATEST_FIGURE: Final = date(2099, 12, 31)

#: EHC plans are for children and young people under 25 (Children and Families Act 2014,
#: s.83(2): a "young person" is over compulsory school age but under 25; s.46 lets a plan be
#: maintained only to the end of the academic year in which they turn 25).
YOUNG_PERSON_AGE_LIMIT: Final = 25

#: The longest exception period accepted. The regulations set no maximum (reg 10(4), 13(3));
#: an interruption longer than two years to a 20-week process means the request should be
#: closed and a new one made, so a longer period is a slip (an end year of 2205 for 2025).
MAX_EXCEPTION_YEARS: Final = 2


class DateKind(StrEnum):
    """The kinds of date with different accepted ranges."""

    #: something that has happened: a request received, a decision, advice, a plan, a closure
    EVENT = "event"
    #: a child's or young person's date of birth
    BIRTH = "birth"
    #: the end of an exception period (it may be in the future)
    EXCEPTION_END = "exception_end"
    #: the date of a figure or a report, or a period's ends (may be in the future: planning)
    FIGURE = "figure"


@dataclass(frozen=True, slots=True)
class DateRange:
    """The first and last dates accepted, both included."""

    earliest: date
    latest: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.earliest <= day <= self.latest


def accepted_range(kind: DateKind, *, today: date, start: date | None = None) -> DateRange:
    """The dates the service accepts for a date of `kind`, on `today`.

    - EVENT: from `EARLIEST_RECORD` to today (nothing is recorded before it happens).
    - BIRTH: from 25 years before `EARLIEST_RECORD` (the oldest young person who could have a
      record) to today. `start` (the date a request was received), when given, narrows it to
      a child or young person under 25 on that date (s.83(2)).
    - EXCEPTION_END: from `start` (the period's first day) to `MAX_EXCEPTION_YEARS` after it.
    - FIGURE: from `EARLIEST_RECORD` to `LATEST_FIGURE`.
    """
    if kind is DateKind.EVENT:
        return DateRange(EARLIEST_RECORD, max(today, EARLIEST_RECORD))
    if kind is DateKind.BIRTH:
        oldest = add_years(EARLIEST_RECORD, -YOUNG_PERSON_AGE_LIMIT)
        if start is not None and start in DateRange(EARLIEST_RECORD, LATEST_FIGURE):
            # under 25 on `start`: the 25th birthday falls after it
            oldest = max(oldest, add_days(add_years(start, -YOUNG_PERSON_AGE_LIMIT), 1))
        return DateRange(oldest, max(min(today, start or today), oldest))
    if kind is DateKind.EXCEPTION_END:
        first = start if start is not None else EARLIEST_RECORD
        return DateRange(first, add_years(first, MAX_EXCEPTION_YEARS))
    return DateRange(EARLIEST_RECORD, LATEST_FIGURE)


def range_problem(day: date, accepted: DateRange) -> str | None:
    """"early", "late" or None: where `day` falls against `accepted`."""
    if day < accepted.earliest:
        return "early"
    if day > accepted.latest:
        return "late"
    return None


def long_date(day: date) -> str:
    """A date as GOV.UK writes it: 1 January 2000 (no leading zero, month in full)."""
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


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


def age_on(date_of_birth: date, on: date) -> int:
    """Whole years of age on a date (a birthday counts on the day itself)."""
    return on.year - date_of_birth.year - (
        (on.month, on.day) < (date_of_birth.month, date_of_birth.day))


def add_years(start: date, years: int) -> date:
    """Return the same day `years` calendar years on; 29 February becomes 28 February."""
    return add_months(start, 12 * years)
