"""How fast the request register imports and exports, and how fast the KPIs count it.

Builds a deterministic register (10 years to 31 March 2026, 40,000 initial requests, about
25,000 of them ending in a final plan, a realistic mix of decisions, outcomes, closures and
exceptions, 600 case officers), writes it as CSV to a temporary directory, then for SQLite
and, if it answers, PostgreSQL (a fresh `ehcflow_bench` database):

- imports it into a freshly migrated database (rows per second; target 20,000),
- imports it again (nothing changes; rows per second),
- exports it to CSV,
- times `ehcflow.casework.selectors.kpis(as_of=2026-03-31)`, median of 5 runs.

Run: `.venv/bin/python benchmarks/bench_register.py` (DJANGO_SETTINGS_MODULE=ehcflow.settings).
Each engine runs in a child process of its own that sets DATABASE_URL and EHCFLOW_VAR_DIR
before `django.setup()`. Writes benchmarks/results/register.json. Figures are measured,
never asserted.
"""

from __future__ import annotations

import argparse
import codecs
import csv
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
RESULTS = HERE / "results" / "register.json"
PG_URL = os.environ.get("EHCFLOW_BENCH_PG", "postgres://postgres@127.0.0.1:5432/ehcflow_bench")
sys.path.insert(0, str(HERE))

import harness  # noqa: E402

SEED = 2023
REQUESTS = 40_000
OFFICERS = 600
END = date(2026, 3, 31)
START = date(2016, 4, 1)
COLUMNS = (
    "case_ref", "person_id", "date_of_birth", "request_date", "request_source", "decision_date",
    "decision", "outcome_date", "outcome", "draft_date", "final_date", "exception",
    "closed_date", "closed_reason", "officer",
)
FIRST = ("Alex", "Sam", "Jo", "Priya", "Tom", "Aisha", "Chris", "Megan", "Imran", "Ruth",
         "Dan", "Zoë", "Kwame", "Niamh", "Oliver", "Fatima", "Gareth", "Hannah", "Yusuf", "Ellie",
         "Martin", "Sophie", "Declan", "Amara", "Lewis")
LAST = ("Smith", "Jones", "Patel", "Williams", "Brown", "Khan", "Taylor", "O'Neill", "Davies",
        "Evans", "Wilson", "Thomas", "Roberts", "Ahmed", "Walker", "Wright", "Hughes", "Green",
        "Hall", "Clarke", "Lewis", "Begum", "Jackson", "Wood")
SOURCES = (("parent", 55), ("school", 30), ("health", 6), ("social_care", 4),
           ("young_person", 3), ("other", 2))
EXCEPTIONS = ("school_closure", "personal_circumstances", "absent_from_area",
              "missed_appointment")


def officer_names() -> list[str]:
    """600 distinct names, in a fixed order."""
    names = [f"{first} {last}" for last in LAST for first in FIRST]
    random.Random(SEED).shuffle(names)
    return names[:OFFICERS]


def build_register(rows: int = REQUESTS, seed: int = SEED) -> list[dict[str, str]]:
    """A deterministic register of `rows` requests received from START to END."""
    rng = random.Random(seed)
    officers = officer_names()
    span = (END - START).days
    sources = [s for s, w in SOURCES for _ in range(w)]
    people: list[tuple[str, date]] = []
    register: list[dict[str, str]] = []
    received_days = sorted(int(span * rng.random() ** 0.75) for _ in range(rows))
    for n, offset in enumerate(received_days, start=1):
        received = START + timedelta(days=offset)
        if people and rng.random() < 0.08:
            person, born = people[rng.randrange(len(people))]
            # A second request for the same person: under 25 on its date (s.83(2)), as
            # the register's validation requires, and at least a year old.
            if not received - timedelta(days=365 * 25 - 30) < born <= received - timedelta(
                    days=365):
                person, born = _new_person(rng, people, received)
        else:
            person, born = _new_person(rng, people, received)
        row = dict.fromkeys(COLUMNS, "")
        row.update(case_ref=f"EHC-{n:06d}", person_id=person, date_of_birth=born.isoformat(),
                   request_date=received.isoformat(), request_source=rng.choice(sources))
        if rng.random() < 0.92:
            band = min(OFFICERS - 60, int(offset / span * (OFFICERS - 60)))
            row["officer"] = officers[band + rng.randrange(60)]
        if rng.random() < 0.06:
            row["exception"] = rng.choice(EXCEPTIONS)
        _steps(rng, row, received)
        register.append(row)
    return register


