"""`Deadline` and the statutory timeline of one initial request."""

from datetime import date

import pytest

from ehcflow.statutory.exceptions import (
    Deadline,
    DeadlineKind,
    ExceptionPeriod,
    ExceptionReason,
    Step,
    request_timeline,
)

REQUEST = date(2023, 1, 1)


def by_step(deadlines: list[Deadline]) -> dict[Step, Deadline]:
    return {d.step: d for d in deadlines}


class TestDeadline:
    def make(self, **kwargs: object) -> Deadline:
        fields: dict[str, object] = {
            "step": Step.FINAL_PLAN,
            "due": date(2023, 5, 21),
            "regulation": "SEND Regulations 2014, reg 13(2)",
        }
        fields.update(kwargs)
        return Deadline(**fields)  # type: ignore[arg-type]

    def test_done_on_the_due_day_is_met(self) -> None:
        assert self.make(done=date(2023, 5, 21)).met is True
        assert self.make(done=date(2023, 5, 22)).met is False

    def test_not_done_is_undecided_until_past_due(self) -> None:
        assert self.make(as_of=date(2023, 5, 21)).met is None
        assert self.make(as_of=date(2023, 5, 22)).met is False

    def test_without_as_of_today_decides(self) -> None:
        assert self.make(due=date(2000, 1, 1)).met is False
        assert self.make(due=date(2999, 1, 1)).met is None

    def test_overdue_on(self) -> None:
        deadline = self.make(done=date(2023, 6, 10))
        assert not deadline.overdue_on(date(2023, 5, 21))
        assert deadline.overdue_on(date(2023, 5, 22))
        assert deadline.overdue_on(date(2023, 6, 9))
        assert not deadline.overdue_on(date(2023, 6, 10))
        assert self.make().overdue_on(date(2023, 5, 22))

    def test_adjusted_due_is_for_display_and_the_measure_keeps_due(self) -> None:
        deadline = self.make(
            done=date(2023, 6, 1),
            exception=ExceptionReason.ABSENT_FROM_AREA,
            exception_days=30,
        )
        assert deadline.adjusted_due == date(2023, 6, 20)
        assert deadline.met is False
        assert deadline.excused

    def test_a_period_end_is_met_when_the_act_waits_for_it(self) -> None:
        period = self.make(step=Step.COMMENT_PERIOD, kind=DeadlineKind.PERIOD_END)
        assert period.met is None
        assert not period.overdue_on(date(2030, 1, 1))
        assert self.make(kind=DeadlineKind.PERIOD_END, done=date(2023, 5, 22)).met is True
        assert self.make(kind=DeadlineKind.PERIOD_END, done=date(2023, 5, 21)).met is False


def test_a_decision_not_to_assess_ends_the_timeline() -> None:
    timeline = request_timeline(
        request_date=REQUEST, decision="not_assess", decision_date=date(2023, 2, 10)
    )
    assert [d.step for d in timeline] == [Step.DECISION_TO_ASSESS]
    assert timeline[0].due == date(2023, 2, 12)
    assert timeline[0].met is True
    assert timeline[0].regulation == "SEND Regulations 2014, reg 5(1)"


def test_an_undecided_request_shows_every_deadline_still_possible() -> None:
    timeline = request_timeline(request_date=REQUEST, as_of=date(2023, 1, 20))
    assert [(d.step, d.due) for d in timeline] == [
        (Step.DECISION_TO_ASSESS, date(2023, 2, 12)),
        (Step.DECISION_NOT_TO_ISSUE, date(2023, 4, 23)),
        (Step.FINAL_PLAN, date(2023, 5, 21)),
    ]
    assert all(d.met is None for d in timeline)


def test_a_no_plan_outcome_has_no_final_plan_deadline() -> None:
    timeline = by_step(
        request_timeline(
            request_date=REQUEST,
            decision="assess",
            decision_date=date(2023, 2, 1),
            outcome="no_plan",
            outcome_date=date(2023, 4, 30),
        )
    )
    assert set(timeline) == {Step.DECISION_TO_ASSESS, Step.DECISION_NOT_TO_ISSUE}
    assert timeline[Step.DECISION_NOT_TO_ISSUE].done == date(2023, 4, 30)
    assert timeline[Step.DECISION_NOT_TO_ISSUE].met is False
    assert timeline[Step.DECISION_NOT_TO_ISSUE].regulation == "SEND Regulations 2014, reg 10(1)"


