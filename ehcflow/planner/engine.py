"""The fast engine: chunks of replications, simulated by the compiled kernel or the lock-step.

It implements exactly the model of docs/domain/planner-model.md, "The model" (the SimPy model in
``tests/planner/reference.py`` is the same model written the obvious way, a test oracle; tests
compare the two).

Why it is fast
--------------
A per-event Python loop costs some microseconds an event, and report 000's scenario has about
10,000 events a replication: far too slow for 1,000 replications in two seconds.  Where Numba
is installed (a dependency), ``kernel.py`` runs the event loop as compiled code, one
replication after another (decision 0007).  Otherwise the lock-step (``lockstep.py``) advances
*all replications of a chunk at once*, one staff assignment per replication per step, each
NumPy operation acting on one row per replication; it is about three times slower, and gives
the same results to the bit.  Both rest on three observations that make an assignment cheap
and the number of them small:

1. **Only assignments are events.**  When a person takes a task at time t, its end
   ``c = t + effort / (hours_per_week / 7 × productivity(t))`` is known at once, and so is when
   the request's next task becomes ready: the EP task at c after a decision; the draft at
   max(c, all needed advice in) after the EP advice; the final at c + comment_days after the
   draft.  Arrivals, advice, comment periods and completions therefore need no events of their
   own: each is just a *ready time* stored with the next task.  A replication's steps are its
   ~7,000 assignments, processed in time order (so no task can become ready in the past of an
   assignment already made: every new ready time is ≥ the assignment that created it).

2. **Queues indexed by age.**  Within a replication, requests are numbered in order of request
   time, so "oldest first" is "smallest index" (and "newest first" the largest).  Each role's
   queue is one row of ready times indexed by request (∞ = no task), cut into blocks of B with
   a per-block minimum: the next task for a free person at time t is the first block whose
   minimum is ≤ t, then the first entry ≤ t in it — two short row scans, whatever the queue's
   length, and the same code serves waiting tasks and tasks that become ready later.
   ``serves = "overdue"`` (request older than 20 weeks when taken, i.e. t ≥ floor(r) + 141)
   is a prefix of that row and ``"in_time"`` a suffix, since age order is index order.

3. **Group minima.**  A staff group's people share start, end, hours and ramp, so the next
   time the group acts is max(its earliest-free person, the earliest time a task it may take is
   ready); the replication's next assignment is the minimum over groups.  Ties (several people
   free at once) go to the first group in the file; which of its free people takes the task
   changes nothing, since they are alike (``lockstep.py`` explains).

Ties between tasks (equal request times) cannot occur: request times are continuous (arrivals
uniform within their week; requests open at the start get a uniform time within their request
date), so "ties go to the task that has waited longest" never has to be applied.

Random numbers: every replication has its own PCG64 stream (``SeedSequence(seed).spawn``),
and all of a replication's randomness (arrivals, fates, efforts, advice) is drawn up front from
it, so results do not depend on ``chunk_size`` and the same seed repeats a run exactly.
Memory is O(chunk_size × requests) per process.

Processes: chunks are independent, so ``simulate`` runs them in a pool of worker processes (one
per CPU by default, from 200 replications; "forkserver", never plain fork, so it is safe from a
threaded Django process).  The results are the same to the bit for any number of workers and
any chunk size.  Replications are independent, so two workers take about half the time of one
process (``benchmarks/bench_planner.py`` measures it).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import os
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

from ehcflow.planner.inputs import (
    CO,
    EP,
    compile_scenario,
    draw_chunk,
    replication_generators,
    resolve_seed,
)
from ehcflow.planner.inputs import Compiled as Compiled
from ehcflow.planner.lockstep import RawChunk, padded_width, run_lockstep
from ehcflow.planner.metrics import Projection
from ehcflow.planner.scenario import MAX_REPLICATIONS, Scenario
from ehcflow.planner.timeline import (
    DAYS_20_WEEKS,
    DAYS_30_WEEKS,
    DAYS_50_WEEKS,
    Months,
    cost_by_month,
    hours_in_post_by_month,
)

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

# --------------------------------------------------------------------------- monthly figures


@dataclass
class Monthly:
    """Per-replication monthly figures of one chunk, shape (R, M) each."""

    open: I64
    over_20_weeks: I64
    over_30_weeks: I64
    over_50_weeks: I64
    received: I64
    plans_issued: I64
    issued_within_20_weeks: I64
    left_without_plan: I64
    days_to_issue: I64
    start_open: I64


def _per_month(rep: I64, month: I64, R: int, M: int, weights: F64 | None = None) -> I64:
    """Counts (or sums) per (replication, month) for month indices 0..M (M = not in horizon)."""
    flat = np.bincount(rep * (M + 1) + month, weights=weights, minlength=R * (M + 1))
    return np.asarray(flat.reshape(R, M + 1)[:, :M]).astype(np.int64)


def monthly_figures(raw: RawChunk, months: Months) -> Monthly:
    """Month-end counts and monthly flows as docs/domain/measures.md defines them (days are whole
    days).

    Replications are independent, so they are counted a few at a time: the temporaries stay
    small (cache-sized, and no fresh memory to fault in), and the counts are the same.
    """
    R, N = raw.r.shape
    step = max(1, 262144 // max(N, 1))
    parts = [_monthly_slice(raw, months, lo, min(R, lo + step)) for lo in range(0, R, step)]
    if len(parts) == 1:
        return parts[0]
    return Monthly(*(np.concatenate([getattr(p, f) for p in parts]) for f in _MONTHLY_FIELDS))


def _monthly_slice(raw: RawChunk, months: Months, lo: int, hi: int) -> Monthly:
    R = hi - lo
    M = months.count
    ends = months.ends
    end_day = ends - 1.0
    rows, cols = np.nonzero(raw.valid[lo:hi])
    flat = rows * raw.r.shape[1] + cols
    r = raw.r[lo:hi].reshape(-1).take(flat)
    day_r = np.floor(r)
    ex = raw.exit[lo:hi].reshape(-1).take(flat)
    start = raw.is_start[lo:hi].reshape(-1).take(flat)
    # month index in which a time falls (M = after the horizon)
    m_arr = np.where(start, 0, np.searchsorted(ends, r, side="right"))
    m_exit = np.searchsorted(ends, ex, side="right")
    arrived = ~start
    received = _per_month(rows[arrived], m_arr[arrived], R, M)
    start_open = np.bincount(rows[start], minlength=R).astype(np.int64)
    pt = raw.plan_time[lo:hi].reshape(-1).take(flat)
    has_plan = np.isfinite(pt)
    exits = _per_month(rows, m_exit, R, M)
    rows_p, m_p = rows[has_plan], m_exit[has_plan]
    plans = _per_month(rows_p, m_p, R, M)
    days = np.floor(pt[has_plan]) - day_r[has_plan]
    within = days <= DAYS_20_WEEKS
    issued_within = _per_month(rows_p[within], m_p[within], R, M)
    days_sum = _per_month(rows_p, m_p, R, M, weights=days)
    # open at a month end: arrived by it (the start state counts from month 0), not yet gone
    open_ = (start_open[:, None] + np.cumsum(received - exits, axis=1)).astype(np.int64)

    def over(limit: int) -> I64:
        # over `limit` days at month m's end D: D - request date > limit, still open at D
        first = np.searchsorted(end_day, day_r + limit, side="right")
        last = np.maximum(first, m_exit)
        add = _per_month(rows, first, R, M)
        sub = _per_month(rows, last, R, M)
        return np.asarray(np.cumsum(add - sub, axis=1), dtype=np.int64)

    return Monthly(
        open=open_,
        over_20_weeks=over(DAYS_20_WEEKS),
        over_30_weeks=over(DAYS_30_WEEKS),
        over_50_weeks=over(DAYS_50_WEEKS),
        received=received,
        plans_issued=plans,
        issued_within_20_weeks=issued_within,
        left_without_plan=exits - plans,
        days_to_issue=days_sum,
        start_open=start_open,
    )


_MONTHLY_FIELDS = tuple(f.name for f in fields(Monthly))


# --------------------------------------------------------------------------- entry points


def run_chunk(
    cs: Compiled, generators: list[np.random.Generator], *, record_decision_start: bool = False
) -> RawChunk:
    """Simulate one chunk of replications (one generator each) and return per-request results."""
    # The draws go straight into the lock-step's layout, which takes them over; nothing else
    # holds them, so what it does not keep is freed before the loop starts.
    return run_lockstep(
        cs,
        draw_chunk(cs, generators, width=padded_width),
        record_decision_start=record_decision_start,
        adopt=True,
    )


def simulate_raw(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    record_decision_start: bool = False,
) -> RawChunk:
    """One chunk's per-request results, for tests at the queue level (e.g. Erlang C waits)."""
    n = replications or scenario.replications
    gens = replication_generators(resolve_seed(scenario, seed), n)
    return run_chunk(compile_scenario(scenario), gens, record_decision_start=record_decision_start)


