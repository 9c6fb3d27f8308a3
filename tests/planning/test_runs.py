"""Runs from the browser: small ones on the request, large ones as a background task with a
progress page; one run at a time whatever is double-clicked; the Excel export's text cells."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from ehcflow.people.models import Role, StaffMember, User
from ehcflow.planner import limits
from ehcflow.planner.scenario import ScenarioError, parse_scenario
from ehcflow.planning import services
from ehcflow.planning.models import SavedScenario, ScenarioRun

pytestmark = pytest.mark.django_db

EXAMPLE = (Path(__file__).resolve().parents[2] / "examples" / "report-000.toml").read_text()
SMALL = EXAMPLE.replace("replications = 1000", "replications = 20").replace(
    "months = 24", "months = 6")
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def signed_in(role: str) -> Client:
    user = User.objects.create_user(username=role, password="x")
    StaffMember.objects.create(user=user, staff_ref=role, name=role, role=role,
                               start_date=date(2020, 1, 1))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def saved() -> SavedScenario:
    return services.scenario_save(name="Table 6", toml=SMALL, by=None)


@pytest.fixture
def background(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every run counts as too large for the web request."""
    monkeypatch.setattr(limits, "INLINE_WORK", 0)


def test_a_small_run_finishes_on_the_request(saved: SavedScenario) -> None:
    client = signed_in(Role.HEAD_OF_SERVICE)
    response = client.post(reverse("planning:run", args=[saved.public_id]))
    assert response["Location"] == reverse("planning:detail", args=[saved.public_id])
    saved.refresh_from_db()
    assert saved.summary is not None and saved.summary["replications"] == 20
    run = ScenarioRun.objects.get()
    assert run.status == ScenarioRun.Status.DONE and run.version == saved.version
    assert not DBTaskResult.objects.exists()


@pytest.mark.usefixtures("background")
def test_a_double_submitted_run_starts_one_background_run(saved: SavedScenario) -> None:
    client = signed_in(Role.HEAD_OF_SERVICE)
    url = reverse("planning:run", args=[saved.public_id])
    first, second = client.post(url), client.post(url)
    run = ScenarioRun.objects.get()
    progress = reverse("planning:run_progress", args=[saved.public_id, run.public_id])
    assert first["Location"] == progress and second["Location"] == progress
    assert DBTaskResult.objects.count() == 1
    page = client.get(progress)
    assert page.status_code == 200
    assert "The run is waiting to start." in page.content.decode()
    assert "js/run-progress.js" in page.content.decode()  # polls; no timed refresh
    # the worker runs the queued task
    services.run_execute(run.pk)
    run.refresh_from_db()
    assert run.status == ScenarioRun.Status.DONE
    assert client.get(progress)["Location"] == reverse("planning:detail",
                                                       args=[saved.public_id])
    saved.refresh_from_db()
    assert saved.summary is not None and len(saved.summary["months"]) == 6
    # done: the next click starts a new run
    client.post(url)
    assert ScenarioRun.objects.count() == 2 and DBTaskResult.objects.count() == 2


@pytest.mark.usefixtures("background")
@override_settings(TASKS=IMMEDIATE)
def test_the_background_task_runs_the_scenario(saved: SavedScenario) -> None:
    signed_in(Role.ANALYST).post(reverse("planning:run", args=[saved.public_id]))
    run = ScenarioRun.objects.get()
    assert run.status == ScenarioRun.Status.DONE and run.started_at and run.finished_at
    saved.refresh_from_db()
    assert saved.summary is not None and saved.ran_at is not None


@pytest.mark.usefixtures("background")
def test_a_result_for_an_edited_scenario_is_not_kept(saved: SavedScenario) -> None:
    run, created = services.run_request(saved=saved, by=None)
    assert created
    services.scenario_save(name="Table 6", toml=SMALL.replace("count = 12", "count = 11"),
                           by=None, existing=saved, version=saved.version)
    services.run_execute(run.pk)
    run.refresh_from_db()
    saved.refresh_from_db()
    assert run.status == ScenarioRun.Status.DONE and "was changed while it ran" in run.message
    assert saved.summary is None


def test_the_database_allows_one_active_run_per_scenario(saved: SavedScenario) -> None:
    ScenarioRun.objects.create(scenario=saved, version=1, toml=SMALL, replications=20)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScenarioRun.objects.create(scenario=saved, version=1, toml=SMALL, replications=20)


