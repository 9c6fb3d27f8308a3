"""Load test: 50 signed-in staff for 5 minutes against the site as production runs it.

Target (issue "Load"): no errors and the 95th percentile of response times ≤ 500 ms, with
two application-server processes and two task workers on one PostgreSQL holding the large
authority.

1. Builds the large authority into a PostgreSQL database of its own (`ehcflow_load`, or
   `EHCFLOW_BENCH_PG_LOAD`): benchmarks/bench_insight.py's `populate` (bench_register's
   40,000 requests over ten years, 600 case officers in 12 teams, advice, plans, reviews),
   a team manager per team, business support, an analyst, the national figures and the
   nightly snapshots backfilled. A database already built by this script (same
   `BUILD_VERSION`) is reused; `--rebuild` starts again from an empty one.
2. Makes the sign-in accounts with `ehcflow demo-users --json` (EHCFLOW_DEMO=1), one per
   role, linked to staff of the large authority; the passwords go to a 0600 file in a
   temporary directory and nowhere else.
3. Starts the site with scripts/serve_production.py (what `make serve-production` runs:
   gunicorn with 2 processes on 127.0.0.1, 2 `db_worker`s, EHCFLOW_PRODUCTION=1).
4. Runs Locust headless (benchmarks/load/locustfile.py): 50 users, one a second joining,
   for `--minutes` (5), against http://127.0.0.1 only; Locust stops itself at the end.
5. Stops the site and writes benchmarks/results/load.json: every page's count, failures,
   median, 95th and 99th percentile, and the machine's load average while it ran.

Run: `.venv/bin/python benchmarks/load/bench_load.py` (needs `pip install -e '.[bench]'`,
which `make bench` does). Measured, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib.util
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BENCHMARKS = HERE.parent
ROOT = BENCHMARKS.parent
RESULTS = BENCHMARKS / "results" / "load.json"
PG_URL = os.environ.get("EHCFLOW_BENCH_PG_LOAD",
                        "postgres://postgres@127.0.0.1:5432/ehcflow_load")
BUILD_VERSION = "large-authority-1"
AS_OF = date(2026, 3, 31)
USERS = 50
SPAWN_RATE = 1  # staff arriving over 50 s, each signing in (argon2) once
TARGET_P95_MS = 500


def _module(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(rebuild: bool) -> dict[str, Any]:
    """In this process: the large authority in PG_URL (run with DATABASE_URL=PG_URL)."""
    register = _module("bench_register", BENCHMARKS / "bench_register.py")
    if rebuild:
        register._fresh_postgres(PG_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ehcflow.settings")
    os.environ["DATABASE_URL"] = PG_URL
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from ehcflow.demo.models import DemoLoad
    from ehcflow.insight import snapshots
    from ehcflow.people.models import Role, StaffMember, Team

    call_command("migrate", verbosity=0)
    marker = DemoLoad.objects.filter(counts__load_test=BUILD_VERSION).first()
    if marker is not None:
        _arrange_accounts()
        return {"reused": True, **marker.counts}
    if StaffMember.objects.exists():
        raise SystemExit(f"{PG_URL} holds another authority: run with --rebuild.")
    insight = _module("bench_insight", BENCHMARKS / "bench_insight.py")
    started = time.perf_counter()
    with transaction.atomic():
        created = insight.populate(register.build_register(), register.officer_names())
        start = StaffMember.objects.order_by("start_date").values_list(
            "start_date", flat=True).first()
        others = [StaffMember(staff_ref=f"TM{n:02d}", name=f"Manager {n}",
                              role=Role.TEAM_MANAGER, team=team, start_date=start)
                  for n, team in enumerate(Team.objects.order_by("pk"), start=1)]
        others += [StaffMember(staff_ref=f"BS{n:02d}", name=f"Support Officer {n}",
                               role=Role.BUSINESS_SUPPORT, start_date=start) for n in range(4)]
        others += [StaffMember(staff_ref="AN01", name="Performance Analyst",
                               role=Role.ANALYST, start_date=start)]
        StaffMember.objects.bulk_create(others)
    call_command("national", "load", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    days = snapshots.snapshot_backfill(until=AS_OF)
    counts = {**created, "snapshots": days, "load_test": BUILD_VERSION,
              "build_seconds": round(time.perf_counter() - started, 1)}
    _arrange_accounts()
    # The marker `ehcflow demo-users` needs before it will make sign-in accounts: this is an
    # invented authority too (bench_register's), built up to AS_OF.
    DemoLoad.objects.create(seed=register.SEED, today=AS_OF, counts=counts,
                            seconds=counts["build_seconds"])
    return {"reused": False, **counts}


def _arrange_accounts() -> None:
    """Make the case officer `demo-users` signs in as the busiest one in post, with their manager.

    `demo-users` takes the longest-serving permanent full-time member of staff in post for each
    role; in the large authority that officer may have no open requests, and My work would be
    an empty page. Moving the busiest officer's (and their team manager's) start date to the
    earliest makes the load test's officers work a real queue (about 45 open requests) and its
    managers that officer's team. Running it again changes nothing.
    """
    from datetime import timedelta

    from django.db.models import Count, Q

    from ehcflow.casework import choices as c
    from ehcflow.people.models import Role, StaffMember

    # demo-users prefers permanent full-time staff (users._pick): so must this.
    busiest = (StaffMember.objects.filter(role=Role.CASE_OFFICER, end_date__isnull=True,
                                          agency=False, fte__gte=1)
               .annotate(n=Count("requests", filter=Q(requests__stage__in=c.OPEN_STAGES)))
               .order_by("-n", "staff_ref").first())
    earliest = StaffMember.objects.order_by("start_date").values_list(
        "start_date", flat=True).first()
    if busiest is None or earliest is None or busiest.start_date <= earliest:
        return
    first = earliest - timedelta(days=1)
    StaffMember.objects.filter(pk=busiest.pk).update(start_date=first)
    StaffMember.objects.filter(role=Role.TEAM_MANAGER, team_id=busiest.team_id).update(
        start_date=first)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _processes(root: int) -> dict[int, str]:
    """Every process below `root` with its command line (Linux /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    found: dict[int, str] = {}
    frontier = {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier}
        for pid in frontier:
            with contextlib.suppress(OSError):
                found[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    return found


def _cpu_seconds(site: int) -> dict[str, float]:
    """CPU time used so far by gunicorn's worker processes and by the task workers.

    Independent of how busy the rest of the machine is: the application's own cost.
    """
    tick = os.sysconf("SC_CLK_TCK")
    totals = {"gunicorn_workers": 0.0, "task_workers": 0.0}
    processes = _processes(site)
    masters = {pid for pid, cmd in processes.items() if "gunicorn" in cmd}
    for pid, cmd in processes.items():
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            parent, used = int(fields[1]), (int(fields[11]) + int(fields[12])) / tick
            if "gunicorn" in cmd and parent in masters:
                totals["gunicorn_workers"] += used
            elif "db_worker" in cmd:
                totals["task_workers"] += used
    return totals


def _sample_load(samples: list[float], stop: threading.Event) -> None:
    while not stop.wait(10):
        samples.append(os.getloadavg()[0])


def _row(row: dict[str, str]) -> dict[str, Any]:
    def ms(key: str) -> float | None:
        value = row.get(key, "N/A")
        return None if value in ("N/A", "") else round(float(value), 1)

    return {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
            "median_ms": ms("50%"), "p95_ms": ms("95%"), "p99_ms": ms("99%"),
            "max_ms": ms("Max Response Time"), "per_second": ms("Requests/s")}


def run(minutes: float, workdir: Path) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": PG_URL, "EHCFLOW_VAR_DIR": str(workdir / "var"),
           "DJANGO_SETTINGS_MODULE": "ehcflow.settings"}
    print("Building (or reusing) the large authority...", file=sys.stderr, flush=True)
    built = subprocess.run([sys.executable, __file__, "--build"], env=env, cwd=ROOT,
                           capture_output=True, text=True, check=False)
    if built.returncode != 0:
        raise SystemExit(built.stderr)
    authority = json.loads(built.stdout.strip().splitlines()[-1])
    users = subprocess.run([str(Path(sys.executable).parent / "ehcflow"), "demo-users", "--json"],
                           env={**env, "EHCFLOW_DEMO": "1"}, cwd=ROOT, capture_output=True,
                           text=True, check=True)
    accounts = workdir / "accounts.json"
    fd = os.open(accounts, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(users.stdout)
    port = _free_port()
    site = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "serve_production.py"), "--database-url",
         PG_URL, "--port", str(port), "--var-dir", str(workdir / "var")],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert site.stdout is not None
    log: list[str] = []
    for line in site.stdout:
        log.append(line)
        if line.startswith("Serving on"):
            break
    else:
        raise SystemExit("The site did not start:\n" + "".join(log))
    # Keep reading the site's output so its pipe never fills (and keep it for errors).
    reader = threading.Thread(target=lambda: log.extend(site.stdout or []), daemon=True)
    reader.start()
    samples: list[float] = [os.getloadavg()[0]]
    stop = threading.Event()
    sampler = threading.Thread(target=_sample_load, args=(samples, stop), daemon=True)
    sampler.start()
    prefix = workdir / "locust"
    started = time.perf_counter()
    cpu_before = _cpu_seconds(site.pid)
    cpu_after = cpu_before
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10).close()
        locust = subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
             "--users", str(USERS), "--spawn-rate", str(SPAWN_RATE),
             "--run-time", f"{int(minutes * 60)}s", "--stop-timeout", "10",
             "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
             "--loglevel", "WARNING", "--exit-code-on-error", "0"],
            env={**env, "EHCFLOW_LOAD_ACCOUNTS": str(accounts)}, cwd=ROOT,
            capture_output=True, text=True, check=False,
            timeout=minutes * 60 + 120)
        cpu_after = _cpu_seconds(site.pid)
    finally:
        wall = time.perf_counter() - started
        stop.set()
        site.send_signal(signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            site.wait(timeout=30)
        if site.poll() is None:
            site.kill()
    if locust.returncode != 0:
        raise SystemExit(f"Locust failed ({locust.returncode}):\n{locust.stderr[-4000:]}")
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with open(f"{prefix}_failures.csv", encoding="utf-8") as handle:
        failures = [{"method": f["Method"], "name": f["Name"], "error": f["Error"],
                     "occurrences": int(f["Occurrences"])} for f in csv.DictReader(handle)]
    pages = {f"{r['Type']} {r['Name']}": _row(r) for r in rows if r["Name"] != "Aggregated"}
    total = _row(next(r for r in rows if r["Name"] == "Aggregated"))
    server_errors = [line.strip() for line in log if "Traceback" in line or " ERROR " in line]
    return {
        "users": USERS, "spawn_rate": SPAWN_RATE, "minutes": minutes,
        "wall_seconds": round(wall, 1),
        "site": {"application_server": "gunicorn, 2 sync worker processes",
                 "task_workers": 2, "database": "postgresql", "production_settings": True},
        "authority": authority, "total": total, "pages": pages, "failures": failures,
        "server_errors_logged": len(server_errors),
        # The application's own CPU, whatever else the machine was doing.
        "cpu_seconds": {k: round(cpu_after[k] - cpu_before[k], 1) for k in cpu_before},
        "gunicorn_cpu_ms_per_request": round(
            (cpu_after["gunicorn_workers"] - cpu_before["gunicorn_workers"]) * 1000
            / max(1, total["requests"]), 1),
        "load_average_1min": {"min": round(min(samples), 2), "max": round(max(samples), 2),
                              "mean": round(sum(samples) / len(samples), 2)},
        "target": {"errors": 0, "p95_ms": TARGET_P95_MS},
        "met": total["failures"] == 0 and (total["p95_ms"] or 0) <= TARGET_P95_MS,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--rebuild", action="store_true",
                        help="drop and build the load-test database again")
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        print(json.dumps(build(args.rebuild)))
        return 0
    if importlib.util.find_spec("locust") is None:
        print("(skipping the load test: Locust is not installed; "
              "`pip install -e '.[bench]'`, as `make bench` does)")
        return 0
    register = _module("bench_register", BENCHMARKS / "bench_register.py")
    if not register._postgres_answers(PG_URL):
        print(f"(skipping the load test: PostgreSQL does not answer at {PG_URL})")
        return 0
    # Creates the database when it is missing (the build then fills it).
    subprocess.run([sys.executable, str(ROOT / "scripts" / "pg_ready.py"), PG_URL], check=True)
    if args.rebuild:
        subprocess.run([sys.executable, __file__, "--build", "--rebuild"], cwd=ROOT,
                       env={**os.environ, "DATABASE_URL": PG_URL}, check=True,
                       stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory(prefix="ehcflow-bench-load-") as tmp:
        result = run(args.minutes, Path(tmp))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True, check=False).stdout.strip()
    result = {"benchmark": "load",
              "machine": {"python": platform.python_version(), "platform": platform.platform(),
                          "cpus": os.cpu_count()},
              "commit": commit or None, **result}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print("| page | requests | failures | median ms | p95 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in sorted(result["pages"].items()):
        print(f"| {name} | {r['requests']} | {r['failures']} | {r['median_ms']} | "
              f"{r['p95_ms']} | {r['p99_ms']} |")
    t = result["total"]
    print(f"| all | {t['requests']} | {t['failures']} | {t['median_ms']} | {t['p95_ms']} | "
          f"{t['p99_ms']} |")
    print(f"({USERS} users for {args.minutes:g} min, {t['per_second']} requests/s; load average "
          f"{result['load_average_1min']}; target: 0 errors, p95 ≤ {TARGET_P95_MS} ms: "
          f"{'met' if result['met'] else 'NOT met'}; application-server CPU "
          f"{result['gunicorn_cpu_ms_per_request']} ms a request)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