#: Below this many replications a run stays in this process (a pool costs ~0.05–0.3 s).
PARALLEL_FROM = 200
#: Fewest replications worth a chunk of their own: a step costs some tens of µs whatever the
#: chunk's size, so small chunks waste it.
MIN_CHUNK = 100
#: Largest chunk a worker process takes at a time: bounds each worker's memory (~0.3 GB) so
#: that a pool of them stays well under 1 GB.
MAX_WORKER_CHUNK = 250

_ChunkResult = tuple[Monthly, F64, F64]


@dataclass(frozen=True)
class RunStats:
    """How the last ``simulate`` in this process ran (for benchmarks; not thread-safe)."""

    workers: int = 1
    chunks: int = 0
    #: CPU seconds (user + system) of the worker processes, and the largest one's peak RSS
    worker_cpu_s: float = 0.0
    worker_peak_rss_mb: float = 0.0
    fell_back: bool = False


last_run = RunStats()


def _simulate_chunks(
    cs: Compiled, seeds: list[np.random.SeedSequence], chunk_size: int
) -> list[_ChunkResult]:
    """Simulate replications (one seed sequence each) ``chunk_size`` at a time.

    Each replication has its own random stream, so where and with which others it is
    simulated changes nothing.
    """
    out: list[_ChunkResult] = []
    for lo in range(0, len(seeds), chunk_size):
        gens = [np.random.Generator(np.random.PCG64(s)) for s in seeds[lo : lo + chunk_size]]
        raw = run_chunk(cs, gens)
        out.append((monthly_figures(raw, cs.months), raw.hours, raw.overrun))
        del raw
    return out


