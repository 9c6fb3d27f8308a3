"""Background work for messages: each send, and a sweep every 10 minutes.

`deliver_message` makes one attempt (and, on a backend that can defer, queues the retry
itself). `sweep` polls Notify for delivery reports and attempts anything whose retry time has
passed, then queues itself again; `ehcflow messages schedule` queues the first sweep and
`ehcflow messages sweep` runs one without a worker (e.g. from cron).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.tasks import default_task_backend, task
from django.utils import timezone

SWEEP_EVERY = timedelta(minutes=10)


@task()
def deliver_message(message_id: int) -> str:
    """Attempt to send one message; its status afterwards."""
    from ehcflow.notify.services import deliver

    message = deliver(message_id)
    return message.status if message is not None else "gone"


def run_sweep() -> dict[str, Any]:
    from ehcflow.notify.services import poll, retry_due

    return {"retried": retry_due(), "statuses_changed": poll()}


def _queued() -> bool:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:
        return False
    return DBTaskResult.objects.filter(task_path=f"{__name__}.sweep", status="READY").exists()


def schedule_sweep() -> str | None:
    """Queue the next sweep unless the backend cannot defer or one is already waiting."""
    if not default_task_backend.supports_defer or _queued():
        return None
    when = timezone.now() + SWEEP_EVERY
    sweep.using(run_after=when).enqueue()
    return when.isoformat()


@task()
def sweep() -> dict[str, Any]:
    """Delivery reports and due retries, then the next sweep queued."""
    outcome = run_sweep()
    outcome["next"] = schedule_sweep()
    return outcome
