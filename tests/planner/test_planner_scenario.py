"""Loading, validating and dumping scenarios (docs/domain/planner-model.md, "Scenario file
(TOML)")."""

from __future__ import annotations

import copy
import math
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from planner_fixtures import EXAMPLE, small_mapping

from ehcflow.planner.scenario import (
    Distribution,
    ScenarioError,
    dump_scenario,
    load_scenario,
    parse_scenario,
)


def problems(mapping: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(mapping)
    return exc.value.problems


def test_the_example_loads_with_the_spec_values() -> None:
    s = load_scenario(EXAMPLE)
    assert s.start == date(2023, 8, 1)
    assert s.months == 24
    assert s.demand.requests_per_year == 837
    assert [g.count for g in s.staff] == [12, 4, 6, 6]
    assert s.staff[1].serves == "overdue"
    assert s.staff[3].day_rate == 646
    assert s.start_state.total == 657  # 90 + 170 + 205 + 172 + 20
    # the backlog bands of report 000's table 4: 397 over 20 weeks
    assert sum(b.count for b in s.start_state.in_assessment if b.age_weeks[0] >= 20) == 397


def test_defaults_are_those_of_the_spec(small: dict[str, Any]) -> None:
    s = parse_scenario(small)
    assert s.policy == "oldest_first"
    assert s.cleared_at == 0
    assert s.work.comment_days == 15
    officers = s.staff[0]
    assert (officers.ramp_from, officers.ramp_weeks, officers.serves) == (1.0, 0.0, "all")


def test_dump_and_load_round_trip(small: dict[str, Any]) -> None:
    s = parse_scenario(small)
    assert parse_scenario(tomllib.loads(dump_scenario(s))) == s
    ex = load_scenario(EXAMPLE)
    assert parse_scenario(tomllib.loads(dump_scenario(ex))) == ex


def test_sigma_comes_from_the_median_and_p90() -> None:
    d = Distribution(10, 20)
    assert d.sigma == pytest.approx(math.log(2) / 1.2815515655446004)
    assert Distribution(5, 5).sigma == 0


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda m: m["staff"][2].update(count=-1),
         "staff[2].count: must be a whole number ≥ 0, got -1"),
        (lambda m: m["staff"][0].update(cuont=3),
         "staff[0].cuont: unknown key; did you mean 'count'?"),
        (lambda m: m.update(mnths=3), "mnths: unknown key; did you mean 'months'?"),
        (lambda m: m["staff"][1].update(end="2023-12-01"),
         "staff[1].end: must be on or after start (2024-01-01), got 2023-12-01"),
        (lambda m: m["work"]["ep_hours"].update(p90=10),
         "work.ep_hours.p90: must be ≥ median (12), got 10"),
        (lambda m: m["demand"].update(assess_rate=1.2),
         "demand.assess_rate: must be a probability from 0 to 1, got 1.2"),
        (lambda m: m["advice"][0].update(probability=-0.1),
         "advice[0].probability: must be a probability from 0 to 1, got -0.1"),
        (lambda m: m.update(months=0), "months: must be a whole number from 1 to 240, got 0"),
        (lambda m: m.update(months=600), "months: must be a whole number from 1 to 240, got 600"),
        (lambda m: m.update(replications=0),
         "replications: must be a whole number from 1 to 100,000, got 0"),
        (lambda m: m["staff"][0].update(role="teacher"),
         "staff[0].role: must be one of 'case_officer', 'educational_psychologist', got 'teacher'"),
        (lambda m: m.update(policy="oldest"),
         "policy: must be one of 'oldest_first', 'newest_first', got 'oldest'; "
         "did you mean 'oldest_first'?"),
        (lambda m: m["staff"][0].update(serves="late"),
         "staff[0].serves: must be one of 'all', 'overdue', 'in_time', got 'late'"),
        (lambda m: m["staff"][0].update(hours_per_week="24"),
         "staff[0].hours_per_week: must be a number above 0 to 168, got '24'"),
        (lambda m: m.update(start="2023-02-30"),
         "start: must be a date (YYYY-MM-DD), got '2023-02-30'"),
        (lambda m: m["staff"][0].update(day_rate=500, days_per_week=5),
         "staff[0]: give either cost_per_year or day_rate with days_per_week, not both"),
        (lambda m: m["staff"][0].pop("cost_per_year"),
         "staff[0]: missing its cost: give cost_per_year, or day_rate with days_per_week"),
        (lambda m: m["start_state"]["in_assessment"][1].update(count=2.5),
         "start_state.in_assessment[1].count: must be a whole number ≥ 0, got 2.5"),
    ],
)
def test_each_bad_input_is_named_by_its_key(edit: Any, expected: str) -> None:
    m = small_mapping()
    edit(m)
    assert any(p.startswith(expected) for p in problems(m)), problems(m)


