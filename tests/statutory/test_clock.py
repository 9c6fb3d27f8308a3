"""Every deadline of the statutory clock against hand-computed dates."""

from datetime import date

import pytest

from ehcflow.statutory import clock


def test_the_constants_are_the_regulations_weeks() -> None:
    assert clock.DECISION_TO_ASSESS_DAYS == 42
    assert clock.ADVICE_DAYS == 42
    assert clock.DECISION_NOT_TO_ISSUE_DAYS == 112
    assert clock.FINAL_PLAN_DAYS == 140
    assert clock.COMMENT_PERIOD_DAYS == 15
    assert clock.REASSESSMENT_DECISION_DAYS == 15
    assert clock.REASSESSMENT_FINAL_DAYS == 98
    assert clock.REVIEW_DECISION_DAYS == 28
    assert clock.AMENDMENT_FINAL_DAYS == 56
    assert clock.AMENDED_PLAN_DAYS == 84


def test_weeks_elapsed() -> None:
    assert clock.weeks_elapsed(date(2023, 3, 13), date(2023, 7, 31)) == 20.0
    assert clock.weeks_elapsed(date(2022, 1, 10), date(2023, 2, 1)) == pytest.approx(387 / 7)
    assert clock.weeks_elapsed(date(2023, 3, 13), date(2023, 3, 13)) == 0.0


def test_decision_to_assess_is_due_six_weeks_after_the_request() -> None:
    assert clock.decision_to_assess_due(date(2023, 1, 1)) == date(2023, 2, 12)
    assert clock.decision_to_assess_due(date(2024, 2, 1)) == date(2024, 3, 14)  # leap Feb


def test_advice_is_due_six_weeks_after_it_was_requested() -> None:
    assert clock.advice_due(date(2024, 2, 1)) == date(2024, 3, 14)
    assert clock.advice_due(date(2023, 12, 20)) == date(2024, 1, 31)


def test_decision_not_to_issue_is_due_at_sixteen_weeks() -> None:
    assert clock.decision_not_to_issue_due(date(2023, 3, 13)) == date(2023, 7, 3)


@pytest.mark.parametrize(
    ("request_date", "due"),
    [
        (date(2022, 7, 1), date(2022, 11, 18)),  # docs/domain/measures.md request c
        (date(2023, 3, 13), date(2023, 7, 31)),  # docs/domain/measures.md request a: 140 days at D
        (date(2023, 12, 1), date(2024, 4, 19)),  # across 29 February 2024
        (date(2024, 10, 14), date(2025, 3, 3)),  # across a 28-day February
    ],
)
def test_final_plan_is_due_at_twenty_weeks(request_date: date, due: date) -> None:
    assert clock.final_plan_due(request_date) == due


def test_the_deadline_day_counts_as_within_20_weeks() -> None:
    assert clock.is_within_20_weeks(date(2022, 7, 1), date(2022, 11, 18))
    assert not clock.is_within_20_weeks(date(2022, 7, 1), date(2022, 11, 19))
    assert clock.is_within_20_weeks(date(2022, 7, 1), date(2022, 7, 1))


def test_comment_period_is_15_days_beginning_with_the_day_served() -> None:
    # Served on 1 May: days 1..15 are 1..15 May; the final plan may follow on 16 May.
    assert clock.comment_period_ends(date(2023, 5, 1)) == date(2023, 5, 15)
    assert clock.earliest_final_plan_date(date(2023, 5, 1)) == date(2023, 5, 16)
    assert clock.comment_period_ends(date(2024, 2, 20)) == date(2024, 3, 5)


def test_reassessment_deadlines() -> None:
    assert clock.reassessment_decision_due(date(2024, 2, 20)) == date(2024, 3, 6)
    assert clock.reassessment_final_due(date(2024, 1, 1)) == date(2024, 4, 8)


@pytest.mark.parametrize(
    ("last", "due"),
    [
        (date(2023, 9, 15), date(2024, 9, 15)),
        (date(2023, 2, 28), date(2024, 2, 28)),
        (date(2024, 2, 29), date(2025, 2, 28)),
        (date(2023, 12, 31), date(2024, 12, 31)),
    ],
)
def test_next_review_is_due_within_12_months(last: date, due: date) -> None:
    assert clock.next_review_due(last) == due


def test_review_meeting_deadlines() -> None:
    meeting = date(2024, 3, 5)
    assert clock.review_notice_due(meeting) == date(2024, 2, 20)
    assert clock.review_advice_due(meeting) == date(2024, 2, 20)
    assert clock.review_report_due(meeting) == date(2024, 3, 19)
    assert clock.review_decision_due(date(2024, 2, 10)) == date(2024, 3, 9)


def test_amended_plan_is_due_12_weeks_after_the_meeting_devon_2022() -> None:
    meeting = date(2023, 11, 20)
    proposal = clock.review_decision_due(meeting)
    assert proposal == date(2023, 12, 18)
    assert clock.amendment_final_due(proposal) == date(2024, 2, 12)
    assert clock.amended_plan_due(meeting) == date(2024, 2, 12)
    assert clock.amendment_comment_period_ends(proposal) == date(2024, 1, 1)


def test_phase_transfer_deadlines() -> None:
    assert clock.phase_transfer_deadline(2025, secondary_to_post16=True) == date(2025, 3, 31)
    assert clock.phase_transfer_deadline(2025, secondary_to_post16=False) == date(2025, 2, 15)
    assert clock.phase_transfer_post16_other(date(2024, 7, 31)) == date(2024, 2, 29)
    assert clock.phase_transfer_post16_other(date(2023, 7, 31)) == date(2023, 2, 28)
    assert clock.phase_transfer_post16_other(date(2024, 1, 15)) == date(2023, 8, 15)


def test_tribunal_order_deadlines() -> None:
    order = date(2024, 1, 10)
    assert clock.tribunal_assessment_notice_due(order) == date(2024, 1, 24)
    assert clock.tribunal_no_plan_decision_due(order) == date(2024, 3, 20)
    assert clock.tribunal_final_plan_due(order) == date(2024, 4, 17)
    assert clock.tribunal_amended_plan_due(order) == date(2024, 2, 14)
    assert clock.tribunal_placement_due(order) == date(2024, 1, 24)
    assert clock.tribunal_draft_plan_due(order) == date(2024, 2, 14)
    assert clock.tribunal_make_plan_final_due(order) == date(2024, 3, 27)


def test_today_is_the_date_in_london_and_deadlines_are_judged_by_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """00:30 BST on 1 April is 1 April in England, though 31 March on a UTC server clock."""
    from datetime import datetime as real_datetime
    from zoneinfo import ZoneInfo

    from ehcflow.statutory.exceptions import Deadline, Step

    class _Clock(real_datetime):
        @classmethod
        def now(cls, tz: object = None) -> real_datetime:  # type: ignore[override]
            instant = real_datetime(2024, 3, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
            return instant.astimezone(tz) if tz is not None else instant  # type: ignore[arg-type]

    monkeypatch.setattr(clock, "datetime", _Clock)
    assert clock.today() == date(2024, 4, 1)
    due_31_march = Deadline(step=Step.DECISION_TO_ASSESS, due=date(2024, 3, 31), regulation="")
    assert due_31_march.met is False  # past due in England: 1 April has begun
