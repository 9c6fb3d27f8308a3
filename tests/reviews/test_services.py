"""Every service after a plan is issued: the values it records, its event, its refusals."""

from __future__ import annotations

from datetime import date

import pytest

from ehcflow.casework import choices as c
from ehcflow.casework.models import CaseEvent, Child, EHCPlan
from ehcflow.casework.services import Actor, CaseworkError
from ehcflow.reviews import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(child: Child) -> EHCPlan:
    return EHCPlan.objects.create(child=child, start_date=date(2023, 5, 2),
                                  first_issued_date=date(2023, 5, 2),
                                  next_review_due=date(2024, 5, 2))


def _event(plan: EHCPlan, action: str) -> CaseEvent:
    return CaseEvent.objects.get(plan=plan, action=action)


def test_a_review_from_schedule_to_amended_plan(plan: EHCPlan, system_actor: Actor) -> None:
    review = services.review_schedule(plan=plan, due_date=date(2024, 5, 2), by=system_actor)
    assert _event(plan, "review_scheduled").changes == {"due_date": "2024-05-02"}
    with pytest.raises(CaseworkError, match="already scheduled"):
        services.review_schedule(plan=plan, due_date=date(2024, 5, 2), by=system_actor)

    services.review_record_invitations(review=review, invitations_on=date(2024, 4, 8),
                                       advice_on=date(2024, 4, 12), by=system_actor)
    with pytest.raises(CaseworkError, match="already been recorded"):
        services.review_record_invitations(review=review, invitations_on=date(2024, 4, 8),
                                           by=system_actor)
    services.review_record_meeting(review=review, on=date(2024, 4, 24), by=system_actor)
    plan.refresh_from_db()
    assert plan.next_review_due == date(2025, 4, 24)
    assert _event(plan, "review_meeting").changes == {
        "due": "2024-05-02", "met": True, "decision_due": "2024-05-22",
        "amended_plan_due": "2024-07-17", "invitations_met": True, "advice_met": False}

    services.review_record_report(review=review, on=date(2024, 5, 10), by=system_actor)
    assert _event(plan, "review_report").changes == {"due": "2024-05-08", "met": False}

    with pytest.raises(CaseworkError, match="proposed amendments"):
        services.review_record_decision(review=review, outcome="amend", on=date(2024, 5, 20),
                                        by=system_actor)
    services.review_record_decision(review=review, outcome="amend", on=date(2024, 5, 20),
                                    proposed_amendments="Section F: speech therapy weekly.",
                                    by=system_actor)
    review.refresh_from_db()
    assert (review.decision_date, review.outcome, review.amendment_notice_date) == (
        date(2024, 5, 20), "amend", date(2024, 5, 20))
    assert review.proposed_amendments == "Section F: speech therapy weekly."
    assert _event(plan, "review_decision").changes == {
        "outcome": "amend", "due": "2024-05-22", "met": True, "amended_plan_due": "2024-07-15"}

    services.review_issue_amended_plan(review=review, on=date(2024, 7, 16), by=system_actor)
    plan.refresh_from_db()
    assert plan.start_date == date(2024, 7, 16)
    assert _event(plan, "amended_plan_issued").changes == {"due": "2024-07-15", "met": False}
    with pytest.raises(CaseworkError, match="already been issued"):
        services.review_issue_amended_plan(review=review, on=date(2024, 7, 17), by=system_actor)


def test_review_steps_out_of_order_are_refused(plan: EHCPlan, system_actor: Actor) -> None:
    review = services.review_schedule(plan=plan, due_date=date(2024, 5, 2), by=system_actor)
    with pytest.raises(CaseworkError, match="meeting before its report"):
        services.review_record_report(review=review, on=date(2024, 5, 1), by=system_actor)
    with pytest.raises(CaseworkError, match="meeting before the decision"):
        services.review_record_decision(review=review, outcome="maintain", on=date(2024, 5, 1),
                                        by=system_actor)
    with pytest.raises(CaseworkError, match="future"):
        services.review_record_meeting(review=review, on=date(2099, 1, 1), by=system_actor)
    services.review_record_meeting(review=review, on=date(2024, 4, 24), by=system_actor)
    with pytest.raises(CaseworkError, match="cannot be before the review meeting"):
        services.review_record_decision(review=review, outcome="maintain",
                                        on=date(2024, 4, 1), by=system_actor)
    services.review_record_decision(review=review, outcome="maintain", on=date(2024, 6, 1),
                                    by=system_actor)
    assert _event(plan, "review_decision").changes["met"] is False
    with pytest.raises(CaseworkError, match="only a decision to amend"):
        services.review_issue_amended_plan(review=review, on=date(2024, 6, 2), by=system_actor)


def test_a_phase_transfer_review_carries_its_deadline(plan: EHCPlan, system_actor: Actor
                                                      ) -> None:
    review = services.review_schedule(plan=plan, due_date=date(2024, 11, 1), by=system_actor,
                                      phase_transfer_year=2025, secondary_to_post16=True)
    assert (review.phase_transfer, review.transfer_year, review.phase_transfer_due) == (
        True, 2025, date(2025, 3, 31))
    assert _event(plan, "review_scheduled").description == "Phase transfer review scheduled"


