"""Projections: per-replication monthly figures, and their summary across replications.

docs/domain/planner-model.md, "Outputs".  Every figure is counted as docs/domain/measures.md
defines it:

- ``open``, ``over_20_weeks``, ``over_30_weeks``, ``over_50_weeks``: at each month end D,
  requests open at D, and those with D − request date strictly more than 140 / 210 / 350 days;
- ``received``, ``plans_issued``, ``issued_within_20_weeks`` (final plan date − request date
  ≤ 140 days), ``left_without_plan``, and the days to issue (summed, for the average), per
  month;
- ``pct_within_20_weeks`` = 100 × within ÷ issued and ``avg_weeks_to_issue`` per replication
  per month, NaN when no plan was issued (statistics then use the other replications; ``null``
  in JSON when every replication has NaN);
- hours worked per role (busy time × hours per day) and utilisation = worked ÷ hours in post
  (a task finished after a person's end date counts as worked and as available);
- ``cost`` per month, deterministic given the staffing (timeline.cost_by_month).

The **clearing month** of a replication is the first month end (1-based) at which the
backlog over 20 weeks is back to what a service working on time carries (``clearing.py``:
at or below ``clearing_threshold``, never below ``cleared_at``).  Its percentiles are taken
over *all* replications, one that never clears counting as later than any month, with the
empirical (inverted-CDF) definition so that each is a month a replication actually cleared in:
"p80 = 9" reads "80 % of runs had cleared by month 9"; None when that share never clears.
The headline says the same in words: "cleared by month X in N % of replications".  Other
statistics use NumPy's default (linear) percentiles.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from ehcflow.planner.scenario import Scenario
    from ehcflow.planner.timeline import Months

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

ROLES = ("case_officer", "educational_psychologist")

#: The monthly measures of ``summary()["months"]``, in the order the CSV lists them.
MONTHLY_MEASURES = (
    "open",
    "over_20_weeks",
    "over_30_weeks",
    "over_50_weeks",
    "received",
    "plans_issued",
    "issued_within_20_weeks",
    "pct_within_20_weeks",
    "avg_weeks_to_issue",
    "cost",
    "utilisation_case_officer",
    "utilisation_educational_psychologist",
)
STATISTICS = ("mean", "p10", "p50", "p90")


@dataclass(frozen=True, eq=False)
class Projection:
    """Per-replication results; every monthly array has shape (replications, months)."""

    scenario: Scenario
    seed: int
    months: Months
    start_open: I64
    open: I64
    over_20_weeks: I64
    over_30_weeks: I64
    over_50_weeks: I64
    received: I64
    plans_issued: I64
    issued_within_20_weeks: I64
    left_without_plan: I64
    #: sum over the month's new plans of (final plan date − request date) in whole days
    days_to_issue: I64
    hours_worked: dict[str, F64] = field(default_factory=dict)
    hours_available: dict[str, F64] = field(default_factory=dict)
    #: cost per month, shape (months,): the same in every replication
    cost: F64 = field(default_factory=lambda: np.zeros(0))

    @property
    def replications(self) -> int:
        return int(self.open.shape[0])

    @property
    def month_labels(self) -> tuple[str, ...]:
        return self.months.labels

    @property
    def pct_within_20_weeks(self) -> F64:
        with np.errstate(invalid="ignore", divide="ignore"):
            pct = 100.0 * self.issued_within_20_weeks / self.plans_issued
        return np.where(self.plans_issued > 0, pct, np.nan)

    @property
    def avg_weeks_to_issue(self) -> F64:
        with np.errstate(invalid="ignore", divide="ignore"):
            avg = self.days_to_issue / 7.0 / self.plans_issued
        return np.where(self.plans_issued > 0, avg, np.nan)

    def utilisation(self, role: str) -> F64:
        worked = self.hours_worked[role]
        avail = self.hours_available[role]
        with np.errstate(invalid="ignore", divide="ignore"):
            u = worked / avail
        return np.where(avail > 0, u, np.nan)

    @property
    def cost_per_replication(self) -> F64:
        """Cost per month as an array (replications, months), for symmetry with the rest."""
        return np.broadcast_to(self.cost, self.open.shape)

    @property
    def total_cost(self) -> float:
        return float(self.cost.sum())

    def clearing_month(self) -> F64:
        """Per replication: first month (1-based) with the backlog over 20 weeks at or below
        the clearing threshold (clearing.py), NaN if none."""
        from ehcflow.planner.clearing import clearing_threshold

        ok = self.over_20_weeks <= clearing_threshold(self.scenario)
        first = ok.argmax(axis=1).astype(np.float64) + 1.0
        return np.where(ok.any(axis=1), first, np.nan)

    def measure(self, name: str) -> npt.NDArray[Any]:
        """A monthly measure by its summary name, shape (replications, months)."""
        if name == "pct_within_20_weeks":
            return self.pct_within_20_weeks
        if name == "avg_weeks_to_issue":
            return self.avg_weeks_to_issue
        if name == "cost":
            return self.cost_per_replication
        if name.startswith("utilisation_"):
            return self.utilisation(name.removeprefix("utilisation_"))
        value: npt.NDArray[Any] = getattr(self, name)
        return value

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary across replications (see the module docstring)."""
        return summarise(self)


