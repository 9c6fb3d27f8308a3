"""A request ready for its plan: decided to assess, two pieces of advice submitted, the
family's views in, and the decision to issue a plan made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from ehcflow.casework import services as casework
from ehcflow.casework.models import AdviceRequest, AssessmentRequest, Child
from ehcflow.people.models import Role, StaffMember, Team, User
from ehcflow.plans import services


def make_staff(username: str, role: str, team: Team | None) -> User:
    user = User.objects.create_user(username=username, password="correct horse battery",
                                    first_name=username.title())
    StaffMember.objects.create(user=user, staff_ref=username.upper(), name=username.title(),
                               role=role, team=team, start_date=date(2020, 1, 1))
    return user


@dataclass
class PlanWorld:
    users: dict[str, User]
    child: Child
    case: AssessmentRequest
    ep_advice: AdviceRequest
    health_advice: AdviceRequest
    received: date
    north: Team
    south: Team

    def actor(self, who: str = "officer") -> casework.Actor:
        return casework.actor_for(self.users[who])


EP_TEXT = {
    "B": "Ada finds it hard to follow spoken instructions in class.\n\n"
         "Ada's reading is two years behind her age.",
    "E": "Ada will follow a two-step instruction without help by the end of Year 4.",
    "F": "Daily small-group phonics, 20 minutes, by a trained teaching assistant.",
}
HEALTH_TEXT = {"C": "Ada has asthma that needs an inhaler before exercise."}
FAMILY_TEXT = "Ada loves drawing and swimming.\n\nShe wants to be a vet."


@pytest.fixture
def world(db: None) -> PlanWorld:
    north, south = Team.objects.create(name="North"), Team.objects.create(name="South")
    users = {
        "officer": make_staff("officer", Role.CASE_OFFICER, north),
        "teammate": make_staff("teammate", Role.CASE_OFFICER, north),
        "other_officer": make_staff("other", Role.CASE_OFFICER, south),
        "manager": make_staff("manager", Role.TEAM_MANAGER, north),
        "head": make_staff("head", Role.HEAD_OF_SERVICE, None),
        "analyst": make_staff("analyst", Role.ANALYST, None),
        "ep": make_staff("ep", Role.EDUCATIONAL_PSYCHOLOGIST, None),
        "health": make_staff("health", Role.HEALTH_ADVISER, None),
        "support": make_staff("support", Role.BUSINESS_SUPPORT, None),
    }
    actor = casework.Actor(name="test")
    child = casework.child_create(person_ref="P1", date_of_birth=date(2016, 5, 1),
                                  forename="Ada", surname="Example", by=actor)
    received = timezone.localdate() - timedelta(days=150)
    case = casework.request_register(child=child, case_ref="EHC-2026-00001",
                                     received_date=received,
                                     officer=users["officer"].staff,  # type: ignore[attr-defined]
                                     by=actor)
    case = casework.request_record_decision(request=case, decision="assess",
                                            on=received + timedelta(days=20), by=actor)
    ep = casework.advice_request(request=case, adviser_type="educational_psychology",
                                 requested_on=received + timedelta(days=21), by=actor,
                                 adviser=users["ep"].staff)  # type: ignore[attr-defined]
    health = casework.advice_request(request=case, adviser_type="health",
                                     requested_on=received + timedelta(days=21), by=actor,
                                     adviser=users["health"].staff,  # type: ignore[attr-defined]
                                     organisation="Northshire NHS Trust")
    return PlanWorld(users, child, case, ep, health, received, north, south)


@pytest.fixture
def ready(world: PlanWorld) -> PlanWorld:
    """Advice and views submitted, decision to issue a plan made, drafting started."""
    services.advice_submit(advice=world.ep_advice, sections=EP_TEXT, by=world.actor("ep"))
    services.advice_submit(advice=world.health_advice, sections=HEALTH_TEXT,
                           by=world.actor("health"))
    services.family_views_submit(request=world.case, text=FAMILY_TEXT,
                                 by=casework.Actor(name="Parent"))
    world.case.refresh_from_db()
    casework.request_record_outcome(request=world.case, outcome="plan",
                                    on=timezone.localdate() - timedelta(days=100),
                                    by=world.actor())
    world.case.refresh_from_db()
    services.document_start(request=world.case, by=world.actor())
    return world
