"""Benchmark of the recovery planner's engine (``make bench``).

Times the fast engine on examples/report-000.toml at 1,000 replications × 24 months (best of 3),
the SimPy reference at 20 replications (per replication), their ratio, and the peak memory of a
10,000-replication run (resource.getrusage in a fresh subprocess).  Prints a Markdown table and
writes benchmarks/results/planner.json.

    .venv/bin/python benchmarks/bench_planner.py [--quick]

Targets (planner-model.md brief): ≤ 2 s for 1,000 replications on a 2-core machine, ≥ 50×
faster per replication than the reference, < 1 GB at 10,000 replications.
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

from ehcflow.planner.engine import simulate  # noqa: E402
from ehcflow.planner.reference import simulate_reference  # noqa: E402
from ehcflow.planner.scenario import load_scenario  # noqa: E402

EXAMPLE = ROOT / "examples" / "report-000.toml"

MEMORY_CHILD = """
import resource, sys, time
sys.path.insert(0, {root!r})
from ehcflow.planner.engine import simulate
from ehcflow.planner.scenario import load_scenario
t = time.perf_counter()
p = simulate(load_scenario({example!r}), replications={n}, seed=1)
s = p.summary()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, time.perf_counter() - t)
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repeats, no 10,000 run")
    args = ap.parse_args()
    s = load_scenario(EXAMPLE)
    n_engine, n_ref = 1000, (5 if args.quick else 20)
    repeats = 1 if args.quick else 3

    walls, cpus = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        simulate(s, replications=n_engine, seed=1)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    w0, c0 = time.perf_counter(), time.process_time()
    simulate_reference(s, replications=n_ref, seed=1)
    ref_wall = time.perf_counter() - w0
    ref_cpu = time.process_time() - c0

    engine_per_rep = min(cpus) / n_engine
    ref_per_rep = ref_cpu / n_ref
    result: dict[str, object] = {
        "scenario": str(EXAMPLE.relative_to(ROOT)),
        "months": s.months,
        "engine_replications": n_engine,
        "engine_best_wall_s": round(min(walls), 3),
        "engine_best_cpu_s": round(min(cpus), 3),
        "engine_walls_s": [round(x, 3) for x in walls],
        "reference_replications": n_ref,
        "reference_wall_s": round(ref_wall, 3),
        "reference_cpu_per_replication_s": round(ref_per_rep, 4),
        "engine_cpu_per_replication_ms": round(1000 * engine_per_rep, 3),
        "speedup_per_replication": round(ref_per_rep / engine_per_rep, 1),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
    }
    if not args.quick:
        n = 10_000
        out = subprocess.run(
            [sys.executable, "-c", MEMORY_CHILD.format(root=str(ROOT), example=str(EXAMPLE), n=n)],
            capture_output=True, text=True, check=True,
        ).stdout.split()
        result["memory_replications"] = n
        result["memory_peak_mb"] = round(int(out[0]) / 1024, 1)  # ru_maxrss is in KiB on Linux
        result["memory_run_wall_s"] = round(float(out[1]), 2)

    rows = [
        ("engine, 1,000 replications × 24 months (best of "
         f"{repeats}, wall / CPU)", f"{min(walls):.2f} s / {min(cpus):.2f} s", "≤ 2 s"),
        (f"reference (SimPy), per replication ({n_ref} run)", f"{ref_per_rep:.3f} s", ""),
        ("speed-up per replication (CPU)", f"{ref_per_rep / engine_per_rep:.0f}×", "≥ 50×"),
    ]
    if "memory_peak_mb" in result:
        rows.append((f"peak memory, 10,000 replications ({result['memory_run_wall_s']} s)",
                     f"{result['memory_peak_mb']} MB", "< 1,024 MB"))
    print("| measure | result | target |\n|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} |")
    print(f"\nload average during the run: {os.getloadavg()}")
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "planner.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