def _round(x: float, digits: int = 3) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), digits)


def stats(values: npt.NDArray[Any], digits: int = 3) -> dict[str, float | None]:
    """mean, p10, p50, p90 of a 1-d sample, ignoring NaN (all None when nothing is left)."""
    v = np.asarray(values, dtype=np.float64)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return dict.fromkeys(STATISTICS)
    p10, p50, p90 = np.percentile(v, [10, 50, 90])
    return {
        "mean": _round(float(v.mean()), digits),
        "p10": _round(float(p10), digits),
        "p50": _round(float(p50), digits),
        "p90": _round(float(p90), digits),
    }


def clearing_stats(months: F64) -> dict[str, float | int | None]:
    """p10/p50/p90 over all replications (one that never clears counts as later than any
    month; None when that share never clears), and the share that never clears."""
    never = float(np.isnan(months).mean()) if months.size else 0.0
    out: dict[str, float | int | None] = {
        "p10": quantile_clearing_month(months, 0.1),
        "p50": quantile_clearing_month(months, 0.5),
        "p90": quantile_clearing_month(months, 0.9),
    }
    out["never"] = round(never, 4)
    return out


def clearing_headline(months: F64, labels: tuple[str, ...], threshold: int) -> str:
    """"Cleared by month X in N % of replications", over all replications, in words."""
    n = months.size
    what = (f"back to at most {threshold} requests over 20 weeks, the backlog a service "
            "working on time carries")
    if n == 0 or bool(np.isnan(months).all()):
        return f"The backlog is not cleared ({what}) within {len(labels)} months in any " \
               "replication."
    median = quantile_clearing_month(months, 0.5)
    m = median if median is not None else int(np.nanmax(months))
    share = float((np.nan_to_num(months, nan=np.inf) <= m).mean())
    return (f"The backlog is cleared ({what}) by month {m} ({labels[m - 1]}) in "
            f"{share:.0%} of the {n} replications; it is not cleared within {len(labels)} "
            f"months in {float(np.isnan(months).mean()):.0%}.")


def quantile_clearing_month(months: F64, q: float) -> int | None:
    """The first month by which a share ``q`` of all replications had cleared (None if never)."""
    if months.size == 0:
        return None
    filled = np.where(np.isnan(months), np.inf, months)
    v = float(np.percentile(filled, 100 * q, method="inverted_cdf"))
    return int(v) if math.isfinite(v) else None


def summarise(p: Projection) -> dict[str, Any]:
    measures = {name: p.measure(name) for name in MONTHLY_MEASURES}
    rows: list[dict[str, Any]] = []
    for m, label in enumerate(p.months.labels):
        row: dict[str, Any] = {"month": label, "end": p.months.last_days[m].isoformat()}
        for name, arr in measures.items():
            row[name] = stats(arr[:, m], 2 if name == "cost" else 3)
        rows.append(row)
    total = np.full(p.replications, p.total_cost)
    from ehcflow.planner.clearing import clearing_threshold, on_time_backlog

    cm = p.clearing_month()
    on_time = on_time_backlog(p.scenario)
    threshold = clearing_threshold(p.scenario)
    return {
        "scenario": p.scenario.name,
        "start": p.scenario.start.isoformat(),
        "replications": p.replications,
        "seed": p.seed,
        "cleared_at": p.scenario.cleared_at,
        "start_open": stats(p.start_open),
        "months": rows,
        "cleared_below": threshold,
        "on_time_backlog": {"mean": on_time.mean, "threshold": on_time.threshold,
                            "mean_days_open": on_time.mean_days},
        "clearing_month": clearing_stats(cm),
        "clearing_headline": clearing_headline(cm, p.months.labels, threshold),
        "total_cost": stats(total, 2),
    }


def to_csv(summary: dict[str, Any]) -> str:
    """A summary as CSV in long format: ``month,measure,statistic,value``.

    One row per month × measure × statistic (months in order, measures in the order of
    MONTHLY_MEASURES, statistics mean, p10, p50, p90; empty value = null), followed by rows
    with an empty month for ``clearing_month`` (p10, p50, p90, never) and ``total_cost``.
    Long format keeps one column per field whatever the horizon and loads directly into a
    spreadsheet pivot table or pandas.
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["month", "measure", "statistic", "value"])

    def cell(v: Any) -> str:
        return "" if v is None else repr(v) if isinstance(v, float) else str(v)

    for row in summary["months"]:
        for name in MONTHLY_MEASURES:
            for stat in STATISTICS:
                w.writerow([row["month"], name, stat, cell(row[name][stat])])
    for stat, v in summary["clearing_month"].items():
        w.writerow(["", "clearing_month", stat, cell(v)])
    for stat, v in summary["total_cost"].items():
        w.writerow(["", "total_cost", stat, cell(v)])
    return buf.getvalue()


__all__ = [
    "MONTHLY_MEASURES",
    "STATISTICS",
    "Projection",
    "clearing_headline",
    "clearing_stats",
    "quantile_clearing_month",
    "stats",
    "summarise",
    "to_csv",
]
