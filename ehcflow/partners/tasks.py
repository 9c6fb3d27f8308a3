"""The daily advice reminders as a background task (Django's tasks framework).

`daily_chasers` sends the reminders owed today (`services.chase_advice`, which never sends the
same one twice) and queues itself for the next morning. `ehcflow partners schedule` queues the
first run; `ehcflow partners chase` runs it now without a worker (e.g. from cron).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.tasks import default_task_backend, task
from django.utils import timezone

DAILY_AT = time(7, 0)  # local time: before the working day, so reminders are read that day


def next_run(now: datetime | None = None) -> datetime:
    """The next 07:00 local time after `now`."""
    current = timezone.localtime(now)
    candidate = current.replace(hour=DAILY_AT.hour, minute=DAILY_AT.minute, second=0,
                                microsecond=0)
    if candidate <= current:
        candidate += timedelta(days=1)
    return candidate


def _queued() -> bool:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:
        return False
    return DBTaskResult.objects.filter(task_path=f"{__name__}.daily_chasers",
                                       status="READY").exists()


def schedule_next(now: datetime | None = None) -> datetime | None:
    """Queue tomorrow's run, unless the backend cannot defer or a run is already waiting."""
    if not default_task_backend.supports_defer or _queued():
        return None
    when = next_run(now)
    daily_chasers.using(run_after=when).enqueue()
    return when


@task()
def daily_chasers() -> dict[str, Any]:
    """Today's reminders, then tomorrow's run queued."""
    from ehcflow.partners.services import chase_advice

    outcome: dict[str, Any] = dict(chase_advice())
    scheduled = schedule_next()
    outcome["next"] = scheduled.isoformat() if scheduled else None
    return outcome
