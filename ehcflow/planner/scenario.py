"""Scenarios for the recovery planner: frozen dataclasses, TOML loading, validation, dumping.

The format is the one in docs/domain/planner-model.md, "Scenario file (TOML)".  Every problem in a
file is reported at once (``ScenarioError.problems``), each naming its key path, e.g.
``staff[2].count: must be a whole number ≥ 0, got -1``.  Indices in key paths are 0-based, as
in TOML's order of ``[[staff]]`` and ``[[advice]]`` tables.

Defaults (docs/domain/planner-model.md): ``policy = "oldest_first"``, ``cleared_at = 0``,
``comment_days = 15``, ``ramp_from = 1.0``, ``ramp_weeks = 0``, ``serves = "all"``,
``growth_per_year = 0``, ``replications = 1000``; ``seed`` may be omitted (a fresh seed is then
drawn and reported with the results, so a run can always be repeated).

Starting state (docs/domain/planner-model.md, "Starting state"): counts by age band for each step,
or a
request register (docs/domain/request-register.md) from which each open request's step and age are
derived, or explicit ``requests`` (what the web application builds from live casework).  An age band
``age_weeks = [lo, hi]`` holds requests *over* ``lo`` weeks and not over ``hi`` weeks old at the
start date, as the backlog bands of docs/domain/measures.md (report 000's 397 = 205 + 172 + 20):
their age in whole days is uniform over ``7·lo + 1 … 7·hi``.

The model is split by job, and this module is the one to import (every name below keeps its
path `ehcflow.planner.scenario.X`): `scenario_model` (the dataclasses and vocabulary),
`scenario_checker` (checking values, collecting problems), `scenario_toml` (reading TOML),
`scenario_register` (a starting state from a register file) and `scenario_dump` (writing
TOML back out).
"""

from __future__ import annotations

from ehcflow.planner.scenario_checker import (
    Checker as Checker,
)
from ehcflow.planner.scenario_checker import (
    parse_date as parse_date,
)
from ehcflow.planner.scenario_dump import (
    dump_scenario as dump_scenario,
)
from ehcflow.planner.scenario_dump import (
    scenario_to_dict as scenario_to_dict,
)
from ehcflow.planner.scenario_model import (
    DISTRIBUTION_KINDS as DISTRIBUTION_KINDS,
)
from ehcflow.planner.scenario_model import (
    EP_ADVICE as EP_ADVICE,
)
from ehcflow.planner.scenario_model import (
    MAX_MONTHS as MAX_MONTHS,
)
from ehcflow.planner.scenario_model import (
    MAX_REPLICATIONS as MAX_REPLICATIONS,
)
from ehcflow.planner.scenario_model import (
    POLICIES as POLICIES,
)
from ehcflow.planner.scenario_model import (
    ROLES as ROLES,
)
from ehcflow.planner.scenario_model import (
    SERVES as SERVES,
)
from ehcflow.planner.scenario_model import (
    STEPS as STEPS,
)
from ehcflow.planner.scenario_model import (
    Z90 as Z90,
)
from ehcflow.planner.scenario_model import (
    Advice as Advice,
)
from ehcflow.planner.scenario_model import (
    AgeBand as AgeBand,
)
from ehcflow.planner.scenario_model import (
    Demand as Demand,
)
from ehcflow.planner.scenario_model import (
    Distribution as Distribution,
)
from ehcflow.planner.scenario_model import (
    OpenRequest as OpenRequest,
)
from ehcflow.planner.scenario_model import (
    Policy as Policy,
)
from ehcflow.planner.scenario_model import (
    Role as Role,
)
from ehcflow.planner.scenario_model import (
    Scenario as Scenario,
)
from ehcflow.planner.scenario_model import (
    ScenarioError as ScenarioError,
)
from ehcflow.planner.scenario_model import (
    Serves as Serves,
)
from ehcflow.planner.scenario_model import (
    StaffGroup as StaffGroup,
)
from ehcflow.planner.scenario_model import (
    StartState as StartState,
)
from ehcflow.planner.scenario_model import (
    Step as Step,
)
from ehcflow.planner.scenario_model import (
    Work as Work,
)
from ehcflow.planner.scenario_register import (
    REGISTER_DATE_COLUMNS as REGISTER_DATE_COLUMNS,
)
from ehcflow.planner.scenario_register import (
    read_register as read_register,
)
from ehcflow.planner.scenario_toml import (
    STAFF_KEYS as STAFF_KEYS,
)
from ehcflow.planner.scenario_toml import (
    TOO_DEEP as TOO_DEEP,
)
from ehcflow.planner.scenario_toml import (
    TOP_KEYS as TOP_KEYS,
)
from ehcflow.planner.scenario_toml import (
    load_scenario as load_scenario,
)
from ehcflow.planner.scenario_toml import (
    parse_scenario as parse_scenario,
)
from ehcflow.planner.scenario_toml import (
    scenario_from_text as scenario_from_text,
)
from ehcflow.planner.scenario_toml import (
    staff_cost_fields as staff_cost_fields,
)
from ehcflow.planner.scenario_toml import (
    staff_work_fields as staff_work_fields,
)
from ehcflow.planner.scenario_toml import (
    toml_mapping as toml_mapping,
)
