"""When each request arrives, how it ends, and when: the calibrated core of the demo.

Built by construction, in four steps, so that `ehcflow kpis` lands on the report's figures
for every seed rather than by luck:

1. Arrivals: exactly the number of requests of `targets.REQUESTS_RECEIVED` in each calendar
   year, spread over months with a school-year shape (fewer in August and December).
2. Fates: each half-year's requests split by quota into not assessed, assessed without a plan,
   closed (withdrawn or moved away) and plan, with the DfE shares of the year.
3. Durations: a plan either follows its natural course (about 16-18 weeks: the service keeps
   up) or waits in the queue; a queued plan is finalised when its age reaches the queue's
   wait on that date, `WAIT_WEEKS` (report 000 table 3 drawn as a curve), plus noise. How
   many follow the natural course depends on the date (`ON_TIME_SHARE`). From mid-August
   2023 new requests are handled by the restructured service while the backlog project
   (report 000 para 16, from September 2023) clears the queue.
4. Quotas: deterministic adjustments on top of the draws, each changing as few requests as
   possible and as little as possible: the backlog at 31 July 2023 by age band (report 000
   table 4), then the % within 20 weeks of each year (table 1 / DfE), then the average weeks
   of each month of table 3 by moving final dates within their month.

Longer than 500 lines on purpose: the calibration of the demo's history to the published
figures is one procedure in three passes (described above).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction

import numpy as np

from ehcflow.casework.identifiers import case_reference
from ehcflow.demo import targets
from ehcflow.demo.common import (
    at,
    curve,
    largest_remainder,
    month_end,
    stream,
    working_day_between,
    working_days_between,
    working_on_or_after,
    working_on_or_before,
)
from ehcflow.statutory.exceptions import CORONAVIRUS_END, CORONAVIRUS_START
from ehcflow.statutory.rounding import round_half_up

FINAL_PLAN_DAYS = 140  # reg 13(2): 20 weeks
MIN_PLAN_DAYS = 91  # the quickest realistic assessment: decision, 6 weeks' advice, 15 days
NEW_PATHWAY_FROM = date(2023, 8, 1)


class Fate(StrEnum):
    """How a request ends (docs/domain/measures.md, "Requests and their state at a date")."""

    NOT_ASSESSED = "not_assessed"
    NO_PLAN = "no_plan"
    CLOSED = "closed"
    PLAN = "plan"


# Arrivals by month (Jan..Dec): requests follow the school year, with a dip in August and at
# Christmas. 2023 is front-loaded: report 000 table 4 has 205 requests aged 20-30 weeks still
# open on 31 July 2023, i.e. nearly every request of January to mid-March.
MONTH_WEIGHTS = (1.15, 1.10, 1.20, 0.85, 1.10, 1.10, 1.00, 0.45, 0.85, 1.10, 1.15, 0.75)
MONTH_WEIGHTS_2023 = (97, 93, 100, 60, 88, 84, 74, 33, 62, 80, 78, 54)

# (not assessed, assessed without a plan, closed) shares; the rest lead to a plan. DfE
# requests.csv / assessments.csv for BCP: 2019 114 of 541 not assessed, 2020 101 of 481,
# 2021 79 of 592, 2022 95 of 837, 2023 354 of 903 (most in the second half-year, when the
# backlog project screened requests), 2024 295 of 1230 and 15.5% of assessments no plan.
FATE_SHARES: dict[tuple[int, int], tuple[float, float, float]] = {
    (2018, 2): (0.20, 0.035, 0.02),
    (2019, 1): (0.21, 0.035, 0.02),
    (2019, 2): (0.21, 0.035, 0.02),
    (2020, 1): (0.21, 0.035, 0.02),
    (2020, 2): (0.21, 0.035, 0.02),
    (2021, 1): (0.135, 0.04, 0.02),
    (2021, 2): (0.135, 0.04, 0.02),
    (2022, 1): (0.115, 0.03, 0.02),
    (2022, 2): (0.115, 0.03, 0.02),
    (2023, 1): (0.15, 0.05, 0.015),
    (2023, 2): (0.45, 0.07, 0.01),
    (2024, 1): (0.24, 0.12, 0.01),
    (2024, 2): (0.24, 0.12, 0.01),
}
RECOVERY_FATE_SHARES = (0.24, 0.10, 0.015)

# Share of decisions whether to assess made within 6 weeks, by request date. DfE 2023 50.9%,
# 2024 98.2%; the winter 2022/23 decision backlog is what keeps the report's 205 requests of
# January-March 2023 open at week 20-30.
DECISION_IN_6_WEEKS = curve([
    (date(2018, 9, 1), 0.88), (date(2019, 9, 1), 0.85), (date(2020, 3, 1), 0.70),
    (date(2021, 1, 1), 0.65), (date(2022, 1, 1), 0.55), (date(2022, 9, 1), 0.35),
    (date(2022, 10, 15), 0.15), (date(2023, 4, 15), 0.15), (date(2023, 7, 1), 0.50),
    (date(2023, 9, 1), 0.85), (date(2024, 1, 1), 0.97), (date(2025, 1, 1), 0.95),
    (date(2040, 1, 1), 0.95),
])
LATE_DECISION_MEAN_DAYS = curve([
    (date(2018, 9, 1), 12), (date(2021, 1, 1), 20), (date(2022, 6, 1), 30),
    (date(2022, 10, 15), 120), (date(2023, 4, 15), 120), (date(2023, 8, 1), 30),
    (date(2024, 1, 1), 10), (date(2040, 1, 1), 10),
])

# The natural length of an assessment when the service keeps up, by request date (weeks).
NATURAL_MEAN_WEEKS = curve([
    (date(2018, 9, 1), 16.0), (date(2019, 6, 1), 16.2), (date(2019, 9, 1), 17.5),
    (date(2023, 7, 31), 17.5), (date(2023, 8, 1), 16.6), (date(2024, 6, 30), 16.6),
    (date(2024, 12, 31), 17.8), (date(2025, 6, 1), 18.2), (date(2026, 6, 1), 18.4),
    (date(2040, 1, 1), 18.4),
])
NATURAL_SD_WEEKS = curve([
    (date(2018, 9, 1), 2.2), (date(2019, 9, 1), 2.6), (date(2024, 6, 30), 2.6),
    (date(2025, 3, 1), 3.2), (date(2040, 1, 1), 3.2),
])

# Share of plans finalised on their natural course, by the date they are ready: report 000
# table 1 (91.3% in 2019 falling to 21.9% in 2020) and table 2 (16% in February 2022, 3.1%
# in May, 5.6% in August, none from November 2022).
ON_TIME_SHARE = curve([
    (date(2018, 9, 1), 1.0), (date(2019, 8, 31), 1.0), (date(2019, 10, 15), 0.55),
    (date(2020, 1, 15), 0.30), (date(2020, 4, 1), 0.18), (date(2020, 12, 15), 0.22),
    (date(2021, 3, 1), 0.34), (date(2021, 11, 1), 0.30), (date(2022, 2, 1), 0.15),
    (date(2022, 5, 1), 0.03), (date(2022, 8, 1), 0.05), (date(2022, 10, 15), 0.0),
    (date(2040, 1, 1), 0.0),
])

# How long a queued plan waits, by the date it is finalised (weeks): report 000 table 3 for
# July 2022 to July 2023, set a little under the month's average because on-time plans and
# the noise pull the mean; then the backlog project brings it down from September 2023.
WAIT_WEEKS = curve([
    (date(2018, 9, 1), 21.0), (date(2019, 9, 1), 21.5), (date(2019, 12, 1), 23.5),
    (date(2020, 4, 1), 26.0), (date(2020, 9, 1), 29.5), (date(2020, 12, 31), 28.5),
    (date(2021, 6, 1), 27.0), (date(2021, 12, 31), 29.5), (date(2022, 4, 1), 31.5),
    (date(2022, 7, 15), 35.5), (date(2022, 8, 15), 38.2), (date(2022, 9, 15), 36.5),
    (date(2022, 10, 15), 36.8), (date(2022, 11, 15), 41.1), (date(2022, 12, 15), 42.3),
    (date(2023, 1, 15), 42.8), (date(2023, 2, 15), 42.8), (date(2023, 3, 15), 42.2),
    (date(2023, 4, 15), 43.5), (date(2023, 5, 15), 45.5), (date(2023, 6, 15), 45.5),
    (date(2023, 7, 15), 44.0), (date(2023, 8, 15), 44.5), (date(2023, 9, 15), 40.0),
    (date(2023, 10, 15), 34.0), (date(2023, 11, 15), 29.0), (date(2023, 12, 15), 25.0),
    (date(2024, 2, 1), 23.0), (date(2024, 6, 1), 22.0), (date(2040, 1, 1), 22.0),
])
WAIT_NOISE_WEEKS = 3.0
COMPLEX_CASE_SHARE = 0.04  # tribunal, missing advice, a change of placement: much longer

# Plans to which a statutory exception applied, by request year (SEN2 Week20). DfE counts
# for BCP: 10 of 344 plans in 2019; the coronavirus exception (SI 2020/471, May-September
# 2020) covered 31 of 264 plans in 2020; a few per cent otherwise.
EXCEPTION_SHARE: dict[int, float] = {2018: 0.03, 2019: 0.03, 2020: 0.02, 2021: 0.06,
                                     2022: 0.05, 2023: 0.03, 2024: 0.05}
RECOVERY_EXCEPTION_SHARE = 0.04
CORONAVIRUS_SHARE = 0.22  # of plans whose 20 weeks overlapped the coronavirus period


@dataclass
class RequestTimeline:
    """One initial request: when it came, how and when it ends (perhaps after today)."""

    index: int
    case_ref: str
    received: date
    fate: Fate
    exit: date
    decision_days: int
    natural_days: int
    exception: bool = False
    coronavirus: bool = False
    queued: bool = False

    @property
    def days(self) -> int:
        return (self.exit - self.received).days

    @property
    def on_time(self) -> bool:
        return self.fate is Fate.PLAN and self.days <= FINAL_PLAN_DAYS


def _year_total(year: int, scale: float) -> tuple[int, list[float]]:
    weights = list(MONTH_WEIGHTS_2023 if year == 2023 else MONTH_WEIGHTS)
    if year < targets.HISTORY_STARTS.year:
        return 0, weights
    if year == targets.HISTORY_STARTS.year:
        first = targets.HISTORY_STARTS.month - 1
        share = sum(weights[first:]) / sum(weights)
        weights = [0.0] * first + weights[first:]
        return round(targets.requests_for_year(year) * share * scale), weights
    return round(targets.requests_for_year(year) * scale), weights


def arrivals(seed: int, year: int, scale: float) -> list[date]:
    """The year's request dates: exactly the year's total, on working days."""
    total, weights = _year_total(year, scale)
    rng = stream(seed, "arrivals", year)
    days: list[date] = []
    for month, count in enumerate(largest_remainder(total, weights), start=1):
        choices = working_days_between(date(year, month, 1), month_end(year, month))
        picks = rng.integers(len(choices), size=count)
        days.extend(choices[int(p)] for p in picks)
    return sorted(days)


def _fate_shares(year: int, half: int) -> tuple[float, float, float]:
    return FATE_SHARES.get((year, half), RECOVERY_FATE_SHARES)


def _fates(seed: int, year: int, received: Sequence[date]) -> list[Fate]:
    fates: list[Fate] = [Fate.PLAN] * len(received)
    rng = stream(seed, "fates", year)
    for half in (1, 2):
        members = [i for i, day in enumerate(received) if (day.month > 6) == (half == 2)]
        if not members:
            continue
        na, np_, cl = _fate_shares(year, half)
        counts = largest_remainder(len(members), [na, np_, cl, 1 - na - np_ - cl])
        pool = [Fate.NOT_ASSESSED] * counts[0] + [Fate.NO_PLAN] * counts[1]
        pool += [Fate.CLOSED] * counts[2] + [Fate.PLAN] * counts[3]
        for i, fate in zip(members, rng.permutation(np.array(pool, dtype=object)), strict=True):
            fates[i] = Fate(fate)
    return fates


def _solve_queue(received: np.ndarray, floor: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """Final dates (ordinals) f with f = received + max(7 * WAIT(f) + noise, floor).

    A fixed point: the wait changes by less than a week per week, so the map contracts.
    """
    final = received + 7 * at(WAIT_WEEKS, received + 7 * 30)
    for _ in range(40):
        final = received + np.maximum(7 * at(WAIT_WEEKS, final) + noise, floor)
    return np.rint(final).astype(int)


def _draw_year(seed: int, year: int, start_index: int, scale: float) -> list[RequestTimeline]:
    received = arrivals(seed, year, scale)
    if not received:
        return []
    fates = _fates(seed, year, received)
    n = len(received)
    rng = stream(seed, "durations", year)
    ordinals = np.array([d.toordinal() for d in received])
    in_6 = rng.random(n) < at(DECISION_IN_6_WEEKS, ordinals)
    quick = rng.integers(18, 43, size=n)
    slow = 43 + rng.exponential(1.0, size=n) * at(LATE_DECISION_MEAN_DAYS, ordinals)
    decision_days = np.where(in_6, quick, np.rint(slow)).astype(int)
    natural = np.maximum(
        MIN_PLAN_DAYS - 7,
        np.rint(7 * rng.normal(at(NATURAL_MEAN_WEEKS, ordinals), at(NATURAL_SD_WEEKS, ordinals))),
    ).astype(int)
    path_draw = rng.random(n)
    noise = 7 * rng.normal(0.0, WAIT_NOISE_WEEKS, size=n)
    complex_case = rng.random(n) < COMPLEX_CASE_SHARE
    noise = noise + np.where(complex_case, 7 * rng.uniform(5, 16, size=n), 0.0)
    closing_share = rng.uniform(0.1, 0.9, size=n)

    ready = ordinals + natural
    new_pathway = ordinals >= NEW_PATHWAY_FROM.toordinal()
    natural_course = new_pathway | (path_draw < at(ON_TIME_SHARE, ready))
    queued_final = _solve_queue(ordinals, natural + 7, noise)
    plan_days = np.where(natural_course, natural, queued_final - ordinals)

    items: list[RequestTimeline] = []
    for i, day in enumerate(received):
        fate = fates[i]
        days = int(plan_days[i])
        if fate is Fate.NOT_ASSESSED:
            days = int(decision_days[i])
        elif fate is Fate.NO_PLAN:
            days = max(int(decision_days[i]) + 28, round(0.85 * days))
        elif fate is Fate.CLOSED:
            days = max(7, round(float(closing_share[i]) * days))
        exit_day = working_on_or_after(day + timedelta(days=days))
        items.append(RequestTimeline(
            index=start_index + i, case_ref=case_reference(day.year, i + 1), received=day,
            fate=fate, exit=exit_day, decision_days=int(decision_days[i]),
            natural_days=int(natural[i]), queued=not bool(natural_course[i]),
        ))
    _apply_exceptions(seed, year, items)
    return items


def _apply_exceptions(seed: int, year: int, items: list[RequestTimeline]) -> None:
    """Mark the year's exception plans by quota and add the time the exception cost."""
    plans = [t for t in items if t.fate is Fate.PLAN]
    if not plans:
        return
    rng = stream(seed, "exceptions", year)
    share = EXCEPTION_SHARE.get(year, RECOVERY_EXCEPTION_SHARE)
    chosen = rng.permutation(len(plans))[: round(share * len(plans))]
    for k in sorted(int(c) for c in chosen):
        plans[k].exception = True
    # SI 2020/471: the coronavirus exception, for plans whose 20 weeks ran into May-September
    # 2020 (the request received by 25 September, its deadline on or after 1 May).
    covid = [t for t in plans if not t.exception
             and t.received <= CORONAVIRUS_END
             and t.received + timedelta(days=FINAL_PLAN_DAYS) >= CORONAVIRUS_START]
    if covid:
        picks = rng.permutation(len(covid))[: round(CORONAVIRUS_SHARE * len(covid))]
        for k in sorted(int(c) for c in picks):
            covid[k].exception = covid[k].coronavirus = True
    for t in plans:
        if t.exception:
            extra = int(rng.integers(28, 71))
            t.exit = working_on_or_after(t.exit + timedelta(days=extra))


