"""The recovery planner in the browser: saved scenarios, the editor, runs, charts, export.

Views are thin: writes go through ``services``; the editor's sections are forms in ``forms``.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ehcflow.people.access import Action, may
from ehcflow.planner import limits
from ehcflow.planner.scenario import ScenarioError
from ehcflow.planning import services, tasks_run
from ehcflow.planning.charts import fan_svg
from ehcflow.planning.export import workbook
from ehcflow.planning.forms import (
    AdviceForm,
    DemandForm,
    ScenarioForm,
    SectionForm,
    SettingsForm,
    StaffForm,
    WorkForm,
)
from ehcflow.planning.models import SavedScenario, ScenarioRun
from ehcflow.planning.selectors import cost_table, fan_series

log = logging.getLogger(__name__)

CONFLICT = ("Someone else saved this scenario after you opened it, so your changes have not "
            "been saved. Your changes are still shown below: save them as a new scenario, or "
            "open the scenario again to see the other changes.")
#: The editor's sections that are one table of the scenario.
SECTIONS: dict[str, tuple[type[SectionForm], str]] = {
    "settings": (SettingsForm, "About the scenario"),
    "demand": (DemandForm, "Demand"),
    "work": (WorkForm, "Work on each request"),
}
#: The editor's lists: the TOML key, the form, and what one item is called.
ITEMS: dict[str, tuple[str, type[SectionForm], str]] = {
    "staff": ("staff", StaffForm, "staff group"),
    "advice": ("advice", AdviceForm, "advice"),
}


def _allowed(request: HttpRequest) -> None:
    """Planning is for those who see the whole service's figures (people.access)."""
    if not may(request.user, Action.VIEW_CASELOADS):
        raise PermissionDenied


def _get(public_id: uuid.UUID) -> SavedScenario:
    saved = SavedScenario.objects.filter(public_id=public_id).first()
    if saved is None:
        raise Http404("No such scenario")
    return saved


