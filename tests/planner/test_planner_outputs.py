"""Summaries, CSV, the command functions and the optimiser."""

from __future__ import annotations

import csv
import importlib
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tomli_w
from planner_fixtures import small_mapping

from ehcflow.planner.cli import optimise_command, run_command
from ehcflow.planner.engine import simulate
from ehcflow.planner.metrics import MONTHLY_MEASURES, clearing_headline, clearing_stats, to_csv
from ehcflow.planner.optimise import load_options, optimise, parse_options
from ehcflow.planner.scenario import ScenarioError, parse_scenario


def write(tmp_path: Path, name: str, data: dict[str, Any]) -> Path:
    p = tmp_path / name
    p.write_text(tomli_w.dumps(data), encoding="utf-8")
    return p


def test_summary_has_every_measure_for_every_month(small: dict[str, Any]) -> None:
    s = parse_scenario(small)
    summary = simulate(s, replications=20).summary()
    assert [m["month"] for m in summary["months"]][:3] == ["2024-01", "2024-02", "2024-03"]
    assert summary["months"][0]["end"] == "2024-01-31"
    for row in summary["months"]:
        for name in MONTHLY_MEASURES:
            assert set(row[name]) == {"mean", "p10", "p50", "p90"}
    assert summary["replications"] == 20 and summary["seed"] == 7
    assert set(summary["clearing_month"]) == {"p10", "p50", "p90", "never"}
    json.dumps(summary, allow_nan=False)  # JSON-ready: no NaN anywhere


def test_clearing_month_percentiles_are_taken_over_all_replications() -> None:
    # issue 10: "in half the replications the backlog is cleared by month 4 … 98% do not
    # clear it" took the median over the clearing replications only.  Over all ten, the
    # median is month 5 (5 of 10 cleared by then) and 90% never clear by any month.
    months = np.array([3, 4, 4, 5, np.nan, 9, np.nan, 4, 6, 7])
    assert clearing_stats(months) == {"p10": 3, "p50": 5, "p90": None, "never": 0.2}
    labels = tuple(f"2024-{m:02d}" for m in range(1, 13))
    assert clearing_headline(months, labels, 7) == (
        "The backlog is cleared (back to at most 7 requests over 20 weeks, the backlog a "
        "service working on time carries) by month 5 (2024-05) in 50% of the 10 "
        "replications; it is not cleared within 12 months in 20%.")
    mostly_never = np.array([2.0] + [np.nan] * 49)
    assert clearing_stats(mostly_never)["p50"] is None
    assert "by month 2 (2024-02) in 2% of the 50 replications" in clearing_headline(
        mostly_never, labels, 0)
    assert clearing_stats(np.array([np.nan])) == {"p10": None, "p50": None, "p90": None,
                                                  "never": 1.0}


def test_csv_is_one_row_per_month_measure_and_statistic(small: dict[str, Any]) -> None:
    summary = simulate(parse_scenario(small), replications=10).summary()
    rows = list(csv.DictReader(io.StringIO(to_csv(summary))))
    assert len(rows) == 9 * len(MONTHLY_MEASURES) * 4 + 4 + 4
    first = rows[0]
    assert (first["month"], first["measure"], first["statistic"]) == ("2024-01", "open", "mean")
    assert float(first["value"]) == summary["months"][0]["open"]["mean"]


def test_run_command_in_each_format(tmp_path: Path, small: dict[str, Any]) -> None:
    path = write(tmp_path, "s.toml", small)
    text = run_command(path, replications=10, seed=1)
    assert "2024-09" in text and "Total staff cost: £" in text
    data = json.loads(run_command(path, replications=10, seed=1, fmt="json"))
    assert data["replications"] == 10 and data["seed"] == 1
    assert run_command(path, replications=10, seed=1, fmt="csv").startswith(
        "month,measure,statistic,value\n"
    )


def test_run_command_reports_every_problem(tmp_path: Path, small: dict[str, Any]) -> None:
    small["months"] = 600
    small["staff"][0]["count"] = -1
    with pytest.raises(ScenarioError) as exc:
        run_command(write(tmp_path, "bad.toml", small))
    assert len(exc.value.problems) == 2
    assert "staff[0].count: must be a whole number ≥ 0, got -1" in str(exc.value)


def options_mapping() -> dict[str, Any]:
    return {
        "screening_replications": 30,
        "replications": 60,
        "seed": 4,
        "constraints": {"clear_by": 6, "probability": 0.8},
        "option": [
            {"name": "extra officers", "role": "case_officer", "count": [0, 1, 2],
             "months": [3, 6], "hours_per_week": 30, "serves": "overdue",
             "cost_per_year": 50000},
            {"name": "locum EPs", "role": "educational_psychologist",
             "count": {"min": 0, "max": 2, "step": 1}, "months": [6], "hours_per_week": 30,
             "day_rate": 600, "days_per_week": 5},
        ],
    }


