"""Fixtures for the SEN2 return: the header settings, staff of each role, the demo authority."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from ehcflow.people.models import Role, StaffMember, Team, User
from tests.sen2 import authority


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """The page keeps its summary in the cache: each test starts without one."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def sen2_settings(settings: object) -> None:
    settings.EHCFLOW_SEN2_LA_NUMBER = "999"  # type: ignore[attr-defined]
    settings.EHCFLOW_SEN2_DMO = "Y"  # type: ignore[attr-defined]
    settings.EHCFLOW_SEN2_DCO = "N"  # type: ignore[attr-defined]
    settings.EHCFLOW_SEN2_DSCO = "R"  # type: ignore[attr-defined]


def make_staff(username: str, role: str) -> User:
    team, _ = Team.objects.get_or_create(name="SEN2 test team")
    user = User.objects.create_user(username=username, password="correct horse battery")
    StaffMember.objects.create(user=user, staff_ref=username.upper(), name=username.title(),
                               role=role, team=team, start_date=date(2020, 1, 1))
    return user


@pytest.fixture
def staff(db: None) -> dict[str, User]:
    return {
        "officer": make_staff("sen2officer", Role.CASE_OFFICER),
        "head": make_staff("sen2head", Role.HEAD_OF_SERVICE),
        "analyst": make_staff("sen2analyst", Role.ANALYST),
        "support": make_staff("sen2support", Role.BUSINESS_SUPPORT),
    }


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def demo(db: None) -> None:
    """A small invented authority with every kind of history the return reports."""
    authority.build()
