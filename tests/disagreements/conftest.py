"""Invented cases for the disagreement tests: a child refused an assessment, and a plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from ehcflow.casework import services
from ehcflow.casework.models import AssessmentRequest, Child, EHCPlan
from ehcflow.people.models import Role, StaffMember, Team, User


@dataclass
class Case:
    child: Child
    refused: AssessmentRequest  # refused an assessment on 3 February 2025
    planned: AssessmentRequest  # a final plan issued on 2 June 2025
    plan: EHCPlan


def make_staff(username: str, role: str, team: Team | None) -> User:
    user = User.objects.create_user(username=username, password="correct horse battery",
                                    first_name=username.title(), last_name="Tester")
    StaffMember.objects.create(user=user, staff_ref=username.upper(), name=username.title(),
                               role=role, team=team, start_date=date(2020, 1, 1))
    return user


@pytest.fixture
def users(db: None) -> dict[str, User]:
    north, south = Team.objects.create(name="North"), Team.objects.create(name="South")
    return {
        "officer": make_staff("officer", Role.CASE_OFFICER, north),
        "other_officer": make_staff("other", Role.CASE_OFFICER, south),
        "manager": make_staff("manager", Role.TEAM_MANAGER, north),
        "head": make_staff("head", Role.HEAD_OF_SERVICE, None),
        "analyst": make_staff("analyst", Role.ANALYST, None),
        "support": make_staff("support", Role.BUSINESS_SUPPORT, None),
        "ep": make_staff("ep", Role.EDUCATIONAL_PSYCHOLOGIST, None),
        "admin": make_staff("admin", Role.ADMINISTRATOR, None),
    }


@pytest.fixture
def case(db: None, users: dict[str, User], system_actor: services.Actor) -> Case:
    officer = users["officer"].staff  # type: ignore[attr-defined]
    child = services.child_create(person_ref="D0001", date_of_birth=date(2016, 5, 1),
                                  forename="Ada", surname="Example", by=system_actor)
    refused = services.request_register(child=child, case_ref="EHC-D1", officer=officer,
                                        received_date=date(2025, 1, 6), by=system_actor)
    refused = services.request_record_decision(request=refused, decision="not_assess",
                                               on=date(2025, 2, 3), by=system_actor)
    planned = services.request_register(child=child, case_ref="EHC-D2", officer=officer,
                                        received_date=date(2025, 1, 13), by=system_actor)
    planned = services.request_record_decision(request=planned, decision="assess",
                                               on=date(2025, 2, 10), by=system_actor)
    planned = services.request_record_outcome(request=planned, outcome="plan",
                                              on=date(2025, 4, 1), by=system_actor)
    planned = services.request_issue_draft(request=planned, on=date(2025, 4, 7),
                                           by=system_actor)
    plan = services.request_issue_final(request=planned, on=date(2025, 5, 26),
                                        by=system_actor, needs=["ASD"])
    planned.refresh_from_db()
    return Case(child, refused, planned, plan)
