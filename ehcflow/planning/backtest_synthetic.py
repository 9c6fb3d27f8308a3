"""An invented authority's history, for the backtest's tests and benchmark (no Django).

Requests arrive with the school year's seasonality; about a quarter are not assessed; each
assessment asks for EP, health and education advice about 35 days after a decision taken about
30 days after the request; drafting follows the last advice, then the 15-day comment period and
the final plan.  From ``slow_from`` work queues more and more (a backlog building up).  Every
reference is invented (``SYN-00001``, …).
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np

from ehcflow.planning.estimate import (
    AdviceEvent,
    CaseHistory,
    History,
    StaffSpell,
    history_as_of,
)
from ehcflow.statutory.records import RequestRecord

START = date(2020, 9, 1)
TODAY = date(2025, 6, 30)
SEASON = (1.15, 1.10, 1.20, 0.85, 1.10, 1.10, 1.00, 0.45, 0.85, 1.10, 1.15, 0.75)


def _lognormal(rng: np.random.Generator, median: float, p90: float) -> int:
    sigma = math.log(p90 / median) / 1.2815515655446004
    return max(1, round(median * math.exp(sigma * rng.standard_normal())))


def synthetic_history(*, per_year: float = 720, slow_from: date | None = None,
                      slow_per_day: float = 0.0, staff: bool = True, seed: int = 1,
                      end: date = TODAY, officers: int = 8, eps: int = 3) -> History:
    """An invented authority: requests with the school year's seasonality, decisions after
    about 30 days, three advices about 35 days after the decision, drafting, 15 days'
    comment and a final plan.  From `slow_from`, work queues: every step after that date
    waits `slow_per_day` days more for each day since (a backlog building up)."""
    rng = np.random.default_rng(seed)
    cases: list[CaseHistory] = []
    day = START
    n = 0

    def late(on: date) -> date:
        if slow_from is None or on < slow_from:
            return on
        return on + timedelta(days=round((on - slow_from).days * slow_per_day))

    while day <= end:
        for _ in range(rng.poisson(per_year / 365.25 * SEASON[day.month - 1])):
            n += 1
            ref = f"SYN-{n:05d}"
            decided = late(day + timedelta(days=_lognormal(rng, 30, 42)))
            if rng.random() > 0.75:
                record = RequestRecord(ref, day, decision="not_assess", decision_date=decided)
                cases.append(CaseHistory(record))
                continue
            advice = []
            last = decided
            for kind in ("educational_psychology", "health", "education"):
                back = decided + timedelta(days=_lognormal(rng, 35, 55))
                advice.append(AdviceEvent(kind, decided + timedelta(days=1), back))
                last = max(last, back)
            if rng.random() > 0.88:
                record = RequestRecord(ref, day, decision="assess", decision_date=decided,
                                       outcome="no_plan", outcome_date=last + timedelta(days=7))
                cases.append(CaseHistory(record, tuple(advice)))
                continue
            draft = late(last + timedelta(days=_lognormal(rng, 12, 25)))
            final = draft + timedelta(days=15 + int(rng.integers(0, 12)))
            record = RequestRecord(ref, day, decision="assess", decision_date=decided,
                                   outcome="plan", outcome_date=draft, draft_date=draft,
                                   final_date=final)
            cases.append(CaseHistory(record, tuple(advice)))
        day += timedelta(days=1)
    roles = ["case_officer"] * officers + ["educational_psychologist"] * eps
    people = tuple(StaffSpell(role, 1.0, date(2019, 1, 1)) for role in roles) if staff else ()
    return history_as_of(History(tuple(cases), people), end)