def test_ten_million_replications_are_refused_with_advice(small: dict[str, Any]) -> None:
    small["replications"] = 10_000_000
    (p,) = problems(small)
    assert p.startswith("replications: must be a whole number from 1 to 100,000, got 10,000,000")
    assert "1,000 replications" in p


def test_all_problems_are_reported_at_once(small: dict[str, Any]) -> None:
    small["months"] = 0
    small["staff"][0]["count"] = -1
    small["demand"]["plan_rate"] = 2
    found = problems(small)
    assert len(found) == 3
    assert {p.split(":")[0] for p in found} == {"months", "staff[0].count", "demand.plan_rate"}


def test_missing_sections_are_named() -> None:
    found = problems({"name": "x", "start": date(2024, 1, 1), "months": 12})
    assert "demand: missing (a table is required)" in found
    assert "work: missing (a table is required)" in found


def test_a_register_gives_each_open_request_its_step_and_age(tmp_path: Path) -> None:
    (tmp_path / "open.csv").write_text(
        "case_ref,person_id,request_date,decision_date,decision,outcome_date,outcome,"
        "draft_date,final_date,closed_date\n"
        "A,1,2023-06-01,,,,,,,\n"  # awaiting decision
        "B,2,2023-03-01,2023-04-01,assess,,,,,\n"  # in assessment
        "C,3,2023-01-10,2023-02-01,assess,2023-06-01,plan,,,\n"  # awaiting draft
        "D,4,2023-01-05,2023-02-01,assess,2023-06-01,plan,2023-07-25,,\n"  # in comment
        "E,5,2022-12-01,2023-01-01,assess,2023-05-01,plan,2023-06-01,,\n"  # awaiting final
        "F,6,2022-12-01,2023-01-01,assess,2023-05-01,plan,2023-06-01,2023-07-01,\n"  # issued
        "G,7,2023-02-01,2023-03-01,not_assess,,,,,\n"  # left at the decision
        "H,8,2023-02-01,,,,,,,2023-05-01\n"  # withdrawn
        "I,9,2023-09-01,,,,,,,\n"  # after the start: a new request, simulated
        "J,10,01/07/2023,2023-08-15,assess,,,,,\n",  # decided after the start: awaiting it
        encoding="utf-8",
    )
    m = small_mapping()
    m["start"] = date(2023, 8, 1)
    m["staff"][1]["start"] = "2023-08-01"
    m["start_state"] = {"register": "open.csv"}
    s = parse_scenario(m, base_dir=tmp_path)
    got = {q.case_ref: (q.step, (s.start - q.request_date).days) for q in s.start_state.requests}
    assert got == {
        "A": ("awaiting_decision", 61),
        "B": ("in_assessment", 153),
        "C": ("awaiting_draft", 203),
        "D": ("in_comment", 208),
        "E": ("awaiting_final", 243),
        "J": ("awaiting_decision", 31),
    }
    assert parse_scenario(tomllib.loads(dump_scenario(s)), base_dir=tmp_path) == s


def test_a_bad_register_row_is_named(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text("case_ref,request_date\nA,2023-13-01\n", encoding="utf-8")
    m = copy.deepcopy(small_mapping())
    m["start_state"] = {"register": "bad.csv"}
    found = problems_with_base(m, tmp_path)
    assert found == ["start_state.register: bad.csv row 2, request_date: not a date, "
                     "got '2023-13-01'"]


def problems_with_base(m: dict[str, Any], base: Path) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(m, base_dir=base)
    return exc.value.problems
