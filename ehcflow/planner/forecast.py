"""A likely final-plan date for each open request: the same model, read request by request.

The engine's monthly figures count requests; here the per-request results of the same
replications (``RawChunk.plan_time``) are kept for the requests open at the start, so each gets
the probability that it ends in a plan (its fate, drawn as docs/domain/planner-model.md says) and,
among the replications where it does, the 10th, 50th and 90th percentiles of the day its final plan
is issued.  A plan not issued within the horizon counts as "later than the horizon" (infinite),
so a percentile beyond it is reported as None rather than pretending to a date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ehcflow.planner.inputs import compile_scenario, draw_chunk, replication_generators
from ehcflow.planner.lockstep import padded_width, run_lockstep
from ehcflow.planner.scenario import Scenario

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class RequestForecast:
    """Per explicit open request (the scenario's order): p_plan and final-plan percentiles in
    days from the start (``start + floor(day)`` is the date; NaN beyond the horizon)."""

    case_refs: tuple[str, ...]
    p_plan: F64
    p10: F64
    p50: F64
    p90: F64


def per_request(scenario: Scenario, *, replications: int = 200, seed: int = 1,
                chunk_size: int = 100) -> RequestForecast:
    """Simulate ``replications`` runs and read each explicit open request's final plan."""
    cs = compile_scenario(scenario)
    n_band = len(cs.band_step)
    n_x = len(cs.explicit_age)
    gens = replication_generators(seed, replications)
    times = np.full((replications, n_x), np.inf)
    fates = np.zeros((replications, n_x), bool)
    for lo in range(0, replications, chunk_size):
        part = gens[lo:lo + chunk_size]
        ci = draw_chunk(cs, part, width=padded_width)
        assert ci.start_order is not None
        order = ci.start_order
        fate = ci.plan[:, : cs.n_start].copy()
        raw = run_lockstep(cs, ci, adopt=True)
        del ci
        pt = raw.plan_time[:, : cs.n_start]
        rows = np.arange(len(part))[:, None]
        xi = order - n_band  # explicit index of each start column (< 0: counted by band)
        mask = xi >= 0
        r_idx = np.broadcast_to(rows, xi.shape)[mask] + lo
        times[r_idx, xi[mask]] = pt[mask]
        fates[r_idx, xi[mask]] = fate[mask]
    p_plan = fates.mean(axis=0) if replications else np.zeros(n_x)
    q = np.full((3, n_x), np.nan)
    for j in range(n_x):
        t = times[fates[:, j], j]
        if t.size:
            v = np.percentile(t, [10, 50, 90], method="inverted_cdf")
            q[:, j] = np.where(np.isfinite(v), v, np.nan)
    refs = tuple(r.case_ref for r in scenario.start_state.requests)
    return RequestForecast(refs, p_plan, q[0], q[1], q[2])
