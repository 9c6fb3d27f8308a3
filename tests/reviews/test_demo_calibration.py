"""The demo authority's reviews are DfE's 2024 figures for the council of report 000 (BCP).

Generated in memory (seed 2023, as at 23 November 2026, as the demo's acceptance test) and
counted by `statutory.reviews.count_reviews`, the function behind `ehcflow reviews`; the
demo's acceptance test (tests/demo/test_calibration.py) reads the same figures back from the
loaded database through `calibration.measure`. Tolerances are the demo's (within 3%, or 1
percentage point for a percentage); by construction the figures are exact.
"""

from __future__ import annotations

from datetime import date

import pytest

from ehcflow.demo import calibration, generator, plans, targets
from ehcflow.statutory import reviews as law
from ehcflow.statutory.periods import calendar_year

pytestmark = pytest.mark.slow


def test_the_demo_reviews_are_bcps_2024(monkeypatch: pytest.MonkeyPatch) -> None:
    generated: list[plans.Plan] = []
    calibrate = plans.calibrate_dfe_reviews

    def keep(seed: int, all_plans: list[plans.Plan]) -> None:
        calibrate(seed, all_plans)
        generated.extend(all_plans)

    monkeypatch.setattr(plans, "calibrate_dfe_reviews", keep)
    generator.generate(2023, date(2026, 11, 23), 1.0)
    records = [law.PlanReviews(
        first_issued=p.first_issued, cease_date=p.cease_date,
        reviews=tuple(law.ReviewFacts(r.meeting_date, r.decision_date, r.outcome,
                                      r.phase_transfer_due, r.amended_final_date)
                      for r in p.reviews)) for p in generated]
    got = law.count_reviews(records, calendar_year(2024), targets.census_date(2025))
    figures = [
        calibration.Figure("plans", "DfE", 4432, got.plans_maintained),
        calibration.Figure("meetings held", "DfE", 3281, got.meetings_held),
        calibration.Figure("% within 4 weeks", "DfE", 10.6, got.pct_decisions_within_4_weeks,
                           percentage=True),
    ]
    assert all(f.ok for f in figures), calibration.table(figures)
    assert (got.plans_maintained, got.meetings_held, got.pct_decisions_within_4_weeks) == (
        4432, 3281, 10.6)
    # the figures nest as DfE's do, and every decision counted follows its meeting
    assert got.plans_maintained >= got.reviews_due >= got.meetings_held >= got.decisions
    assert got.maintain + got.amend + got.cease == got.decisions
