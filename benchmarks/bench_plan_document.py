"""How long one EHC plan takes to become an accessible PDF (target ≤ 2 s) and a Word file.

Writes 50 plans with the demo's phrase bank (every primary need, every phase, the largest
plans included) and, in a fresh process so that the first figure is what a newly started
server process pays (WeasyPrint loading Pango and the fonts):

- times the first plan's PDF (cold), then every plan's PDF: median, 95th percentile, max;
- the same for the Word file;
- reports pages and size of the largest plan's PDF.

Each figure is wall-clock time and, beside it, the process's CPU time: on a shared machine
the wall clock includes waiting for a core, while the CPU time is what the rendering costs
(on a quiet server the two are the same).

The plans are rendered from `PlanContent` exactly as the download and the command render them
(`ehcflow.plans.output.render`); reading one version from the database adds a few
milliseconds and is not part of the figure.

Run: `.venv/bin/python benchmarks/bench_plan_document.py`. Writes
benchmarks/results/plan_document.json. Figures are measured, never asserted.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "plan_document.json"
PLANS = 50
SEED = 2023


def _facts(count: int) -> list[Any]:
    from ehcflow.demo import names
    from ehcflow.plans import demo_content as dc

    rng = random.Random(SEED)
    needs = list(dc.AREAS_OF_NEED)
    found = []
    for i in range(count):
        issued = date(2024, 1, 2) + timedelta(days=rng.randrange(1000))
        born = issued - timedelta(days=rng.randrange(3 * 365, 21 * 365))
        primary = needs[i % len(needs)]
        found.append(dc.PlanFacts(
            case_ref=f"BENCH-{i:04d}", forename=rng.choice(names.GIRLS + names.BOYS),
            sex=rng.choice("MF"), date_of_birth=born, issued_on=issued,
            needs=tuple(dict.fromkeys((primary, *rng.sample(needs, 2)))),
            setting_type="Special school", setting_name="Kestle Academy", urn="199999",
            personal_budget=i % 3 == 0,
            advice=(dc.AdviceFact("educational_psychology", names.EP_ORGANISATION,
                                  issued - timedelta(days=60)),
                    dc.AdviceFact("health", names.HEALTH_ORGANISATIONS[0],
                                  issued - timedelta(days=50))),
            requested_on=issued - timedelta(days=140)))
    return found


def _times(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"median_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1)}


def measure() -> dict[str, Any]:
    """Runs in the child process: a fresh interpreter, Django set up, nothing rendered yet."""
    started = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from pypdf import PdfReader

    from ehcflow.plans import content as pc
    from ehcflow.plans import demo_content as dc
    from ehcflow.plans.output import render

    contents = []
    for f in _facts(PLANS):
        content = dc.plan_content(f, dc.demo_rng(SEED, f.case_ref))
        contents.append(content.with_header(pc.PlanHeader(
            case_ref=f.case_ref, child_name=f"{f.forename} Example",
            date_of_birth=f.date_of_birth, version_number=1, status="final",
            status_label="Final", issued_on=f.issued_on)))
    setup = time.perf_counter() - started
    pdf_wall: list[float] = []
    pdf_cpu: list[float] = []
    docx_wall: list[float] = []
    docx_cpu: list[float] = []
    sizes = []
    cold = cold_cpu = 0.0
    for n, content in enumerate(contents):
        t, c = time.perf_counter(), time.process_time()
        data = render(content, "pdf", authority="Dunmore Borough Council")
        elapsed, cpu = time.perf_counter() - t, time.process_time() - c
        if n == 0:
            cold, cold_cpu = elapsed, cpu
        else:
            pdf_wall.append(elapsed)
            pdf_cpu.append(cpu)
        sizes.append((len(PdfReader(io.BytesIO(data)).pages), len(data), len(content.provision)))
    for content in contents:
        t, c = time.perf_counter(), time.process_time()
        render(content, "docx", authority="Dunmore Borough Council")
        docx_wall.append(time.perf_counter() - t)
        docx_cpu.append(time.process_time() - c)
    largest = max(sizes)
    return {
        "plans": PLANS, "setup_s": round(setup, 2),
        "pdf_first_in_new_process_ms": round(cold * 1000, 1),
        "pdf_first_in_new_process_cpu_ms": round(cold_cpu * 1000, 1),
        "pdf": _times(pdf_wall), "pdf_cpu": _times(pdf_cpu),
        "docx": _times(docx_wall), "docx_cpu": _times(docx_cpu),
        "largest_pdf": {"pages": largest[0], "bytes": largest[1], "provision_rows": largest[2]},
        "median_pages": statistics.median(s[0] for s in sizes),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure()))
        return 0
    with tempfile.TemporaryDirectory(prefix="ehcflow-bench-plan-document-") as tmp:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ehcflow.settings",
               "EHCFLOW_VAR_DIR": str(Path(tmp) / "var"), "DATABASE_URL": ""}
        done = subprocess.run([sys.executable, __file__, "--child"], cwd=ROOT, env=env,
                              capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        return 1
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    print("| format | time | first in a new process ms | median ms | p95 ms | max ms |")
    print("|---|---|---:|---:|---:|---:|")
    for label, key, first in (
            ("PDF (PDF/UA-1)", "pdf", result["pdf_first_in_new_process_ms"]),
            ("PDF (PDF/UA-1)", "pdf_cpu", result["pdf_first_in_new_process_cpu_ms"]),
            ("Word", "docx", "–"), ("Word", "docx_cpu", "–")):
        f = result[key]
        kind = "CPU" if key.endswith("_cpu") else "wall clock"
        print(f"| {label} | {kind} | {first} | {f['median_ms']} | {f['p95_ms']} | "
              f"{f['max_ms']} |")
    big = result["largest_pdf"]
    print(f"({result['plans']} plans; median {result['median_pages']} pages, largest "
          f"{big['pages']} pages with {big['provision_rows']} rows of provision; "
          "target ≤ 2,000 ms a PDF)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
