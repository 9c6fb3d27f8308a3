"""Background work of the planning area (Django's tasks framework, django-tasks-db).

``run_backtests`` runs the planner from quarter ends over the last three years against what
happened (``backtest_store``); it takes a minute or two, so it never runs on a web request.
`make worker` (`ehcflow db_worker`) runs the queue.
"""

from __future__ import annotations

from datetime import date

from django.tasks import task

from ehcflow.planning import backtest_store


@task()
def run_backtests(today: str) -> list[str]:
    """Compute and store every backtest as of `today` (ISO date); the as-of dates done."""
    return backtest_store.compute(date.fromisoformat(today))
