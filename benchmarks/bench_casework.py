"""Server time of the case officers' pages on the large authority (target ≤ 150 ms each).

Loads the register of `bench_register.py` (40,000 requests over 10 years, 600 officers) into a
fresh SQLite database and, if it answers, PostgreSQL (`ehcflow_bench_casework`), puts the
officers in teams of 20, signs in as the officer with the most open requests, and times with
Django's test client (no network; the figure is the server's time to answer):

- My work (the officer's own queue), and My work for a team manager (the team's queue with the
  caseload table);
- the request page of an open request of that officer.

Run: `.venv/bin/python benchmarks/bench_casework.py`. Median of 10 after one warm-up. Writes
benchmarks/results/casework.json. Measured, never asserted.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "casework.json"
PG_URL = os.environ.get("EHCFLOW_BENCH_PG_CASEWORK",
                        "postgres://postgres@127.0.0.1:5432/ehcflow_bench_casework")
sys.path.insert(0, str(HERE))

import bench_register  # noqa: E402
import harness  # noqa: E402


def run_engine(engine: str, register: Path, workdir: Path) -> dict[str, Any]:
    harness.use_database(engine, workdir, pg_url=PG_URL, sqlite_name="casework.sqlite3")
    from django.core.management import call_command
    from django.db.models import Count, Q
    from django.test import Client

    from ehcflow.casework import choices as c
    from ehcflow.casework.models import AssessmentRequest
    from ehcflow.people.models import Role, StaffMember, Team, User
    from ehcflow.register.importer import import_register

    call_command("migrate", verbosity=0)
    import_register(register)
    officers = list(StaffMember.objects.order_by("pk"))
    for i in range(0, len(officers), 20):
        team = Team.objects.create(name=f"Team {i // 20 + 1}")
        StaffMember.objects.filter(pk__in=[o.pk for o in officers[i:i + 20]]).update(team=team)
    busiest = (StaffMember.objects.annotate(
        n=Count("requests", filter=Q(requests__stage__in=c.OPEN_STAGES))).order_by("-n").first())
    assert busiest is not None
    officer_user = User.objects.create_user(username="bench-officer", password="x")
    busiest.user = officer_user
    busiest.save()
    manager_user = User.objects.create_user(username="bench-manager", password="x")
    StaffMember.objects.create(user=manager_user, staff_ref="BENCH-M", name="Manager",
                               role=Role.TEAM_MANAGER, team=busiest.team,
                               start_date=busiest.start_date)
    case = (AssessmentRequest.objects.filter(officer=busiest, stage__in=c.OPEN_STAGES)
            .order_by("received_date").first())
    assert case is not None
    officer, manager = Client(), Client()
    officer.force_login(officer_user)
    manager.force_login(manager_user)
    team_open = AssessmentRequest.objects.filter(officer__team=busiest.team,
                                                 stage__in=c.OPEN_STAGES).count()
    return {
        "engine": engine,
        "requests": AssessmentRequest.objects.count(),
        "officer_open_requests": AssessmentRequest.objects.filter(
            officer=busiest, stage__in=c.OPEN_STAGES).count(),
        "team_open_requests": team_open,
        "my_work_officer": harness.time_page(officer, "/work/?scope=mine"),
        "my_work_manager_team": harness.time_page(manager, "/work/?scope=team"),
        "request_page": harness.time_page(officer, f"/requests/{case.public_id}/"),
    }


def _write_register(path: Path) -> None:
    bench_register.write_csv(bench_register.build_register(), path)


def main() -> int:
    args = harness.child_arguments(__doc__)
    if args.engine:
        print(json.dumps(run_engine(args.engine, args.register, args.workdir)))
        return 0
    results = harness.run_per_engine(__file__, prefix="ehcflow-bench-casework-", pg_url=PG_URL,
                                     write_register=_write_register)
    if results is None:
        return 1
    print("| engine | page | median ms | max ms | queries |")
    print("|---|---|---:|---:|---:|")
    for r in results:
        for page in ("my_work_officer", "my_work_manager_team", "request_page"):
            f = r[page]
            print(f"| {r['engine']} | {page} | {f['median_ms']} | {f['max_ms']} | {f['queries']} |")
    print(f"(officer's open requests: {results[0]['officer_open_requests']}; team's: "
          f"{results[0]['team_open_requests']}; target ≤ 150 ms)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