def draw(seed: int, last_year: int, scale: float = 1.0) -> list[RequestTimeline]:
    """Every request from September 2018 to the end of `last_year`, before the quotas."""
    items: list[RequestTimeline] = []
    for year in range(targets.HISTORY_STARTS.year, last_year + 1):
        items.extend(_draw_year(seed, year, len(items), scale))
    return items


# --- quota adjustments ------------------------------------------------------------------


def _band_of(t: RequestTimeline, on: date) -> int | None:
    """Which backlog band of report 000 table 4 a request's age at `on` falls in."""
    age = (on - t.received).days
    if age > 350:
        return 50
    if age > 210:
        return 30
    if age > 140:
        return 20
    return None


_MOVE_ORDER = {Fate.NOT_ASSESSED: 0, Fate.CLOSED: 1, Fate.NO_PLAN: 2, Fate.PLAN: 3}
_OLDEST_ORDER = {Fate.PLAN: 0, Fate.NO_PLAN: 1, Fate.CLOSED: 2, Fate.NOT_ASSESSED: 3}


def fit_backlog(seed: int, items: list[RequestTimeline], scale: float = 1.0) -> None:
    """Make the open requests at 31 July 2023 exactly report 000 table 4, band by band.

    Bands by age: over 50 weeks (20), 30-50 weeks (192 - 20), 20-30 weeks (397 - 192).
    A surplus is closed by ending the requests that end soonest after the date on or just
    before it; a shortfall reopens those that ended just before it, ending them just after.
    Decisions not to assess move first, then closures and no-plan decisions, and plans last,
    because those carry the timeliness figures.
    """
    on = targets.BACKLOG_DATE
    wanted = {
        50: round(targets.BACKLOG_OVER_50_WEEKS * scale),
        30: round((targets.BACKLOG_OVER_30_WEEKS - targets.BACKLOG_OVER_50_WEEKS) * scale),
        20: round((targets.BACKLOG_OVER_20_WEEKS - targets.BACKLOG_OVER_30_WEEKS) * scale),
    }
    rng = stream(seed, "fit-backlog")
    for band, target in wanted.items():
        members = [t for t in items if _band_of(t, on) == band]
        open_ = [t for t in members if t.exit > on]
        surplus = len(open_) - target
        if surplus > 0:
            # The oldest go first, as a service clearing its queue would.
            chosen = sorted(open_, key=lambda t: (_MOVE_ORDER[t.fate], t.received, t.index))
            for t in chosen[:surplus]:
                earliest = max(t.received + timedelta(days=FINAL_PLAN_DAYS + 1),
                               on - timedelta(days=45))
                if t.fate is not Fate.PLAN:
                    earliest = max(t.received + timedelta(days=7), on - timedelta(days=40))
                t.exit = working_day_between(rng, earliest, on)
                if t.exit > on:  # no working day in range: fall back to the date itself
                    t.exit = working_on_or_before(on)
        elif surplus < 0:
            ended = [t for t in members if t.exit <= on]
            # Over 50 weeks are "a few cases" (report 000 para 14): complex plans, not
            # decisions not to assess left for a year.
            order = _OLDEST_ORDER if band == 50 else _MOVE_ORDER
            chosen = sorted(ended, key=lambda t: (order[t.fate], -t.exit.toordinal(),
                                                  t.index))
            for t in chosen[:-surplus]:
                t.exit = working_day_between(rng, on + timedelta(days=1), on + timedelta(days=35))