def _new_person(rng: random.Random, people: list[tuple[str, date]],
                received: date) -> tuple[str, date]:
    person = f"P{len(people) + 1:07d}"
    born = received - timedelta(days=rng.randint(2 * 365, 19 * 365))
    people.append((person, born))
    return person, born


def _steps(rng: random.Random, row: dict[str, str], received: date) -> None:
    """Decision, outcome, draft and final plan, each only if it happened by END; perhaps a
    closure while the request was still open."""
    closes = received + timedelta(days=rng.randint(10, 300)) if rng.random() < 0.035 else None

    def happened(day: date) -> bool:
        return day <= END and (closes is None or day < closes)

    decided = received + timedelta(days=rng.randint(20, 75))
    ended = False
    if happened(decided):
        assess = rng.random() < 0.78
        row.update(decision_date=decided.isoformat(),
                   decision="assess" if assess else "not_assess")
        ended = not assess
        outcome = decided + timedelta(days=rng.randint(30, 150))
        if assess and happened(outcome):
            plan = rng.random() < 0.93
            row.update(outcome_date=outcome.isoformat(), outcome="plan" if plan else "no_plan")
            ended = not plan
            draft = outcome + timedelta(days=rng.randint(0, 40))
            if plan and happened(draft):
                row["draft_date"] = draft.isoformat()
                final = draft + timedelta(days=rng.randint(15, 70))
                if happened(final):
                    row["final_date"] = final.isoformat()
                    ended = True
    if closes is not None and not ended and closes <= END:
        row.update(closed_date=closes.isoformat(),
                   closed_reason=rng.choice(("withdrawn", "moved_away", "other")))


