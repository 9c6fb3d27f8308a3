"""The fast engine against closed forms, conservation and the SimPy reference.

docs/domain/planner-model.md, "Closed-form checks the engine must pass".  Tolerances are Monte Carlo
errors: 4 standard errors (estimated across independent replications) plus a small slack.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from planner_fixtures import EXAMPLE, small_mapping

from ehcflow.planner import inputs, lockstep
from ehcflow.planner.engine import simulate, simulate_raw
from ehcflow.planner.scenario import load_scenario, parse_scenario
from tests.planner import reference


def steady(**over: Any) -> dict[str, Any]:
    """No backlog, constant staff, no growth, constant efforts and delays."""
    m = small_mapping()
    m.update(months=36, replications=40, seed=3, start_state={})
    m["demand"] = {"requests_per_year": 365.25, "growth_per_year": 0.0, "assess_rate": 0.75,
                   "plan_rate": 0.8}
    m["work"] = {"decision_hours": 2, "ep_hours": 6, "draft_hours": 4, "final_hours": 1,
                 "comment_days": 15}
    m["advice"] = [{"name": "health", "probability": 0.5, "delay_days": 30}]
    m["staff"] = [
        {"role": "case_officer", "count": 40, "hours_per_week": 35, "cost_per_year": 1},
        {"role": "educational_psychologist", "count": 40, "hours_per_week": 35,
         "cost_per_year": 1},
    ]
    m.update(over)
    return m


def test_littles_law_in_steady_state() -> None:
    s = parse_scenario(steady())
    p = simulate(s)
    # time in system with no waiting (ample staff): efforts / 5 hours a day, delays, comment
    rate = 35 / 7
    dec, ep, dr, fi = 2 / rate, 6 / rate, 4 / rate, 1 / rate
    assess = max(ep, 30) * 0.5 + ep * 0.5  # health advice needed half the time
    w = dec + 0.75 * (assess + 0.8 * (dr + 15 + fi))
    lam = 1.0  # 365.25 a year
    per_rep = p.open[:, 6:].mean(axis=1)  # after a six-month warm-up
    se = per_rep.std(ddof=1) / math.sqrt(len(per_rep))
    assert abs(per_rep.mean() - lam * w) < 4 * se + 0.5
    assert lam * w == pytest.approx(21.7, abs=0.01)  # the figure the test is about


def erlang_c_wait(c: int, lam: float, mu: float) -> float:
    a = lam / mu
    rho = a / c
    tail = a**c / math.factorial(c) / (1 - rho)
    p_wait = tail / (sum(a**k / math.factorial(k) for k in range(c)) + tail)
    return p_wait / (c * mu - lam)


def test_a_single_stage_reproduces_erlang_c() -> None:
    # only decisions (assess_rate 0), exponential effort: an M/M/3 queue
    m = steady(months=120, replications=30, seed=11)
    m["demand"]["assess_rate"] = 0.0
    m["work"]["decision_hours"] = {"mean": 4.0, "kind": "exponential"}
    m["staff"] = [{"role": "case_officer", "count": 3, "hours_per_week": 14, "cost_per_year": 1}]
    s = parse_scenario(m)
    raw = simulate_raw(s, record_decision_start=True)
    mu = (14 / 7) / 4.0  # tasks a day per person
    expected = erlang_c_wait(3, 1.0, mu)  # rho = 2/3
    waits = []
    assert raw.r is not None and raw.decision_start is not None
    for k in range(raw.r.shape[0]):
        r, d0 = raw.r[k], raw.decision_start[k]
        keep = (r > 365) & np.isfinite(d0)  # a year's warm-up
        waits.append(float((d0[keep] - r[keep]).mean()))
    w = np.array(waits)
    se = w.std(ddof=1) / math.sqrt(len(w))
    assert abs(w.mean() - expected) < 4 * se + 0.01
    assert expected == pytest.approx(8 / 9)  # P(wait) = 4/9, over c·mu - lambda = 1/2


def test_conservation_holds_exactly_in_every_replication() -> None:
    p = simulate(load_scenario(EXAMPLE), replications=30, seed=5)
    left = p.start_open + p.received.sum(axis=1)
    right = p.plans_issued.sum(axis=1) + p.left_without_plan.sum(axis=1) + p.open[:, -1]
    assert np.array_equal(left, right)
    assert (p.start_open == 657).all()


def test_zero_staff_decides_nothing(small: dict[str, Any]) -> None:
    small["staff"] = []
    p = simulate(parse_scenario(small), replications=20)
    assert p.plans_issued.sum() == 0 and p.left_without_plan.sum() == 0
    assert np.array_equal(p.open, 65 + np.cumsum(p.received, axis=1))
    assert p.cost.sum() == 0


def test_unlimited_staff_issue_after_the_advice_and_comment_period() -> None:
    m = steady(months=12, replications=20)
    m["demand"].update(assess_rate=1.0, plan_rate=1.0)
    m["work"] = {"decision_hours": 0.001, "ep_hours": 0.001, "draft_hours": 0.001,
                 "final_hours": 0.001}
    m["advice"] = [{"name": "health", "probability": 1.0, "delay_days": 60}]
    raw = simulate_raw(parse_scenario(m))
    issued = np.isfinite(raw.plan_time)
    days = raw.plan_time[issued] - raw.r[issued]
    assert issued.sum() > 3000
    assert days.min() >= 75 and days.max() < 75.01  # 60 days of advice + 15 of comment
    p = simulate(parse_scenario(m))
    avg = p.avg_weeks_to_issue[:, 4:]
    assert np.nanmin(avg) >= 75 / 7 and np.nanmax(avg) <= 76 / 7


def as_reference_requests(ci: inputs.ChunkInputs, k: int) -> list[reference.RefRequest]:
    out = []
    for i in range(int(ci.valid[k].sum())):
        st = int(ci.stage[k, i])
        step = {0: "awaiting_decision", 1: "in_assessment", 2: "awaiting_draft"}.get(st, "")
        step = step or ("in_comment" if ci.ready[k, i] > 0 else "awaiting_final")
        out.append(reference.RefRequest(
            float(ci.r[k, i]), step, bool(ci.assessed[k, i]), bool(ci.plan[k, i]),
            tuple(float(x) for x in ci.effort[k, i]),  # type: ignore[arg-type]
            [float(ci.adv[k, i])] if ci.adv[k, i] > 0 else [],
            float(ci.ready[k, i]) if st == 3 else None,
        ))
    return out


@pytest.mark.parametrize("compiled", [True, False], ids=["kernel", "lockstep"])
@pytest.mark.parametrize(
    ("policy", "serves"),
    [("oldest_first", ("all", "overdue")), ("newest_first", ("overdue", "all")),
     ("oldest_first", ("in_time", "all")), ("newest_first", ("all", "in_time"))],
)
def test_fed_the_same_draws_the_engine_matches_the_reference_request_by_request(
    policy: str, serves: tuple[str, str], compiled: bool
) -> None:
    m = small_mapping()
    m["policy"] = policy
    m["staff"][1]["serves"] = serves[0]
    m["staff"][3]["serves"] = serves[1]
    s = parse_scenario(m)
    cs = inputs.compile_scenario(s)
    ci = inputs.draw_chunk(cs, inputs.replication_generators(2, 3))
    raw = lockstep.run_lockstep(cs, ci, compiled=compiled)
    for k in range(3):
        reqs = as_reference_requests(ci, k)
        reference.run_replication(s, reqs)
        ref = np.array([q.exit if q.exit < cs.horizon else np.inf for q in reqs])
        eng = raw.exit[k, : len(reqs)]
        eng = np.where(eng < cs.horizon, eng, np.inf)
        assert np.array_equal(np.isinf(ref), np.isinf(eng))
        fin = np.isfinite(ref)
        np.testing.assert_allclose(eng[fin], ref[fin], rtol=0, atol=1e-9)


@pytest.mark.parametrize(
    ("policy", "serves"),
    [("oldest_first", ("all", "overdue")), ("newest_first", ("overdue", "all")),
     ("oldest_first", ("in_time", "all")), ("newest_first", ("in_time", "overdue"))],
)
def test_the_kernel_and_the_lockstep_give_the_same_results_to_the_bit(
    policy: str, serves: tuple[str, str]
) -> None:
    # decision 0007: the compiled kernel is the lock-step's model, not an approximation of it
    m = small_mapping()
    m["policy"] = policy
    m["staff"][1]["serves"] = serves[0]
    m["staff"][3]["serves"] = serves[1]
    for s in (parse_scenario(m), load_scenario(EXAMPLE)):
        cs = inputs.compile_scenario(s)
        ci = inputs.draw_chunk(cs, inputs.replication_generators(7, 12))
        a = lockstep.run_lockstep(cs, ci, record_decision_start=True, compiled=False)
        b = lockstep.run_lockstep(cs, ci, record_decision_start=True, compiled=True)
        for field in ("exit", "plan_time", "decision_start", "hours", "overrun"):
            assert np.array_equal(getattr(a, field), getattr(b, field), equal_nan=True), field
        assert np.isfinite(a.plan_time).sum() > 100  # plans were issued: a real comparison


def test_engine_and_reference_agree_within_monte_carlo_error() -> None:
    m = small_mapping()
    m["months"] = 8
    s = parse_scenario(m)
    n = 150
    eng = simulate(s, replications=n, seed=101)
    ref = reference.simulate_reference(s, replications=n, seed=202)  # independent draws

    def close(a: np.ndarray, b: np.ndarray, slack: float) -> None:
        for month in range(a.shape[1]):
            x, y = a[:, month], b[:, month]
            x, y = x[~np.isnan(x)], y[~np.isnan(y)]
            se = math.sqrt(x.var(ddof=1) / len(x) + y.var(ddof=1) / len(y))
            assert abs(x.mean() - y.mean()) < 4 * se + slack, (month, x.mean(), y.mean())

    close(eng.over_20_weeks, ref.over_20_weeks, 0.5)
    close(eng.open, ref.open, 0.5)
    close(eng.pct_within_20_weeks, ref.pct_within_20_weeks, 1.0)
    close(eng.plans_issued, ref.plans_issued, 0.3)
    close(eng.hours_worked["case_officer"], ref.hours_worked["case_officer"], 1.0)
    np.testing.assert_allclose(eng.cost, ref.cost)
    np.testing.assert_allclose(
        eng.hours_available["educational_psychologist"].mean(axis=0),
        ref.hours_available["educational_psychologist"].mean(axis=0), rtol=0.01
    )


def test_the_same_seed_gives_the_same_summary_whatever_the_chunks(small: dict[str, Any]) -> None:
    s = parse_scenario(small)
    a = simulate(s, replications=23, seed=9).summary()
    b = simulate(s, replications=23, seed=9, chunk_size=5).summary()
    c = simulate(s, replications=23, seed=10).summary()
    assert a == b
    assert a != c


def test_the_dip_on_report_000() -> None:
    p = simulate(load_scenario(EXAMPLE), replications=60, seed=1)
    pct = np.nanmean(p.pct_within_20_weeks, axis=0)
    assert pct[:3].max() < pct[-3:].min()
    assert pct[:3].max() < 5  # the backlog's old cases are issued first


def test_cost_accrues_per_day_in_post() -> None:
    s = load_scenario(EXAMPLE)
    p = simulate(s, replications=2, seed=1)
    # the backlog team: 4 × £100,500 a year for 184 days; the EPs: 6 × £646 × 5 a week
    backlog = 4 * 100500 / 365.25 * 184
    eps = 6 * 646 * 5 / 7 * 184
    in_post = (12 * 42000 + 6 * 70000) / 365.25 * 731
    assert p.total_cost == pytest.approx(backlog + eps + in_post)
    assert backlog + eps == pytest.approx(711_930, abs=1)  # report 000 asked £705,000
