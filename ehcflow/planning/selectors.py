"""Reads for the planning pages: the cost table of report 000's table 6, and chart data."""

from __future__ import annotations

from dataclasses import dataclass
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
    """Each staff group's cost over the horizon (planner-model.md, "Cost"), and the total."""
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
