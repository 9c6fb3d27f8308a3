"""A request's stage on a past date comes from the steps dated by then (docs/domain/measures.md)."""

from __future__ import annotations

from datetime import date

from ehcflow.casework import choices as c
from ehcflow.statutory.records import (
    RequestRecord,
    RequestStage,
    current_stage,
    ended_on,
    stage_on,
)

PLAN = RequestRecord(case_ref="R", request_date=date(2023, 1, 2), decision="assess",
                     decision_date=date(2023, 2, 1), outcome="plan",
                     outcome_date=date(2023, 4, 3), draft_date=date(2023, 4, 10),
                     final_date=date(2023, 5, 15))


def test_each_step_moves_the_stage_on_its_own_date() -> None:
    assert [stage_on(PLAN, day) for day in (
        date(2023, 1, 1), date(2023, 1, 2), date(2023, 2, 1), date(2023, 4, 3),
        date(2023, 4, 10), date(2023, 5, 14), date(2023, 5, 15), date.max)] == [
        RequestStage.NOT_RECEIVED, RequestStage.AWAITING_DECISION, RequestStage.ASSESSING,
        RequestStage.AWAITING_DRAFT, RequestStage.DRAFT_ISSUED, RequestStage.DRAFT_ISSUED,
        RequestStage.PLAN_ISSUED, RequestStage.PLAN_ISSUED]


def test_an_ending_stops_the_clock_on_its_date() -> None:
    refused = RequestRecord(case_ref="N", request_date=date(2022, 11, 1),
                            decision="not_assess", decision_date=date(2022, 12, 5))
    assert stage_on(refused, date(2023, 7, 31)) is RequestStage.NOT_ASSESSED
    assert ended_on(refused, date(2023, 7, 31)) == date(2022, 12, 5)
    assert ended_on(refused, date(2022, 12, 4)) is None
    assert ended_on(PLAN, date(2023, 5, 15)) == date(2023, 5, 15)


def test_the_stages_are_the_casework_stages() -> None:
    assert {s.value for s in RequestStage} - {"not_received"} == set(c.Stage.values)


def test_the_current_stage_is_the_stage_with_no_date_limit() -> None:
    """`current_stage` is what every writer stores (decision 0023)."""
    assert current_stage(PLAN) is RequestStage.PLAN_ISSUED
    drafted = RequestRecord(case_ref="D", request_date=date(2023, 1, 2), decision="assess",
                            decision_date=date(2023, 2, 1), outcome="plan",
                            outcome_date=date(2023, 4, 3), draft_date=date(2023, 4, 10))
    assert current_stage(drafted) is RequestStage.DRAFT_ISSUED
    assert current_stage(RequestRecord("A", date(2023, 1, 2))) is RequestStage.AWAITING_DECISION


def test_a_request_refused_then_closed_stays_refused() -> None:
    """Where two endings are recorded (the register allows a closure after a refusal), the
    earliest wins, as for "open at date D"; the casework once said "closed" here."""
    refused_then_closed = RequestRecord(
        case_ref="N", request_date=date(2022, 11, 1), decision="not_assess",
        decision_date=date(2022, 12, 5), closed_date=date(2023, 1, 9), closed_reason="other")
    assert current_stage(refused_then_closed) is RequestStage.NOT_ASSESSED
    closed_then_refused = RequestRecord(
        case_ref="M", request_date=date(2022, 11, 1), decision="not_assess",
        decision_date=date(2022, 12, 5), closed_date=date(2022, 12, 1), closed_reason="other")
    assert current_stage(closed_then_refused) is RequestStage.CLOSED


def test_a_step_without_its_date_does_not_count() -> None:
    undated = RequestRecord(case_ref="U", request_date=date(2023, 1, 2), decision="assess")
    assert current_stage(undated) is RequestStage.AWAITING_DECISION
