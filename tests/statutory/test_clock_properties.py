"""Properties of the statutory clock (hypothesis)."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ehcflow.statutory import clock
from ehcflow.statutory.bank_holidays import bank_holidays, easter_sunday, is_working_day
from ehcflow.statutory.dates import add_months

DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))

FORWARD: list[Callable[[date], date]] = [
    clock.decision_to_assess_due,
    clock.advice_due,
    clock.decision_not_to_issue_due,
    clock.comment_period_ends,
    clock.earliest_final_plan_date,
    clock.final_plan_due,
    clock.reassessment_decision_due,
    clock.reassessment_final_due,
    clock.next_review_due,
    clock.review_report_due,
    clock.review_decision_due,
    clock.amendment_comment_period_ends,
    clock.amendment_final_due,
    clock.amended_plan_due,
    clock.mediation_contact_deadline,
    clock.mediation_arranged_due,
    clock.certificate_due,
    clock.commissioning_body_notice_due,
    clock.appeal_deadline,
    clock.tribunal_assessment_notice_due,
    clock.tribunal_no_plan_decision_due,
    clock.tribunal_final_plan_due,
    clock.tribunal_amended_plan_due,
    clock.tribunal_placement_due,
    clock.tribunal_draft_plan_due,
    clock.tribunal_make_plan_final_due,
]


@pytest.mark.parametrize("deadline", FORWARD, ids=lambda f: f.__name__)
@given(start=DATES)
def test_deadlines_fall_after_their_start(deadline: Callable[[date], date], start: date) -> None:
    assert deadline(start) > start


@given(DATES)
def test_notices_before_a_meeting_fall_before_it(meeting: date) -> None:
    assert clock.review_notice_due(meeting) < meeting
    assert clock.review_advice_due(meeting) < meeting
    assert clock.phase_transfer_post16_other(meeting) < meeting


@given(DATES, st.integers(0, 2000))
def test_within_20_weeks_iff_at_most_140_days(request_date: date, days: int) -> None:
    final = request_date + timedelta(days=days)
    assert clock.is_within_20_weeks(request_date, final) is (days <= 140)
    assert clock.is_within_20_weeks(request_date, final) is (
        final <= clock.final_plan_due(request_date)
    )


@given(DATES, DATES)
def test_weeks_elapsed_is_days_over_seven(start: date, on: date) -> None:
    assert clock.weeks_elapsed(start, on) * 7 == pytest.approx((on - start).days)


@given(DATES)
def test_next_review_is_within_12_months(last: date) -> None:
    due = clock.next_review_due(last)
    assert (due - last).days in (365, 366)
    assert (due.year, due.month) == (last.year + 1, last.month)
    assert due.day == last.day or (last.month, last.day, due.day) == (2, 29, 28)


@given(DATES, st.none() | DATES)
def test_appeal_deadline_never_falls_in_august_or_over_christmas(
    letter: date, certificate: date | None
) -> None:
    deadline = clock.appeal_deadline(letter, certificate)
    assert deadline.month != 8
    assert not (deadline.month == 12 and deadline.day >= 25)
    assert (deadline.month, deadline.day) != (1, 1)
    raw = add_months(letter, 2)
    if certificate is not None:
        raw = max(raw, add_months(certificate, 1))
    if raw == deadline:
        return
    # Moved: forward, to a working day, and no further than the next working day after the
    # closure (31 August or 1 January).
    assert deadline > raw
    assert is_working_day(deadline)
    assert deadline.month in (1, 9)
    assert deadline.day <= 7


@given(DATES)
def test_certificate_is_due_on_the_third_working_day(informed: date) -> None:
    due = clock.certificate_due(informed)
    assert is_working_day(due)
    between = [informed + timedelta(days=n) for n in range(1, (due - informed).days + 1)]
    assert sum(1 for day in between if is_working_day(day)) == 3
    assert (due - informed).days <= 3 + 2 + 4  # a weekend and Easter or Christmas at most


@given(DATES, st.integers(-36, 36))
def test_month_arithmetic_keeps_the_day_or_clamps_it(start: date, months: int) -> None:
    moved = add_months(start, months)
    assert (moved.year * 12 + moved.month) - (start.year * 12 + start.month) == months
    assert moved.day == start.day or (moved.day < start.day and (moved + timedelta(1)).day == 1)


@given(st.integers(1583, 4099))
def test_easter_is_a_sunday_between_22_march_and_25_april(year: int) -> None:
    easter = easter_sunday(year)
    assert easter.weekday() == 6
    assert date(year, 3, 22) <= easter <= date(year, 4, 25)


@given(st.integers(1978, 2200))
def test_bank_holidays_are_weekdays_and_at_least_eight(year: int) -> None:
    holidays = bank_holidays(year)
    assert all(day.weekday() < 5 and day.year == year for day in holidays)
    assert len(holidays) >= 8


@given(DATES)
def test_phase_transfer_deadlines_are_in_the_transfer_year(day: date) -> None:
    post16 = clock.phase_transfer_deadline(day.year, secondary_to_post16=True)
    other = clock.phase_transfer_deadline(day.year, secondary_to_post16=False)
    assert other < post16 and post16.year == other.year == day.year