@pytest.mark.usefixtures("background")
def test_a_run_that_lost_its_worker_does_not_block_a_new_one(saved: SavedScenario) -> None:
    old = ScenarioRun.objects.create(scenario=saved, version=1, toml=SMALL, replications=20,
                                     status=ScenarioRun.Status.RUNNING)
    ScenarioRun.objects.filter(pk=old.pk).update(
        requested_at=timezone.now() - timedelta(hours=2))
    run, created = services.run_request(saved=saved, by=None)
    assert created and run.pk != old.pk
    old.refresh_from_db()
    assert old.status == ScenarioRun.Status.FAILED


def test_a_scenario_too_large_for_the_browser_is_refused_before_running() -> None:
    # saved before today's bounds (straight into the table): the run is refused, not tried
    big = SMALL.replace("replications = 20", "replications = 2000").replace(
        "months = 6", "months = 240")
    saved = SavedScenario.objects.create(name="Huge", toml=big)
    client = signed_in(Role.HEAD_OF_SERVICE)
    response = client.post(reverse("planning:run", args=[saved.public_id]), follow=True)
    text = response.content.decode()
    assert "The scenario cannot run: replications: each replication simulates about" in text
    assert not ScenarioRun.objects.exists()
    huge = SMALL.replace("count = 12", "count = 1000000000")
    saved = SavedScenario.objects.create(name="Absurd", toml=huge)
    page = client.get(reverse("planning:detail", args=[saved.public_id]))
    assert "staff[0].count: must be at most 2,000 people in one group" in page.content.decode()
    response = client.post(reverse("planning:run", args=[saved.public_id]), follow=True)
    assert "The scenario cannot run" in response.content.decode()
    assert not ScenarioRun.objects.exists()


def test_every_text_cell_of_the_excel_export_is_text() -> None:
    """Regression: a name beginning with '=' was written as a live formula."""
    evil = '=HYPERLINK("http://evil.example/","Click for the figures")'
    text = SMALL.replace('name = "case officers in post"', 'name = "=1+1"')
    saved = services.scenario_save(name=evil, toml=text, by=None)
    client = signed_in(Role.ANALYST)
    client.post(reverse("planning:run", args=[saved.public_id]))
    export = client.get(reverse("planning:export", args=[saved.public_id]))
    book = load_workbook(io.BytesIO(export.content))
    title = book["Projection"]["A1"]
    assert title.value == evil and title.data_type == "s" and title.quotePrefix
    group = book["Cost"]["B2"]
    assert group.value == "=1+1" and group.data_type == "s"
    formulas = [cell.coordinate for sheet in book for row in sheet.iter_rows()
                for cell in row if cell.data_type == "f"]
    assert formulas == []
    assert book["Cost"]["D2"].data_type == "n"  # numbers stay numbers


def test_the_bounds_apply_on_the_command_line_too() -> None:
    import tomllib

    mapping = tomllib.loads(EXAMPLE.replace("count = 12", "count = 1000000000").replace(
        "requests_per_year = 837", "requests_per_year = 1000000"))
    with pytest.raises(ScenarioError) as error:
        parse_scenario(mapping)
    assert error.value.problems == [
        "demand.requests_per_year: must be at most 25,000 requests a year (five times "
        "England's largest authority), got 1,000,000",
        "staff[0].count: must be at most 2,000 people in one group, got 1,000,000,000",
    ]
    parse_scenario(tomllib.loads(EXAMPLE))  # report 000's scenario is well inside them


def test_expected_work_and_chunks() -> None:
    assert limits.expected_arrivals(1200, 0.0, 12) == pytest.approx(1200)
    assert limits.expected_arrivals(1200, 1.0, 24) > 1200 * 2.8
    assert limits.chunk_size_for(100) == 1000
    assert limits.chunk_size_for(150_000) == 10


def test_a_guessed_run_is_not_found(saved: SavedScenario) -> None:
    other = services.scenario_save(name="Other", toml=SMALL.replace("count = 12", "count = 11"),
                                   by=None)
    run, _ = services.run_request(saved=other, by=None)
    client = signed_in(Role.HEAD_OF_SERVICE)
    # a real run, but of another scenario
    assert client.get(reverse("planning:run_progress",
                              args=[saved.public_id, run.public_id])).status_code == 404
    assert client.get(reverse("planning:run_progress",
                              args=[other.public_id, run.public_id])).status_code == 200
    assert signed_in(Role.CASE_OFFICER).get(
        reverse("planning:run_progress", args=[other.public_id, run.public_id])
    ).status_code == 403
