"""Background runs of the recovery planner (Django's tasks framework, django-tasks-db).

A run too large for a web request (``planner.limits.INLINE_WORK``) is queued here; `make
worker` (`ehcflow db_worker`) runs the queue. The run row (``ScenarioRun``) carries the status
the progress page shows, so the page never depends on the task backend's own records.
"""

from __future__ import annotations

from django.tasks import task

from ehcflow.planning import services


@task()
def run_scenario(run_id: int) -> str:
    """Simulate one queued run and record its result; returns the run's final status."""
    run = services.run_execute(run_id)
    return run.status if run is not None else "missing"
