"""The backtests page: how far the planner can be trusted, forecast band against what happened.

For head of service, team managers and analysts (``Action.VIEW_CASELOADS``, as the rest of
planning).  The backtests are computed by a background task (``planning.tasks``) and stored
(``backtest_store``); this page only reads them, or queues the task.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from matplotlib.figure import Figure

from ehcflow.insight.charts import BLUE, ORANGE, clean_svg
from ehcflow.people.access import Action, may
from ehcflow.planning import backtest_store

CHARTS = (
    ("over_20_weeks", "Backlog: requests open more than 20 weeks", "Requests", False),
    ("pct_within_20_weeks", "Plans issued within 20 weeks", "% of plans issued", True),
)


def _allowed(request: HttpRequest) -> None:
    if not may(request.user, Action.VIEW_CASELOADS):
        raise PermissionDenied


def _value(v: Any) -> float:
    return float("nan") if v is None else float(v)


def band_svg(key: str, title: str, labels: Sequence[str], rows: Sequence[dict[str, Any]],
             y_label: str, percent: bool) -> str:
    """The forecast's 10th-90th percentile band and median, and the actual line."""
    fig = Figure(figsize=(8.0, 3.2), layout="constrained")
    ax = fig.add_subplot()
    x = list(range(len(labels)))
    ax.fill_between(x, [_value(r["p10"]) for r in rows], [_value(r["p90"]) for r in rows],
                    color=BLUE, alpha=0.25, linewidth=0, label="Forecast, 10th to 90th percentile")
    ax.plot(x, [_value(r["p50"]) for r in rows], color=BLUE, linewidth=1.5, linestyle="--",
            label="Forecast median")
    ax.plot(x, [_value(r["actual"]) for r in rows], color=ORANGE, linewidth=2.5, marker="o",
            markersize=3, label="What happened")
    step = max(1, len(labels) // 6)
    ax.set_xticks(x[::step], [labels[i] for i in x[::step]])
    ax.set_title(title)
    ax.set_ylabel(y_label)
    if percent:
        ax.set_ylim(0, 100)
    else:
        ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", fontsize="small")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    description = (f"{title}: the forecast's range from the 10th to the 90th percentile and "
                   "its median, with the actual figure of each month. The same figures are in "
                   "the table below.")
    return clean_svg(buffer.getvalue().decode("utf-8"), prefix=f"backtest-{key}", title=title,
                     description=description)


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