def _protected(day: date) -> bool:
    """Months whose average weeks to issue report 000 table 3 fixes."""
    return (day.year, day.month) in targets.AVG_WEEKS_TO_ISSUE_BY_MONTH


def _same_side(a: date, b: date) -> bool:
    on = targets.BACKLOG_DATE
    return (a <= on) == (b <= on)


def fit_timeliness(seed: int, items: list[RequestTimeline]) -> None:
    """Make each year's % within 20 weeks (excluding exceptions) land on its target.

    Moves the fewest plans across the 20-week line, each by the least time: a late plan
    nearest the deadline is finalised on or just before its deadline, or an on-time plan
    nearest it a few days after. A moved plan stays in its calendar year, on the same side
    of 31 July 2023 (the backlog date) and, where possible, out of report 000 table 3's
    months.
    """
    rng = stream(seed, "fit-timeliness")
    for year, pct in targets.PCT_WITHIN_20_WEEKS_EXCL_EXCEPTIONS.items():
        plans = [t for t in items if t.fate is Fate.PLAN and not t.exception
                 and t.exit.year == year]
        if not plans:
            continue
        within = sum(1 for t in plans if t.on_time)
        wanted = closest_count(pct, len(plans))
        first, last = date(year, 1, 1), date(year, 12, 31)
        if within < wanted:
            earliest, latest = MIN_PLAN_DAYS, FINAL_PLAN_DAYS  # pull into the 20 weeks
            candidates = [t for t in plans if not t.on_time]
        else:
            earliest, latest = FINAL_PLAN_DAYS + 1, FINAL_PLAN_DAYS + 15  # push just past them
            candidates = [t for t in plans if t.on_time]
        windows = {t.index: (max(t.received + timedelta(days=earliest), first),
                             min(t.received + timedelta(days=latest), last))
                   for t in candidates}
        moves = _moves(candidates, windows, latest=within < wanted, rng=rng,
                       count=abs(wanted - within))
        for t, day in moves:
            t.exit = day


