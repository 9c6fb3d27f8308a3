"""The measures on small hand-made cases: periods, rounding, caseloads, advice, kpis edges."""

import json
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from ehcflow.statutory import measures as m
from ehcflow.statutory.measures import (
    AdviceRecord,
    AdviceTimeliness,
    Period,
    PlanRecord,
    RequestRecord,
    RequestState,
)


class TestPeriod:
    def test_twelve_months_ending(self) -> None:
        assert m.twelve_months_ending(date(2023, 7, 31)) == Period(
            date(2022, 8, 1), date(2023, 7, 31)
        )
        assert m.twelve_months_ending(date(2024, 2, 29)) == Period(
            date(2023, 3, 1), date(2024, 2, 29)
        )
        assert m.twelve_months_ending(date(2023, 12, 31)).start == date(2023, 1, 1)

    def test_calendar_periods(self) -> None:
        assert m.calendar_year(2022) == Period(date(2022, 1, 1), date(2022, 12, 31))
        assert m.calendar_month(2024, 2) == Period(date(2024, 2, 1), date(2024, 2, 29))
        assert m.calendar_month(2023, 12).end == date(2023, 12, 31)
        assert m.calendar_year(2024).days == 366

    def test_contains_is_inclusive_and_ignores_missing_dates(self) -> None:
        period = m.calendar_month(2023, 7)
        assert period.contains(date(2023, 7, 1)) and period.contains(date(2023, 7, 31))
        assert not period.contains(date(2023, 8, 1))
        assert not period.contains(None)

    def test_a_period_cannot_run_backwards(self) -> None:
        with pytest.raises(ValueError):
            Period(date(2023, 2, 1), date(2023, 1, 31))

    def test_ending_by(self) -> None:
        period = m.calendar_year(2023)
        assert period.ending_by(date(2023, 6, 30)) == Period(date(2023, 1, 1), date(2023, 6, 30))
        assert period.ending_by(date(2024, 6, 30)) == period
        assert period.ending_by(date(2022, 12, 31)) is None


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (0.05, 1, 0.1),
        (2.25, 1, 2.3),
        (0.15, 1, 0.2),
        (33.333333, 1, 33.3),
        (31.809523, 1, 31.8),
        (2.5, 0, 3.0),
        (3.5, 0, 4.0),
        (-0.05, 1, -0.1),
        (1.005, 2, 1.01),
        (7, 1, 7.0),
        (Fraction(1, 20), 1, 0.1),
        (Fraction(668, 21), 1, 31.8),
        (Decimal("2.25"), 1, 2.3),
        (125, -1, 130.0),
    ],
)
def test_round_half_up(value: float | Fraction | Decimal, places: int, expected: float) -> None:
    assert m.round_half_up(value, places) == expected


def test_round_half_up_refuses_nan_and_infinity() -> None:
    with pytest.raises(ValueError):
        m.round_half_up(float("nan"))
    with pytest.raises(ValueError):
        m.round_half_up(float("inf"))


def test_percentage_and_growth() -> None:
    assert m.percentage(1, 3) == 33.3
    assert m.percentage(2, 3) == 66.7
    assert m.percentage(1, 8) == 12.5
    assert m.percentage(0, 0) is None
    assert m.growth_pct(481, 592) == 23.1  # report 000: 2020 to 2021
    assert m.growth_pct(592, 837) == 41.4
    assert m.growth_pct(0, 10) is None


def test_pct_within_20_weeks_is_none_without_plans() -> None:
    period = m.calendar_year(2023)
    assert m.pct_within_20_weeks([], period) is None
    assert m.pct_within_20_weeks_excl_exceptions([], period) is None
    assert m.avg_weeks_to_issue([], period) is None
    only_exceptions = [
        RequestRecord("x", date(2023, 1, 1), final_date=date(2023, 3, 1), exception=True)
    ]
    assert m.pct_within_20_weeks(only_exceptions, period) == 100.0
    assert m.pct_within_20_weeks_excl_exceptions(only_exceptions, period) is None


def test_decisions_within_6_weeks_counts_the_deadline_day() -> None:
    period = m.calendar_year(2023)
    records = [
        RequestRecord(
            "on-time", date(2023, 1, 1), decision="assess", decision_date=date(2023, 2, 12)
        ),
        RequestRecord(
            "late", date(2023, 1, 1), decision="not_assess", decision_date=date(2023, 2, 13)
        ),
        RequestRecord("undecided", date(2023, 1, 1)),
        RequestRecord(
            "last-year", date(2022, 11, 1), decision="assess", decision_date=date(2022, 12, 1)
        ),
    ]
    assert m.decisions_made(records, period) == 2
    assert m.decisions_within_6_weeks(records, period) == 1
    assert m.pct_decisions_within_6_weeks(records, period) == 50.0


