"""A message to the family at every statutory step, to those who may see the request."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from ehcflow.casework import services
from ehcflow.notify.models import Message
from ehcflow.statutory import clock
from ehcflow.statutory.dates import long_date
from tests.families.builders import ACTOR, World, build_world, to_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def test_the_parent_is_told_of_the_decision_with_the_next_date(
        world: World, django_capture_on_commit_callbacks: Any) -> None:
    case = world.cases["ada"]
    with django_capture_on_commit_callbacks(execute=True):
        services.request_record_decision(request=case, decision="assess",
                                         on=case.received_date + timedelta(days=20), by=ACTOR)
    message = Message.objects.get()
    assert (message.template, message.channel, message.case_id) == (
        "decision_to_assess", "email", case.pk)
    assert message.recipient == "parent@example.com"
    assert message.personalisation == {
        "child_first_name": "Ada", "case_ref": "EHC-ADA",
        "outcome_due": long_date(clock.decision_not_to_issue_due(case.received_date)),
        "team_phone": "01234 567890"}


def test_the_young_person_gets_a_text_and_their_parent_nothing_without_consent(
        world: World, django_capture_on_commit_callbacks: Any) -> None:
    case = world.cases["cal"]
    with django_capture_on_commit_callbacks(execute=True):
        to_draft(case, draft_days_ago=2)
    texts = list(Message.objects.filter(case=case).order_by("id"))
    # the decision to assess, the decision to write a plan, and the draft
    assert [m.template for m in texts] == ["stage_update_sms"] * 3
    assert [m.personalisation["stage"] for m in texts] == [
        "we will assess", "we will write a plan", "draft plan issued"]
    assert {m.recipient for m in texts} == {"+447700900123"}
    case.refresh_from_db()
    assert case.draft_date is not None
    assert texts[-1].personalisation == {
        "case_ref": "EHC-CAL", "stage": "draft plan issued",
        "next_step": "your comments on the draft",
        "next_date": long_date(clock.comment_period_ends(case.draft_date))}
    assert not Message.objects.filter(recipient="calparent@example.com").exists()


def test_other_families_hear_nothing_and_a_refused_step_sends_nothing(
        world: World, django_capture_on_commit_callbacks: Any) -> None:
    case = world.cases["ada"]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(
            services.CaseworkError):
        services.request_record_decision(request=case, decision="assess",
                                         on=clock.today() + timedelta(days=5), by=ACTOR)
    assert not Message.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.request_record_decision(request=case, decision="assess",
                                         on=case.received_date + timedelta(days=3), by=ACTOR)
    assert list(Message.objects.values_list("recipient", flat=True)) == ["parent@example.com"]


def test_the_family_is_told_when_the_plans_review_is_scheduled(
        world: World, django_capture_on_commit_callbacks: Any) -> None:
    from ehcflow.casework.models import EHCPlan
    from ehcflow.reviews import services as reviews

    case = world.cases["ada"]
    issued = clock.today() - timedelta(days=300)
    plan = EHCPlan.objects.create(child=case.child, request=case, start_date=issued,
                                  first_issued_date=issued)
    due = clock.today() + timedelta(days=60)
    with django_capture_on_commit_callbacks(execute=True):
        reviews.review_schedule(plan=plan, due_date=due, by=ACTOR)
    message = Message.objects.get()
    assert (message.template, message.recipient) == ("review_due", "parent@example.com")
    assert message.personalisation["review_due"] == long_date(due)


def test_a_decision_not_to_write_a_plan_tells_the_family_how_to_appeal(
        world: World, django_capture_on_commit_callbacks: Any) -> None:
    case = world.cases["ada"]
    case = services.request_record_decision(request=case, decision="assess",
                                            on=case.received_date + timedelta(days=1), by=ACTOR)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_record_outcome(request=case, outcome="no_plan",
                                        on=case.received_date + timedelta(days=20), by=ACTOR)
    message = Message.objects.get()
    assert (message.template, message.recipient) == ("decision_not_to_issue",
                                                     "parent@example.com")
    from ehcflow.notify.templates import TEMPLATES

    subject, body = TEMPLATES["decision_not_to_issue"].render(message.personalisation)
    assert subject == "We will not write an EHC plan for Ada"
    assert "appeal to the First-tier Tribunal (SEND) within 2 months" in body
