"""Background work on Django's tasks framework: the nightly snapshot.

`nightly_snapshot` records today's figures, backfills the days before the first night if
there are none, and queues itself for the next night (when the task backend can defer, as the
database backend of `django-tasks-db` can). `ehcflow insight schedule` queues the first run;
`make worker` (`ehcflow db_worker`) runs the queue. The same work runs without a worker with
`ehcflow insight snapshot [--backfill]`, e.g. from cron.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.tasks import default_task_backend, task
from django.utils import timezone

from ehcflow.insight import snapshots

NIGHTLY_AT = time(23, 30)  # local time: after the day's casework, before midnight


def next_run(now: datetime | None = None) -> datetime:
    """The next 23:30 local time after `now`."""
    current = timezone.localtime(now)
    candidate = current.replace(hour=NIGHTLY_AT.hour, minute=NIGHTLY_AT.minute, second=0,
                                microsecond=0)
    if candidate <= current:
        candidate += timedelta(days=1)
    return candidate


def run_snapshot(*, on: date | None = None, backfill: bool = False) -> dict[str, Any]:
    """Take the day's snapshot (and backfill first when asked or when none exists)."""
    from ehcflow.insight.models import Snapshot

    created = 0
    if backfill or not Snapshot.objects.exists():
        created = snapshots.snapshot_backfill()
    try:
        result = snapshots.snapshot_take(on=on)
    except snapshots.NoData as error:
        return {"snapshot": None, "backfilled": created, "message": str(error)}
    return {"snapshot": result.on.isoformat(), "created": result.created,
            "replaced": result.replaced, "backfilled": created}


def _queued() -> bool:
    """Whether a nightly run is already waiting in the database queue (never queue two)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: it keeps its own queue
        return False
    return DBTaskResult.objects.filter(
        task_path=f"{__name__}.nightly_snapshot", status="READY").exists()


def schedule_next(now: datetime | None = None) -> datetime | None:
    """Queue the next night's run, unless the backend cannot defer or one is already queued."""
    if not default_task_backend.supports_defer or _queued():
        return None
    when = next_run(now)
    nightly_snapshot.using(run_after=when).enqueue()
    return when


@task()
def nightly_snapshot() -> dict[str, Any]:
    """Tonight's snapshot, then the next night queued."""
    outcome = run_snapshot()
    # The night's other work: every open request's likely final plan, for the pages.
    from ehcflow.planning.forecasts import refresh_likely_plans

    refresh_likely_plans.enqueue()
    scheduled = schedule_next()
    outcome["next"] = scheduled.isoformat() if scheduled else None
    return outcome