def write_csv(register: list[dict[str, str]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(register)


# --- one engine, in a child process ---------------------------------------------------------


def run_engine(engine: str, register: Path, workdir: Path, repeat: int) -> dict[str, Any]:
    """Migrate a fresh database, import, re-import, export and count; return the timings.

    The import is timed `repeat` times: every run but the last inside a transaction that is
    rolled back, the last one committed (the re-import, export and KPIs then use its data).
    """
    os.environ["EHCFLOW_VAR_DIR"] = str(workdir / "var")
    os.environ["DJANGO_SETTINGS_MODULE"] = "ehcflow.settings"
    if engine == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        harness.fresh_postgres(PG_URL)
        os.environ["DATABASE_URL"] = PG_URL
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from ehcflow.casework import selectors
    from ehcflow.casework.models import AssessmentRequest, CaseEvent, Child, EHCPlan
    from ehcflow.people.models import StaffMember
    from ehcflow.register.exporter import export_register
    from ehcflow.register.importer import ImportResult, import_register

    call_command("migrate", verbosity=0)
    runs: list[tuple[float, ImportResult]] = []
    for n in range(repeat):
        with transaction.atomic():
            started = time.perf_counter()
            result = import_register(register)
            runs.append((time.perf_counter() - started, result))
            if n < repeat - 1:
                transaction.set_rollback(True)
    import_s, first = min(runs, key=lambda run: run[0])
    started = time.perf_counter()
    second = import_register(register)
    reimport_s = time.perf_counter() - started
    exported_path = workdir / f"export-{engine}.csv"
    started = time.perf_counter()
    exported = export_register(exported_path)
    export_s = time.perf_counter() - started
    kpi_ms = []
    for _ in range(5):
        started = time.perf_counter()
        figures = selectors.kpis(as_of=END)
        kpi_ms.append((time.perf_counter() - started) * 1000)
    return {
        "engine": engine,
        "server": _server_label(),
        "rows": first.rows_read,
        "import_seconds": round(import_s, 3),
        "import_rows_per_second": round(first.rows_read / import_s),
        "import_seconds_all_runs": [round(s, 3) for s, _ in runs],
        "import_phases_seconds": {k: round(v, 3) for k, v in first.timings.items()},
        "reimport_seconds": round(reimport_s, 3),
        "reimport_rows_per_second": round(second.rows_read / reimport_s),
        "reimport_unchanged": second.unchanged,
        "export_seconds": round(export_s, 3),
        "export_rows": exported,
        "export_bytes": exported_path.stat().st_size,
        # the export is the input, byte for byte, but for Excel's byte order mark
        "export_equals_input": (exported_path.read_bytes()
                                == codecs.BOM_UTF8 + register.read_bytes()),
        "kpis_ms_median_of_5": round(statistics.median(kpi_ms), 1),
        "kpis_ms_runs": [round(ms, 1) for ms in kpi_ms],
        "created": {"requests": AssessmentRequest.objects.count(),
                    "children": Child.objects.count(), "plans": EHCPlan.objects.count(),
                    "officers": StaffMember.objects.count(), "events": CaseEvent.objects.count()},
        "kpis": figures.as_dict(),
    }


def _server_label() -> str:
    from django.db import connection

    connection.ensure_connection()
    if connection.vendor == "postgresql":
        version = connection.connection.info.server_version  # type: ignore[union-attr]
        return f"PostgreSQL {version // 10000}.{version % 10000}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def calibrate() -> dict[str, float]:
    """How fast this machine is, to compare figures taken on different machines.

    A bare `sqlite3.executemany` of 40,000 rows into a table with two unique indexes (no
    Django), and a pure-Python loop of 3 million steps.
    """
    import sqlite3
    import uuid

    rows = [(uuid.uuid4().hex, f"P{i}", "2015-01-01", "x" * 20) for i in range(40_000)]
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(Path(tmp) / "calibrate.sqlite3")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, u CHAR(32) UNIQUE, "
                   "p VARCHAR(40) UNIQUE, d DATE, s TEXT)")
        started = time.perf_counter()
        db.executemany("INSERT INTO t (u, p, d, s) VALUES (?, ?, ?, ?)", rows)
        db.commit()
        insert_s = time.perf_counter() - started
        db.close()
    started = time.perf_counter()
    sum(i * i for i in range(3_000_000))
    loop_s = time.perf_counter() - started
    return {"bare_sqlite_insert_40k_rows_s": round(insert_s, 3),
            "python_loop_3m_s": round(loop_s, 3)}


# --- the driver -----------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    parser.add_argument("--register", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=3,
                        help="time the first import this many times, keep the fastest")
    args = parser.parse_args()
    if args.engine:
        print(json.dumps(run_engine(args.engine, args.register, args.workdir, args.repeat)))
        return 0
    with tempfile.TemporaryDirectory(prefix="ehcflow-bench-") as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        register = build_register()
        path = workdir / "register.csv"
        write_csv(register, path)
        build_s = time.perf_counter() - started
        finals = sum(1 for row in register if row["final_date"])
        print(f"Register: {len(register):,} requests, {finals:,} final plans, "
              f"{path.stat().st_size / 1e6:.1f} MB, built in {build_s:.1f} s", flush=True)
        engines = ["sqlite"] + (["postgres"] if harness.postgres_answers(PG_URL) else [])
        if "postgres" not in engines:
            print(f"(PostgreSQL does not answer at {PG_URL}: SQLite only)")
        results = []
        for engine in engines:
            done = subprocess.run(
                [sys.executable, __file__, "--engine", engine, "--register", str(path),
                 "--workdir", str(workdir), "--repeat", str(args.repeat)],
                cwd=ROOT, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                return 1
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    machine = calibrate()
    print()
    print("| engine | import rows/s | import s | re-import rows/s | export s "
          "| kpis ms (median of 5) |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['server']} | {r['import_rows_per_second']:,} | {r['import_seconds']} | "
              f"{r['reimport_rows_per_second']:,} | {r['export_seconds']} | "
              f"{r['kpis_ms_median_of_5']} |")
    for r in results:
        print(f"{r['server']}: export of {r['export_rows']:,} rows equals the imported file: "
              f"{r['export_equals_input']}")
    print(f"\nMachine: bare sqlite3 insert of 40,000 rows "
          f"{machine['bare_sqlite_insert_40k_rows_s']} s, Python loop "
          f"{machine['python_loop_3m_s']} s (to compare machines)")
    report = {
        "benchmark": "register",
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count(), **machine},
        "register": {"requests": len(register), "final_plans": finals,
                     "officers": OFFICERS, "from": START.isoformat(), "to": END.isoformat(),
                     "seed": SEED},
        "target_rows_per_second": 20_000,
        "results": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nWrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
