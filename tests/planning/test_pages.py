"""The planner in the browser: start from the caseload, edit, run, compare, export."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ehcflow.casework import services
from ehcflow.casework.models import Child
from ehcflow.people.models import Role, StaffMember, User
from ehcflow.planning.models import SavedScenario

pytestmark = pytest.mark.django_db

EXAMPLE = (Path(__file__).resolve().parents[2] / "examples" / "report-000.toml").read_text()


def signed_in(role: str) -> Client:
    user = User.objects.create_user(username=role, password="x")
    StaffMember.objects.create(user=user, staff_ref=role, name=role, role=role,
                               start_date=date(2020, 1, 1))
    client = Client()
    client.force_login(user)
    return client


def small(text: str, replications: int = 40) -> str:
    return text.replace("replications = 1000", f"replications = {replications}").replace(
        "months = 24", "months = 12")


def test_only_those_who_see_the_whole_service_may_plan() -> None:
    assert signed_in(Role.CASE_OFFICER).get(reverse("planning:list")).status_code == 403
    assert signed_in(Role.ANALYST).get(reverse("planning:list")).status_code == 200


def test_a_scenario_is_saved_run_and_exported() -> None:
    client = signed_in(Role.HEAD_OF_SERVICE)
    response = client.post(reverse("planning:new"), {"name": "Table 6", "toml": small(EXAMPLE)})
    assert response.status_code == 302
    saved = SavedScenario.objects.get()
    page = client.get(reverse("planning:detail", args=[saved.public_id]))
    # Report 000, table 6 layout: 4 backlog case officers for 6 months at £100,500 a year.
    assert b"4 Case officers" in page.content
    client.post(reverse("planning:run", args=[saved.public_id]))
    saved.refresh_from_db()
    assert saved.summary is not None and saved.summary["replications"] == 40
    assert len(saved.summary["months"]) == 12
    page = client.get(reverse("planning:detail", args=[saved.public_id]))
    assert page.content.count(b'role="img"') == 3
    assert b"Backlog: requests open more than 20 weeks: figures" in page.content
    # The clearing headline is over all replications, and says what "cleared" means.
    text = " ".join(page.content.decode().split())
    assert saved.summary["clearing_headline"] in text
    assert "replication" in saved.summary["clearing_headline"]
    assert f"back to {saved.summary['cleared_below']} or fewer" in text
    assert "In half the" not in text
    export = client.get(reverse("planning:export", args=[saved.public_id]))
    book = load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["Projection", "Cost", "Scenario"]
    assert book["Projection"]["A4"].value == "2023-08"
    assert book["Cost"]["A1"].value == "Role"


def test_a_bad_scenario_names_the_key_and_saves_nothing() -> None:
    client = signed_in(Role.ANALYST)
    bad = small(EXAMPLE).replace("count = 12", "count = -1").replace("months = 12",
                                                                      "months = 600")
    response = client.post(reverse("planning:new"), {"name": "Bad", "toml": bad})
    assert b"There is a problem" in response.content
    assert b"staff[0].count" in response.content
    assert b"months" in response.content
    response = client.post(reverse("planning:new"), {"name": "Bad", "toml": "this is = = not"})
    assert b"not valid TOML" in response.content
    assert SavedScenario.objects.count() == 0


def test_start_from_todays_caseload(system_actor: services.Actor) -> None:
    child = Child.objects.create(person_ref="P1", date_of_birth=date(2014, 1, 1))
    today = timezone.localdate()
    for i in range(6):
        services.request_register(child=child, case_ref=f"R{i}",
                                  received_date=today - timedelta(days=30 * i + 1),
                                  by=system_actor)
    client = signed_in(Role.TEAM_MANAGER)
    response = client.post(reverse("planning:from_caseload"))
    saved = SavedScenario.objects.get()
    assert response["Location"] == reverse("planning:detail", args=[saved.public_id])
    # How demand is estimated is the estimator's (tests/planning/test_from_caseload.py); here,
    # that the page saved a scenario the editor can read back.
    assert "requests_per_year = " in saved.toml
    assert "Starting state: the 6 requests open" in saved.notes
    compare = client.get(reverse("planning:compare") + f"?s={saved.public_id}")
    assert compare.status_code == 200 and b"Total staff cost" in compare.content
