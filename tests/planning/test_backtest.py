"""Backtests (issue 10): the no-leak cut, estimation on synthetic histories, the comparison.

Pure: histories are built here as plain records (invented requests, no people), so these tests
need no database.  Replications are kept small; the demo authority's backtests are the
command's and the benchmark's job.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from ehcflow.planner import parse_scenario, simulate
from ehcflow.planning.backtest import actual_month, backtest, likely_final_plans, verdict
from ehcflow.planning.backtest_synthetic import synthetic_history
from ehcflow.planning.estimate import (
    CaseHistory,
    History,
    StaffSpell,
    history_as_of,
    km_quantiles,
    scenario_from_history,
)
from ehcflow.statutory import measures
from ehcflow.statutory.periods import Period
from ehcflow.statutory.records import RequestRecord


@pytest.fixture(scope="module")
def steady() -> History:
    return synthetic_history()


@pytest.fixture(scope="module")
def backlogged() -> History:
    return synthetic_history(slow_from=date(2024, 7, 1), slow_per_day=0.35, seed=2)


# --------------------------------------------------------------------------- the cut


def _dates(history: History) -> list[date]:
    out: list[date] = []
    for case in history.cases:
        r = case.record
        out += [d for d in (r.request_date, r.decision_date, r.outcome_date, r.draft_date,
                            r.final_date, r.closed_date) if d is not None]
        out += [d for a in case.advice for d in (a.requested_on, a.received_on)
                if d is not None]
    out += [d for s in history.staff for d in (s.start, s.end) if d is not None]
    return out


def test_the_cut_keeps_nothing_dated_after_the_as_of_date(steady: History) -> None:
    as_of = date(2023, 3, 15)
    cut = history_as_of(steady, as_of)
    assert max(_dates(cut)) <= as_of
    assert len(cut.cases) == sum(1 for c in steady.cases if c.record.request_date <= as_of)
    # a decision dated later is not known, and neither is what it decided
    later = [c for c in cut.cases if c.record.decision is None]
    assert later and all(c.record.decision_date is None for c in later)


def test_the_estimate_cannot_see_the_future(steady: History) -> None:
    """Anything recorded after the as-of date — new requests, later decisions, advice and
    plans, staff who start later or leave later — changes nothing in the estimate."""
    as_of = date(2024, 6, 30)
    future = date(2024, 9, 1)
    steady = History((*steady.cases, _awaiting_draft()), steady.staff)
    changed: list[CaseHistory] = []
    for case in steady.cases:
        r = case.record
        if r.decision_date and r.decision_date > as_of:
            r = replace(r, decision="not_assess", decision_date=r.decision_date)
        if r.final_date and r.final_date > as_of:
            r = replace(r, final_date=r.final_date + timedelta(days=90))
        advice = tuple(replace(a, received_on=a.received_on + timedelta(days=200))
                       if a.received_on and a.received_on > as_of else a for a in case.advice)
        changed.append(CaseHistory(r, advice))
    changed += [CaseHistory(RequestRecord(f"LATE-{i}", future)) for i in range(500)]
    staff = tuple(replace(s, end=date(2024, 7, 1)) for s in steady.staff) + tuple(
        StaffSpell("case_officer", 1.0, future) for _ in range(40))
    other = History(tuple(changed), staff)
    a = scenario_from_history(steady, as_of=as_of, months=6)
    b = scenario_from_history(other, as_of=as_of, months=6)
    assert a.scenario == b.scenario
    assert a.notes == b.notes
    # the start state's dates too (a request awaiting its draft: its last advice known then)
    wait = next(r for r in a.scenario["start_state"]["requests"] if r["case_ref"] == "SYN-WAIT")
    assert wait["step"] == "awaiting_draft" and wait["advice_done_date"] == date(2024, 6, 10)


def _awaiting_draft() -> CaseHistory:
    """An invented request awaiting its draft on 30 June 2024, one advice still out then."""
    from ehcflow.planning.estimate import AdviceEvent

    record = RequestRecord("SYN-WAIT", date(2024, 3, 1), decision="assess",
                           decision_date=date(2024, 3, 29), outcome="plan",
                           outcome_date=date(2024, 6, 20), draft_date=date(2024, 7, 20))
    return CaseHistory(record, (
        AdviceEvent("health", date(2024, 3, 30), date(2024, 5, 2)),
        AdviceEvent("education", date(2024, 3, 30), date(2024, 6, 10)),
        AdviceEvent("social_care", date(2024, 3, 30), date(2024, 7, 15))))  # in later


def test_kaplan_meier_counts_those_still_waiting_as_longer() -> None:
    seen = [(d, True) for d in (10, 20, 30, 40, 50)]
    assert km_quantiles(seen) == [30.0, 50.0]
    # three more still waiting after 45 days push the median past what was seen to end
    assert km_quantiles(seen + [(45, False)] * 3) == [40.0, 50.0]
    assert km_quantiles(seen[:4]) is None


# --------------------------------------------------------------------------- estimation


def _run(history: History, as_of: date, months: int = 12) -> dict[str, np.ndarray]:
    estimate = scenario_from_history(history, as_of=as_of, months=months, replications=60)
    projection = simulate(parse_scenario(estimate.scenario), replications=60, seed=3)
    return {"over_20": np.median(projection.over_20_weeks, axis=0),
            "pct": np.nanmedian(projection.pct_within_20_weeks, axis=0),
            "open": np.median(projection.open, axis=0)}


def test_a_steady_history_gives_a_steady_forecast(steady: History) -> None:
    as_of = date(2024, 6, 30)
    records = [c.record for c in steady.cases]
    before = measures.backlog(records, as_of)
    year = Period(date(2023, 7, 1), as_of)
    pct_before = measures.pct_within_20_weeks(records, year)
    assert pct_before is not None and pct_before > 80
    run = _run(steady, as_of)
    # no collapse and no miracle: the backlog stays small and the % on time where it was
    assert run["over_20"].max() <= before.over_20_weeks + 10
    assert abs(float(np.median(run["pct"][3:])) - pct_before) < 12
    assert 0.75 * before.open < float(run["open"][-1]) < 1.35 * before.open


def test_a_history_with_a_growing_backlog_forecasts_the_backlog(backlogged: History) -> None:
    as_of = date(2025, 3, 31)
    records = [c.record for c in backlogged.cases]
    now = measures.backlog(records, as_of).over_20_weeks
    year_ago = measures.backlog(records, as_of - timedelta(days=365)).over_20_weeks
    assert now > year_ago + 20  # the history does build a backlog
    estimate = scenario_from_history(backlogged, as_of=as_of, months=12)
    assert estimate.figures["utilisation"] == 1.0
    assert any("full stretch" in n for n in estimate.notes)
    run = _run(backlogged, as_of)
    assert float(run["over_20"][-1]) >= now  # it does not vanish


def test_utilisation_can_be_given(steady: History) -> None:
    a = scenario_from_history(steady, as_of=date(2024, 6, 30), months=6)
    b = scenario_from_history(steady, as_of=date(2024, 6, 30), months=6, utilisation=0.5)
    assert a.figures["utilisation"] == 0.8 and b.figures["utilisation"] == 0.5
    hours = {g["name"]: g["hours_per_week"] for g in a.scenario["staff"]}
    halved = {g["name"]: g["hours_per_week"] for g in b.scenario["staff"]}
    assert halved["case officers in post"] == pytest.approx(
        min(37.0, hours["case officers in post"] * 0.8 / 0.5), abs=0.1)
    assert "utilisation 50%, as given" in " ".join(b.notes)


def test_demand_has_a_damped_trend_and_school_year_seasonality(steady: History) -> None:
    estimate = scenario_from_history(steady, as_of=date(2024, 6, 30), months=6)
    demand = estimate.scenario["demand"]
    assert abs(demand["growth_per_year"]) <= 0.15
    season = demand["seasonality"]
    assert len(season) == 12 and season.index(min(season)) == 7  # August is quietest
    assert 600 < demand["requests_per_year"] < 850


def test_advice_correlation_is_fitted_to_the_last_advice_in(steady: History) -> None:
    estimate = scenario_from_history(steady, as_of=date(2024, 6, 30), months=6)
    rho = estimate.scenario["advice_correlation"]
    # the invented advice is independent: the fit finds little correlation
    assert 0.0 <= rho <= 0.3
    assert any("move together with correlation" in n for n in estimate.notes)
    parse_scenario(estimate.scenario)


def test_the_register_alone_is_enough(steady: History) -> None:
    bare = History(steady.cases, ())
    estimate = scenario_from_history(bare, as_of=date(2024, 6, 30), months=6)
    groups = estimate.scenario["staff"]
    assert {g["role"] for g in groups} == {"case_officer", "educational_psychologist"}
    assert all("notional" in g["name"] for g in groups)
    parse_scenario(estimate.scenario)


# --------------------------------------------------------------------------- the comparison


def test_the_actual_side_is_counted_as_the_dashboards_count(steady: History) -> None:
    records = [c.record for c in steady.cases]
    period = Period(date(2024, 3, 1), date(2024, 3, 31))
    month = actual_month(records, period)
    kpis = measures.kpis(records, as_of=period.end, period=period)
    assert month["over_20_weeks"] == kpis.backlog.over_20_weeks
    assert month["plans_issued"] == kpis.plans_issued
    assert month["pct_within_20_weeks"] == kpis.pct_within_20_weeks


def test_a_backtest_compares_month_by_month_and_says_so_in_words(steady: History) -> None:
    result = backtest(steady, as_of=date(2024, 3, 31), today=date(2024, 9, 15), months=12,
                      replications=40, per_request_replications=30)
    assert [r["month"] for r in result["months"]] == [
        "2024-04", "2024-05", "2024-06", "2024-07", "2024-08"]  # September has not ended
    row = result["months"][0]["over_20_weeks"]
    assert set(row) == {"p10", "p50", "p90", "actual", "inside"}
    summary = result["summary"]["over_20_weeks"]
    assert summary["months"] == 5 and 0 <= summary["inside"] <= 5
    assert result["verdict"].startswith("The planner would")
    assert "the rule of thumb of request date plus last year's median time" in result["verdict"]
    check = result["per_request"]
    assert check["requests_open"] > 0 and check["plans_issued_since"] > 0
    assert check["naive_days_to_plan"] is not None


def test_the_verdict_when_nothing_has_happened_yet() -> None:
    from ehcflow.planning.backtest import PerRequestCheck

    check = PerRequestCheck(0, 0, 0, None, None, None)
    assert verdict({}, check, 0) == ("No month after this date has ended yet, so there is "
                                     "nothing to compare.")


def test_likely_final_plans_cover_every_open_request(steady: History) -> None:
    as_of = date(2024, 6, 30)
    plans = likely_final_plans(steady, as_of=as_of, replications=40)
    open_refs = {c.record.case_ref for c in steady.cases if measures.is_open(c.record, as_of)}
    assert {p.case_ref for p in plans} == open_refs
    for p in plans:
        assert 0.0 <= p.p_plan <= 1.0
        if p.final_p50 is not None:
            assert p.final_p10 is not None and as_of < p.final_p10 <= p.final_p50
            assert p.final_p90 is None or p.final_p50 <= p.final_p90


def test_a_request_awaiting_its_draft_starts_with_its_last_advice_date(steady: History) -> None:
    """The drafting delay runs from the last advice in, so the start state carries that date
    (known on the as-of date) for each request awaiting its draft, and only that."""
    history = History((*steady.cases, _awaiting_draft()), steady.staff)
    estimate = scenario_from_history(history, as_of=date(2024, 6, 30), months=6)
    waiting = {r["case_ref"]: r for r in estimate.scenario["start_state"]["requests"]
               if r["step"] == "awaiting_draft"}
    assert waiting["SYN-WAIT"]["advice_done_date"] == date(2024, 6, 10)
    others = [r for r in estimate.scenario["start_state"]["requests"]
              if r["step"] != "awaiting_draft"]
    assert others and all("advice_done_date" not in r for r in others)
    assert parse_scenario(estimate.scenario).start_state.requests