def _worker(
    cs: Compiled, seeds: list[np.random.SeedSequence], chunk_size: int
) -> tuple[list[_ChunkResult], float, float]:
    """A pool worker's share: its chunks' results, its CPU seconds and its peak RSS (MB).

    Module-level, so that a process started by "forkserver" or "spawn" can import it.
    """
    c0 = time.process_time()
    out = _simulate_chunks(cs, seeds, chunk_size)
    return out, time.process_time() - c0, _peak_rss_mb()


def _peak_rss_mb() -> float:
    try:
        import resource
    except ImportError:  # not on Windows
        return 0.0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return float(rss) / (1024 * 1024 if sys.platform == "darwin" else 1024)


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use (containers)
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers(replications: int) -> int:
    """Processes to use: one per CPU, at most one per MIN_CHUNK replications, and just this
    one for small runs or inside a daemonic process (which may not start children)."""
    if replications < PARALLEL_FROM or multiprocessing.current_process().daemon:
        return 1
    return max(1, min(_cpus(), replications // MIN_CHUNK))


def _pool_context() -> multiprocessing.context.BaseContext:
    """A start method that is safe from a threaded server (Django): never plain fork.

    "forkserver" (POSIX) forks workers from a small server process started once, which has
    imported this module, so a run's workers start in milliseconds; "spawn" elsewhere.  Either
    way a worker re-imports the program's main module, so a script calling ``simulate`` at its
    top level must do it under ``if __name__ == "__main__":`` (``manage.py``, gunicorn, pytest
    and the ``ehcflow`` command all do).
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([__name__, "ehcflow.planner.preload"])
        return ctx
    return multiprocessing.get_context("spawn")


def _in_parallel(
    cs: Compiled, seeds: list[np.random.SeedSequence], per: int, workers: int
) -> list[_ChunkResult]:
    """The chunks of ``seeds`` in a pool of ``workers`` processes, in order.

    If the pool cannot start or breaks (no process support, a script without the
    ``__main__`` guard, a worker killed), the chunks not done are simulated here instead —
    the results are the same — with a RuntimeWarning.
    """
    global last_run
    bounds = list(range(0, len(seeds), per))
    done: dict[int, list[_ChunkResult]] = {}
    cpu, rss = 0.0, 0.0
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context()) as pool:
            futures = {
                lo: pool.submit(_worker, cs, seeds[lo : lo + per], per) for lo in bounds
            }
            for lo, f in futures.items():
                res, c, m = f.result()
                done[lo], cpu, rss = res, cpu + c, max(rss, m)
    except (BrokenProcessPool, OSError, RuntimeError, AssertionError) as exc:
        warnings.warn(
            f"planner: the worker processes failed ({exc!r}); simulating here instead "
            "(same results). A script must call simulate() under "
            "'if __name__ == \"__main__\":' to use them.",
            RuntimeWarning,
            stacklevel=3,
        )
        for lo in bounds:
            if lo not in done:
                done[lo] = _simulate_chunks(cs, seeds[lo : lo + per], per)
        last_run = RunStats(workers, len(bounds), cpu, rss, fell_back=True)
    else:
        last_run = RunStats(workers, len(bounds), cpu, rss)
    return [part for lo in bounds for part in done[lo]]


def simulate(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    chunk_size: int = 1000,
    workers: int | None = None,
) -> Projection:
    """Project a scenario: ``replications`` runs of the model of docs/domain/planner-model.md.

    Defaults come from the scenario (``replications``, ``seed``; with no seed anywhere a fresh
    one is drawn and reported in the Projection).  Replications are simulated at most
    ``chunk_size`` at a time, in ``workers`` processes (default ``default_workers``: one per
    CPU for 200 replications or more, else just this one).  The results depend on neither:
    every replication has its own random stream.  With more than one worker, see
    ``_pool_context`` for the one requirement on a calling script.
    """
    global last_run
    n = int(replications if replications is not None else scenario.replications)
    if not 1 <= n <= MAX_REPLICATIONS:
        raise ValueError(f"replications must be from 1 to 100,000, got {n:,}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be ≥ 1, got {chunk_size}")
    w = default_workers(n) if workers is None else int(workers)
    if w < 1:
        raise ValueError(f"workers must be ≥ 1, got {w}")
    if w > 1 and getattr(multiprocessing.current_process(), "_inheriting", False):
        # a worker re-running a main script that lacks the __main__ guard: stop it here
        raise RuntimeError(
            "simulate() was called while a worker process was starting: call it under "
            "'if __name__ == \"__main__\":' in the script"
        )
    used_seed = resolve_seed(scenario, seed)
    cs = compile_scenario(scenario)
    seeds = np.random.SeedSequence(used_seed).spawn(n)
    if w == 1:
        parts = _simulate_chunks(cs, seeds, chunk_size)
        last_run = RunStats(1, -(-n // chunk_size))
    else:
        # chunks that give every worker its share and bound each one's memory
        per = min(chunk_size, MAX_WORKER_CHUNK, -(-n // w))
        parts = _in_parallel(cs, seeds, per, min(w, -(-n // per)))
    return _projection(
        scenario,
        used_seed,
        cs.months,
        [p[0] for p in parts],
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
    )


def _projection(
    scenario: Scenario,
    seed: int,
    months: Months,
    parts: list[Monthly],
    hours: F64,
    overrun: F64,
) -> Projection:
    def cat(name: str) -> I64:
        return np.concatenate([getattr(p, name) for p in parts])

    in_post = {
        role: hours_in_post_by_month(scenario, role, months)
        for role in ("case_officer", "educational_psychologist")
    }
    return Projection(
        scenario=scenario,
        seed=seed,
        months=months,
        start_open=cat("start_open"),
        open=cat("open"),
        over_20_weeks=cat("over_20_weeks"),
        over_30_weeks=cat("over_30_weeks"),
        over_50_weeks=cat("over_50_weeks"),
        received=cat("received"),
        plans_issued=cat("plans_issued"),
        issued_within_20_weeks=cat("issued_within_20_weeks"),
        left_without_plan=cat("left_without_plan"),
        days_to_issue=cat("days_to_issue"),
        hours_worked={
            "case_officer": hours[:, CO],
            "educational_psychologist": hours[:, EP],
        },
        hours_available={
            "case_officer": in_post["case_officer"][None, :] + overrun[:, CO],
            "educational_psychologist": in_post["educational_psychologist"][None, :]
            + overrun[:, EP],
        },
        cost=cost_by_month(scenario, months),
    )


__all__ = [
    "Compiled",
    "RawChunk",
    "RunStats",
    "compile_scenario",
    "default_workers",
    "last_run",
    "monthly_figures",
    "replication_generators",
    "resolve_seed",
    "run_chunk",
    "simulate",
    "simulate_raw",
]


_WARM_SCENARIO = {
    "name": "warm-up",
    "start": "2024-01-01",
    "months": 2,
    "seed": 1,
    "demand": {"requests_per_year": 100, "assess_rate": 0.8, "plan_rate": 0.9},
    "work": {"decision_hours": 3, "ep_hours": 12, "draft_hours": 10, "final_hours": 3},
    "advice": [{"name": "health", "probability": 0.5, "delay_days": 30}],
    "staff": [
        {"role": "case_officer", "count": 1, "hours_per_week": 30, "cost_per_year": 1},
        {"role": "case_officer", "count": 1, "hours_per_week": 30, "cost_per_year": 1,
         "serves": "overdue"},
        {"role": "educational_psychologist", "count": 1, "hours_per_week": 30,
         "cost_per_year": 1, "serves": "in_time"},
    ],
    "start_state": {"in_assessment": [{"age_weeks": [20, 30], "count": 3}]},
}


def warm() -> bool:
    """Compile the kernel now (or load it from Numba's cache), so that no user's first run
    waits for it; ``make install`` calls this.  False where the kernel is unavailable."""
    from ehcflow.planner import kernel
    from ehcflow.planner.scenario import parse_scenario

    if not kernel.AVAILABLE:
        return False
    simulate(parse_scenario(_WARM_SCENARIO), replications=1, workers=1)
    return True

