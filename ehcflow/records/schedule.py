"""The retention schedule as pure rules (no Django): how long a child's record is kept.

An EHC plan can be maintained until the end of the academic year in which the young person
turns 25 (Children and Families Act 2014, s.46), so the record is kept at least until the
25th birthday, and then for the period the council sets (`EHCFLOW_RETENTION_YEARS`, default
6 years: the limitation period for claims in contract and tort, Limitation Act 1980 ss.2 and
5, which the IRMS Information Management Toolkit uses for SEN files: date of birth + 31
years). Decision 0010 records why.

A record past that date is still held while anything on it is live: an open request, a plan
in force or an unresolved disagreement.
"""

from __future__ import annotations

from datetime import date

AGE_LIMIT = 25
DEFAULT_YEARS = 6
MAX_YEARS = 75


class ScheduleError(ValueError):
    """The configured retention period is not usable; the message says how to fix it."""


def anniversary(born: date, years: int) -> date:
    """The date a person born on `born` reaches `years` years of age.

    Someone born on 29 February reaches an age on 1 March in a year without one (the
    anniversary falls after 28 February has ended).
    """
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)


def retain_until(born: date, years_after_25: int) -> date:
    """The first day the record may be disposed of: 25th birthday + the council's period."""
    return anniversary(born, AGE_LIMIT + years_after_25)


def is_past_retention(born: date, years_after_25: int, on: date) -> bool:
    return on >= retain_until(born, years_after_25)


def parse_years(value: object) -> int:
    """`EHCFLOW_RETENTION_YEARS` as a whole number of years from 0 to 75."""
    text = str(value).strip()
    if not text.isdigit() or int(text) > MAX_YEARS:
        raise ScheduleError(
            f"EHCFLOW_RETENTION_YEARS must be a whole number of years from 0 to {MAX_YEARS} "
            f"(the default is {DEFAULT_YEARS}); it is '{text}'.")
    return int(text)
