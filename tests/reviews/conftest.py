"""A small authority after its plans are issued: staff of every role and plans under review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ehcflow.casework import services as casework
from ehcflow.casework.models import AnnualReview, EHCPlan
from ehcflow.people.models import Role, StaffMember, Team, User
from ehcflow.reviews import services


def make_staff(username: str, role: str, team: Team | None) -> User:
    user = User.objects.create_user(username=username, password="correct horse battery")
    StaffMember.objects.create(user=user, staff_ref=username.upper(), name=username.title(),
                               role=role, team=team, start_date=date(2020, 1, 1))
    return user


@dataclass
class World:
    users: dict[str, User]
    plan: EHCPlan  # the officer's plan: a review held, decision owed
    overdue: EHCPlan  # the officer's plan: review overdue, never reviewed
    other: EHCPlan  # another team's plan
    review: AnnualReview
    today: date

    def client(self, who: str) -> Client:
        client = Client()
        client.force_login(self.users[who])
        return client


@pytest.fixture
def world(db: None) -> World:
    north, south = Team.objects.create(name="North"), Team.objects.create(name="South")
    users = {
        "officer": make_staff("officer", Role.CASE_OFFICER, north),
        "other_officer": make_staff("other", Role.CASE_OFFICER, south),
        "manager": make_staff("manager", Role.TEAM_MANAGER, north),
        "head": make_staff("head", Role.HEAD_OF_SERVICE, None),
        "analyst": make_staff("analyst", Role.ANALYST, None),
        "ep": make_staff("ep", Role.EDUCATIONAL_PSYCHOLOGIST, None),
        "support": make_staff("support", Role.BUSINESS_SUPPORT, None),
        "admin": make_staff("admin", Role.ADMINISTRATOR, None),
    }
    actor = casework.Actor(name="test")
    today = timezone.localdate()
    officer = users["officer"].staff  # type: ignore[attr-defined]
    ada = casework.child_create(person_ref="P1", date_of_birth=date(2014, 10, 1),
                                forename="Ada", surname="Example", by=actor)
    bo = casework.child_create(person_ref="P2", date_of_birth=date(2012, 1, 5),
                               forename="Bo", surname="Overdue", by=actor)
    cy = casework.child_create(person_ref="P3", date_of_birth=date(2013, 1, 5),
                               forename="Cy", surname="Elsewhere", by=actor)
    issued = today - timedelta(days=400)
    plan = EHCPlan.objects.create(child=ada, start_date=issued, first_issued_date=issued,
                                  officer=officer, next_review_due=today + timedelta(days=5))
    review = services.review_schedule(plan=plan, due_date=today + timedelta(days=5), by=actor)
    services.review_record_invitations(review=review, invitations_on=today - timedelta(days=20),
                                       by=actor)
    services.review_record_meeting(review=review, on=today - timedelta(days=3), by=actor)
    overdue = EHCPlan.objects.create(child=bo, start_date=issued, first_issued_date=issued,
                                     officer=officer, next_review_due=today - timedelta(days=35))
    eve = casework.child_create(person_ref="P4", date_of_birth=date(2015, 2, 5),
                                forename="Eve", surname="Soon", by=actor)
    EHCPlan.objects.create(child=eve, start_date=issued, first_issued_date=issued,
                           officer=officer, next_review_due=today + timedelta(days=5))
    other = EHCPlan.objects.create(
        child=cy, start_date=issued, first_issued_date=issued,
        officer=users["other_officer"].staff,  # type: ignore[attr-defined]
        next_review_due=today - timedelta(days=2))
    plan.refresh_from_db()
    review.refresh_from_db()
    return World(users, plan, overdue, other, review, today)
