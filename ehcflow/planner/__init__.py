"""The recovery planner: Python and NumPy (its event loop compiled by Numba), no Django
(docs/domain/planner-model.md).

Public API::

    from ehcflow.planner import load_scenario, simulate
    projection = simulate(load_scenario("examples/report-000.toml"))
    projection.summary()          # JSON-ready: months, clearing month, total cost

- ``scenario``: ``Scenario`` and its parts, ``load_scenario``, ``parse_scenario``,
  ``dump_scenario``, ``ScenarioError`` (every problem, each with its key path);
- ``engine.simulate``: the fast engine (compiled kernel, or the NumPy lock-step) →
  ``metrics.Projection``;
- ``reference.simulate_reference``: the same model in SimPy (tests and benchmarks only);
- ``optimise``: ``load_options``, ``optimise`` → cheapest feasible staffing and the frontier;
- ``cli``: ``run_command`` and ``optimise_command``, behind ``ehcflow plan run|optimise``.
"""

from ehcflow.planner.engine import simulate
from ehcflow.planner.metrics import Projection, to_csv
from ehcflow.planner.optimise import OptimiseResult, Options, load_options, optimise
from ehcflow.planner.scenario import (
    Scenario,
    ScenarioError,
    dump_scenario,
    load_scenario,
    parse_scenario,
)

__all__ = [
    "OptimiseResult",
    "Options",
    "Projection",
    "Scenario",
    "ScenarioError",
    "dump_scenario",
    "load_options",
    "load_scenario",
    "optimise",
    "parse_scenario",
    "simulate",
    "to_csv",
]
