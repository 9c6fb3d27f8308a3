"""Properties of the measures over random, legally ordered histories (hypothesis)."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from ehcflow.statutory import measures as m
from ehcflow.statutory.measures import Period, RequestRecord
from tests.statutory.strategies import (
    as_of_dates,
    periods,
    plan_records,
    request_record_lists,
    request_records,
)


def terminal_events(record: RequestRecord, on: date) -> list[str]:
    """The events that end a request, dated by `on`: written out again, independently."""
    events = []
    if record.decision == "not_assess" and record.decision_date and record.decision_date <= on:
        events.append("not_assess")
    if record.outcome == "no_plan" and record.outcome_date and record.outcome_date <= on:
        events.append("no_plan")
    if record.final_date and record.final_date <= on:
        events.append("final")
    if record.closed_date and record.closed_date <= on:
        events.append("closed")
    return events


def _one_decimal(numerator: int, denominator: int) -> float | None:
    if denominator == 0:
        return None
    exact = Decimal(numerator) / Decimal(denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def naive_kpis(records: list[RequestRecord], as_of: date, period: Period) -> dict[str, object]:
    """docs/domain/measures.md read literally, one loop, no shared code with the package."""
    first, last = period.start.toordinal(), min(period.end, as_of).toordinal()

    def inside(day: date | None) -> bool:
        return day is not None and first <= day.toordinal() <= last

    received = plans = within = plans_ex = within_ex = total_days = made = made_6 = 0
    open_ = over_20 = over_30 = over_50 = 0
    for r in records:
        received += inside(r.request_date)
        if inside(r.final_date):
            assert r.final_date is not None
            days = r.final_date.toordinal() - r.request_date.toordinal()
            plans += 1
            total_days += days
            within += days <= 140
            if not r.exception:
                plans_ex += 1
                within_ex += days <= 140
        if inside(r.decision_date):
            assert r.decision_date is not None
            made += 1
            made_6 += r.decision_date.toordinal() - r.request_date.toordinal() <= 42
        if r.request_date <= as_of and not terminal_events(r, as_of):
            age = as_of.toordinal() - r.request_date.toordinal()
            open_ += 1
            over_20 += age > 140
            over_30 += age > 210
            over_50 += age > 350
    return {
        "requests_received": received,
        "plans_issued": plans,
        "issued_within_20_weeks": within,
        "pct_within_20_weeks": _one_decimal(100 * within, plans),
        "pct_within_20_weeks_excl_exceptions": _one_decimal(100 * within_ex, plans_ex),
        "avg_weeks_to_issue": _one_decimal(total_days, 7 * plans),
        "backlog": {
            "open": open_,
            "over_20_weeks": over_20,
            "over_30_weeks": over_30,
            "over_50_weeks": over_50,
        },
        "plans_issued_excl_exceptions": plans_ex,
        "issued_within_20_weeks_excl_exceptions": within_ex,
        "decisions_made": made,
        "decisions_within_6_weeks": made_6,
        "pct_decisions_within_6_weeks": _one_decimal(100 * made_6, made),
    }


@given(request_record_lists(), as_of_dates(), st.none() | periods())
def test_kpis_equal_a_naive_recomputation(
    records: list[RequestRecord], as_of: date, period: Period | None
) -> None:
    result = m.kpis(records, as_of=as_of, period=period).as_dict()
    chosen = period or m.twelve_months_ending(as_of)
    assert result["as_of"] == as_of.isoformat()
    assert result["period"] == {"from": chosen.start.isoformat(), "to": chosen.end.isoformat()}
    if chosen.start > as_of:
        assert (
            result["requests_received"] == result["plans_issued"] == result["decisions_made"] == 0
        )
        return
    expected = naive_kpis(records, as_of, chosen)
    assert {key: value for key, value in result.items() if key in expected} == expected


@given(request_record_lists(), as_of_dates())
def test_backlog_is_nested(records: list[RequestRecord], on: date) -> None:
    b = m.backlog(records, on)
    assert 0 <= b.over_50_weeks <= b.over_30_weeks <= b.over_20_weeks <= b.open <= len(records)


@given(request_records(), st.integers(0, 1500), st.integers(0, 1500))
def test_an_open_request_was_open_on_every_earlier_day_since_received(
    record: RequestRecord, to_earlier: int, to_on: int
) -> None:
    earlier = record.request_date + timedelta(days=to_earlier)
    on = earlier + timedelta(days=to_on)
    if m.is_open(record, on):
        assert m.is_open(record, earlier)
    if not m.is_open(record, earlier):
        assert not m.is_open(record, on)


@given(request_record_lists(), as_of_dates())
def test_the_over_20_weeks_backlog_was_already_open_141_days_earlier(
    records: list[RequestRecord], on: date
) -> None:
    earlier = on - timedelta(days=141)
    assert m.backlog(records, on).over_20_weeks <= m.backlog(records, earlier).open


@given(request_record_lists(), as_of_dates(), st.integers(0, 1000))
def test_a_final_plan_never_adds_to_the_backlog(
    records: list[RequestRecord], on: date, after: int
) -> None:
    def issue(r: RequestRecord, days: int) -> RequestRecord:
        day = r.request_date + timedelta(days=days)
        return replace(
            r,
            decision="assess",
            decision_date=r.request_date,
            outcome="plan",
            outcome_date=r.request_date,
            final_date=day,
            closed_date=None,
        )

    open_now = m.backlog(records, on).open
    still_open = [issue(r, after) if m.is_open(r, on) else r for r in records]
    assert m.backlog(still_open, on).open <= open_now
    assert m.backlog([issue(r, 0) for r in records], on).open == 0


@given(request_records(), as_of_dates())
def test_every_request_is_open_or_ended_exactly_once(record: RequestRecord, on: date) -> None:
    events = terminal_events(record, on)
    if record.request_date > on:
        assert not m.is_open(record, on)
        assert m.state_on(record, on) is m.RequestState.NOT_RECEIVED
        return
    assert len(events) <= 1
    assert m.is_open(record, on) is (len(events) == 0)
    assert (m.state_on(record, on) is m.RequestState.OPEN) is m.is_open(record, on)


@given(request_record_lists(), periods())
def test_percentages_are_between_0_and_100(records: list[RequestRecord], period: Period) -> None:
    for pct in (
        m.pct_within_20_weeks(records, period),
        m.pct_within_20_weeks_excl_exceptions(records, period),
        m.pct_decisions_within_6_weeks(records, period),
    ):
        assert pct is None or 0.0 <= pct <= 100.0


@given(request_record_lists(), periods())
def test_counts_are_ordered(records: list[RequestRecord], period: Period) -> None:
    assert m.issued_within_20_weeks(records, period) <= m.plans_issued(records, period)
    assert m.plans_issued_excl_exceptions(records, period) <= m.plans_issued(records, period)
    assert m.issued_within_20_weeks_excl_exceptions(records, period) <= m.issued_within_20_weeks(
        records, period
    )
    assert m.issued_within_20_weeks_excl_exceptions(
        records, period
    ) <= m.plans_issued_excl_exceptions(records, period)
    assert m.decisions_within_6_weeks(records, period) <= m.decisions_made(records, period)


@given(request_record_lists(), periods())
def test_excluding_exceptions_never_counts_an_exception_plan(
    records: list[RequestRecord], period: Period
) -> None:
    without = [r for r in records if not r.exception]
    assert m.plans_issued_excl_exceptions(records, period) == m.plans_issued(without, period)
    assert m.issued_within_20_weeks_excl_exceptions(records, period) == m.issued_within_20_weeks(
        without, period
    )
    assert m.pct_within_20_weeks_excl_exceptions(records, period) == m.pct_within_20_weeks(
        without, period
    )
    all_exceptions = [replace(r, exception=True) for r in records]
    assert m.plans_issued_excl_exceptions(all_exceptions, period) == 0
    assert m.pct_within_20_weeks_excl_exceptions(all_exceptions, period) is None


@given(request_record_lists(), periods())
def test_avg_weeks_to_issue_lies_between_the_fastest_and_slowest_plan(
    records: list[RequestRecord], period: Period
) -> None:
    plans = m.new_plans(records, period)
    avg = m.avg_weeks_to_issue(records, period)
    if not plans:
        assert avg is None
        return
    weeks = [(r.final_date - r.request_date).days / 7 for r in plans if r.final_date]
    assert avg is not None
    assert min(weeks) - 0.05 <= avg <= max(weeks) + 0.05


@given(request_record_lists(), as_of_dates(), st.integers(0, 800), st.integers(0, 800))
def test_counts_add_up_over_adjoining_periods(
    records: list[RequestRecord], start: date, first_days: int, second_days: int
) -> None:
    first = Period(start, start + timedelta(days=first_days))
    second = Period(first.end + timedelta(days=1), first.end + timedelta(days=1 + second_days))
    both = Period(first.start, second.end)
    for measure in (
        m.requests_received,
        m.plans_issued,
        m.decisions_made,
        m.decisions_within_6_weeks,
    ):
        assert measure(records, both) == measure(records, first) + measure(records, second)


@given(st.lists(plan_records(), max_size=30), as_of_dates())
def test_plans_maintained_never_exceeds_plans_started(plans: list[m.PlanRecord], on: date) -> None:
    started = sum(1 for p in plans if p.start_date <= on)
    assert 0 <= m.plans_maintained(plans, on) <= started


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_percentage_matches_exact_rounding(numerator: int, denominator: int) -> None:
    assert m.percentage(numerator, denominator) == _one_decimal(100 * numerator, denominator)


@given(st.decimals(min_value=-10_000, max_value=10_000, places=4, allow_nan=False))
def test_round_half_up_agrees_with_decimal(value: Decimal) -> None:
    expected = float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    assert m.round_half_up(value) == expected
    assert m.round_half_up(float(value)) == expected


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False))
def test_round_half_up_is_close_and_idempotent(value: float) -> None:
    rounded = m.round_half_up(value)
    assert abs(Fraction(repr(rounded)) - Fraction(repr(value))) <= Fraction(1, 20)
    assert m.round_half_up(rounded) == rounded


@given(st.integers(-100_000, 100_000))
def test_exact_halves_round_away_from_zero(tenths: int) -> None:
    half_above = Fraction(2 * tenths + 1, 20)  # tenths/10 + 0.05
    # Away from zero: up for a positive half, down (towards -inf) for a negative one. The
    # expectation is computed first: `assert x == a if c else b` would assert b alone.
    expected = (tenths + 1) / 10 if tenths >= 0 else tenths / 10
    assert m.round_half_up(half_above) == expected


@given(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
)
def test_round_half_up_is_monotone(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert m.round_half_up(low) <= m.round_half_up(high)


@given(as_of_dates())
def test_twelve_months_is_a_year_long(as_of: date) -> None:
    period = m.twelve_months_ending(as_of)
    assert period.end == as_of
    assert period.days in (365, 366)
