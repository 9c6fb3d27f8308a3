"""The backtests page: stored results shown as charts; computed by a task, not the request."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from ehcflow.people.models import Role, StaffMember, User
from ehcflow.planning import backtest_store
from ehcflow.planning.backtest import backtest
from ehcflow.planning.backtest_synthetic import synthetic_history

pytestmark = pytest.mark.django_db


def signed_in(role: str) -> Client:
    user = User.objects.create_user(username=role, password="x")
    StaffMember.objects.create(user=user, staff_ref=role, name=role, role=role,
                               start_date=date(2020, 1, 1))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def store(tmp_path: Path, settings: object) -> Path:
    settings.VAR_DIR = tmp_path  # type: ignore[attr-defined]
    return tmp_path / "backtests"


def test_as_of_dates_are_quarter_ends_over_three_years() -> None:
    dates = backtest_store.as_of_dates(date(2026, 12, 4))
    assert dates[0] == date(2023, 12, 31) and dates[-1] == date(2026, 9, 30)
    assert len(dates) == 12
    assert date(2024, 6, 30) in dates and date(2025, 6, 30) in dates


def test_the_page_shows_stored_backtests_as_charts(store: Path) -> None:
    result = backtest(synthetic_history(per_year=300, end=date(2024, 12, 31)),
                      as_of=date(2024, 6, 30), today=date(2024, 12, 31), months=6,
                      replications=30, per_request_replications=20)
    backtest_store.save(result)
    assert (store / "2024-06-30.json").is_file()
    for role in (Role.ANALYST, Role.HEAD_OF_SERVICE, Role.TEAM_MANAGER):
        page = signed_in(role).get(reverse("planning:backtests"))
        assert page.status_code == 200
        text = page.content.decode()
        assert "Started on 30 June 2024" in text
        assert text.count("<svg") == 2 and "What happened" in text
        assert result["verdict"].split(".")[0] in text
        assert "SYN-" not in text  # figures only: no case references


def test_only_those_who_see_the_whole_service_see_it(store: Path) -> None:
    assert signed_in(Role.CASE_OFFICER).get(reverse("planning:backtests")).status_code == 403
    assert signed_in("educational_psychologist").post(
        reverse("planning:backtests_run")).status_code == 403


def test_working_them_out_is_queued_not_done_on_the_request(store: Path) -> None:
    from django_tasks_db.models import DBTaskResult

    response = signed_in(Role.ANALYST).post(reverse("planning:backtests_run"))
    assert response.status_code == 302
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "ehcflow.planning.tasks.run_backtests"
    assert not store.exists()  # nothing computed yet
