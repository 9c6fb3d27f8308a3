"""The acceptance test: the full demo authority, counted by `ehcflow kpis`, is report 000.

Loads the whole authority (seed 2023, as at 23 November 2026) through the command, then
reads every calibration figure back through `casework.selectors.kpis`, the code behind
`ehcflow kpis`. Targets and tolerances: ehcflow/demo/calibration.py. About 30 s on SQLite.
"""

from __future__ import annotations

import time
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from ehcflow.casework import selectors
from ehcflow.demo import calibration, targets
from ehcflow.statutory.measures import Period

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_full_demo_authority_reproduces_the_reports(demo_env: None) -> None:
    started = time.perf_counter()
    out = StringIO()
    call_command("demo_data", "--today", "2026-11-23", stdout=out)
    seconds = time.perf_counter() - started
    assert "Loaded the demo authority" in out.getvalue()

    figures = calibration.measure()
    failed = [f for f in figures if not f.ok]
    assert not failed, "\n" + calibration.table(figures)
    # Exact where the construction makes it exact.
    exact = {f.name: f for f in figures}
    for year, wanted in targets.REQUESTS_RECEIVED.items():
        assert exact[f"requests received {year}"].achieved == wanted
    assert [exact[f"backlog over {n} weeks, 31 Jul 2023"].achieved for n in (20, 30, 50)] == \
        [397, 192, 20]
    assert exact["average weeks to issue Jul 2023"].achieved == 44.5
    for year, wanted in targets.PLANS_MAINTAINED_JANUARY.items():
        on = targets.census_date(year)
        assert calibration.plans_maintained(on) == wanted

    # Report 004 table 2 and report 000 para 13b: caseloads in 2023.
    per_officer = calibration.assessments_per_officer(targets.BACKLOG_DATE)
    low, high = targets.ASSESSMENTS_PER_CASE_OFFICER_RANGE
    assert per_officer is not None and low <= per_officer <= high
    plans_per_fte = exact["plans per case-officer FTE, 31 Jul 2023"].achieved
    assert plans_per_fte is not None and 135 <= plans_per_fte <= 155

    # Today every plan in force has a case officer (selectors.team_caseloads, report 004).
    today = date(2026, 11, 23)
    rows = selectors.team_caseloads(team_id=None, today=today)
    held = sum(r.plans_maintained for r in rows)
    assert held >= 0.97 * calibration.plans_maintained(today)
    fte = sum(r.fte for r in rows)
    assert 130 <= held / fte <= 200  # DfE benchmark 150-200 plans per FTE
    per_fte = sorted(r.plans_per_fte or 0 for r in rows)
    assert 130 <= per_fte[len(per_fte) // 2] <= 200 and per_fte[-1] <= 300

    # Recovery: about 1,300 requests a year and 60-75% in time from 2025.
    for year in (2025, 2026):
        kpis = selectors.kpis(as_of=date(2026, 11, 23),
                              period=Period(date(year, 1, 1), date(year, 12, 31)))
        assert kpis.pct_within_20_weeks_excl_exceptions is not None
        assert 60 <= kpis.pct_within_20_weeks_excl_exceptions <= 80
    assert selectors.kpis(as_of=date(2025, 12, 31), period=Period(
        date(2025, 1, 1), date(2025, 12, 31))).requests_received == 1300

    # How long the load took is measured by `make bench`, not asserted here: a test that
    # fails on a busy machine tests the machine.
    print(f"\ndemo load: {seconds:.1f} s\n" + calibration.table(figures))