def closest_count(pct: float, total: int) -> int:
    """The count out of `total` whose percentage, to one decimal, is nearest `pct`."""
    base = int(pct * total / 100)
    options = [k for k in (base - 1, base, base + 1, base + 2) if 0 <= k <= total]
    return min(options, key=lambda k: (abs(round_half_up(Fraction(100 * k, total)) - pct), k))


def _moves(
    candidates: Iterable[RequestTimeline],
    windows: dict[int, tuple[date, date]],
    *,
    latest: bool,
    rng: np.random.Generator,
    count: int,
) -> list[tuple[RequestTimeline, date]]:
    """Up to `count` (plan, new final date) moves into each plan's window, nearest first."""
    if count <= 0:
        return []
    options: list[tuple[tuple[int, int, int], RequestTimeline, date]] = []
    for t in candidates:
        lo, hi = windows[t.index]
        lo, hi = working_on_or_after(lo), working_on_or_before(hi)
        if lo > hi:
            continue
        # Just inside the deadline when pulling forward, just past it when pushing back.
        day = working_on_or_before(hi - timedelta(days=int(rng.integers(0, 8)))) if latest \
            else working_on_or_after(lo + timedelta(days=int(rng.integers(0, 8))))
        day = min(max(day, lo), hi)
        if not _same_side(t.exit, day):
            continue
        distance = abs((t.exit - day).days)
        protected = int(_protected(t.exit) or _protected(day))
        options.append(((protected, distance, t.index), t, day))
    options.sort(key=lambda option: option[0])
    return [(t, day) for _, t, day in options[:count]]


