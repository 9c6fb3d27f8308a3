"""Every measure of docs/domain/measures.md, over plain records.

Each function is the definition: dashboards, the SEN2 return and the planner count with these
functions or with SQL that tests prove equal to them. Percentages and averages are rounded
half up to one decimal place and are None when there is nothing to divide by.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import TypedDict

from ehcflow.statutory import clock
from ehcflow.statutory.advice import AdviceRecord, AdviceTimeliness, advice_returned_within_6_weeks
from ehcflow.statutory.periods import Period, calendar_month, calendar_year, twelve_months_ending
from ehcflow.statutory.records import PlanRecord, RequestRecord, RequestState, is_open, state_on
from ehcflow.statutory.rounding import round_half_up

__all__ = [
    "OVER_20_WEEKS_DAYS",
    "OVER_30_WEEKS_DAYS",
    "OVER_50_WEEKS_DAYS",
    "AdviceRecord",
    "AdviceTimeliness",
    "Backlog",
    "BacklogDict",
    "Kpis",
    "KpisDict",
    "Period",
    "PeriodDict",
    "PlanRecord",
    "RequestRecord",
    "RequestState",
    "advice_returned_within_6_weeks",
    "avg_weeks_to_issue",
    "backlog",
    "calendar_month",
    "calendar_year",
    "decisions_made",
    "decisions_within_6_weeks",
    "growth_pct",
    "is_open",
    "issued_within_20_weeks",
    "issued_within_20_weeks_excl_exceptions",
    "kpis",
    "new_plans",
    "open_requests",
    "pct_decisions_within_6_weeks",
    "pct_within_20_weeks",
    "pct_within_20_weeks_excl_exceptions",
    "per_fte",
    "percentage",
    "plans_issued",
    "plans_issued_excl_exceptions",
    "plans_maintained",
    "requests_received",
    "round_half_up",
    "state_on",
    "twelve_months_ending",
]

OVER_20_WEEKS_DAYS = 20 * clock.DAYS_PER_WEEK
OVER_30_WEEKS_DAYS = 30 * clock.DAYS_PER_WEEK
OVER_50_WEEKS_DAYS = 50 * clock.DAYS_PER_WEEK


def percentage(numerator: int, denominator: int) -> float | None:
    """100 * numerator ÷ denominator, one decimal place, None when the denominator is 0."""
    if denominator == 0:
        return None
    return round_half_up(Fraction(100 * numerator, denominator))


# --- Demand -------------------------------------------------------------------------------


def requests_received(records: Iterable[RequestRecord], period: Period) -> int:
    """`requests_received`: initial requests whose request date falls in the period."""
    return sum(1 for r in records if period.contains(r.request_date))


def growth_pct(previous: int, current: int) -> float | None:
    """Growth between two periods' `requests_received`, in percent (docs/domain/measures.md,
    Demand)."""
    return percentage(current - previous, previous)


# --- Timeliness ---------------------------------------------------------------------------


def new_plans(records: Iterable[RequestRecord], period: Period) -> list[RequestRecord]:
    """The new EHC plans of the period: requests whose final plan is dated in it."""
    return [r for r in records if period.contains(r.final_date)]


def _within(record: RequestRecord) -> bool:
    # Only called on new plans, which have a final date.
    assert record.final_date is not None
    return clock.is_within_20_weeks(record.request_date, record.final_date)


def plans_issued(records: Iterable[RequestRecord], period: Period) -> int:
    """`plans_issued`: new EHC plans whose final plan date falls in the period."""
    return len(new_plans(records, period))


def issued_within_20_weeks(records: Iterable[RequestRecord], period: Period) -> int:
    """`issued_within_20_weeks`: new plans issued on or before request + 140 days."""
    return sum(1 for r in new_plans(records, period) if _within(r))


def plans_issued_excl_exceptions(records: Iterable[RequestRecord], period: Period) -> int:
    """New plans of the period to which no statutory exception applied (SEN2 Week20 = 0)."""
    return sum(1 for r in new_plans(records, period) if not r.exception)


def issued_within_20_weeks_excl_exceptions(records: Iterable[RequestRecord], period: Period) -> int:
    """Of `plans_issued_excl_exceptions`, those issued within 20 weeks."""
    return sum(1 for r in new_plans(records, period) if not r.exception and _within(r))


def pct_within_20_weeks(records: Iterable[RequestRecord], period: Period) -> float | None:
    """`pct_within_20_weeks` = 100 * issued_within_20_weeks ÷ plans_issued."""
    plans = new_plans(records, period)
    return percentage(sum(1 for r in plans if _within(r)), len(plans))


def pct_within_20_weeks_excl_exceptions(
    records: Iterable[RequestRecord], period: Period
) -> float | None:
    """`pct_within_20_weeks_excl_exceptions`: exception plans out of both counts.

    DfE's published headline for each local authority is this figure for a calendar year.
    """
    plans = [r for r in new_plans(records, period) if not r.exception]
    return percentage(sum(1 for r in plans if _within(r)), len(plans))


def avg_weeks_to_issue(records: Iterable[RequestRecord], period: Period) -> float | None:
    """`avg_weeks_to_issue`: mean of (final plan date - request date) ÷ 7 over new plans."""
    plans = new_plans(records, period)
    if not plans:
        return None
    total_days = sum((r.final_date - r.request_date).days for r in plans if r.final_date)
    return round_half_up(Fraction(total_days, clock.DAYS_PER_WEEK * len(plans)))


# --- Decisions ----------------------------------------------------------------------------


def decisions_made(records: Iterable[RequestRecord], period: Period) -> int:
    """Decisions whether to assess (either way) dated in the period."""
    return sum(1 for r in records if period.contains(r.decision_date))


def decisions_within_6_weeks(records: Iterable[RequestRecord], period: Period) -> int:
    """Decisions dated in the period and on or before request + 42 days (reg 5(1))."""
    return sum(
        1
        for r in records
        if r.decision_date is not None
        and period.contains(r.decision_date)
        and r.decision_date <= clock.decision_to_assess_due(r.request_date)
    )


def pct_decisions_within_6_weeks(records: Iterable[RequestRecord], period: Period) -> float | None:
    """100 * decisions_within_6_weeks ÷ decisions_made."""
    items = list(records)
    return percentage(decisions_within_6_weeks(items, period), decisions_made(items, period))


# --- Backlog ------------------------------------------------------------------------------


class BacklogDict(TypedDict):
    open: int
    over_20_weeks: int
    over_30_weeks: int
    over_50_weeks: int


@dataclass(frozen=True)
class Backlog:
    """Requests open at a date, and those open for strictly more than 20, 30 and 50 weeks.

    Nested by construction: over_50_weeks ≤ over_30_weeks ≤ over_20_weeks ≤ open.
    """

    open: int
    over_20_weeks: int
    over_30_weeks: int
    over_50_weeks: int

    def as_dict(self) -> BacklogDict:
        return {
            "open": self.open,
            "over_20_weeks": self.over_20_weeks,
            "over_30_weeks": self.over_30_weeks,
            "over_50_weeks": self.over_50_weeks,
        }


def open_requests(records: Iterable[RequestRecord], on: date) -> list[RequestRecord]:
    """Requests open at `on` (docs/domain/measures.md, "open at date D")."""
    return [r for r in records if is_open(r, on)]


def backlog(records: Iterable[RequestRecord], on: date) -> Backlog:
    """The backlog at `on` (report 000, table 4).

    Exactly 140 days is not over 20 weeks: the thresholds are strict (> 140, > 210, > 350).
    """
    ages = [(on - r.request_date).days for r in open_requests(records, on)]
    return Backlog(
        open=len(ages),
        over_20_weeks=sum(1 for age in ages if age > OVER_20_WEEKS_DAYS),
        over_30_weeks=sum(1 for age in ages if age > OVER_30_WEEKS_DAYS),
        over_50_weeks=sum(1 for age in ages if age > OVER_50_WEEKS_DAYS),
    )


# --- Caseloads ----------------------------------------------------------------------------


def plans_maintained(plans: Iterable[PlanRecord], on: date) -> int:
    """`plans_maintained`: plans in force at `on` (started by then, not ceased by then).

    A plan ceasing on `on` is no longer maintained that day (SEN2 `CeaseDate` is the day the
    plan ended).
    """
    return sum(
        1 for p in plans if p.start_date <= on and (p.cease_date is None or p.cease_date > on)
    )


def per_fte(count: int, fte: float) -> float | None:
    """`plans_per_officer` / `assessments_per_officer`: count ÷ FTE, one decimal, None at 0 FTE."""
    if fte <= 0:
        return None
    return round_half_up(Fraction(count) / Fraction(repr(float(fte))))


# --- The headline figures -----------------------------------------------------------------

PeriodDict = TypedDict("PeriodDict", {"from": str, "to": str})


class KpisDict(TypedDict):
    as_of: str
    period: PeriodDict
    requests_received: int
    plans_issued: int
    issued_within_20_weeks: int
    pct_within_20_weeks: float | None
    pct_within_20_weeks_excl_exceptions: float | None
    avg_weeks_to_issue: float | None
    backlog: BacklogDict
    plans_issued_excl_exceptions: int
    issued_within_20_weeks_excl_exceptions: int
    decisions_made: int
    decisions_within_6_weeks: int
    pct_decisions_within_6_weeks: float | None


@dataclass(frozen=True)
class Kpis:
    """The headline figures at an as-of date over a period (the `ehcflow kpis` command)."""

    as_of: date
    period: Period
    requests_received: int
    plans_issued: int
    issued_within_20_weeks: int
    pct_within_20_weeks: float | None
    plans_issued_excl_exceptions: int
    issued_within_20_weeks_excl_exceptions: int
    pct_within_20_weeks_excl_exceptions: float | None
    avg_weeks_to_issue: float | None
    backlog: Backlog
    decisions_made: int
    decisions_within_6_weeks: int
    pct_decisions_within_6_weeks: float | None

    def as_dict(self) -> KpisDict:
        """The JSON object of `ehcflow kpis --json`: ISO dates, None for null."""
        return {
            "as_of": self.as_of.isoformat(),
            "period": {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()},
            "requests_received": self.requests_received,
            "plans_issued": self.plans_issued,
            "issued_within_20_weeks": self.issued_within_20_weeks,
            "pct_within_20_weeks": self.pct_within_20_weeks,
            "pct_within_20_weeks_excl_exceptions": self.pct_within_20_weeks_excl_exceptions,
            "avg_weeks_to_issue": self.avg_weeks_to_issue,
            "backlog": self.backlog.as_dict(),
            "plans_issued_excl_exceptions": self.plans_issued_excl_exceptions,
            "issued_within_20_weeks_excl_exceptions": self.issued_within_20_weeks_excl_exceptions,
            "decisions_made": self.decisions_made,
            "decisions_within_6_weeks": self.decisions_within_6_weeks,
            "pct_decisions_within_6_weeks": self.pct_decisions_within_6_weeks,
        }


def kpis(records: Iterable[RequestRecord], *, as_of: date, period: Period | None = None) -> Kpis:
    """The headline figures as they stood at `as_of`.

    `period` defaults to the 12 months ending at `as_of`. Events are counted as known at
    `as_of`: where the period runs past `as_of`, only its days up to `as_of` count (a plan
    dated after `as_of` is not yet issued), and a period starting after `as_of` counts
    nothing. The backlog is taken at `as_of` over requests received by then. `period` in the
    result is the period asked for.
    """
    items = list(records)
    chosen = twelve_months_ending(as_of) if period is None else period
    known = chosen.ending_by(as_of)
    counted = [] if known is None else items
    window = known or chosen
    plans = new_plans(counted, window)
    plans_excl = [r for r in plans if not r.exception]
    within = sum(1 for r in plans if _within(r))
    within_excl = sum(1 for r in plans_excl if _within(r))
    made = decisions_made(counted, window)
    in_time = decisions_within_6_weeks(counted, window)
    return Kpis(
        as_of=as_of,
        period=chosen,
        requests_received=requests_received(counted, window),
        plans_issued=len(plans),
        issued_within_20_weeks=within,
        pct_within_20_weeks=percentage(within, len(plans)),
        plans_issued_excl_exceptions=len(plans_excl),
        issued_within_20_weeks_excl_exceptions=within_excl,
        pct_within_20_weeks_excl_exceptions=percentage(within_excl, len(plans_excl)),
        avg_weeks_to_issue=avg_weeks_to_issue(counted, window),
        backlog=backlog(items, as_of),
        decisions_made=made,
        decisions_within_6_weeks=in_time,
        pct_decisions_within_6_weeks=percentage(in_time, made),
    )
