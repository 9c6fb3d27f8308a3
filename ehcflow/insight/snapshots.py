"""Daily snapshots: the measures recorded each night, so past trends survive later edits.

`snapshot_take` records one day; `snapshot_backfill` fills the days before the first night
from the records as they stand (marked `backfilled`). Both are idempotent: a snapshot of a past
day is never rewritten (that is the point of keeping it), and today's is replaced by a later
run the same day, so running either twice leaves one row per day.

The figures are those of `ehcflow kpis` (`casework.selectors.kpis`) for the 12 months to the
day and for the calendar month to the day, the backlog by age band (`figures.backlog_series`,
proved equal to `selectors.backlog`), plans maintained and case-officer FTE.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ehcflow.casework import selectors as casework
from ehcflow.insight import figures
from ehcflow.insight.models import Snapshot
from ehcflow.insight.tables import long_date
from ehcflow.statutory.periods import Period

BACKFILL_DAILY_DAYS = 92  # every day of the last three months; month ends before that


class NoData(ValueError):
    """The date asked for is before any request on record; the message says what there is."""


def check_as_of(as_of: date) -> date:
    """The first request's date, or NoData when `as_of` comes before it (or nothing exists)."""
    first = figures.first_request_date()
    if first is None:
        raise NoData("There are no requests on record yet, so there are no figures to show.")
    if as_of < first:
        raise NoData(f"There are no figures for {long_date(as_of)}: the first request on "
                     f"record was received on {long_date(first)}. Choose that date or a later "
                     "one.")
    return first


def month_to_date(on: date) -> Period:
    return Period(on.replace(day=1), on)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def month_ends(first: date, last: date) -> list[date]:
    """Every month end from `first`'s month to `last` (inclusive, ≤ last)."""
    out = []
    year, month = first.year, first.month
    while True:
        end = month_end(year, month)
        if end > last:
            break
        out.append(end)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _rows(days: Sequence[date], *, backfilled: bool) -> list[Snapshot]:
    bands = figures.backlog_series(days)
    plans = figures.plans_maintained_series(days)
    fte = figures.officer_fte_series(days)
    rows = []
    for day, band, maintained, officers in zip(days, bands, plans, fte, strict=True):
        rows.append(Snapshot(
            on=day, backfilled=backfilled, open=band.open, up_to_6_weeks=band.up_to_6,
            over_6_to_20_weeks=band.over_6_to_20, over_20_to_30_weeks=band.over_20_to_30,
            over_30_to_50_weeks=band.over_30_to_50, over_50_weeks=band.over_50,
            plans_maintained=maintained,
            officer_fte=Decimal(str(round(officers, 2))),
            kpis_12_months=dict(casework.kpis(as_of=day).as_dict()),
            kpis_month=dict(casework.kpis(as_of=day, period=month_to_date(day)).as_dict()),
        ))
    return rows


@dataclass(frozen=True)
class SnapshotResult:
    on: date
    created: bool
    replaced: bool


def snapshot_take(*, on: date | None = None) -> SnapshotResult:
    """Record the figures of `on` (default today). Today's is replaced; a past day's is kept.

    Raises NoData when `on` comes before the first request on record.
    """
    today = timezone.localdate()
    day = on or today
    check_as_of(day)
    existing = Snapshot.objects.filter(on=day).first()
    if existing is not None and day < today:
        return SnapshotResult(on=day, created=False, replaced=False)
    (row,) = _rows([day], backfilled=day < today)
    with transaction.atomic():
        Snapshot.objects.filter(on=day).delete()
        row.save()
    return SnapshotResult(on=day, created=existing is None, replaced=existing is not None)


def backfill_days(*, first: date, until: date, daily_days: int = BACKFILL_DAILY_DAYS
                  ) -> list[date]:
    """Month ends from the first request to `until`, then every day of the last `daily_days`."""
    days = set(month_ends(first, until))
    start = max(first, until - timedelta(days=daily_days - 1))
    days.update(start + timedelta(days=n) for n in range((until - start).days + 1))
    return sorted(d for d in days if first <= d <= until)


def snapshot_backfill(*, until: date | None = None, daily_days: int = BACKFILL_DAILY_DAYS,
                      batch: int = 50) -> int:
    """Fill every missing backfill day before today (see `backfill_days`); the number created.

    Days already recorded are left as they are, so a second run creates nothing.
    """
    today = timezone.localdate()
    last = min(until or today - timedelta(days=1), today - timedelta(days=1))
    first = figures.first_request_date()
    if first is None or last < first:
        return 0
    have = set(Snapshot.objects.filter(on__range=(first, last)).values_list("on", flat=True))
    wanted = [d for d in backfill_days(first=first, until=last, daily_days=daily_days)
              if d not in have]
    created = 0
    for chunk in _chunks(wanted, batch):
        rows = _rows(chunk, backfilled=True)
        with transaction.atomic():
            taken = set(Snapshot.objects.filter(on__in=chunk).values_list("on", flat=True))
            fresh = [r for r in rows if r.on not in taken]
            Snapshot.objects.bulk_create(fresh)
        created += len(fresh)
    return created


def _chunks(days: list[date], size: int) -> Iterable[list[date]]:
    for start in range(0, len(days), size):
        yield days[start:start + size]


def recorded(days: Iterable[date]) -> dict[date, Snapshot]:
    """The snapshots of these days that exist."""
    return {s.on: s for s in Snapshot.objects.filter(on__in=list(days))}