def test_a_no_plan_outcome_and_undated_events_end_nothing_until_dated() -> None:
    no_plan = RequestRecord(
        "np",
        date(2023, 1, 1),
        decision="assess",
        decision_date=date(2023, 2, 1),
        outcome="no_plan",
        outcome_date=date(2023, 4, 1),
    )
    assert m.is_open(no_plan, date(2023, 3, 31))
    assert not m.is_open(no_plan, date(2023, 4, 1))
    assert m.state_on(no_plan, date(2023, 4, 1)) is RequestState.NO_PLAN
    undated = RequestRecord("u", date(2023, 1, 1), decision="not_assess")
    assert m.is_open(undated, date(2023, 6, 1))
    assert m.state_on(undated, date(2022, 12, 31)) is RequestState.NOT_RECEIVED
    assert not m.is_open(undated, date(2022, 12, 31))


def test_plans_maintained() -> None:
    on = date(2024, 1, 31)
    plans = [
        PlanRecord(date(2020, 5, 1)),
        PlanRecord(date(2024, 1, 31)),  # issued on the day: counts
        PlanRecord(date(2024, 2, 1)),  # not yet
        PlanRecord(date(2021, 1, 1), cease_date=date(2024, 1, 31)),  # ceased that day
        PlanRecord(date(2021, 1, 1), cease_date=date(2024, 2, 1)),  # still in force
    ]
    assert m.plans_maintained(plans, on) == 3


def test_per_fte() -> None:
    assert m.per_fte(290, 2.0) == 145.0
    assert m.per_fte(100, 3) == 33.3
    assert m.per_fte(397, 15.5) == 25.6
    assert m.per_fte(10, 0) is None
    assert m.per_fte(10, -1) is None


class TestKpisEdges:
    records = [
        RequestRecord("early", date(2023, 1, 2), final_date=date(2023, 5, 1)),
        RequestRecord("after-as-of", date(2023, 2, 1), final_date=date(2023, 9, 1)),
        RequestRecord("future", date(2023, 8, 1)),
    ]

    def test_events_after_as_of_are_not_yet_known(self) -> None:
        result = m.kpis(self.records, as_of=date(2023, 6, 30), period=m.calendar_year(2023))
        assert result.period == m.calendar_year(2023)
        assert result.requests_received == 2
        assert result.plans_issued == 1
        # "after-as-of" is open at 30 June, 149 days old; its plan is not yet issued.
        assert result.backlog == m.Backlog(
            open=1, over_20_weeks=1, over_30_weeks=0, over_50_weeks=0
        )

    def test_a_period_after_as_of_counts_nothing(self) -> None:
        result = m.kpis(self.records, as_of=date(2022, 6, 30), period=m.calendar_year(2023))
        data = result.as_dict()
        assert data["period"] == {"from": "2023-01-01", "to": "2023-12-31"}
        assert data["requests_received"] == 0
        assert data["plans_issued"] == 0
        assert data["pct_within_20_weeks"] is None
        assert data["avg_weeks_to_issue"] is None
        assert data["backlog"]["open"] == 0

    def test_as_dict_is_json(self) -> None:
        text = json.dumps(m.kpis(self.records, as_of=date(2023, 12, 31)).as_dict())
        assert '"pct_within_20_weeks": 50.0' in text
        assert '"pct_decisions_within_6_weeks": null' in text

    def test_records_may_be_a_generator(self) -> None:
        result = m.kpis((r for r in self.records), as_of=date(2023, 12, 31))
        assert result.plans_issued == 2 and result.requests_received == 3


def test_advice_returned_within_6_weeks() -> None:
    period = m.calendar_month(2023, 3)
    advice = [
        AdviceRecord("health", date(2023, 2, 1), date(2023, 3, 15)),  # due 15 Mar, on the day
        AdviceRecord("health", date(2023, 2, 2), date(2023, 3, 20)),  # due 16 Mar, late
        AdviceRecord("health", date(2023, 2, 3), None, exception=True),  # due 17 Mar, overdue
        AdviceRecord("educational_psychology", date(2023, 2, 17), None),  # due 31 Mar
        AdviceRecord("educational_psychology", date(2023, 2, 18), date(2023, 3, 1)),  # April
        AdviceRecord("social_care", date(2023, 2, 1), date(2023, 4, 30)),  # late after period
    ]
    result = m.advice_returned_within_6_weeks(advice, period)
    assert list(result) == ["educational_psychology", "health", "social_care"]
    assert result["health"] == AdviceTimeliness(
        due=3, within_6_weeks=1, late=1, outstanding_overdue=1, excused=1
    )
    assert result["health"].pct_within_6_weeks == 33.3
    assert result["educational_psychology"] == AdviceTimeliness(due=1, outstanding_not_yet_due=1)
    assert result["educational_psychology"].pct_within_6_weeks is None
    # Received after the period's end: outstanding at 31 March, late once known.
    assert result["social_care"] == AdviceTimeliness(due=1, outstanding_overdue=1)
    later = m.advice_returned_within_6_weeks(advice, period, as_of=date(2023, 5, 1))
    assert later["social_care"] == AdviceTimeliness(due=1, late=1)
    assert later["educational_psychology"] == AdviceTimeliness(due=1, outstanding_overdue=1)
