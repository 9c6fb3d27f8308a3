"""The measures over an imported register equal docs/domain/measures.md's worked example (requests
a–h).

As of 31 July 2023, period 1 August 2022 – 31 July 2023: 33.3% of new plans within 20 weeks
(c of c, d, f), 50.0% excluding exceptions (f is left out), 31.8 average weeks to issue,
4 requests received (a, b, e, g), a backlog of 3 (a, b, e) of which 2 over 20 weeks (b, e),
1 over 30 (e) and none over 50.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from ehcflow.casework import choices as c
from ehcflow.casework import selectors
from ehcflow.casework.models import AssessmentRequest
from ehcflow.statutory import measures
from tests.register.conftest import import_file

pytestmark = pytest.mark.django_db

AS_OF = date(2023, 7, 31)


def test_the_worked_example_imported_from_a_csv_gives_measures_md_figures(
    fixture: Callable[[str], Path],
) -> None:
    assert import_file(fixture("worked-example.csv")).status == 0
    figures = selectors.kpis(as_of=AS_OF)
    assert (figures.period.start, figures.period.end) == (date(2022, 8, 1), date(2023, 7, 31))
    assert (figures.plans_issued, figures.issued_within_20_weeks,
            figures.pct_within_20_weeks) == (3, 1, 33.3)
    assert (figures.plans_issued_excl_exceptions,
            figures.issued_within_20_weeks_excl_exceptions,
            figures.pct_within_20_weeks_excl_exceptions) == (2, 1, 50.0)
    assert figures.avg_weeks_to_issue == 31.8
    assert figures.requests_received == 4
    assert figures.backlog == measures.Backlog(open=3, over_20_weeks=2, over_30_weeks=1,
                                               over_50_weeks=0)
    # the pure measures over the same records agree with the SQL
    assert measures.kpis(selectors.request_records(), as_of=AS_OF) == figures


def test_the_worked_example_requests_are_in_the_stages_their_steps_imply(
    fixture: Callable[[str], Path],
) -> None:
    assert import_file(fixture("worked-example.csv")).status == 0
    assert dict(AssessmentRequest.objects.values_list("case_ref", "stage")) == {
        "a": c.Stage.AWAITING_DECISION, "b": c.Stage.ASSESSING, "c": c.Stage.PLAN_ISSUED,
        "d": c.Stage.PLAN_ISSUED, "e": c.Stage.PLAN_ISSUED, "f": c.Stage.PLAN_ISSUED,
        "g": c.Stage.NOT_ASSESSED, "h": c.Stage.CLOSED,
    }
    assert list(AssessmentRequest.objects.filter(week20_exception=True)
                .values_list("case_ref", flat=True)) == ["f"]
