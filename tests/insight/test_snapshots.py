"""Nightly snapshots: the figures as recorded, kept when records change; backfill idempotent;
the task on Django's tasks framework and the `ehcflow insight` command."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from ehcflow.casework import selectors
from ehcflow.casework.models import AssessmentRequest
from ehcflow.insight import dashboards, figures, snapshots, tasks
from ehcflow.insight.dashboards import Query
from ehcflow.insight.models import Snapshot
from tests.insight.builders import AS_OF, World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def test_a_snapshot_records_the_kpis_and_the_backlog(world: World) -> None:
    result = snapshots.snapshot_take(on=AS_OF)
    assert result.created
    snap = Snapshot.objects.get(on=AS_OF)
    kpis = selectors.kpis(as_of=AS_OF)
    assert snap.kpis_12_months == kpis.as_dict()
    assert (snap.open, snap.over_20_weeks, snap.over_30_weeks, snap.over_50_weeks) == (
        kpis.backlog.open, kpis.backlog.over_20_weeks, kpis.backlog.over_30_weeks,
        kpis.backlog.over_50_weeks)
    assert snap.kpis_month["period"] == {"from": "2023-07-01", "to": "2023-07-31"}
    assert snap.backfilled  # a past day is recorded after the event
    assert snap.plans_maintained == 5


def test_a_past_snapshot_survives_a_later_change_to_the_records(world: World) -> None:
    snapshots.snapshot_take(on=AS_OF)
    before = Snapshot.objects.get(on=AS_OF).over_20_weeks
    # b's plan turns out to have been issued in June: the records change, the snapshot not.
    AssessmentRequest.objects.filter(case_ref="b").update(
        outcome="plan", outcome_date=date(2023, 6, 1), final_date=date(2023, 6, 30),
        stage="plan_issued")
    assert selectors.backlog(on=AS_OF).over_20_weeks == before - 1
    again = snapshots.snapshot_take(on=AS_OF)
    assert not again.created and not again.replaced
    assert Snapshot.objects.get(on=AS_OF).over_20_weeks == before
    # and the backlog page shows both: counted now, and as recorded that night
    first = figures.first_request_date()
    assert first is not None
    page = dashboards.backlog(Query(as_of=AS_OF, first=first), None)
    table = page.table("backlog_bands")
    assert table.value("31 Jul 2023", "Over 20 weeks") == before - 1
    assert table.value("31 Jul 2023", "Over 20 weeks as recorded that night") == before


def test_todays_snapshot_is_replaced_by_a_later_run_the_same_day(world: World) -> None:
    today = timezone.localdate()
    snapshots.snapshot_take()
    snapshots.snapshot_take()
    assert Snapshot.objects.filter(on=today).count() == 1
    assert not Snapshot.objects.get(on=today).backfilled


def test_backfill_is_idempotent(world: World) -> None:
    created = snapshots.snapshot_backfill(until=AS_OF)
    count = Snapshot.objects.count()
    assert created == count > 0
    assert snapshots.snapshot_backfill(until=AS_OF) == 0
    assert Snapshot.objects.count() == count
    days = set(Snapshot.objects.values_list("on", flat=True))
    assert date(2023, 6, 30) in days and date(2021, 3, 31) in days  # month ends
    assert AS_OF in days and date(2023, 5, 1) in days  # every day of the last three months
    assert all(s.backfilled for s in Snapshot.objects.all())
    for snap in Snapshot.objects.filter(on__in=[date(2022, 12, 31), AS_OF]):
        assert snap.kpis_12_months == selectors.kpis(as_of=snap.on).as_dict()


def test_a_date_before_any_request_is_refused(world: World) -> None:
    with pytest.raises(snapshots.NoData, match="first request on record was received on 1 "
                                               "March 2021"):
        snapshots.snapshot_take(on=date(2020, 1, 1))
    assert not Snapshot.objects.exists()


def test_the_command_backfills_on_the_first_run_then_records_the_day(world: World) -> None:
    out = StringIO()
    call_command("insight", "snapshot", stdout=out)
    first_count = Snapshot.objects.count()
    assert "Backfilled" in out.getvalue()
    assert Snapshot.objects.filter(on=timezone.localdate()).exists()
    out = StringIO()
    call_command("insight", "snapshot", stdout=out)
    assert "Backfilled" not in out.getvalue() and "Replaced" in out.getvalue()
    assert Snapshot.objects.count() == first_count
    call_command("insight", "snapshot", "--backfill", stdout=StringIO())
    assert Snapshot.objects.count() == first_count


def test_the_command_explains_bad_dates(world: World) -> None:
    with pytest.raises(CommandError, match="'2023-02-30' is not a date"):
        call_command("insight", "snapshot", "--as-of", "2023-02-30")
    with pytest.raises(CommandError, match="There are no figures for 1 January 2020"):
        call_command("insight", "snapshot", "--as-of", "2020-01-01")
    assert not Snapshot.objects.exists()


IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@override_settings(TASKS=IMMEDIATE)
def test_the_nightly_task_takes_the_snapshot(world: World) -> None:
    result = tasks.nightly_snapshot.enqueue()
    assert result.return_value["snapshot"] == timezone.localdate().isoformat()
    assert result.return_value["backfilled"] > 0
    assert result.return_value["next"] is None  # the immediate backend cannot run it later


def test_the_nightly_task_queues_the_next_night_once(world: World) -> None:
    from django_tasks_db.models import DBTaskResult

    assert tasks.schedule_next() is not None
    assert tasks.schedule_next() is None  # never two waiting
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "ehcflow.insight.tasks.nightly_snapshot"
    assert timezone.localtime(queued.run_after).time() == tasks.NIGHTLY_AT


def test_the_next_run_is_tonight_or_tomorrow_night() -> None:
    evening = timezone.make_aware(datetime(2023, 7, 31, 18, 0))
    late = timezone.make_aware(datetime(2023, 7, 31, 23, 45))
    assert timezone.localtime(tasks.next_run(evening)).date() == date(2023, 7, 31)
    assert timezone.localtime(tasks.next_run(late)).date() == date(2023, 8, 1)


def test_the_schedule_command(world: World) -> None:
    out = StringIO()
    with mock.patch.object(tasks, "next_run",
                           return_value=timezone.now() + timedelta(hours=3)):
        call_command("insight", "schedule", stdout=out)
    assert "queued" in out.getvalue()
    out = StringIO()
    call_command("insight", "schedule", stdout=out)
    assert "Nothing queued" in out.getvalue()
