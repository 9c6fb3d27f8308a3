"""The recovery planner in the browser: saved scenarios, runs, fan charts, comparison, export."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST

from ehcflow.people.access import Action, may
from ehcflow.planner.scenario import ScenarioError
from ehcflow.planning import services
from ehcflow.planning.charts import fan_svg
from ehcflow.planning.export import workbook
from ehcflow.planning.forms import ScenarioForm
from ehcflow.planning.models import SavedScenario
from ehcflow.planning.selectors import cost_table, fan_series


def _allowed(request: HttpRequest) -> None:
    """Planning is for those who see the whole service's figures (people.access)."""
    if not may(request.user, Action.VIEW_CASELOADS):
        raise PermissionDenied


def _get(public_id: uuid.UUID) -> SavedScenario:
    saved = SavedScenario.objects.filter(public_id=public_id).first()
    if saved is None:
        raise Http404("No such scenario")
    return saved


@login_required
def scenario_list(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    return render(request, "planning/list.html",
                  {"scenarios": SavedScenario.objects.all()[:100]})


@login_required
@require_POST
def scenario_from_caseload(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    saved = services.scenario_from_today(as_of=timezone.localdate(),
                                         by=request.user)  # type: ignore[arg-type]
    messages.success(request, "Scenario estimated from today's caseload")
    return redirect("planning:detail", public_id=saved.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def scenario_edit(request: HttpRequest, public_id: uuid.UUID | None = None) -> HttpResponse:
    _allowed(request)
    saved = _get(public_id) if public_id else None
    initial = {"name": saved.name, "toml": saved.toml} if saved else {}
    form = ScenarioForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.scenario_save(
                name=form.cleaned_data["name"], toml=form.cleaned_data["toml"],
                by=request.user, existing=saved,  # type: ignore[arg-type]
                notes=saved.notes if saved else "")
        except ScenarioError as error:
            for problem in error.problems:
                form.add_error("toml", problem)
        else:
            messages.success(request, "Scenario saved")
            return redirect("planning:detail", public_id=saved.public_id)
    return render(request, "planning/edit.html", {"form": form, "saved": saved})


def _charts(summary: dict[str, Any]) -> list[dict[str, Any]]:
    charts = []
    for key, title, y_label, percent in (
        ("over_20_weeks", "Backlog: requests open more than 20 weeks", "Requests", False),
        ("pct_within_20_weeks", "Plans issued within 20 weeks", "% of plans issued", True),
        ("open", "All open requests", "Requests", False),
    ):
        series = fan_series(summary, key)
        charts.append({
            "key": key, "title": title,
            "svg": fan_svg(key, title, series.labels, series.p10, series.p50, series.p90,
                           y_label=y_label, percent=percent),
            "rows": list(zip(series.labels, series.p10, series.p50, series.p90, strict=True)),
        })
    return charts


@login_required
def scenario_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _allowed(request)
    saved = _get(public_id)
    scenario = services.parse_toml(saved.toml)
    lines, total = cost_table(scenario)
    context: dict[str, Any] = {"saved": saved, "scenario": scenario, "cost_lines": lines,
                               "cost_total": total}
    if saved.summary:
        context["charts"] = _charts(saved.summary)
        context["summary"] = saved.summary
    return render(request, "planning/detail.html", context)


@login_required
@require_POST
def scenario_run(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _allowed(request)
    saved = services.scenario_run(saved=_get(public_id))
    messages.success(request, f"Ran {saved.summary['replications']} replications"
                     if saved.summary else "Ran the scenario")
    return redirect("planning:detail", public_id=saved.public_id)


@login_required
@require_POST
def scenario_copy(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _allowed(request)
    copy = services.scenario_copy(saved=_get(public_id), by=request.user)  # type: ignore[arg-type]
    return redirect("planning:edit", public_id=copy.public_id)


@login_required
def scenario_compare(request: HttpRequest) -> HttpResponse:
    """Two or more scenarios side by side, with a cost table like report 000's table 6."""
    _allowed(request)
    ids = request.GET.getlist("s")
    chosen = []
    for value in ids[:4]:
        try:
            saved = _get(uuid.UUID(value))
        except ValueError as error:
            raise Http404("No such scenario") from error
        scenario = services.parse_toml(saved.toml)
        lines, total = cost_table(scenario)
        chosen.append({"saved": saved, "lines": lines, "total": total,
                       "summary": saved.summary})
    return render(request, "planning/compare.html", {
        "chosen": chosen, "scenarios": SavedScenario.objects.all()[:100],
        "selected": set(ids)})


@login_required
def scenario_export(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _allowed(request)
    if not may(request.user, Action.EXPORT):
        raise PermissionDenied
    saved = _get(public_id)
    if not saved.summary:
        messages.error(request, "Run the scenario before exporting it")
        return redirect("planning:detail", public_id=saved.public_id)
    data = workbook(saved.name, services.parse_toml(saved.toml), saved.summary, saved.toml)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = slugify(saved.name)[:60] or "scenario"
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
