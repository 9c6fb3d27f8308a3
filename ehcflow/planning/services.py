"""Writes for the planning pages: save, edit, run and copy scenarios."""

from __future__ import annotations

from datetime import date

import tomli_w
from django.db import transaction
from django.utils import timezone

from ehcflow.people.models import User
from ehcflow.planner.engine import simulate
from ehcflow.planner.scenario import Scenario, ScenarioError, dump_scenario, parse_scenario
from ehcflow.planning.estimate import scenario_from_caseload
from ehcflow.planning.models import SavedScenario

#: A page waits for its run; beyond this many replications use `ehcflow plan run`.
MAX_PAGE_REPLICATIONS = 2000


def parse_toml(text: str) -> Scenario:
    """The scenario in `text`, or ScenarioError naming every key that is wrong."""
    import tomllib

    try:
        mapping = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError([f"the file is not valid TOML: {error}"]) from error
    return parse_scenario(mapping, source="<page>")


@transaction.atomic
def scenario_save(*, name: str, toml: str, by: User | None, notes: str = "",
                  existing: SavedScenario | None = None) -> SavedScenario:
    scenario = parse_toml(toml)
    if scenario.replications > MAX_PAGE_REPLICATIONS:
        raise ScenarioError([f"replications: at most {MAX_PAGE_REPLICATIONS} in the browser "
                             f"(got {scenario.replications}); use `ehcflow plan run` for more"])
    if scenario.start_state.register:
        raise ScenarioError(["start_state.register: a register file cannot be used in the "
                             "browser; start from the caseload instead"])
    saved = existing or SavedScenario(created_by=by)
    saved.name, saved.toml, saved.notes = name, toml, notes
    if existing is not None:
        saved.summary, saved.ran_at = None, None  # the old run no longer matches
    saved.save()
    return saved


def scenario_from_today(*, as_of: date, by: User | None) -> SavedScenario:
    """A scenario estimated from the live casework (planning.estimate)."""
    estimate = scenario_from_caseload(as_of=as_of, months=24, replications=500)
    text = tomli_w.dumps(estimate.scenario)
    return scenario_save(name=estimate.scenario["name"], toml=text, by=by,
                         notes="\n".join(estimate.notes))


def scenario_copy(*, saved: SavedScenario, by: User | None) -> SavedScenario:
    return scenario_save(name=f"{saved.name} (copy)", toml=saved.toml, by=by, notes=saved.notes)


def scenario_run(*, saved: SavedScenario) -> SavedScenario:
    scenario = parse_toml(saved.toml)
    projection = simulate(scenario)
    saved.summary = projection.summary()
    saved.ran_at = timezone.now()
    saved.save(update_fields=["summary", "ran_at", "updated_at"])
    return saved


def normalised_toml(scenario: Scenario) -> str:
    return dump_scenario(scenario)
