"""Which exceptions excuse which time limit, and whether an exception's dates are lawful."""

from datetime import date

import pytest

from ehcflow.statutory.exceptions import (
    EXCEPTION_PROVISION,
    REGULATION,
    ExceptionPeriod,
    ExceptionReason,
    Step,
    exception_applies,
    exceptions_for,
    validate_exception,
)

R = ExceptionReason
REG_10_4 = {R.SCHOOL_CLOSURE, R.EARLY_YEARS_CLOSURE, R.PERSONAL_CIRCUMSTANCES, R.ABSENT_FROM_AREA}
REG_10_4_STEPS = [
    Step.DECISION_TO_ASSESS,
    Step.DECISION_NOT_TO_ISSUE,
    Step.FINAL_PLAN,
    Step.REASSESSMENT_FINAL,
]


def test_values_are_the_register_codes() -> None:
    assert [r.value for r in R] == [
        "school_closure",
        "early_years_closure",
        "personal_circumstances",
        "absent_from_area",
        "missed_appointment",
        "coronavirus",
    ]
    assert Step.FINAL_PLAN.value == "final_plan"
    assert Step.DECISION_NOT_TO_ISSUE.value == "decision_not_to_issue"
    assert isinstance(Step.ADVICE, str)


@pytest.mark.parametrize("step", REG_10_4_STEPS)
def test_reg_10_4_grounds_apply_to_assessment_decisions_and_plans(step: Step) -> None:
    for reason in REG_10_4:
        assert exception_applies(step, reason)
    assert not exception_applies(step, R.MISSED_APPOINTMENT)
    assert exceptions_for(step) == REG_10_4 | {R.CORONAVIRUS}


def test_reg_8_2_has_no_closure_ground_but_has_missed_appointments() -> None:
    assert not exception_applies(Step.ADVICE, R.SCHOOL_CLOSURE)
    assert not exception_applies(Step.ADVICE, R.EARLY_YEARS_CLOSURE)
    assert exception_applies(Step.ADVICE, R.PERSONAL_CIRCUMSTANCES)
    assert exception_applies(Step.ADVICE, R.ABSENT_FROM_AREA)
    assert exception_applies(Step.ADVICE, R.MISSED_APPOINTMENT)


def test_reviews_and_the_comment_period_have_no_listed_grounds() -> None:
    assert exceptions_for(Step.COMMENT_PERIOD) == frozenset()
    assert exceptions_for(Step.REVIEW_DECISION) == {R.CORONAVIRUS}
    assert exceptions_for(Step.AMENDED_PLAN) == {R.CORONAVIRUS}


@pytest.mark.parametrize(
    ("on", "applies"),
    [
        (date(2020, 4, 30), False),
        (date(2020, 5, 1), True),
        (date(2020, 9, 25), True),
        (date(2020, 9, 26), False),
        (date(2023, 1, 1), False),
    ],
)
def test_coronavirus_applies_only_from_1_may_to_25_september_2020(on: date, applies: bool) -> None:
    assert exception_applies(Step.FINAL_PLAN, R.CORONAVIRUS, on=on) is applies
    assert exception_applies(Step.FINAL_PLAN, R.CORONAVIRUS)


def test_every_step_cites_its_regulation() -> None:
    assert REGULATION[Step.FINAL_PLAN] == "SEND Regulations 2014, reg 13(2)"
    assert REGULATION[Step.DECISION_TO_ASSESS] == "SEND Regulations 2014, reg 5(1)"
    assert "Devon" in REGULATION[Step.AMENDED_PLAN]
    assert EXCEPTION_PROVISION[Step.ADVICE] == "SEND Regulations 2014, reg 8(2)"
    assert set(REGULATION) == set(Step) == set(EXCEPTION_PROVISION)


def test_absence_needs_four_continuous_weeks() -> None:
    short = validate_exception(
        Step.FINAL_PLAN, R.ABSENT_FROM_AREA, date(2023, 3, 1), date(2023, 3, 27)
    )
    assert len(short) == 1
    assert "at least 4 weeks" in short[0] and "10(4)(d)" in short[0] and "27 days" in short[0]
    assert (
        validate_exception(Step.FINAL_PLAN, R.ABSENT_FROM_AREA, date(2023, 3, 1), date(2023, 3, 28))
        == []
    )
    assert validate_exception(Step.FINAL_PLAN, R.ABSENT_FROM_AREA, date(2023, 3, 1), None) == []


