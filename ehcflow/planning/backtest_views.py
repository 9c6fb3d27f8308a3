"""The backtests page: how far the planner can be trusted, forecast band against what happened.

For head of service, team managers and analysts (``Action.VIEW_CASELOADS``, as the rest of
planning).  The backtests are computed by a background task (``planning.tasks``) and stored
(``backtest_store``); this page only reads them, or queues the task.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ehcflow.people.access import Action, may
from ehcflow.planning import backtest_store
from ehcflow.planning.charts import band_svg

CHARTS = (
    ("over_20_weeks", "Backlog: requests open more than 20 weeks", "Requests", False),
    ("pct_within_20_weeks", "Plans issued within 20 weeks", "% of plans issued", True),
)


def _allowed(request: HttpRequest) -> None:
    if not may(request.user, Action.VIEW_CASELOADS):
        raise PermissionDenied


def _view(result: dict[str, Any]) -> dict[str, Any]:
    labels = [m["month"] for m in result["months"]]
    charts = []
    for key, title, y_label, percent in CHARTS:
        rows = [m[key] for m in result["months"]]
        charts.append({
            "key": key, "title": title, "percent": percent,
            "summary": result["summary"][key],
            "svg": band_svg(f"{result['as_of']}-{key}", title, labels, rows, y_label, percent),
            "rows": [(label, r) for label, r in zip(labels, rows, strict=True)],
        })
    return {"as_of": date.fromisoformat(result["as_of"]), "verdict": result["verdict"],
            "charts": charts,
            "per_request": result["per_request"], "estimate": result["estimate"],
            "computed_on": result.get("computed_on")}


@login_required
@require_GET
def backtests(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    stored = backtest_store.load_all()
    wanted = backtest_store.as_of_dates(timezone.localdate())
    return render(request, "planning/backtests.html", {
        "backtests": [_view(r) for r in reversed(stored) if r.get("months")],
        "wanted": wanted,
        "months": backtest_store.MONTHS,
    })


@login_required
@require_POST
def backtests_run(request: HttpRequest) -> HttpResponse:
    """Queue the backtests (a minute or two of work: never on this request)."""
    _allowed(request)
    from ehcflow.planning.tasks import run_backtests

    run_backtests.enqueue(timezone.localdate().isoformat())
    messages.success(request, "The backtests are being worked out. Come back to this page in "
                              "a few minutes to see them.")
    return redirect("planning:backtests")
