"""`selectors.kpis()` (SQL) equals `measures.kpis()` (pure) on any legal history.

docs/domain/measures.md is the definition; the database counts it with aggregate queries for speed.
This proves the two the same on random histories (docs/decisions/0004), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis.extra.django import TestCase as HypothesisTestCase

from ehcflow.casework import choices as c
from ehcflow.casework.models import AssessmentRequest
from ehcflow.statutory import measures
from ehcflow.statutory.periods import Period
from ehcflow.statutory.records import RequestRecord
from tests.factories import load_records
from tests.statutory.strategies import as_of_dates, periods, request_record_lists
from tests.worked_example import WORKED_EXAMPLE


def load(records: list[RequestRecord]) -> None:
    """Put plain records in the database as the importer would."""
    load_records(records, person_ref="P-KPI")


class KpisEqualPureMeasures(HypothesisTestCase):
    @settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(records=request_record_lists(max_size=30), as_of=as_of_dates(),
           period=periods() | periods().map(lambda p: None))
    def test_sql_counts_equal_the_pure_measures(
        self, records: list[RequestRecord], as_of: date, period: Period | None
    ) -> None:
        load(records)
        from ehcflow.casework import selectors

        expected = measures.kpis(records, as_of=as_of, period=period)
        assert selectors.kpis(as_of=as_of, period=period) == expected
        assert set(selectors.request_records()) == set(records)




@pytest.mark.django_db
def test_the_kpis_command_reproduces_the_worked_example() -> None:
    load(WORKED_EXAMPLE)
    out = StringIO()
    call_command("kpis", "--as-of", "2023-07-31", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["period"] == {"from": "2022-08-01", "to": "2023-07-31"}
    assert figures["requests_received"] == 4
    assert figures["plans_issued"] == 3
    assert figures["issued_within_20_weeks"] == 1
    assert figures["pct_within_20_weeks"] == 33.3
    assert figures["pct_within_20_weeks_excl_exceptions"] == 50.0
    assert figures["avg_weeks_to_issue"] == 31.8
    assert figures["backlog"] == {"open": 3, "over_20_weeks": 2, "over_30_weeks": 1,
                                  "over_50_weeks": 0}
    assert AssessmentRequest.objects.get(case_ref="e").stage == c.Stage.PLAN_ISSUED


@pytest.mark.django_db
def test_the_kpis_command_explains_bad_dates() -> None:
    with pytest.raises(CommandError, match="'2023-02-30' is not a date"):
        call_command("kpis", "--as-of", "2023-02-30")
    with pytest.raises(CommandError, match="Give both --from and --to"):
        call_command("kpis", "--as-of", "2023-07-31", "--from", "2023-01-01")
    with pytest.raises(CommandError, match="--to is before --from"):
        call_command("kpis", "--as-of", "2023-07-31", "--from", "2023-05-01", "--to",
                     "2023-01-01")
