"""`make bench`: every speed and scale measurement, one after another.

Each benchmark is a script of its own that prints a Markdown table and writes
`benchmarks/results/<name>.json` (the load test, benchmarks/load/bench_load.py, writes
`load.json`); the figures are copied into the README by hand after a run
on the reference machine (2 cores), never asserted in the test suite.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["bench_register.py", "bench_casework.py", "bench_reviews.py", "bench_family.py",
              "bench_partners.py", "bench_insight.py", "bench_sen2.py",
              "bench_planner.py", "bench_plan_document.py",
              # 50 users for 5 minutes on PostgreSQL: writes results/load.json
              "load/bench_load.py"]


def main() -> int:
    failures = 0
    for name in BENCHMARKS:
        script = HERE / name
        if not script.exists():
            print(f"(skipping {name}: not present)")
            continue
        print(f"\n## {name}\n", flush=True)
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, check=False)
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
