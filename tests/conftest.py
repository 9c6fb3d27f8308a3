"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL with DATABASE_URL."""

from __future__ import annotations

from datetime import date

import pytest

from ehcflow.casework import services
from ehcflow.casework.models import Child
from ehcflow.people.models import Role, StaffMember, Team


@pytest.fixture
def system_actor() -> services.Actor:
    return services.Actor(name="test")


@pytest.fixture
def team(db: None) -> Team:
    return Team.objects.create(name="North team")


@pytest.fixture
def officer(team: Team) -> StaffMember:
    return StaffMember.objects.create(
        staff_ref="CO1", name="Alex Officer", role=Role.CASE_OFFICER, team=team,
        start_date=date(2020, 1, 6),
    )


@pytest.fixture
def child(db: None, system_actor: services.Actor) -> Child:
    return services.child_create(
        person_ref="P0001", date_of_birth=date(2015, 3, 14), forename="Test", surname="Child",
        by=system_actor,
    )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: object) -> None:
    """Argon2 is deliberately slow; tests create many accounts and need no real secrecy."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