def test_a_plan_has_advice_comment_period_and_final_plan() -> None:
    timeline = request_timeline(
        request_date=REQUEST,
        decision="assess",
        decision_date=date(2023, 2, 1),
        advice=[
            ("educational_psychology", date(2023, 2, 2), date(2023, 3, 20)),
            ("health", date(2023, 2, 2), date(2023, 3, 1)),
        ],
        outcome="plan",
        outcome_date=date(2023, 4, 10),
        draft_date=date(2023, 4, 10),
        final_date=date(2023, 5, 2),
    )
    assert [(d.step, d.subject, d.due, d.met) for d in timeline] == [
        (Step.DECISION_TO_ASSESS, "", date(2023, 2, 12), True),
        (Step.ADVICE, "educational_psychology", date(2023, 3, 16), False),
        (Step.ADVICE, "health", date(2023, 3, 16), True),
        (Step.COMMENT_PERIOD, "", date(2023, 4, 24), True),
        (Step.FINAL_PLAN, "", date(2023, 5, 21), True),
    ]
    assert timeline[-1].regulation == "SEND Regulations 2014, reg 13(2)"
    assert timeline[3].regulation == "SEND Regulations 2014, reg 13(1)(a)"


def test_a_draft_implies_the_plan_outcome() -> None:
    timeline = request_timeline(
        request_date=REQUEST, decision="assess", draft_date=date(2023, 5, 1)
    )
    assert Step.DECISION_NOT_TO_ISSUE not in by_step(timeline)


def test_a_final_plan_inside_the_comment_period_is_flagged() -> None:
    timeline = by_step(
        request_timeline(
            request_date=REQUEST,
            decision="assess",
            outcome="plan",
            draft_date=date(2023, 5, 1),
            final_date=date(2023, 5, 10),
        )
    )
    assert timeline[Step.COMMENT_PERIOD].due == date(2023, 5, 15)
    assert timeline[Step.COMMENT_PERIOD].met is False
    assert timeline[Step.FINAL_PLAN].met is True


def test_an_absence_is_counted_within_each_steps_own_window() -> None:
    absence = ExceptionPeriod(ExceptionReason.ABSENT_FROM_AREA, date(2023, 3, 1), date(2023, 4, 15))
    timeline = by_step(
        request_timeline(
            request_date=REQUEST,
            decision="assess",
            decision_date=date(2023, 2, 1),
            advice=[("health", date(2023, 2, 2), None)],
            outcome="plan",
            final_date=date(2023, 6, 30),
            exceptions=[absence],
            as_of=date(2023, 7, 1),
        )
    )
    decision = timeline[Step.DECISION_TO_ASSESS]
    assert (decision.exception, decision.exception_days) == (None, 0)
    advice = timeline[Step.ADVICE]  # window 2 Feb - 16 Mar: 1-16 March
    assert (advice.exception, advice.exception_days) == (ExceptionReason.ABSENT_FROM_AREA, 16)
    final = timeline[Step.FINAL_PLAN]  # 46 days of absence inside 1 Jan - 21 May
    assert final.exception_days == 46
    assert final.adjusted_due == date(2023, 7, 6)
    assert final.met is False and final.excused


def test_an_unlawful_exception_is_not_attached() -> None:
    short = ExceptionPeriod(ExceptionReason.ABSENT_FROM_AREA, date(2023, 3, 1), date(2023, 3, 10))
    closure = ExceptionPeriod(ExceptionReason.SCHOOL_CLOSURE, date(2023, 2, 10), date(2023, 3, 31))
    timeline = by_step(
        request_timeline(
            request_date=REQUEST,
            advice=[("education", date(2023, 2, 2), None)],
            exceptions=[short, closure],
            as_of=date(2023, 3, 1),
        )
    )
    assert timeline[Step.ADVICE].exception is None  # no closure ground in reg 8(2)
    final = timeline[Step.FINAL_PLAN]
    assert final.exception is ExceptionReason.SCHOOL_CLOSURE
    # From a week before closing (3 Feb) to a week before re-opening on 1 April (25 March).
    assert final.exception_days == 51


def test_coronavirus_counts_only_inside_2020_window() -> None:
    covid = ExceptionPeriod(ExceptionReason.CORONAVIRUS, date(2020, 5, 1), date(2020, 9, 25))
    timeline = by_step(request_timeline(request_date=date(2020, 3, 1), exceptions=[covid]))
    # Final plan window 1 March - 19 July 2020: 1 May to 19 July is 80 days.
    assert timeline[Step.FINAL_PLAN].exception_days == 80
    assert timeline[Step.DECISION_TO_ASSESS].exception is None


def test_bad_codes_are_refused() -> None:
    with pytest.raises(ValueError, match="decision"):
        request_timeline(request_date=REQUEST, decision="yes")
    with pytest.raises(ValueError, match="outcome"):
        request_timeline(request_date=REQUEST, outcome="maybe")
