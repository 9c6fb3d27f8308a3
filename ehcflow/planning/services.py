"""Writes for the planning pages: save, edit, run and copy scenarios.

Every save names the version it started from and is refused if someone else saved since
(``EditConflict``): an edit never silently overwrites (decision 0013).  Every figure is checked
by the planner's own checker (``planner.scenario.parse_scenario``), whose bounds of what a
council could mean live in ``planner.limits``.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

import tomli_w
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ehcflow.people.models import User
from ehcflow.planner import limits
from ehcflow.planner.engine import simulate
from ehcflow.planner.scenario import (
    Scenario,
    ScenarioError,
    scenario_from_text,
    toml_mapping,
)
from ehcflow.planning.estimate import scenario_from_caseload
from ehcflow.planning.models import SavedScenario, ScenarioRun

log = logging.getLogger(__name__)

#: A page's run is limited to this many replications (planner.limits).
MAX_PAGE_REPLICATIONS = limits.MAX_BROWSER_REPLICATIONS
#: A run still "waiting" or "running" after this long lost its worker: it no longer blocks
#: a new run (a worker killed mid-run never marks its run finished).
STALE_AFTER = timedelta(hours=1)
#: A new scenario identical to one the same person saved this recently is a double submit.
DOUBLE_SUBMIT_WINDOW = timedelta(seconds=30)


class EditConflict(Exception):
    """Someone else saved the scenario after this edit began; nothing was saved."""


def parse_mapping(text: str) -> dict[str, Any]:
    """The TOML text as a mapping, or ScenarioError with a plain message (too long, not
    TOML, nested too deeply): `planner.scenario.toml_mapping`."""
    return toml_mapping(text, source="<page>")


def parse_toml(text: str) -> Scenario:
    """The scenario in `text`, or ScenarioError naming every key that is wrong."""
    return scenario_from_text(text, source="<page>")


def check_for_browser(scenario: Scenario) -> None:
    """What the browser may run: at most MAX_BROWSER_REPLICATIONS, at most MAX_BROWSER_WORK."""
    problems = []
    if scenario.start_state.register:
        problems.append("start_state.register: a register file cannot be used in the "
                        "browser; start from the caseload instead")
    if scenario.replications > MAX_PAGE_REPLICATIONS:
        problems.append(f"replications: must be at most {MAX_PAGE_REPLICATIONS:,} in the "
                        f"browser, got {scenario.replications:,}")
    else:
        counts = limits_counts(scenario)
        work = limits.work_units(counts, scenario.replications)
        if work > limits.MAX_BROWSER_WORK:
            per = limits.requests_per_replication(counts)
            most = max(1, int(limits.MAX_BROWSER_WORK // max(per, 1.0)))
            problems.append(f"replications: each replication simulates about {per:,.0f} "
                            f"requests, so at most {most:,} replications can run in the "
                            f"browser, got {scenario.replications:,}")
    if problems:
        raise ScenarioError(problems)


def limits_counts(scenario: Scenario) -> limits.Counts:
    return limits.counts_of(
        name=scenario.name, months=scenario.months, cleared_at=scenario.cleared_at,
        demand=scenario.demand, work=scenario.work, advice=scenario.advice,
        staff=scenario.staff, start_state=scenario.start_state)


@transaction.atomic
def scenario_save(*, name: str, toml: str, by: User | None, notes: str = "",
                  existing: SavedScenario | None = None,
                  version: int | None = None) -> SavedScenario:
    """Save a new scenario, or a new version of ``existing`` if it is still at ``version``.

    Raises ScenarioError (nothing saved) for a scenario the planner or the browser refuses,
    and EditConflict when ``existing`` was saved by someone else since ``version``.
    """
    if len(name) > limits.MAX_NAME_CHARS:
        raise ScenarioError([f"name: must be at most {limits.MAX_NAME_CHARS} characters"])
    scenario = parse_toml(toml)
    check_for_browser(scenario)
    if existing is None:
        # A double-clicked "Save" sends the same scenario twice: the second gets the first.
        twin = SavedScenario.objects.filter(
            name=name, toml=toml, created_by=by,
            created_at__gte=timezone.now() - DOUBLE_SUBMIT_WINDOW).first()
        if twin is not None:
            return twin
        return SavedScenario.objects.create(name=name, toml=toml, notes=notes, created_by=by)
    if version is None:
        raise ValueError("an edit must name the version it started from")
    # One conditional UPDATE: of two people saving at once exactly one succeeds.
    changed = SavedScenario.objects.filter(pk=existing.pk, version=version).update(
        name=name, toml=toml, notes=notes, summary=None, ran_at=None,  # the old run is stale
        version=F("version") + 1, updated_at=timezone.now())
    if not changed:
        current = SavedScenario.objects.get(pk=existing.pk)
        if current.version == version + 1 and current.toml == toml and current.name == name:
            return current  # the same change sent twice (a double click): already saved
        raise EditConflict
    existing.refresh_from_db()
    return existing


def scenario_write(*, saved: SavedScenario, mapping: dict[str, Any], version: int,
                   by: User | None, as_new: bool, name: str | None = None) -> SavedScenario:
    """Save an edited mapping (a form page's section) over ``saved`` or as a new scenario."""
    text = tomli_w.dumps(mapping)
    title = name if name is not None else saved.name
    if as_new:
        if title == saved.name:  # two scenarios of one name could not be told apart
            title = f"{saved.name} (copy)"[:limits.MAX_NAME_CHARS]
        return scenario_save(name=title, toml=text, by=by, notes=saved.notes)
    return scenario_save(name=title, toml=text, by=by, notes=saved.notes, existing=saved,
                         version=version)


def scenario_from_today(*, as_of: date, by: User | None) -> SavedScenario:
    """A scenario estimated from the live casework (planning.estimate)."""
    estimate = scenario_from_caseload(as_of=as_of, months=24, replications=500)
    text = tomli_w.dumps(estimate.scenario)
    return scenario_save(name=estimate.scenario["name"], toml=text, by=by,
                         notes="\n".join(estimate.notes))


def scenario_copy(*, saved: SavedScenario, by: User | None) -> SavedScenario:
    return scenario_save(name=f"{saved.name} (copy)"[:limits.MAX_NAME_CHARS], toml=saved.toml,
                         by=by, notes=saved.notes)


# --------------------------------------------------------------------------- runs


def run_request(*, saved: SavedScenario, by: User | None) -> tuple[ScenarioRun, bool]:
    """Ask for a run: (the run, True) if this call started it, or (the run already waiting or
    running, False) — so a double-clicked "Run" starts one run.

    Raises ScenarioError if the saved text no longer passes the checks (e.g. bounds tightened
    since it was saved).
    """
    scenario = parse_toml(saved.toml)
    check_for_browser(scenario)
    work = limits.work_units(limits_counts(scenario), scenario.replications)
    with transaction.atomic():
        locked = SavedScenario.objects.select_for_update().get(pk=saved.pk)
        ScenarioRun.objects.filter(
            scenario=locked, status__in=ScenarioRun.ACTIVE,
            requested_at__lt=timezone.now() - STALE_AFTER,
        ).update(status=ScenarioRun.Status.FAILED, finished_at=timezone.now(),
                 message="The run stopped without finishing.")
        active = locked.runs.filter(status__in=ScenarioRun.ACTIVE).first()
        if active is not None:
            return active, False
        try:
            with transaction.atomic():  # the constraint settles a race between two requests
                run = ScenarioRun.objects.create(
                    scenario=locked, version=locked.version, toml=locked.toml,
                    replications=scenario.replications, work=work, requested_by=by)
        except IntegrityError:
            return locked.runs.get(status__in=ScenarioRun.ACTIVE), False
    return run, True


def run_execute(run_id: int) -> ScenarioRun | None:
    """Simulate a run (on the web request when small, else in the background task) and keep
    its summary on the scenario if the scenario has not been edited since it was asked for."""
    started = ScenarioRun.objects.filter(pk=run_id, status=ScenarioRun.Status.QUEUED).update(
        status=ScenarioRun.Status.RUNNING, started_at=timezone.now())
    if not started:  # already taken by another worker, or finished
        return ScenarioRun.objects.filter(pk=run_id).first()
    run = ScenarioRun.objects.select_related("scenario").get(pk=run_id)
    try:
        scenario = parse_toml(run.toml)
        chunk = limits.chunk_size_for(limits.requests_per_replication(limits_counts(scenario)))
        summary = simulate(scenario, chunk_size=chunk).summary()
    except Exception:
        # No personal data here: the run's id only (scenarios hold counts, not children).
        log.exception("planning run %s failed", run.public_id)
        run.status, run.finished_at = ScenarioRun.Status.FAILED, timezone.now()
        run.message = "The planner could not finish this run. Nothing was changed."
        run.save(update_fields=["status", "finished_at", "message"])
        return run
    now = timezone.now()
    with transaction.atomic():
        kept = SavedScenario.objects.filter(pk=run.scenario_id, version=run.version).update(
            summary=summary, ran_at=now)
        run.status, run.finished_at = ScenarioRun.Status.DONE, now
        if not kept:
            run.message = ("The scenario was changed while it ran, so these results were not "
                           "kept. Run it again.")
        run.save(update_fields=["status", "finished_at", "message"])
    return run


