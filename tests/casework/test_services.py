"""The legal order of a request, enforced by the services, and the events they write."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from ehcflow.casework import choices as c
from ehcflow.casework import services
from ehcflow.casework.models import AssessmentRequest, CaseEvent, Child, EHCPlan
from ehcflow.casework.services import CaseworkError
from ehcflow.reviews import services as review_services

pytestmark = pytest.mark.django_db


def register(child: Child, actor: services.Actor, received: date = date(2024, 1, 8),
             ref: str = "EHC-0001") -> AssessmentRequest:
    return services.request_register(child=child, case_ref=ref, received_date=received, by=actor)


def test_it_refuses_a_final_plan_before_a_decision_to_assess(
    child: Child, system_actor: services.Actor
) -> None:
    request = register(child, system_actor)
    with pytest.raises(CaseworkError) as refused:
        services.request_issue_final(request=request, on=date(2024, 3, 1), by=system_actor)
    assert refused.value.message == "A final plan cannot be issued before the decision to assess."
    request.refresh_from_db()
    assert request.final_date is None
    assert request.events.count() == 1  # only the registration


def test_it_refuses_advice_before_the_decision_to_assess(
    child: Child, system_actor: services.Actor
) -> None:
    request = register(child, system_actor)
    with pytest.raises(CaseworkError, match="once the decision to assess has been made"):
        services.advice_request(request=request, adviser_type="health",
                                requested_on=date(2024, 1, 10), by=system_actor)


def test_a_request_runs_from_registration_to_final_plan(
    child: Child, system_actor: services.Actor
) -> None:
    request = register(child, system_actor)
    request = services.request_record_decision(
        request=request, decision=c.Decision.ASSESS, on=date(2024, 2, 12), by=system_actor)
    assert request.stage == c.Stage.ASSESSING
    advice = services.advice_request(request=request, adviser_type="educational_psychology",
                                     requested_on=date(2024, 2, 13), by=system_actor)
    assert advice.due_on == date(2024, 3, 26)  # reg 8(1): six weeks
    with pytest.raises(CaseworkError, match="Advice is still outstanding"):
        services.request_record_outcome(request=request, outcome=c.Outcome.PLAN,
                                        on=date(2024, 3, 1), by=system_actor)
    services.advice_record_received(advice=advice, received_on=date(2024, 3, 20),
                                    by=system_actor)
    request = services.request_record_outcome(request=request, outcome=c.Outcome.PLAN,
                                              on=date(2024, 4, 1), by=system_actor)
    request = services.request_issue_draft(request=request, on=date(2024, 4, 8),
                                           by=system_actor)
    assert request.stage == c.Stage.DRAFT_ISSUED
    # The 15 days of reg 13(1)(a) run to 22 April (beginning with the day served).
    with pytest.raises(CaseworkError, match="15 days to comment"):
        services.request_issue_final(request=request, on=date(2024, 4, 22), by=system_actor)
    plan = services.request_issue_final(request=request, on=date(2024, 4, 23), by=system_actor,
                                        needs=[c.SENType.ASD, c.SENType.SLCN])
    request.refresh_from_db()
    assert request.stage == c.Stage.PLAN_ISSUED
    assert request.final_date == date(2024, 4, 23)
    assert plan.first_issued_date == date(2024, 4, 23)
    assert list(plan.needs.values_list("rank", "sen_type")) == [(1, "ASD"), (2, "SLCN")]
    actions = list(request.events.values_list("action", flat=True))
    assert actions == ["request_received", "decision_recorded", "advice_requested",
                       "advice_received", "outcome_recorded", "draft_issued", "final_issued"]
    final_event = request.events.get(action="final_issued")
    assert final_event.changes["within_20_weeks"] is True  # 106 days
    assert final_event.changes["due"] == "2024-05-27"


def test_a_decision_not_to_assess_closes_the_request(
    child: Child, system_actor: services.Actor
) -> None:
    request = register(child, system_actor)
    request = services.request_record_decision(
        request=request, decision=c.Decision.NOT_ASSESS, on=date(2024, 2, 26), by=system_actor,
        reason="Needs can be met at SEN support")
    assert request.stage == c.Stage.NOT_ASSESSED
    event = request.events.get(action="decision_recorded")
    assert event.reason == "Needs can be met at SEN support"
    assert event.changes["met"] is False  # 49 days: the 6-week limit of reg 5(1) was missed
    with pytest.raises(CaseworkError, match="no longer open"):
        services.request_close(request=request, on=date(2024, 3, 1), closed_reason="withdrawn",
                               by=system_actor)


def test_dates_must_not_be_in_the_future_or_out_of_order(
    child: Child, system_actor: services.Actor
) -> None:
    with pytest.raises(CaseworkError, match="cannot be in the future"):
        register(child, system_actor, received=date(2999, 1, 1))
    request = register(child, system_actor)
    with pytest.raises(CaseworkError, match="cannot be before the date the request was received"):
        services.request_record_decision(request=request, decision="assess",
                                         on=date(2023, 12, 1), by=system_actor)


def test_a_stale_page_is_refused_and_nothing_is_lost(
    child: Child, system_actor: services.Actor
) -> None:
    request = register(child, system_actor)
    seen_version = request.version
    services.request_record_decision(request=request, decision="assess", on=date(2024, 2, 1),
                                     by=system_actor, expected_version=seen_version)
    with pytest.raises(CaseworkError, match="Someone else changed this request"):
        services.request_close(request=request, on=date(2024, 2, 2), closed_reason="withdrawn",
                               by=system_actor, expected_version=seen_version)
    request.refresh_from_db()
    assert request.decision == "assess" and request.closed_date is None


def test_an_exception_marks_the_request_for_sen2_week20(
    child: Child, system_actor: services.Actor
) -> None:
    request = register(child, system_actor)
    services.exception_apply(request=request, reason="absent_from_area",
                             start=date(2024, 2, 1), end=date(2024, 3, 15), by=system_actor)
    request.refresh_from_db()
    assert request.week20_exception is True
    assert request.exceptions.get().reason == "absent_from_area"


def test_case_events_cannot_be_changed_or_deleted(
    child: Child, system_actor: services.Actor
) -> None:
    event = CaseEvent.objects.filter(child=child).first()
    assert event is not None
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    # Below the ORM's methods, the database's own triggers refuse too.
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(description="rewritten")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).delete()
    assert CaseEvent.objects.get(pk=event.pk).description == "Child's record created"


def test_a_ceased_plan_leaves_a_cease_event(child: Child, system_actor: services.Actor) -> None:
    plan = EHCPlan.objects.create(child=child, start_date=date(2020, 5, 1),
                                  first_issued_date=date(2020, 5, 1))
    review_services.plan_cease(plan=plan, on=date(2024, 7, 31), cease_reason="5", by=system_actor)
    plan.refresh_from_db()
    assert plan.cease_date == date(2024, 7, 31)
    assert child.events.filter(action="plan_ceased").count() == 1
    with pytest.raises(CaseworkError, match="already ceased"):
        review_services.plan_cease(plan=plan, on=date(2024, 8, 1), cease_reason="5",
                                   by=system_actor)


def test_the_database_refuses_a_closed_request_with_a_final_plan(child: Child) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        AssessmentRequest.objects.create(
            child=child, case_ref="X", received_date=date(2024, 1, 1),
            final_date=date(2024, 5, 1), closed_date=date(2024, 5, 2))


def test_an_invalid_upn_is_refused_with_the_right_check_letter(
    db: None, system_actor: services.Actor
) -> None:
    with pytest.raises(CaseworkError, match="check letter is wrong: it should be"):
        services.child_create(person_ref="P9", date_of_birth=date(2016, 1, 1),
                              upn="A820200101003", by=system_actor)
