"""Plain functions behind ``ehcflow plan run`` and ``ehcflow plan optimise``.

They take file paths and return the text to print, so the Django management commands stay
thin: ``ehcflow plan run SCENARIO.toml [--replications N] [--seed N] [--json | --csv]`` is
``run_command(path, replications, seed, fmt)``.  Invalid files raise ScenarioError, whose
message lists every problem with its key path.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Literal

from ehcflow.planner.engine import simulate
from ehcflow.planner.metrics import to_csv
from ehcflow.planner.optimise import OptimiseResult, load_options, optimise
from ehcflow.planner.scenario import load_scenario

Format = Literal["text", "json", "csv"]


def _num(x: float | None, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{x:,.{digits}f}"


def _money(x: float | None) -> str:
    return "–" if x is None else f"£{x:,.0f}"


def format_summary(summary: dict[str, Any]) -> str:
    """A readable table of a projection summary (metrics.summarise)."""
    lines = [
        f"{summary['scenario']} — {summary['replications']:,} replications, seed "
        f"{summary['seed']}, from {summary['start']}",
        "",
        "Backlog = requests open more than 20 weeks at the month end; % = plans issued in the "
        "month within 20 weeks.",
        "p10 / p50 / p90 across replications.",
        "",
    ]
    head = (
        f"{'month':<8} {'open p50':>8}  {'backlog p10':>11} {'p50':>5} {'p90':>5}  "
        f"{'plans p50':>9}  {'% p10':>6} {'p50':>6} {'p90':>6}  {'cost':>10}"
    )
    lines += [head, "-" * len(head)]
    for row in summary["months"]:
        b, pct = row["over_20_weeks"], row["pct_within_20_weeks"]
        lines.append(
            f"{row['month']:<8} {_num(row['open']['p50']):>8}  {_num(b['p10']):>11} "
            f"{_num(b['p50']):>5} {_num(b['p90']):>5}  {_num(row['plans_issued']['p50']):>9}  "
            f"{_num(pct['p10'], 1):>6} {_num(pct['p50'], 1):>6} {_num(pct['p90'], 1):>6}  "
            f"{_money(row['cost']['mean']):>10}"
        )
    cm = summary["clearing_month"]
    labels = [row["month"] for row in summary["months"]]

    def when(m: int | None) -> str:
        return "–" if m is None else f"month {m} ({labels[m - 1]})"

    lines += [
        "",
        summary["clearing_headline"],
        f"Cleared (≤ {summary['cleared_below']} over 20 weeks) by: p10 {when(cm['p10'])}, "
        f"p50 {when(cm['p50'])}, p90 {when(cm['p90'])} over all replications; not cleared "
        f"within {len(labels)} months in {cm['never'] * 100:.1f} % of replications.",
        f"Total staff cost: {_money(summary['total_cost']['mean'])}.",
    ]
    return "\n".join(lines) + "\n"


def run_command(
    path: str | Path,
    replications: int | None = None,
    seed: int | None = None,
    fmt: Format = "text",
) -> str:
    """Project the scenario at ``path``; the output as text, JSON or CSV (metrics.to_csv)."""
    scenario = load_scenario(path)
    summary = simulate(scenario, replications=replications, seed=seed).summary()
    if fmt == "json":
        return json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return to_csv(summary)
    return format_summary(summary)


def format_optimise(result: OptimiseResult) -> str:
    o = result.options
    c = o.constraints
    labels = result.months.labels

    def when(m: int | None) -> str:
        return "never" if m is None else f"{m} ({labels[m - 1]})"

    targets = []
    if result.clear_by is not None:
        targets.append(f"backlog cleared by the end of {labels[result.clear_by - 1]}")
    if c.pct_within_20_weeks is not None and result.pct_by is not None:
        targets.append(
            f"≥ {c.pct_within_20_weeks:g} % of {labels[result.pct_by - 1]}'s plans within 20 weeks"
        )
    lines = [
        f"Targets: {' and '.join(targets)}, in at least {c.probability * 100:g} % of replications.",
        f"{result.combinations} combinations: {result.pruned_fluid} ruled out by the fluid bound, "
        f"{result.pruned_dominated} as having less staff than an infeasible one, "
        f"{result.skipped_dominating} as dearer than a feasible one; {len(result.evaluated)} "
        f"simulated (seed {result.seed})"
        + (f", {result.stopped_early} of them stopped after a first look as clearly short."
           if result.stopped_early else "."),
        "",
    ]
    if result.cheapest is None:
        lines.append("No combination meets the targets.")
    else:
        e = result.cheapest
        lines.append(
            f"Cheapest: {e.describe(o)} — added cost {_money(e.added_cost)} (total "
            f"{_money(e.cost)}); targets met in {e.feasible_share * 100:.1f} % of "
            f"{e.replications:,} replications; clearing month p50 {when(e.clear_p50)}, "
            f"p80 {when(e.clear_p80)}."
        )
    lines += ["", "Frontier (cost against p80 clearing month):"]
    head = f"{'added cost':>12}  {'p50':>13}  {'p80':>13}  {'met':>6}  combination"
    lines += [head, "-" * len(head)]
    for e in result.frontier:
        lines.append(
            f"{_money(e.added_cost):>12}  {when(e.clear_p50):>13}  {when(e.clear_p80):>13}  "
            f"{e.feasible_share * 100:>5.1f}%  {e.describe(o)}"
        )
    return "\n".join(lines) + "\n"


def optimise_command(path: str | Path, options_path: str | Path, fmt: Format = "text") -> str:
    """The cheapest staffing for the targets of ``options_path`` on the base scenario ``path``."""
    result = optimise(load_scenario(path), load_options(options_path))
    if fmt == "json":
        return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        import csv
        import io

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["on_frontier", "description", "added_cost", "cost", "replications",
                    "feasible_share", "clearing_month_p50", "clearing_month_p80", "confirmed"])
        front = {id(e) for e in result.frontier}
        for e in result.evaluated:
            d = e.to_dict(result.options)
            w.writerow([id(e) in front, d["description"], d["added_cost"], d["cost"],
                        d["replications"], d["feasible_share"], d["clearing_month_p50"] or "",
                        d["clearing_month_p80"] or "", d["confirmed"]])
        return buf.getvalue()
    return format_optimise(result)
