"""A small authority with partners: a health body (and another), a school, the council's EP."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from ehcflow.casework import services as casework
from ehcflow.casework.models import AdviceRequest, AssessmentRequest, Institution
from ehcflow.partners import services
from ehcflow.partners.models import Membership, Organisation, OrganisationKind
from ehcflow.people.models import Role, StaffMember, Team, User

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@dataclass
class World:
    users: dict[str, User]
    orgs: dict[str, Organisation]
    case: AssessmentRequest
    draft_case: AssessmentRequest
    health: AdviceRequest
    ep: AdviceRequest
    education: AdviceRequest


def staff(username: str, role: str, team: Team | None, email: str = "") -> User:
    user = User.objects.create_user(username=username, password="correct horse battery",
                                    email=email, first_name=username.title(), last_name="Test")
    StaffMember.objects.create(user=user, staff_ref=username.upper(), name=f"{username.title()} "
                               "Test", role=role, team=team, start_date=date(2020, 1, 1))
    return user


def partner(username: str, org: Organisation, *, manager: bool = True) -> User:
    user = User.objects.create_user(username=username, password="correct horse battery",
                                    email=f"{username}@partner.example.org",
                                    first_name=username.title(), last_name="Partner")
    Membership.objects.create(organisation=org, user=user, is_manager=manager)
    return user


@pytest.fixture
def no_notify(settings: object) -> None:
    settings.EHCFLOW_NOTIFY_API_KEY = ""  # type: ignore[attr-defined]
    settings.TASKS = IMMEDIATE  # type: ignore[attr-defined]
    settings.MAILERS = {"default": {  # type: ignore[attr-defined]
        "BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture
def world(db: None, no_notify: None) -> World:
    team = Team.objects.create(name="North")
    users = {
        "officer": staff("officer", Role.CASE_OFFICER, team, "officer@council.example.org"),
        "manager": staff("manager", Role.TEAM_MANAGER, team, "manager@council.example.org"),
        "analyst": staff("analyst", Role.ANALYST, None),
        "ep_staff": staff("ep", Role.EDUCATIONAL_PSYCHOLOGIST, None, "ep@council.example.org"),
        "parent": User.objects.create_user(username="parent", password="correct horse battery"),
    }
    team.manager = users["manager"].staff  # type: ignore[attr-defined]
    team.save()
    school = Institution.objects.create(urn="100001", name="Hillside Primary School",
                                        kind="primary")
    orgs = {
        "health": Organisation.objects.create(name="North ICB", kind=OrganisationKind.HEALTH,
                                              email="dco@nhs.example.org"),
        "other_health": Organisation.objects.create(name="South ICB",
                                                    kind=OrganisationKind.HEALTH),
        "school": Organisation.objects.create(name="Hillside Primary School",
                                              kind=OrganisationKind.SCHOOL, institution=school,
                                              email="senco@hillside.example.org"),
    }
    users["dco"] = partner("dco", orgs["health"])
    users["clinician"] = partner("clinician", orgs["health"], manager=False)
    users["other_dco"] = partner("otherdco", orgs["other_health"])
    users["senco"] = partner("senco", orgs["school"])

    actor = casework.Actor(name="test")
    today = timezone.localdate()
    child = casework.child_create(person_ref="P1", date_of_birth=date(2016, 5, 1),
                                  forename="Ada", surname="Example", by=actor)
    received = today - timedelta(days=60)
    case = casework.request_register(child=child, case_ref="EHC-1", received_date=received,
                                     officer=users["officer"].staff, by=actor)  # type: ignore[attr-defined]
    case = casework.request_record_decision(request=case, decision="assess",
                                            on=received + timedelta(days=20), by=actor)
    asked = received + timedelta(days=21)  # due in 3 days
    health = casework.advice_request(request=case, adviser_type="health", requested_on=asked,
                                     by=actor)
    ep = casework.advice_request(request=case, adviser_type="educational_psychology",
                                 requested_on=asked, by=actor,
                                 adviser=users["ep_staff"].staff)  # type: ignore[attr-defined]
    education = casework.advice_request(request=case, adviser_type="education",
                                        requested_on=asked, by=actor)
    services.advice_assign(advice=health, organisation=orgs["health"], by=actor)
    services.advice_assign(advice=education, organisation=orgs["school"], by=actor)

    child2 = casework.child_create(person_ref="P2", date_of_birth=date(2015, 2, 1),
                                   forename="Ben", surname="Sample", by=actor)
    received2 = today - timedelta(days=120)
    draft_case = casework.request_register(child=child2, case_ref="EHC-2",
                                           received_date=received2,
                                           officer=users["officer"].staff,  # type: ignore[attr-defined]
                                           by=actor)
    draft_case = casework.request_record_decision(request=draft_case, decision="assess",
                                                  on=received2 + timedelta(days=30), by=actor)
    draft_case = casework.request_record_outcome(request=draft_case, outcome="plan",
                                                 on=today - timedelta(days=5), by=actor)
    draft_case = casework.request_issue_draft(request=draft_case, on=today - timedelta(days=3),
                                              by=actor)
    case.refresh_from_db()
    return World(users=users, orgs=orgs, case=case, draft_case=draft_case, health=health,
                 ep=ep, education=education)
