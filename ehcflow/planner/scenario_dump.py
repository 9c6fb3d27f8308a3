"""Writing a `Scenario` back out as a mapping or TOML text (the inverse of reading it).

Part of `ehcflow.planner.scenario`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import tomli_w

from ehcflow.planner.scenario_model import (
    STEPS,
    Distribution,
    Scenario,
)


def _dist_dict(d: Distribution) -> dict[str, Any]:
    if d.kind == "exponential":
        return {"mean": d.mean, "kind": "exponential"}
    return {"median": d.median, "p90": d.p90}


def _drop_none(d: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def scenario_to_dict(s: Scenario) -> dict[str, Any]:
    """The TOML-shaped mapping of a scenario (``parse_scenario`` reads it back equal)."""
    st = s.start_state
    state: dict[str, Any] = {}
    for step in STEPS:
        bands = st.bands(step)
        if bands:
            state[step] = [{"age_weeks": list(b.age_weeks), "count": b.count} for b in bands]
    if st.register is not None:
        state["register"] = st.register
    elif st.requests:
        state["requests"] = [
            _drop_none(
                {
                    "request_date": r.request_date,
                    "step": r.step,
                    "advice_in": sorted(r.advice_in) if r.advice_in else None,
                    "draft_date": r.draft_date,
                    "case_ref": r.case_ref or None,
                    "decision_date": r.decision_date,
                    "advice_done_date": r.advice_done_date,
                }
            )
            for r in st.requests
        ]
    out: dict[str, Any] = _drop_none(
        {
            "name": s.name,
            "start": s.start,
            "months": s.months,
            "replications": s.replications,
            "seed": s.seed,
            "policy": s.policy,
            "cleared_at": s.cleared_at,
            "delay_uncertainty": s.delay_uncertainty or None,
            "advice_correlation": s.advice_correlation or None,
        }
    )
    out["demand"] = {
        "requests_per_year": s.demand.requests_per_year,
        "growth_per_year": s.demand.growth_per_year,
        "assess_rate": s.demand.assess_rate,
        "plan_rate": s.demand.plan_rate,
    }
    if s.demand.seasonality:
        out["demand"]["seasonality"] = list(s.demand.seasonality)
    w = s.work
    out["work"] = {
        "decision_hours": _dist_dict(w.decision_hours),
        "ep_hours": _dist_dict(w.ep_hours),
        "draft_hours": _dist_dict(w.draft_hours),
        "final_hours": _dist_dict(w.final_hours),
        "comment_days": w.comment_days,
    }
    if w.decision_days is not None:
        out["work"]["decision_days"] = _dist_dict(w.decision_days)
    if w.draft_days is not None:
        out["work"]["draft_days"] = _dist_dict(w.draft_days)
    if w.final_days is not None:
        out["work"]["final_days"] = _dist_dict(w.final_days)
    if s.advice:
        out["advice"] = [
            {"name": a.name, "probability": a.probability, "delay_days": _dist_dict(a.delay_days)}
            for a in s.advice
        ]
    if s.staff:
        out["staff"] = [
            _drop_none(
                {
                    "name": g.name,
                    "role": g.role,
                    "count": g.count,
                    "hours_per_week": g.hours_per_week,
                    "start": g.start,
                    "end": g.end,
                    "ramp_from": g.ramp_from,
                    "ramp_weeks": g.ramp_weeks,
                    "serves": g.serves,
                    "cost_per_year": g.cost_per_year,
                    "day_rate": g.day_rate,
                    "days_per_week": g.days_per_week,
                }
            )
            for g in s.staff
        ]
    if state:
        out["start_state"] = state
    return out


def dump_scenario(s: Scenario) -> str:
    """The scenario as TOML text; ``parse_scenario(tomllib.loads(text))`` gives it back."""
    return tomli_w.dumps(scenario_to_dict(s))


# Re-exported for options.py, which validates staffing options with the same rules.
