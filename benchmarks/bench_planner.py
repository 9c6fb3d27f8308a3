"""Benchmark of the recovery planner's engine (``make bench``).

Times the fast engine on examples/report-000.toml at 1,000 replications × 24 months — as
``simulate`` runs by default (one worker process per CPU) and in this process alone — the
SimPy reference at 20 replications (per replication), their ratio, and the peak memory of a
10,000-replication run (in a fresh subprocess, workers included).  Prints a Markdown table and
writes benchmarks/results/planner.json.

    .venv/bin/python benchmarks/bench_planner.py [--quick]

Wall time depends on what else the machine is doing, so CPU time is reported too: this
process's plus its workers' (``engine.last_run``: forkserver workers are not this process's
children, so ``RUSAGE_CHILDREN`` would miss them).  Each figure is the best of 3 runs; the
first run, which also starts the pool's server process, is shown separately.

Targets (docs/domain/planner-model.md brief): ≤ 2 s for 1,000 replications on a 2-core machine, ≥
50× faster per replication than the reference, < 1 GB at 10,000 replications.

Forecasts tested against the past (issue 10), on invented authorities
(``planning/backtest_synthetic.py``, pure, no database): a 12-month backtest at 300
replications (estimate, run, month-by-month comparison and the per-request check), ≤ 10 s;
the per-request forecast for 1,000 open requests, ≤ 5 s; and the optimiser example
(``examples/options.toml``), ≤ 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ehcflow.planner import engine, kernel  # noqa: E402
from ehcflow.planner.optimise import load_options, optimise  # noqa: E402
from ehcflow.planner.scenario import Scenario, load_scenario  # noqa: E402
from tests.planner.reference import simulate_reference  # noqa: E402

EXAMPLE = ROOT / "examples" / "report-000.toml"

MEMORY_CHILD = """
import resource, sys, time
sys.path.insert(0, {root!r})
from ehcflow.planner import engine
from ehcflow.planner.scenario import load_scenario
t = time.perf_counter()
p = engine.simulate(load_scenario({example!r}), replications={n}, seed=1)
s = p.summary()
st = engine.last_run
try:  # this process's own peak: ru_maxrss would include the benchmark's, inherited over exec
    with open("/proc/self/status") as f:
        peak = next(int(x.split()[1]) for x in f if x.startswith("VmHWM:"))
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(peak, time.perf_counter() - t, st.workers, st.worker_peak_rss_mb, int(st.fell_back))
"""


def timed(s: Scenario, n: int, workers: int | None) -> tuple[float, float]:
    """(wall, CPU incl. workers) seconds of one ``simulate`` run."""
    w0, c0 = time.perf_counter(), time.process_time()
    engine.simulate(s, replications=n, seed=1, workers=workers)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    if engine.last_run.fell_back:
        print("warning: the worker pool broke; this run was finished in one process")
    return wall, cpu + (engine.last_run.worker_cpu_s if engine.last_run.workers > 1 else 0.0)


def forecasts() -> tuple[dict[str, object], list[tuple[str, str, str]]]:
    """Backtest, per-request forecast and optimiser timings (issue 10)."""
    from datetime import date

    from ehcflow.planning.backtest import backtest, likely_final_plans
    from ehcflow.planning.backtest_synthetic import synthetic_history

    history = synthetic_history(per_year=1300, officers=30, eps=8)
    w0, c0 = time.perf_counter(), time.process_time()
    result = backtest(history, as_of=date(2024, 6, 30), today=date(2025, 6, 30), months=12,
                      replications=300)
    bt = (time.perf_counter() - w0, time.process_time() - c0)
    big = synthetic_history(per_year=3400, officers=80, eps=20, end=date(2024, 6, 30))
    w0, c0 = time.perf_counter(), time.process_time()
    plans = likely_final_plans(big, as_of=date(2024, 6, 30))
    fc = (time.perf_counter() - w0, time.process_time() - c0)
    w0, c0 = time.perf_counter(), time.process_time()
    best = optimise(load_scenario(ROOT / "examples" / "report-000-base.toml"),
                    load_options(ROOT / "examples" / "options.toml"))
    op = (time.perf_counter() - w0, time.process_time() - c0)
    figures: dict[str, object] = {
        "backtest_12_months_300_replications_wall_cpu_s": [round(bt[0], 2), round(bt[1], 2)],
        "backtest_share_inside": {k: v["share_inside"] for k, v in result["summary"].items()},
        "forecast_open_requests": len(plans),
        "forecast_wall_cpu_s": [round(fc[0], 2), round(fc[1], 2)],
        "optimiser_example_wall_cpu_s": [round(op[0], 2), round(op[1], 2)],
        "optimiser_found": best.cheapest is not None,
    }
    rows = [
        ("backtest, 12 months × 300 replications (wall / CPU in this process)",
         f"{bt[0]:.2f} s / {bt[1]:.2f} s", "≤ 10 s"),
        (f"`ehcflow forecast`, {len(plans):,} open requests", f"{fc[0]:.2f} s / {fc[1]:.2f} s",
         "≤ 5 s"),
        ("optimiser example (examples/options.toml)", f"{op[0]:.2f} s / {op[1]:.2f} s",
         "≤ 10 s"),
    ]
    return figures, rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repeats, no 10,000 run")
    ap.add_argument("--forecasts-only", action="store_true",
                    help="only the backtest, forecast and optimiser timings")
    args = ap.parse_args()
    if args.forecasts_only:
        figures, rows = forecasts()
        print("| measure | result | target |\n|---|---|---|")
        for r in rows:
            print(f"| {r[0]} | {r[1]} | {r[2]} |")
        print(json.dumps(figures, indent=1))
        return
    s = load_scenario(EXAMPLE)
    n_engine, n_ref = 1000, (5 if args.quick else 20)
    repeats = 1 if args.quick else 3
    load_before = os.getloadavg()

    first = timed(s, n_engine, None)  # also starts the pool's server process
    default_workers = engine.last_run.workers
    runs = [timed(s, n_engine, None) for _ in range(repeats)]
    solo = [timed(s, n_engine, 1) for _ in range(repeats)]
    wall, cpu = min(r[0] for r in runs), min(r[1] for r in runs)
    solo_wall, solo_cpu = min(r[0] for r in solo), min(r[1] for r in solo)
    # the pure-NumPy lock-step, which runs where Numba is not installed (decision 0007)
    kernel_available = kernel.AVAILABLE
    kernel.AVAILABLE = False
    try:
        lockstep_wall, lockstep_cpu = timed(s, n_engine, 1)
    finally:
        kernel.AVAILABLE = kernel_available

    w0, c0 = time.perf_counter(), time.process_time()
    simulate_reference(s, replications=n_ref, seed=1)
    ref_wall = time.perf_counter() - w0
    ref_cpu = time.process_time() - c0

    engine_per_rep = cpu / n_engine
    ref_per_rep = ref_cpu / n_ref
    result: dict[str, object] = {
        "scenario": str(EXAMPLE.relative_to(ROOT)),
        "months": s.months,
        "engine_replications": n_engine,
        "engine_workers": default_workers,
        "engine_best_wall_s": round(wall, 3),
        "engine_best_cpu_s": round(cpu, 3),
        "engine_runs_wall_cpu_s": [[round(a, 3), round(b, 3)] for a, b in runs],
        "engine_first_run_wall_cpu_s": [round(first[0], 3), round(first[1], 3)],
        "engine_one_process_best_wall_s": round(solo_wall, 3),
        "engine_one_process_best_cpu_s": round(solo_cpu, 3),
        "engine_compiled_kernel": kernel_available,
        "lockstep_one_process_wall_cpu_s": [round(lockstep_wall, 3), round(lockstep_cpu, 3)],
        "reference_replications": n_ref,
        "reference_wall_s": round(ref_wall, 3),
        "reference_cpu_per_replication_s": round(ref_per_rep, 4),
        "engine_cpu_per_replication_ms": round(1000 * engine_per_rep, 3),
        "speedup_per_replication": round(ref_per_rep / engine_per_rep, 1),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
        },
    }
    if not args.quick:
        n = 10_000
        out = subprocess.run(
            [sys.executable, "-c", MEMORY_CHILD.format(root=str(ROOT), example=str(EXAMPLE), n=n)],
            capture_output=True, text=True, check=True,
        ).stdout.split()
        parent_mb = int(out[0]) / 1024  # KiB
        workers, worker_mb = int(out[2]), float(out[3])
        result["memory_replications"] = n
        # 1: the pool broke and (some) chunks ran in the parent instead — a figure to redo
        result["memory_fell_back"] = bool(int(out[4]))
        result["memory_workers"] = workers
        result["memory_parent_peak_mb"] = round(parent_mb, 1)
        result["memory_worker_peak_mb"] = round(worker_mb, 1)
        # an upper bound: every worker at its peak at once, with the parent at its own
        result["memory_peak_mb"] = round(parent_mb + workers * worker_mb, 1)
        result["memory_run_wall_s"] = round(float(out[1]), 2)

    rows = [
        (f"engine, 1,000 replications × 24 months, {default_workers} workers (best of "
         f"{repeats}; wall / CPU incl. workers)", f"{wall:.2f} s / {cpu:.2f} s", "≤ 2 s"),
        ("  first run (starts the pool's server, loads the compiled kernel)",
         f"{first[0]:.2f} s / {first[1]:.2f} s", ""),
        ("  in one process (workers=1)", f"{solo_wall:.2f} s / {solo_cpu:.2f} s", ""),
        ("  the NumPy lock-step, without Numba, in one process",
         f"{lockstep_wall:.2f} s / {lockstep_cpu:.2f} s", ""),
        (f"reference (SimPy), per replication ({n_ref} run, CPU)", f"{ref_per_rep:.3f} s", ""),
        ("speed-up per replication (CPU)", f"{ref_per_rep / engine_per_rep:.0f}×", "≥ 50×"),
    ]
    if "memory_peak_mb" in result:
        rows.append((
            f"peak memory, 10,000 replications ({result['memory_run_wall_s']} s; parent "
            f"{result['memory_parent_peak_mb']} MB + {result['memory_workers']} × "
            f"{result['memory_worker_peak_mb']} MB)",
            f"{result['memory_peak_mb']} MB", "< 1,024 MB",
        ))
    figures, more = forecasts()
    result.update(figures)
    rows += more
    print("| measure | result | target |\n|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} |")
    print(f"\nload average before / after: {load_before} / {os.getloadavg()}")
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "planner.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
