"""Bank holidays in England and Wales, and working days.

Only the mediation steps of the SEND Regulations 2014 count working days (reg 34(1): a
mediation certificate "within 3 working days"); the First-tier Tribunal also moves appeal
deadlines to a working day. A working day is Monday to Friday except a bank holiday in
England and Wales (Banking and Financial Dealings Act 1971, s.1 and Sch 1, plus the days
appointed by proclamation).

The holidays are computed, not tabled, so the calendar never runs out: the rules below have
held since the early May holiday began in 1978. One-off changes by proclamation are listed
explicitly; add new ones to `_MOVED` or `_EXTRA` when they are proclaimed.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

__all__ = [
    "add_working_days",
    "bank_holidays",
    "easter_sunday",
    "is_bank_holiday",
    "is_working_day",
    "next_working_day",
    "working_day_on_or_after",
]

_MONDAY = 0
_SATURDAY = 5

# A regular holiday moved by proclamation: (year, name) -> the day it was held instead.
_MOVED: dict[tuple[int, str], date] = {
    (1995, "early_may"): date(1995, 5, 8),  # VE Day 50th anniversary
    (2002, "spring"): date(2002, 6, 4),  # Golden Jubilee
    (2012, "spring"): date(2012, 6, 4),  # Diamond Jubilee
    (2020, "early_may"): date(2020, 5, 8),  # VE Day 75th anniversary (Friday)
    (2022, "spring"): date(2022, 6, 2),  # Platinum Jubilee (Thursday)
}

# Additional one-off bank holidays proclaimed for a single year.
_EXTRA: frozenset[date] = frozenset(
    {
        date(1999, 12, 31),  # Millennium
        date(2002, 6, 3),  # Golden Jubilee
        date(2011, 4, 29),  # Royal wedding
        date(2012, 6, 5),  # Diamond Jubilee
        date(2022, 6, 3),  # Platinum Jubilee
        date(2022, 9, 19),  # State funeral of Queen Elizabeth II
        date(2023, 5, 8),  # Coronation of King Charles III
    }
)


def easter_sunday(year: int) -> date:
    """Easter Day in the Gregorian calendar (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month, day = divmod(h + weekday_shift - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_monday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(_MONDAY - first.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last = next_month - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - _MONDAY) % 7)


def _with_substitutes(days: list[date], taken: set[date]) -> list[date]:
    """Move each fixed holiday that falls at a weekend to the next free weekday.

    Weekday holidays keep their day first, so Christmas on a Sunday is made up on the Tuesday
    when Boxing Day already holds the Monday (2022-12-27), and both move when both fall at a
    weekend (2021-12-27 and 2021-12-28).
    """
    result = [d for d in days if d.weekday() < _SATURDAY]
    occupied = taken | set(result)
    for day in days:
        if day.weekday() < _SATURDAY:
            continue
        substitute = day
        while substitute.weekday() >= _SATURDAY or substitute in occupied:
            substitute += timedelta(days=1)
        occupied.add(substitute)
        result.append(substitute)
    return result


@lru_cache(maxsize=512)
def bank_holidays(year: int) -> frozenset[date]:
    """Every bank holiday in England and Wales in `year`, substitute days included."""
    easter = easter_sunday(year)
    regular = {
        "good_friday": easter - timedelta(days=2),
        "easter_monday": easter + timedelta(days=1),
        "early_may": _first_monday(year, 5),
        "spring": _last_monday(year, 5),
        "summer": _last_monday(year, 8),
    }
    days = {_MOVED.get((year, name), day) for name, day in regular.items()}
    days.update(d for d in _EXTRA if d.year == year)
    days.update(_with_substitutes([date(year, 1, 1)], set(days)))
    days.update(_with_substitutes([date(year, 12, 25), date(year, 12, 26)], set(days)))
    return frozenset(days)


def is_bank_holiday(day: date) -> bool:
    """True when `day` is a bank holiday in England and Wales."""
    return day in bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    """True for Monday to Friday unless a bank holiday in England and Wales."""
    return day.weekday() < _SATURDAY and not is_bank_holiday(day)


def working_day_on_or_after(day: date) -> date:
    """`day` itself if it is a working day, else the next working day."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def next_working_day(day: date) -> date:
    """The first working day strictly after `day`."""
    return working_day_on_or_after(day + timedelta(days=1))


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (the day of the event itself is not counted).

    A duty "within 3 working days" of being told on a Friday therefore ends on the Wednesday;
    told on a Saturday, it also ends on the Wednesday.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    for _ in range(days):
        day = next_working_day(day)
    return day
