"""The law of disagreements as pure functions, checked with plain dates."""

from __future__ import annotations

from datetime import date

import pytest

from ehcflow.statutory import disagreements as law
from ehcflow.statutory.disagreements import DeadlineStatus, DisputedDecision, OrderKind, Section


def test_the_response_is_due_30_working_days_after_the_notice_is_sent() -> None:
    # No bank holiday in January or February 2025: exactly six weeks.
    assert law.response_due(date(2025, 1, 6)) == date(2025, 2, 17)
    # Good Friday, Easter Monday and the early May holiday push it three working days on.
    assert law.response_due(date(2025, 3, 31)) == date(2025, 5, 15)


def test_the_certificate_is_due_3_working_days_after_the_adviser_is_told() -> None:
    assert law.certificate_deadline(date(2025, 12, 19)) == date(2025, 12, 24)
    # Christmas Day, Boxing Day and the weekend are not working days.
    assert law.certificate_deadline(date(2025, 12, 23)) == date(2025, 12, 30)
    # After a mediation, from the day it was held (Easter in between).
    assert law.certificate_deadline(date(2025, 3, 3), date(2025, 4, 17)) == date(2025, 4, 24)


def test_mediation_is_due_within_30_days() -> None:
    assert law.mediation_deadline(date(2025, 3, 1)) == date(2025, 3, 31)


@pytest.mark.parametrize(("kind", "due"), [
    (OrderKind.CEASE_PLAN, date(2025, 6, 2)),  # reg 44(2)(a): immediately
    (OrderKind.ASSESSMENT_NOTICE, date(2025, 6, 16)),  # (b): 2 weeks
    (OrderKind.NO_PLAN_DECISION, date(2025, 8, 11)),  # (b)(i): 10 weeks
    (OrderKind.FINAL_PLAN_AFTER_ASSESSMENT, date(2025, 9, 8)),  # (b)(ii): 14 weeks
    (OrderKind.DRAFT_PLAN, date(2025, 7, 7)),  # (c)(i): 5 weeks
    (OrderKind.FINAL_PLAN, date(2025, 8, 18)),  # (c)(ii): 11 weeks
    (OrderKind.RECONSIDER, date(2025, 6, 16)),  # (d): 2 weeks
    (OrderKind.AMEND_PLAN, date(2025, 7, 7)),  # (e): 5 weeks
    (OrderKind.NAME_SCHOOL, date(2025, 6, 16)),  # (f): 2 weeks
    (OrderKind.CONTINUE_PLAN, date(2025, 6, 2)),  # (g): immediately
    (OrderKind.CONTINUE_AND_AMEND, date(2025, 7, 7)),  # (h): 5 weeks
])
def test_each_order_has_its_reg_44_period(kind: OrderKind, due: date) -> None:
    assert law.order_due(kind, date(2025, 6, 2)) == due
    # Reg 45 (as substituted in 2015): the same periods from the council's notice.
    assert law.order_due(kind, date(2025, 6, 2), unopposed=True) == due


def test_an_unopposed_appeal_before_march_2015_had_the_original_4_weeks() -> None:
    assert law.order_due(OrderKind.ASSESSMENT_NOTICE, date(2015, 1, 5),
                         unopposed=True) == date(2015, 2, 2)
    assert law.order_due(OrderKind.AMEND_PLAN, date(2015, 1, 5),
                         unopposed=True) == date(2015, 2, 2)
    assert law.order_due(OrderKind.ASSESSMENT_NOTICE, date(2015, 3, 23),
                         unopposed=True) == date(2015, 4, 6)
    # An order of the Tribunal (reg 44) was never 4 weeks.
    assert law.order_due(OrderKind.ASSESSMENT_NOTICE, date(2015, 1, 5)) == date(2015, 1, 19)


def test_deadline_status() -> None:
    due = date(2025, 6, 16)
    assert law.deadline_status(due, date(2025, 6, 16), date(2025, 7, 1)) is DeadlineStatus.MET
    assert law.deadline_status(due, date(2025, 6, 17), date(2025, 7, 1)) is DeadlineStatus.MISSED
    assert law.deadline_status(due, None, date(2025, 6, 16)) is DeadlineStatus.OPEN
    assert law.deadline_status(due, None, date(2025, 6, 17)) is DeadlineStatus.OVERDUE


def test_what_can_be_appealed() -> None:
    assert law.appealable(DisputedDecision.REFUSE_ASSESS)
    assert law.appealable(DisputedDecision.REFUSE_ISSUE)
    assert law.appealable(DisputedDecision.CEASE)
    assert law.appealable(DisputedDecision.PLAN_CONTENT, [Section.F])
    assert not law.appealable(DisputedDecision.PLAN_CONTENT)
    assert not law.appealable(DisputedDecision.OTHER)


def test_a_school_only_appeal_needs_no_mediation_certificate() -> None:
    assert not law.certificate_needed(DisputedDecision.PLAN_CONTENT, [Section.I])
    assert law.certificate_needed(DisputedDecision.PLAN_CONTENT, [Section.I, Section.F])
    assert law.certificate_needed(DisputedDecision.REFUSE_ASSESS)


def test_the_census_is_the_third_thursday_of_january() -> None:
    assert law.sen2_census_day(2024) == date(2024, 1, 18)
    assert law.sen2_census_day(2025) == date(2025, 1, 16)
    assert law.sen2_census_day(2026) == date(2026, 1, 15)


def test_the_appeal_rate_counts_as_the_ministry_of_justice_does() -> None:
    # England 2024 (docs/domain/measures.md): 22,276 appeals over 689,739 appealable decisions.
    assert law.appeal_rate(22_276, 689_739) == 3.2
    assert law.appeal_rate(0, 0) is None
    rate = law.AppealRate(year=2024, appeals_registered=3, refusals_to_assess=10,
                          refusals_to_issue=2, plans_in_january=85, plans_ceased=3)
    assert rate.appealable_decisions == 100
    assert rate.rate == 3.0
