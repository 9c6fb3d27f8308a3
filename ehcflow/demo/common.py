"""Shared helpers of the demo generator: seeded random streams, working days, curves.

Every random draw comes from a stream named by the seed and a fixed key (a purpose and, where
the volume grows with time, a year or an index). A year's data therefore never depends on
how many later years were generated, so the same seed gives the same past whatever `today`
is, and the same seed and today give an identical database.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache

import numpy as np

from ehcflow.statutory.bank_holidays import is_working_day

CALENDAR_FROM = date(1995, 1, 1)
CALENDAR_TO = date(2045, 12, 31)


def _key(part: int | str) -> int:
    if isinstance(part, int):
        return part
    return zlib.crc32(part.encode())


def stream(seed: int, *keys: int | str) -> np.random.Generator:
    """A random generator for one purpose: independent of every other key's draws."""
    return np.random.default_rng(np.random.SeedSequence([seed, *map(_key, keys)]))


@lru_cache(maxsize=1)
def _working() -> np.ndarray:
    days = (CALENDAR_TO - CALENDAR_FROM).days + 1
    return np.array(
        [is_working_day(CALENDAR_FROM + timedelta(days=n)) for n in range(days)], dtype=bool
    )


@lru_cache(maxsize=1)
def _working_offsets() -> np.ndarray:
    return np.nonzero(_working())[0]


def _offset(day: date) -> int:
    return (day - CALENDAR_FROM).days


def working_on_or_before(day: date) -> date:
    """The day itself if a working day, else the working day before it.

    Letters from the authority are dated on working days, so generated dates snap to them.
    """
    working = _working()
    n = _offset(day)
    while not working[n]:
        n -= 1
    return CALENDAR_FROM + timedelta(days=n)


def working_on_or_after(day: date) -> date:
    """The day itself if a working day, else the next working day."""
    working = _working()
    n = _offset(day)
    while not working[n]:
        n += 1
    return CALENDAR_FROM + timedelta(days=n)


def working_days_between(first: date, last: date) -> list[date]:
    """Working days from `first` to `last`, both included."""
    working = _working()
    lo, hi = _offset(first), _offset(last)
    offsets = np.nonzero(working[lo : hi + 1])[0] + lo
    return [CALENDAR_FROM + timedelta(days=int(n)) for n in offsets]


def working_day_between(rng: np.random.Generator, first: date, last: date) -> date:
    """A random working day in [first, last]; `first` snapped forward if there is none."""
    offsets = _working_offsets()
    lo = int(np.searchsorted(offsets, _offset(first)))
    hi = int(np.searchsorted(offsets, _offset(last), side="right"))
    if hi <= lo:
        return working_on_or_after(first)
    return CALENDAR_FROM + timedelta(days=int(offsets[lo + int(rng.integers(hi - lo))]))


def curve(anchors: Sequence[tuple[date, float]]) -> tuple[np.ndarray, np.ndarray]:
    """Piecewise-linear curve through (date, value) anchors, for `at`."""
    xs = np.array([day.toordinal() for day, _ in anchors], dtype=float)
    ys = np.array([value for _, value in anchors], dtype=float)
    return xs, ys


def at(shape: tuple[np.ndarray, np.ndarray], day: date | int | np.ndarray) -> np.ndarray:
    """Value of a curve on a day (a date, an ordinal or an array of ordinals)."""
    x = day.toordinal() if isinstance(day, date) else day
    return np.interp(x, shape[0], shape[1])


def largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` into integers proportional to `weights` that add up to `total` exactly."""
    w = np.asarray(weights, dtype=float)
    if total <= 0 or w.sum() <= 0:
        return [0] * len(w)
    exact = total * w / w.sum()
    counts = np.floor(exact).astype(int)
    short = total - int(counts.sum())
    # Ties go to the earlier share so the split never depends on floating-point noise.
    order = sorted(range(len(w)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[:short]:
        counts[i] += 1
    return [int(c) for c in counts]


def month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def add_years_safe(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