def _mapping(saved: SavedScenario) -> dict[str, Any]:
    try:
        return services.parse_mapping(saved.toml)
    except ScenarioError as error:  # saved before the checks were this strict
        raise Http404("This scenario can only be changed as text") from error


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@login_required
def scenario_list(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    return render(request, "planning/list.html",
                  {"scenarios": SavedScenario.objects.all()[:100]})


@login_required
@require_POST
def scenario_from_caseload(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    try:
        saved = services.scenario_from_today(as_of=timezone.localdate(),
                                             by=request.user)  # type: ignore[arg-type]
    except ScenarioError as error:
        for problem in error.problems:
            messages.error(request, f"The caseload could not be made into a scenario: {problem}")
        return redirect("planning:list")
    messages.success(request, "Scenario estimated from today's caseload")
    return redirect("planning:detail", public_id=saved.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def scenario_toml(request: HttpRequest, public_id: uuid.UUID | None = None) -> HttpResponse:
    """Import a scenario as TOML, or edit a saved one as text (for analysts)."""
    _allowed(request)
    saved = _get(public_id) if public_id else None
    initial = {"name": saved.name, "toml": saved.toml, "version": saved.version} if saved else {}
    form = ScenarioForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        as_new = saved is None or request.POST.get("action") == "new"
        try:
            result = services.scenario_save(
                name=form.cleaned_data["name"], toml=form.cleaned_data["toml"],
                by=request.user,  # type: ignore[arg-type]
                existing=None if as_new else saved, version=form.cleaned_data["version"] or 0,
                notes=saved.notes if saved else "")
        except ScenarioError as error:
            for problem in error.problems:
                form.add_error("toml", problem)
        except services.EditConflict:
            form.add_error(None, CONFLICT)
        else:
            messages.success(request, "Saved as a new scenario" if saved and as_new
                             else "Scenario saved")
            return redirect("planning:detail", public_id=result.public_id)
    return render(request, "planning/edit.html", {"form": form, "saved": saved})


@login_required
@require_GET
def scenario_download_toml(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The scenario as a TOML file, for analysts' own tools."""
    _allowed(request)
    saved = _get(public_id)
    response = HttpResponse(saved.toml, content_type="application/toml; charset=utf-8")
    filename = slugify(saved.name)[:60] or "scenario"
    response["Content-Disposition"] = f'attachment; filename="{filename}.toml"'
    return response


# --------------------------------------------------------------------------- the editor


def _describe(mapping: dict[str, Any]) -> dict[str, Any]:
    """What the editor's overview shows of each section, as the forms show it."""
    staff = []
    for item in mapping.get("staff", []) if isinstance(mapping.get("staff"), list) else []:
        staff.append(StaffForm.initial_from(item))
    advice = []
    for item in mapping.get("advice", []) if isinstance(mapping.get("advice"), list) else []:
        advice.append(AdviceForm.initial_from(item))
    return {
        "settings": SettingsForm.initial_from(mapping),
        "demand": DemandForm.initial_from(mapping),
        "work": WorkForm.initial_from(mapping),
        "staff": staff,
        "advice": advice,
    }


@login_required
@require_GET
def scenario_edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The editor's overview: every section with a link to change it."""
    _allowed(request)
    saved = _get(public_id)
    mapping = _mapping(saved)
    try:
        scenario = services.parse_toml(saved.toml)
    except ScenarioError:
        scenario = None
    return render(request, "planning/editor.html", {
        "saved": saved, "parts": _describe(mapping), "scenario": scenario,
        "max_staff": limits.MAX_STAFF_GROUPS, "max_advice": limits.MAX_ADVICE_KINDS,
    })


def _save_mapping(request: HttpRequest, saved: SavedScenario, form: SectionForm,
                  mapping: dict[str, Any], prefix: str = "",
                  name: str | None = None) -> HttpResponse | None:
    """Save an edited mapping, or put the problems on the form (None: show the form again)."""
    as_new = request.POST.get("action") == "new"
    try:
        result = services.scenario_write(saved=saved, mapping=mapping,
                                         version=form.cleaned_data["version"],
                                         by=request.user,  # type: ignore[arg-type]
                                         as_new=as_new, name=name)
    except ScenarioError as error:
        form.add_problems(error.problems, prefix)
        return None
    except services.EditConflict:
        form.add_error(None, CONFLICT)
        return None
    messages.success(request, f"Saved as a new scenario: {result.name}" if as_new
                     else "Changes saved")
    return redirect("planning:edit", public_id=result.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def scenario_section(request: HttpRequest, public_id: uuid.UUID, section: str) -> HttpResponse:
    """Change one section of the scenario: its settings, demand or work."""
    _allowed(request)
    if section not in SECTIONS:
        raise Http404("No such part of a scenario")
    form_class, title = SECTIONS[section]
    saved = _get(public_id)
    mapping = _mapping(saved)
    initial = {**form_class.initial_from(mapping), "version": saved.version}  # type: ignore[attr-defined]
    if section == "settings":
        initial["name"] = saved.name  # the scenario's own name, which the TOML name follows
    form = form_class(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["name"] if section == "settings" else None
        done = _save_mapping(request, saved, form, form.apply(mapping),  # type: ignore[attr-defined]
                             name=name)
        if done is not None:
            return done
    return render(request, "planning/section.html",
                  {"saved": saved, "form": form, "title": title})


def _items(mapping: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = mapping.get(key, [])
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise Http404("This scenario can only be changed as text")
    return list(value)


@login_required
@require_http_methods(["GET", "POST"])
def scenario_item(request: HttpRequest, public_id: uuid.UUID, kind: str,
                  index: int | None = None) -> HttpResponse:
    """Change, or add, one staff group or one kind of advice."""
    _allowed(request)
    if kind not in ITEMS:
        raise Http404("No such part of a scenario")
    key, form_class, noun = ITEMS[kind]
    saved = _get(public_id)
    mapping = _mapping(saved)
    items = _items(mapping, key)
    if index is not None and not 0 <= index < len(items):
        raise Http404("No such item")
    if index is None and len(items) >= (limits.MAX_STAFF_GROUPS if kind == "staff"
                                        else limits.MAX_ADVICE_KINDS):
        messages.error(request, f"This scenario already has as many of these as it can: "
                                f"remove one before adding another {noun}.")
        return redirect("planning:edit", public_id=saved.public_id)
    item = items[index] if index is not None else {}
    base = form_class.initial_from(item) if index is not None else {}  # type: ignore[attr-defined]
    if index is None and kind == "staff":
        base = {"role": "case_officer", "serves": "all", "ramp_from": 100, "ramp_weeks": 0}
    form = form_class(request.POST if request.method == "POST" else None,
                      initial={**base, "version": saved.version})
    if request.method == "POST" and form.is_valid():
        changed = form.apply(item)  # type: ignore[attr-defined]
        position = index if index is not None else len(items)
        if index is None:
            items.append(changed)
        else:
            items[index] = changed
        done = _save_mapping(request, saved, form, {**mapping, key: items},
                             prefix=f"{key}[{position}].")
        if done is not None:
            return done
    title = (f"Change the {noun}" if index is not None else f"Add {'a ' if kind == 'staff' else ''}"
             f"{noun}")
    return render(request, "planning/section.html",
                  {"saved": saved, "form": form, "title": title})


@login_required
@require_POST
def scenario_item_action(request: HttpRequest, public_id: uuid.UUID, kind: str, index: int,
                         action: str) -> HttpResponse:
    """Remove or copy one staff group or kind of advice (copy: staff groups only)."""
    _allowed(request)
    if kind not in ITEMS or action not in ("remove", "copy") or (
            action == "copy" and kind != "staff"):
        raise Http404("No such action")
    key, _, noun = ITEMS[kind]
    saved = _get(public_id)
    mapping = _mapping(saved)
    items = _items(mapping, key)
    if not 0 <= index < len(items):
        raise Http404("No such item")
    version = _version(request)
    if version is None:
        messages.error(request, "Open the scenario again and try once more. Nothing was changed.")
        return redirect("planning:edit", public_id=saved.public_id)
    name = str(items[index].get("name") or noun)
    if action == "remove":
        del items[index]
    else:
        copy = dict(items[index])
        copy["name"] = f"{name} (copy)"[:limits.MAX_NAME_CHARS]
        items.insert(index + 1, copy)
    new = {**mapping, key: items}
    if not items:
        new.pop(key)
    try:
        services.scenario_write(saved=saved, mapping=new, version=version,
                                by=request.user, as_new=False)  # type: ignore[arg-type]
    except services.EditConflict:
        messages.error(request, "Someone else saved this scenario after you opened it, so "
                                "nothing was changed. Here it is as it is now.")
    except ScenarioError as error:
        for problem in error.problems:
            messages.error(request, f"Nothing was changed: {problem}")
    else:
        messages.success(request, f"Removed {name}" if action == "remove" else f"Copied {name}")
    return redirect("planning:edit", public_id=saved.public_id)


# --------------------------------------------------------------------------- runs


def _charts(summary: dict[str, Any]) -> list[dict[str, Any]]:
    charts = []
    for key, title, y_label, percent in (
        ("over_20_weeks", "Backlog: requests open more than 20 weeks", "Requests", False),
        ("pct_within_20_weeks", "Plans issued within 20 weeks", "% of plans issued", True),
        ("open", "All open requests", "Requests", False),
    ):
        series = fan_series(summary, key)
        charts.append({
            "key": key, "title": title, "percent": percent,
            "svg": fan_svg(key, title, series.labels, series.p10, series.p50, series.p90,
                           y_label=y_label, percent=percent),
            "rows": list(zip(series.labels, series.p10, series.p50, series.p90, strict=True)),
        })
    return charts


@login_required
def scenario_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _allowed(request)
    saved = _get(public_id)
    try:
        scenario = services.parse_toml(saved.toml)
    except ScenarioError as error:
        return render(request, "planning/invalid.html", {"saved": saved,
                                                         "problems": error.problems})
    lines, total = cost_table(scenario)
    context: dict[str, Any] = {
        "saved": saved, "scenario": scenario, "cost_lines": lines, "cost_total": total,
        "active_run": saved.runs.filter(status__in=ScenarioRun.ACTIVE).first(),
    }
    if saved.summary:
        context["charts"] = _charts(saved.summary)
        context["summary"] = saved.summary
    return render(request, "planning/detail.html", context)


@login_required
@require_POST
def scenario_run(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Run the scenario: on this request when small, else in the background; one at a time."""
    _allowed(request)
    saved = _get(public_id)
    try:
        run, created = services.run_request(saved=saved, by=request.user)  # type: ignore[arg-type]
    except ScenarioError as error:
        for problem in error.problems:
            messages.error(request, f"The scenario cannot run: {problem}")
        return redirect("planning:detail", public_id=saved.public_id)
    if not created:
        messages.info(request, "This scenario is already running. Its results will appear here.")
        return redirect("planning:run_progress", public_id=saved.public_id,
                        run_id=run.public_id)
    if run.work <= limits.INLINE_WORK:
        finished = services.run_execute(run.pk)
        if finished is not None and finished.status == ScenarioRun.Status.DONE:
            messages.success(request, finished.message or f"Ran {run.replications} replications")
        else:
            messages.error(request, finished.message if finished else "The run did not finish")
        return redirect("planning:detail", public_id=saved.public_id)
    tasks_run.run_scenario.enqueue(run.pk)
    return redirect("planning:run_progress", public_id=saved.public_id, run_id=run.public_id)


@login_required
@require_GET
def run_progress(request: HttpRequest, public_id: uuid.UUID, run_id: uuid.UUID) -> HttpResponse:
    """A background run's progress; the page refreshes itself while the run goes on."""
    _allowed(request)
    saved = _get(public_id)
    run = saved.runs.filter(public_id=run_id).first()
    if run is None:
        raise Http404("No such run")
    if run.status == ScenarioRun.Status.DONE and not run.message:
        messages.success(request, f"Ran {run.replications} replications")
        return redirect("planning:detail", public_id=saved.public_id)
    now = timezone.now()
    # About 1.5 s per million requests simulated on the reference machine (README, planner).
    expected = max(5, round(run.work / 1_000_000 * 1.5))
    elapsed = round((now - (run.started_at or run.requested_at)).total_seconds())
    return render(request, "planning/progress.html", {
        "saved": saved, "run": run, "expected": expected, "elapsed": elapsed,
        "percent": min(95, round(100 * elapsed / expected)) if run.started_at else 0,
    })


@login_required
@require_POST
def scenario_copy(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _allowed(request)
    copy = services.scenario_copy(saved=_get(public_id), by=request.user)  # type: ignore[arg-type]
    messages.success(request, f"Copied as {copy.name}")
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
        try:
            scenario = services.parse_toml(saved.toml)
        except ScenarioError:
            continue
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
    try:
        scenario = services.parse_toml(saved.toml)
    except ScenarioError:
        messages.error(request, "This scenario has problems to fix before it can be exported")
        return redirect("planning:detail", public_id=saved.public_id)
    data = workbook(saved.name, scenario, saved.summary, saved.toml)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = slugify(saved.name)[:60] or "scenario"
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response

