"""Fixtures for the planner's tests: small scenarios built in code."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "report-000.toml"


def small_mapping() -> dict[str, Any]:
    """A small authority: ~150 requests a year, a modest backlog, an overdue-only team."""
    return copy.deepcopy(_SMALL)


_SMALL: dict[str, Any] = {
        "name": "small",
        "start": "2024-01-01",
        "months": 9,
        "replications": 50,
        "seed": 7,
        "demand": {"requests_per_year": 150, "growth_per_year": 0.05, "assess_rate": 0.8,
                   "plan_rate": 0.9},
        "work": {
            "decision_hours": {"median": 3, "p90": 6},
            "ep_hours": {"median": 12, "p90": 20},
            "draft_hours": {"median": 10, "p90": 18},
            "final_hours": {"median": 3, "p90": 6},
        },
        "advice": [
            {"name": "health", "probability": 0.8, "delay_days": {"median": 40, "p90": 80}},
        ],
        "staff": [
            {"name": "officers", "role": "case_officer", "count": 2, "hours_per_week": 20,
             "cost_per_year": 40000},
            {"name": "backlog", "role": "case_officer", "count": 1, "hours_per_week": 30,
             "start": "2024-01-01", "end": "2024-04-30", "ramp_from": 0.6, "ramp_weeks": 6,
             "serves": "overdue", "cost_per_year": 60000},
            {"name": "EPs", "role": "educational_psychologist", "count": 2,
             "hours_per_week": 12, "cost_per_year": 70000},
            {"name": "locum EP", "role": "educational_psychologist", "count": 1,
             "hours_per_week": 30, "end": "2024-05-31", "day_rate": 600, "days_per_week": 5},
        ],
        "start_state": {
            "awaiting_decision": [{"age_weeks": [0, 6], "count": 10}],
            "in_assessment": [{"age_weeks": [6, 20], "count": 20},
                              {"age_weeks": [20, 40], "count": 25}],
            "awaiting_draft": [{"age_weeks": [20, 30], "count": 5}],
            "in_comment": [{"age_weeks": [20, 30], "count": 3}],
            "awaiting_final": [{"age_weeks": [30, 40], "count": 2}],
        },
    }
