"""Backtests: the planner started on a past date, with only what was known then, against what
the records show happened afterwards (issue: forecasts a head of service can trust).

The forecast side is the scenario ``estimate.scenario_from_history`` builds from the records
cut at the as-of date (``history_as_of``); the actual side is counted with the very measures of
the dashboards (``ehcflow.statutory.measures``: ``backlog``, ``plans_issued``,
``issued_within_20_weeks``, ``pct_within_20_weeks``, ``requests_received``) over the full
records, month by month, for the months that have ended by ``today``.

Per request, each request open on the as-of date gets the likely final-plan dates of
``planner.forecast.per_request``; the backtest checks them against the final plans that were
issued: how often the 10th-90th interval held the date, and whether the median beat the naive
"request date + last year's median time to a plan".
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from ehcflow.planner import parse_scenario, simulate
from ehcflow.planner.forecast import per_request
from ehcflow.planning.estimate import History, history_as_of, scenario_from_history
from ehcflow.statutory import measures
from ehcflow.statutory.periods import Period, twelve_months_ending
from ehcflow.statutory.records import RequestRecord

#: the measures compared month by month: (key, words)
MEASURES = (
    ("open", "open requests"),
    ("over_20_weeks", "backlog over 20 weeks"),
    ("over_30_weeks", "backlog over 30 weeks"),
    ("over_50_weeks", "backlog over 50 weeks"),
    ("plans_issued", "plans issued"),
    ("pct_within_20_weeks", "% of plans within 20 weeks"),
)
#: the measures the verdict rests on (the issue's "done when")
HEADLINE = ("over_20_weeks", "pct_within_20_weeks")


def actual_month(records: list[RequestRecord], period: Period) -> dict[str, float | None]:
    """What the records show for one month, counted as the dashboards count."""
    backlog = measures.backlog(records, period.end)
    return {
        "open": backlog.open,
        "over_20_weeks": backlog.over_20_weeks,
        "over_30_weeks": backlog.over_30_weeks,
        "over_50_weeks": backlog.over_50_weeks,
        "plans_issued": measures.plans_issued(records, period),
        "pct_within_20_weeks": measures.pct_within_20_weeks(records, period),
        "requests_received": measures.requests_received(records, period),
    }


@dataclass(frozen=True)
class PerRequestCheck:
    """Calibration of the per-request forecast on the requests open at the as-of date."""

    requests: int
    with_plan: int
    inside: int
    model_error_days: float | None
    naive_error_days: float | None
    naive_days: float | None

    @property
    def coverage(self) -> float | None:
        return self.inside / self.with_plan if self.with_plan else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests_open": self.requests,
            "plans_issued_since": self.with_plan,
            "inside_10_90": self.inside,
            "coverage": None if self.coverage is None else round(self.coverage, 3),
            "median_error_days": self.model_error_days,
            "naive_median_error_days": self.naive_error_days,
            "naive_days_to_plan": self.naive_days,
            "beats_naive": (None if self.model_error_days is None
                            or self.naive_error_days is None
                            else self.model_error_days < self.naive_error_days),
        }


def _q(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), 1)


def backtest(history: History, *, as_of: date, today: date, months: int = 12,
             replications: int = 300, seed: int = 1, per_request_replications: int = 100,
             utilisation: float | None = None) -> dict[str, Any]:
    """Run one backtest; a JSON-ready result (see the module docstring)."""
    estimate = scenario_from_history(history, as_of=as_of, months=months,
                                     replications=replications, seed=seed,
                                     utilisation=utilisation)
    scenario = parse_scenario(estimate.scenario, source="backtest")
    projection = simulate(scenario, replications=replications, seed=seed)
    records = [c.record for c in history.cases]
    rows: list[dict[str, Any]] = []
    for m in range(projection.months.count):
        period = Period(projection.months.first_days[m], projection.months.last_days[m])
        if period.end > today:
            break
        actual = actual_month(records, period)
        row: dict[str, Any] = {"month": projection.months.labels[m], "end": period.end.isoformat()}
        for key, _ in MEASURES:
            values = projection.measure(key)[:, m].astype(np.float64)
            values = values[~np.isnan(values)]
            if values.size:
                p10, p50, p90 = (float(x) for x in np.percentile(values, [10, 50, 90]))
            else:
                p10 = p50 = p90 = math.nan
            a = actual[key]
            inside = None if a is None or math.isnan(p10) else bool(p10 <= a <= p90)
            row[key] = {"p10": _q(p10), "p50": _q(p50), "p90": _q(p90), "actual": a,
                        "inside": inside}
        rows.append(row)
    summary: dict[str, Any] = {}
    for key, words in MEASURES:
        judged = [r[key] for r in rows if r[key]["inside"] is not None]
        errors = [abs(r["p50"] - r["actual"]) for r in judged if r["p50"] is not None]
        summary[key] = {
            "measure": words,
            "months": len(judged),
            "inside": sum(1 for r in judged if r["inside"]),
            "share_inside": round(sum(1 for r in judged if r["inside"]) / len(judged), 3)
            if judged else None,
            "median_error": round(statistics.median(errors), 1) if errors else None,
        }
    check = per_request_check(history, scenario_dict=estimate.scenario, as_of=as_of,
                              today=today, replications=per_request_replications, seed=seed)
    return {
        "as_of": as_of.isoformat(),
        "months": rows,
        "summary": summary,
        "per_request": check.as_dict(),
        "verdict": verdict(summary, check, len(rows)),
        "estimate": estimate.notes,
        "replications": replications,
        "seed": seed,
    }


def naive_days(history: History, as_of: date) -> float | None:
    """Last year's median days from request to final plan (the naive forecast's figure)."""
    year = twelve_months_ending(as_of)
    days = [(c.record.final_date - c.record.request_date).days
            for c in history_as_of(history, as_of).cases
            if c.record.final_date is not None and year.contains(c.record.final_date)]
    return float(statistics.median(days)) if days else None


def per_request_check(history: History, *, scenario_dict: dict[str, Any], as_of: date,
                      today: date, replications: int, seed: int) -> PerRequestCheck:
    """How the per-request forecast from `as_of` fared against the plans issued by `today`."""
    scenario = parse_scenario(scenario_dict, source="backtest")
    forecast = per_request(scenario, replications=replications, seed=seed)
    finals = {c.record.case_ref: c.record.final_date for c in history.cases}
    start = scenario.start
    naive = naive_days(history, as_of)
    requested = {r.case_ref: r.request_date for r in scenario.start_state.requests}
    horizon = (today - start).days
    with_plan = inside = 0
    model_err: list[float] = []
    naive_err: list[float] = []
    for j, ref in enumerate(forecast.case_refs):
        final = finals.get(ref)
        if final is None or final > today:
            continue
        with_plan += 1
        day = (final - start).days
        lo, mid, hi = forecast.p10[j], forecast.p50[j], forecast.p90[j]
        lo = lo if math.isfinite(lo) else math.inf
        hi = hi if math.isfinite(hi) else math.inf
        if math.floor(lo) <= day <= math.floor(hi) if math.isfinite(hi) else day >= lo:
            inside += 1
        model_err.append(abs((mid if math.isfinite(mid) else horizon) - day))
        if naive is not None:
            guess = max((requested[ref] + timedelta(days=naive) - start).days, 0)
            naive_err.append(abs(guess - day))
    return PerRequestCheck(
        requests=len(forecast.case_refs), with_plan=with_plan, inside=inside,
        model_error_days=round(float(statistics.median(model_err)), 1) if model_err else None,
        naive_error_days=round(float(statistics.median(naive_err)), 1) if naive_err else None,
        naive_days=naive)


def verdict(summary: dict[str, Any], check: PerRequestCheck, months: int) -> str:
    """The result in plain words."""
    if months == 0:
        return "No month after this date has ended yet, so there is nothing to compare."
    shares = [summary[k]["share_inside"] for k in HEADLINE
              if summary[k]["share_inside"] is not None]
    worst = min(shares) if shares else 0.0
    backlog = summary["over_20_weeks"]
    pct = summary["pct_within_20_weeks"]
    parts = [
        f"Over {months} months, the forecast range held the actual backlog over 20 weeks in "
        f"{backlog['inside']} of {backlog['months']} months (typically {backlog['median_error']:g} "
        f"requests off) and the % of plans within 20 weeks in {pct['inside']} of {pct['months']} "
        f"months (typically {pct['median_error']:g} points off)."
        if backlog["median_error"] is not None and pct["median_error"] is not None else
        f"Over {months} months, the forecast range held the backlog over 20 weeks in "
        f"{backlog['inside']} of {backlog['months']} months."
    ]
    if worst >= 0.8:
        parts.insert(0, "The planner would have forecast this period well.")
    elif worst >= 0.5:
        parts.insert(0, "The planner would have forecast this period roughly: use its ranges "
                        "with care.")
    else:
        parts.insert(0, "The planner would not have forecast this period well: do not rely "
                        "on it for a similar period.")
    if check.coverage is not None:
        beats = (check.model_error_days is not None and check.naive_error_days is not None
                 and check.model_error_days < check.naive_error_days)
        parts.append(
            f"For the {check.with_plan} open requests that have since had a plan, the likely "
            f"date range held the real date for {check.coverage:.0%}, and its middle date was "
            f"typically {check.model_error_days:g} days out, "
            + ("better than" if beats else "no better than")
            + f" the rule of thumb of request date plus last year's median time "
            f"({check.naive_error_days:g} days out).")
    return " ".join(parts)


@dataclass(frozen=True)
class LikelyPlan:
    """A request's likely final plan: the probability it ends in one and the 10th, 50th and
    90th percentile dates if it does (None: after the months simulated, 12 by default)."""

    case_ref: str
    p_plan: float
    final_p10: date | None
    final_p50: date | None
    final_p90: date | None

    def as_dict(self) -> dict[str, Any]:
        def iso(d: date | None) -> str | None:
            return None if d is None else d.isoformat()

        return {"case_ref": self.case_ref, "p_plan": round(self.p_plan, 2),
                "final_p10": iso(self.final_p10), "final_p50": iso(self.final_p50),
                "final_p90": iso(self.final_p90)}


def likely_final_plans(history: History, *, as_of: date, replications: int = 100,
                       seed: int = 1, months: int = 12) -> list[LikelyPlan]:
    """Every request open at the end of `as_of`, with its likely final plan, from the model
    estimated from the records as they stood then (the same as the backtest's)."""
    estimate = scenario_from_history(history, as_of=as_of, months=months,
                                     replications=replications, seed=seed)
    scenario = parse_scenario(estimate.scenario, source="forecast")
    if not scenario.start_state.requests:
        return []
    forecast = per_request(scenario, replications=replications, seed=seed)

    def day(x: float) -> date | None:
        return None if not math.isfinite(x) else scenario.start + timedelta(days=math.floor(x))

    return [LikelyPlan(ref, float(forecast.p_plan[j]), day(forecast.p10[j]),
                       day(forecast.p50[j]), day(forecast.p90[j]))
            for j, ref in enumerate(forecast.case_refs)]