def test_absence_during_advice_cites_reg_8_2_b() -> None:
    problems = validate_exception(
        Step.ADVICE, R.ABSENT_FROM_AREA, date(2023, 3, 1), date(2023, 3, 10)
    )
    assert len(problems) == 1 and "8(2)(b)" in problems[0]


def test_a_closure_must_last_four_weeks() -> None:
    problems = validate_exception(
        Step.FINAL_PLAN, R.SCHOOL_CLOSURE, date(2023, 4, 1), date(2023, 4, 16)
    )
    assert len(problems) == 1 and "10(4)(a)" in problems[0] and "16 days" in problems[0]
    early = validate_exception(
        Step.FINAL_PLAN, R.EARLY_YEARS_CLOSURE, date(2023, 4, 1), date(2023, 4, 2)
    )
    assert "10(4)(b)" in early[0]
    summer = validate_exception(
        Step.FINAL_PLAN, R.SCHOOL_CLOSURE, date(2023, 7, 21), date(2023, 9, 4)
    )
    assert summer == []


def test_a_school_closure_does_not_excuse_late_advice() -> None:
    problems = validate_exception(
        Step.ADVICE, R.SCHOOL_CLOSURE, date(2023, 7, 21), date(2023, 9, 4)
    )
    assert problems == [
        "A school or college closure is not an exception to the 6-week deadline for advice "
        "(SEND Regulations 2014, reg 8(2))."
    ]


def test_a_missed_appointment_excuses_only_advice() -> None:
    assert (
        validate_exception(Step.ADVICE, R.MISSED_APPOINTMENT, date(2023, 3, 1), date(2023, 3, 1))
        == []
    )
    problems = validate_exception(Step.FINAL_PLAN, R.MISSED_APPOINTMENT, date(2023, 3, 1), None)
    assert len(problems) == 1 and "reg 13(3)" in problems[0]


def test_an_exception_cannot_end_before_it_starts() -> None:
    problems = validate_exception(
        Step.FINAL_PLAN, R.PERSONAL_CIRCUMSTANCES, date(2023, 3, 10), date(2023, 3, 1)
    )
    assert problems == ["The exception ends before it starts."]


@pytest.mark.parametrize(
    ("start", "end", "ok"),
    [
        (date(2020, 6, 1), date(2020, 7, 1), True),
        (date(2020, 5, 1), date(2020, 9, 25), True),
        (date(2020, 4, 1), date(2020, 6, 1), False),
        (date(2020, 9, 1), date(2020, 10, 1), False),
        (date(2020, 6, 1), None, False),
        (date(2021, 1, 5), date(2021, 2, 5), False),
    ],
)
def test_coronavirus_must_fall_within_its_window(start: date, end: date | None, ok: bool) -> None:
    problems = validate_exception(Step.FINAL_PLAN, R.CORONAVIRUS, start, end)
    assert (problems == []) is ok
    if not ok:
        assert "SI 2020/471" in problems[0]


def test_personal_circumstances_have_no_minimum_length() -> None:
    day = date(2023, 3, 1)
    assert validate_exception(Step.DECISION_TO_ASSESS, R.PERSONAL_CIRCUMSTANCES, day, day) == []


def test_a_closure_counts_from_a_week_before_closing_to_a_week_before_reopening() -> None:
    # Closed 1 March to 30 April inclusive, re-opening 1 May (reg 10(4)(a)).
    period = ExceptionPeriod(R.SCHOOL_CLOSURE, date(2023, 3, 1), date(2023, 4, 30))
    assert period.effective() == (date(2023, 2, 22), date(2023, 4, 24))


def test_coronavirus_is_clipped_to_its_window() -> None:
    period = ExceptionPeriod(R.CORONAVIRUS, date(2020, 4, 1), date(2020, 12, 1))
    assert period.effective() == (date(2020, 5, 1), date(2020, 9, 25))
    other = ExceptionPeriod(R.ABSENT_FROM_AREA, date(2020, 4, 1))
    assert other.effective() == (date(2020, 4, 1), None)