def test_amendment_outside_a_review(plan: EHCPlan, system_actor: Actor) -> None:
    amendment = services.amendment_propose(plan=plan, on=date(2024, 9, 2),
                                           proposed_amendments="New setting", by=system_actor)
    assert _event(plan, "amendment_proposed").changes == {
        "comments_until": "2024-09-16", "final_due": "2024-10-28"}
    with pytest.raises(CaseworkError, match="runs to 16 September 2024"):
        services.amendment_issue(amendment=amendment, on=date(2024, 9, 16), by=system_actor)
    services.amendment_issue(amendment=amendment, on=date(2024, 9, 17), by=system_actor)
    assert _event(plan, "amendment_issued").changes == {"due": "2024-10-28", "met": True}
    plan.refresh_from_db()
    assert plan.start_date == date(2024, 9, 17)
    with pytest.raises(CaseworkError, match="already been finished"):
        services.amendment_not_proceeding(amendment=amendment, on=date(2024, 9, 18),
                                          by=system_actor)


def test_ceasing_after_a_proposal_waits_15_days(plan: EHCPlan, system_actor: Actor) -> None:
    services.cease_propose(plan=plan, on=date(2024, 6, 3), cease_reason="2", by=system_actor)
    assert _event(plan, "cease_proposed").changes == {"responses_until": "2024-06-17"}
    with pytest.raises(CaseworkError, match="until 17 June 2024"):
        services.plan_cease(plan=plan, on=date(2024, 6, 17), cease_reason="2", by=system_actor)
    services.plan_cease(plan=plan, on=date(2024, 7, 31), cease_reason="2", by=system_actor)
    plan.refresh_from_db()
    assert (plan.cease_date, plan.cease_reason) == (date(2024, 7, 31), "2")
    with pytest.raises(CaseworkError, match="ceased on 31 July 2024"):
        services.review_schedule(plan=plan, due_date=date(2024, 9, 1), by=system_actor)
    with pytest.raises(CaseworkError, match="already ceased"):
        services.plan_cease(plan=plan, on=date(2024, 8, 1), cease_reason="2", by=system_actor)


@pytest.mark.parametrize("reason", [r.value for r in c.CeaseReason])
def test_every_sen2_cease_reason(child: Child, system_actor: Actor, reason: str) -> None:
    plan = EHCPlan.objects.create(child=child, start_date=date(2023, 5, 2),
                                  first_issued_date=date(2023, 5, 2))
    services.plan_cease(plan=plan, on=date(2024, 1, 31), cease_reason=reason, by=system_actor)
    assert EHCPlan.objects.get(pk=plan.pk).cease_reason == reason
    with pytest.raises(CaseworkError, match="Choose why"):
        services.plan_cease(plan=EHCPlan.objects.create(
            child=child, start_date=date(2023, 5, 2), first_issued_date=date(2023, 5, 2)),
            on=date(2024, 1, 31), cease_reason="10", by=system_actor)


def test_transfer_in_and_its_notice(child: Child, system_actor: Actor) -> None:
    plan = services.plan_transfer_in(child=child, transferred_on=date(2025, 1, 6),
                                     transferred_from="Dorset Council",
                                     last_reviewed=date(2024, 2, 1), by=system_actor)
    # 12 months after the last review (1 Feb 2025) is sooner than 3 months after the move
    assert (plan.first_review_due, plan.next_review_due, plan.transferred_in) == (
        date(2025, 4, 6), date(2025, 4, 6), True)
    assert _event(plan, "plan_transferred_in").changes == {
        "notice_due": "2025-02-17", "first_review_due": "2025-04-06"}
    services.plan_transfer_in_notice(plan=plan, on=date(2025, 2, 20), decision="review",
                                     by=system_actor)
    assert _event(plan, "transfer_notice").changes == {"due": "2025-02-17", "met": False}
    with pytest.raises(CaseworkError, match="already has a plan"):
        services.plan_transfer_in(child=child, transferred_on=date(2025, 1, 7),
                                  transferred_from="Dorset Council", by=system_actor)


def test_transfer_out_ceases_with_reason_5(plan: EHCPlan, system_actor: Actor) -> None:
    services.plan_transfer_out(plan=plan, on=date(2025, 7, 18), moved_on=date(2025, 6, 30),
                               told_on=date(2025, 6, 27), transferred_to="Poole",
                               by=system_actor)
    plan.refresh_from_db()
    assert (plan.cease_date, plan.cease_reason, plan.transferred_to) == (
        date(2025, 7, 18), "5", "Poole")
    assert _event(plan, "plan_transferred_out").changes == {
        "transferred_to": "Poole", "due": "2025-07-18", "met": True}
    with pytest.raises(CaseworkError, match="already ceased"):
        services.plan_transfer_out(plan=plan, on=date(2025, 7, 19), transferred_to="Poole",
                                   by=system_actor)
