"""Calendar arithmetic shared by the engine, the reference model and the metrics.

docs/domain/planner-model.md, "The model": time is measured in days from the scenario's start date,
so day ``d`` runs over the continuous interval ``[d, d + 1)``.  An event at time ``x`` happens on
calendar date ``start + floor(x)``; docs/domain/measures.md counts ages and deadlines in whole
days, so every comparison with a date is made on ``floor`` of the continuous time.

Months: month ``m`` (1-based) is the period from ``start + (m - 1)`` calendar months to the
day before ``start + m`` months.  When the scenario starts on the 1st these are calendar months
(the usual case, and the example's); the label of a month is ``YYYY-MM`` of its first day.
Month ``m``'s figures are "as at" its last day, i.e. continuous time ``T_m = last - start + 1``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from ehcflow.statutory import dates
from ehcflow.statutory.measures import (
    OVER_20_WEEKS_DAYS,
    OVER_30_WEEKS_DAYS,
    OVER_50_WEEKS_DAYS,
)

if TYPE_CHECKING:
    from ehcflow.planner.scenario import Scenario, StaffGroup

FloatArray = npt.NDArray[np.float64]

#: docs/domain/measures.md: a request is *over 20 weeks* at date D when D - request date > 140 days.
DAYS_20_WEEKS = OVER_20_WEEKS_DAYS
DAYS_30_WEEKS = OVER_30_WEEKS_DAYS
DAYS_50_WEEKS = OVER_50_WEEKS_DAYS
#: Days in a year used by the demand formula and the salary accrual (docs/domain/planner-model.md).
DAYS_PER_YEAR = 365.25


#: ``day`` moved by whole calendar months, clamped to the end of a shorter month: the
#: statutory calendar's own rule (`statutory.dates.add_months`), not a second copy of it.
add_months = dates.add_months


@dataclass(frozen=True)
class Months:
    """The projection's months: labels, first and last days and their ends in sim time."""

    start: date
    labels: tuple[str, ...]
    first_days: tuple[date, ...]
    last_days: tuple[date, ...]
    #: ``ends[m]`` is the continuous time at the end of month m+1's last day.
    ends: FloatArray
    #: ``starts[m]`` is the continuous time at the beginning of month m+1.
    starts: FloatArray

    @property
    def count(self) -> int:
        return len(self.labels)

    @property
    def horizon(self) -> float:
        """The end of the last month, in days from the start."""
        return float(self.ends[-1])

    @property
    def end_day_index(self) -> npt.NDArray[np.int64]:
        """Day index (days since the start) of each month's last day."""
        return (self.ends - 1).astype(np.int64)

    def index_of(self, label: str) -> int:
        """1-based month index of a ``YYYY-MM`` label; ValueError if outside the horizon."""
        try:
            return self.labels.index(label) + 1
        except ValueError:
            raise ValueError(
                f"{label} is not one of the projection's months "
                f"({self.labels[0]} to {self.labels[-1]})"
            ) from None


def months_of(start: date, months: int) -> Months:
    firsts = tuple(add_months(start, k) for k in range(months))
    lasts = tuple(add_months(start, k + 1) - timedelta(days=1) for k in range(months))
    ends = np.array([(d - start).days + 1 for d in lasts], dtype=np.float64)
    starts = np.array([(d - start).days for d in firsts], dtype=np.float64)
    labels = tuple(f"{d.year:04d}-{d.month:02d}" for d in firsts)
    return Months(start, labels, firsts, lasts, ends, starts)


@dataclass(frozen=True)
class PostWindow:
    """When a staff group is in post, in continuous days from the scenario start.

    ``start`` is the beginning of the start date (or 0 when omitted / earlier); ``end`` is the
    end of the end date (inclusive, docs/domain/planner-model.md "in post from start to end"), or
    +inf.
    ``ramp_origin`` is where the productivity ramp starts: the group's start date, or the
    scenario start when the group has no start date.
    """

    start: float
    end: float
    ramp_origin: float


def post_window(group: StaffGroup, scenario_start: date) -> PostWindow:
    s = 0.0 if group.start is None else float((group.start - scenario_start).days)
    e = np.inf if group.end is None else float((group.end - scenario_start).days + 1)
    return PostWindow(start=max(s, 0.0), end=e, ramp_origin=s)


def daily_cost(group: StaffGroup) -> float:
    """Cost of one person for one calendar day in post (docs/domain/planner-model.md, "Cost")."""
    if group.cost_per_year is not None:
        return group.cost_per_year / DAYS_PER_YEAR
    assert group.day_rate is not None and group.days_per_week is not None
    return group.day_rate * group.days_per_week / 7.0


def days_in_post_by_month(group: StaffGroup, months: Months) -> FloatArray:
    """Whole days each person of ``group`` is in post within each month (shape (M,))."""
    w = post_window(group, months.start)
    lo = np.clip(w.start, months.starts, months.ends)
    hi = np.clip(w.end, months.starts, months.ends)
    return np.asarray(hi - lo, dtype=np.float64)


def cost_by_month(scenario: Scenario, months: Months | None = None) -> FloatArray:
    """Staff cost accrued in each month: count x daily cost x days in post (deterministic)."""
    months = months or months_of(scenario.start, scenario.months)
    total = np.zeros(months.count)
    for g in scenario.staff:
        total += g.count * daily_cost(g) * days_in_post_by_month(g, months)
    return total


def hours_in_post_by_month(scenario: Scenario, role: str, months: Months) -> FloatArray:
    """Hours the role's staff are in post for, per month (before any overrun past ``end``)."""
    total = np.zeros(months.count)
    for g in scenario.staff:
        if g.role == role:
            total += g.count * g.hours_per_week / 7.0 * days_in_post_by_month(g, months)
    return total


def weekly_rates(scenario: Scenario, horizon: float) -> FloatArray:
    """Expected arrivals in each week k covering the horizon (docs/domain/planner-model.md,
    "Demand").

    lambda_k = requests_per_year x 7 / 365.25 x (1 + growth_per_year) ^ (7k / 365.25),
    times ``seasonality`` of the calendar month holding the week's middle day, when given.
    """
    d = scenario.demand
    weeks = int(np.ceil(horizon / 7.0))
    k = np.arange(weeks, dtype=np.float64)
    base = d.requests_per_year * 7.0 / DAYS_PER_YEAR
    rates = np.asarray(base * (1.0 + d.growth_per_year) ** (7.0 * k / DAYS_PER_YEAR))
    if d.seasonality:
        # school-year seasonality: the factor of the calendar month holding the week's middle
        months = [(scenario.start + timedelta(days=int(7 * w + 3))).month for w in range(weeks)]
        rates = rates * np.asarray([d.seasonality[m - 1] for m in months])
    return rates