def test_the_example_options_load() -> None:
    root = Path(__file__).resolve().parents[2]
    o = load_options(root / "examples" / "options.toml")
    assert [opt.counts for opt in o.options] == [(0, 2, 4), (0, 3, 6, 9)]
    assert o.constraints.clear_by == "2024-10" and o.constraints.probability == 0.8


def test_bad_options_are_named() -> None:
    m = options_mapping()
    m["option"][0]["count"] = {"min": 3, "max": 1}
    m["option"][1]["serves"] = "late"
    m["constraints"]["probability"] = 1.5
    with pytest.raises(ScenarioError) as exc:
        parse_options(m)
    assert exc.value.problems == [
        "constraints.probability: must be a probability from 0 to 1, got 1.5",
        "option[0].count.max: must be ≥ min (3), got 1",
        "option[1].serves: must be one of 'all', 'overdue', 'in_time', got 'late'",
    ]


def test_optimise_finds_the_cheapest_feasible_combination() -> None:
    base_map = small_mapping()
    base_map["staff"] = base_map["staff"][:1] + base_map["staff"][2:3]  # staff in post only
    base_map["cleared_at"] = 3
    base = parse_scenario(base_map)
    options = parse_options(options_mapping())
    result = optimise(base, options)
    assert result.combinations == 15  # (1 + 2 counts × 2 durations) × (1 + 2 counts)
    best = result.cheapest
    assert best is not None and best.confirmed and best.feasible_share >= 0.8
    # nothing cheaper that was simulated met the target with the full replications
    for e in result.evaluated:
        if e.confirmed and e.cost < best.cost:
            assert e.feasible_share < 0.8
    # the frontier is cheapest first and clears no later as it costs more
    costs = [e.cost for e in result.frontier]
    assert costs == sorted(costs)
    p80 = [e.clear_p80 or 99 for e in result.frontier]
    assert p80 == sorted(p80, reverse=True)
    data = result.to_dict()
    assert data["cheapest"]["confirmed"] is True
    assert data["simulated"] + data["pruned_by_fluid_bound"] + data["pruned_as_dominated"] + data[
        "skipped_as_dearer"] == 15


def test_the_first_look_stops_only_the_clearly_short_and_keeps_the_answer(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Screening first runs a quarter of the replications (the same first ones, by the common
    seed); a combination clearly short there stops.  The answer and the frontier's
    combinations are those of the full screening of every combination."""
    optimise_module = importlib.import_module("ehcflow.planner.optimise")

    base_map = small_mapping()
    base_map["staff"] = base_map["staff"][:1] + base_map["staff"][2:3]
    base_map["cleared_at"] = 3
    base = parse_scenario(base_map)
    m = options_mapping()
    m["screening_replications"] = 60
    options = parse_options(m)
    quick = optimise(base, options)
    monkeypatch.setattr(optimise_module, "FIRST_LOOK", 1)  # no first look
    full = optimise(base, options)
    assert full.stopped_early == 0 and quick.stopped_early > 0
    assert quick.cheapest is not None and full.cheapest is not None
    assert quick.cheapest.choice == full.cheapest.choice
    assert quick.cheapest.feasible_share == full.cheapest.feasible_share
    assert [e.choice for e in quick.frontier] == [e.choice for e in full.frontier]
    short = [e for e in quick.evaluated if e.replications == 15]
    assert len(short) == quick.stopped_early
    assert all(e.feasible_share < options.constraints.probability for e in short)
    assert quick.to_dict()["stopped_after_first_look"] == quick.stopped_early


def test_optimise_command_text(tmp_path: Path) -> None:
    base_map = small_mapping()
    base_map["staff"] = base_map["staff"][:1] + base_map["staff"][2:3]
    base_map["cleared_at"] = 3
    spath = write(tmp_path, "base.toml", base_map)
    m = options_mapping()
    m["option"] = m["option"][:1]
    opath = write(tmp_path, "options.toml", m)
    text = optimise_command(spath, opath)
    # the command read the file it was given (not only the TOML library's round trip)
    assert load_options(opath) == parse_options(m)
    assert "backlog cleared by the end of 2024-06, in at least 80 % of replications" in text
    assert "5 combinations" in text  # (1 + 2 counts × 2 durations) of the one option
    assert "2 × extra officers for 6 months" in text
    assert "Frontier" in text


def test_a_deeply_nested_scenario_file_is_refused_plainly(tmp_path: Path) -> None:
    """The command line reads scenario text the same way as the pages: too deep is a message,
    not a RecursionError."""
    from ehcflow.planner.scenario import ScenarioError, load_scenario

    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 5000 + "]" * 5000, encoding="utf-8")
    with pytest.raises(ScenarioError) as refused:
        load_scenario(deep)
    assert "nests lists or tables too deeply" in str(refused.value)
