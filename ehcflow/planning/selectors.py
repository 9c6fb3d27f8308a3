"""Reads for the planning pages: the cost table of report 000's table 6, chart data, and each
open request's likely final plan (for the request page and My work)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from ehcflow.planner.scenario import Scenario
from ehcflow.planner.timeline import daily_cost, days_in_post_by_month, months_of

ROLE_LABELS = {"case_officer": "Case officers", "educational_psychologist": "EPs"}


@dataclass(frozen=True)
class CostLine:
    """One row of a table laid out like report 000's table 6: role, duration, cost."""

    name: str
    role: str
    count: int
    months_in_post: float
    cost: float

    @property
    def role_label(self) -> str:
        return f"{self.count} {ROLE_LABELS.get(self.role, self.role)}"


def cost_table(scenario: Scenario) -> tuple[list[CostLine], float]:
    """Each staff group's cost over the horizon (docs/domain/planner-model.md, "Cost"), and the
    total."""
    months = months_of(scenario.start, scenario.months)
    lines = []
    for group in scenario.staff:
        days = days_in_post_by_month(group, months)
        lines.append(CostLine(
            name=group.name, role=group.role, count=group.count,
            months_in_post=round(float(days.sum()) / 30.4375, 1),
            cost=round(group.count * daily_cost(group) * float(days.sum()), 2)))
    return lines, round(sum(line.cost for line in lines), 2)


@dataclass(frozen=True)
class Fan:
    """p10, p50 and p90 of a monthly measure, for a fan chart and its table."""

    labels: list[str]
    p10: list[float | None]
    p50: list[float | None]
    p90: list[float | None]


def fan_series(summary: dict[str, Any], measure: str) -> Fan:
    months = summary["months"]
    return Fan(
        labels=[m["month"] for m in months],
        p10=[m[measure]["p10"] for m in months],
        p50=[m[measure]["p50"] for m in months],
        p90=[m[measure]["p90"] for m in months],
    )


#: replications behind the per-request forecast on pages (a day's result is cached)
LIKELY_PLAN_REPLICATIONS = 100


def _likely_plans_on(today: date) -> dict[str, tuple[float, date | None, date | None,
                                                      date | None]]:
    """Every open request's likely final plan on `today`, by case reference (cached for the
    day, so a page never reruns the simulation: the first call of a day pays for it)."""
    from django.core.cache import cache

    from ehcflow.planning.backtest import likely_final_plans
    from ehcflow.planning.estimate import load_history

    key = f"planning:likely-final-plan:{today.isoformat()}"
    found: dict[str, tuple[float, date | None, date | None, date | None]] | None = \
        cache.get(key)
    if found is None:
        found = {p.case_ref: (p.p_plan, p.final_p10, p.final_p50, p.final_p90)
                 for p in likely_final_plans(load_history(), as_of=today,
                                             replications=LIKELY_PLAN_REPLICATIONS)}
        cache.set(key, found, timeout=26 * 3600)
    return found


def likely_final_plan(requests: Iterable[Any], today: date
                      ) -> dict[int, tuple[float, date | None, date | None, date | None]]:
    """For each request (anything with ``pk`` and ``case_ref``) open on `today`: the chance it
    ends in a plan and the 10th, 50th and 90th percentile final-plan dates (None: beyond the
    12 months simulated).  Requests not open on `today` are left out."""
    plans = _likely_plans_on(today)
    return {r.pk: plans[r.case_ref] for r in requests if r.case_ref in plans}