def fit_monthly_waits(items: list[RequestTimeline]) -> None:
    """Make each month of report 000 table 3 average its weeks to issue, within the month.

    Moves the final dates of the month's late plans later (or earlier) inside the month, in
    proportion to how far each can go, so no plan changes month, year, side of the backlog
    date, or whether it was within 20 weeks.
    """
    for (year, month), weeks in targets.AVG_WEEKS_TO_ISSUE_BY_MONTH.items():
        first, last = date(year, month, 1), month_end(year, month)
        plans = [t for t in items if t.fate is Fate.PLAN and first <= t.exit <= last]
        if not plans:
            continue
        total = sum(t.days for t in plans)
        shift = round(weeks * 7 * len(plans)) - total
        movable = [t for t in plans if not t.on_time]
        for _ in range(3):  # snapping to working days leaves a little each round
            if shift == 0 or not movable:
                break
            shift -= _spread_shift(movable, shift, first, last)


def _spread_shift(plans: list[RequestTimeline], shift: int, first: date, last: date) -> int:
    """Move final dates by `shift` days in all, shared by room; returns the days moved."""
    def room(t: RequestTimeline) -> int:
        if shift > 0:
            return (working_on_or_before(last) - t.exit).days
        floor = max(first, t.received + timedelta(days=FINAL_PLAN_DAYS + 1))
        return (t.exit - working_on_or_after(floor)).days

    rooms = [max(0, room(t)) for t in plans]
    capacity = sum(rooms)
    if capacity == 0:
        return 0
    fraction = min(1.0, abs(shift) / capacity)
    moved = 0
    for t, r in zip(plans, rooms, strict=True):
        step = round(r * fraction)
        if step == 0:
            continue
        target = t.exit + timedelta(days=step if shift > 0 else -step)
        new = working_on_or_before(target) if shift > 0 else working_on_or_after(target)
        new = min(max(new, first), last)
        if new.toordinal() - t.received.toordinal() <= FINAL_PLAN_DAYS:
            continue
        moved += (new - t.exit).days
        t.exit = new
    return moved


def build(seed: int, last_year: int, scale: float = 1.0) -> list[RequestTimeline]:
    """Every request's timeline, drawn and then fitted to the report's figures."""
    items = draw(seed, last_year, scale)
    fit_backlog(seed, items, scale)
    fit_timeliness(seed, items)
    fit_monthly_waits(items)
    return items
