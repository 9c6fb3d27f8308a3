"""How fast the dashboards and the board pack are on a large authority.

Builds the large authority of the foundation's benchmark (benchmarks/bench_register.py's
deterministic register: 40,000 initial requests over ten years to 31 March 2026, 600 case
officers) straight into a fresh database with bulk inserts, and adds what the register does
not carry: a plan for every final plan (some ceased), advice from educational psychology,
health, social care and the school for every assessment, and annual reviews (some of them
phase transfers). Then, for SQLite and, if it answers, PostgreSQL (a fresh
`ehcflow_bench_insight` database):

- times every dashboard page through the Django test client signed in as the head of service
  (server time: the whole request and its template), median of 5 after one warm-up
  request, as of 31 March 2026; then each of the page's charts, which the browser fetches as
  images of their own (`insight:chart`), drawn as on a first view (the SVG not yet in the
  cache), median of 3;
- times the snapshot backfill, then a drill-down list;
- times the board pack, PDF and Excel, as of 31 March 2026.

Targets (issue "Insight"): every dashboard page ≤ 300 ms, the board pack ≤ 10 s. Prints a
Markdown table; writes benchmarks/results/insight.json. Measured, never asserted.

Run: `.venv/bin/python benchmarks/bench_insight.py` (`--keep PATH` builds the SQLite
database once at PATH and reuses it, for development).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "insight.json"
PG_URL = os.environ.get("EHCFLOW_BENCH_INSIGHT_PG",
                        "postgres://postgres@127.0.0.1:5432/ehcflow_bench_insight")
AS_OF = date(2026, 3, 31)
PAGES = ("overview", "timeliness", "backlog", "demand", "advice", "caseloads", "reviews")
TEAMS = 12
SEED = 2026
sys.path.insert(0, str(HERE))

import harness  # noqa: E402


def _register_module() -> Any:
    spec = importlib.util.spec_from_file_location("bench_register", HERE / "bench_register.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _d(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def populate(rows: list[dict[str, str]], officer_names: list[str]) -> dict[str, int]:
    """Bulk-insert the authority into the configured (migrated, empty) database."""
    from ehcflow.casework import choices as c
    from ehcflow.casework.models import (
        AdviceRequest,
        AnnualReview,
        AssessmentRequest,
        Child,
        EHCPlan,
    )
    from ehcflow.casework.services import derive_stage
    from ehcflow.people.models import Role, StaffMember, Team, User
    from ehcflow.statutory import clock

    rng = random.Random(SEED)
    end = max(_d(r["request_date"]) or date.min for r in rows)
    teams = Team.objects.bulk_create([Team(name=f"Team {n + 1}") for n in range(TEAMS)])
    span_start = min(_d(r["request_date"]) or date.max for r in rows)
    span = (end - span_start).days
    staff = []
    for n, name in enumerate(officer_names):
        start = span_start + timedelta(days=int(n / len(officer_names) * span) - 240)
        leaves = start + timedelta(days=rng.randint(500, 1400))
        staff.append(StaffMember(
            staff_ref=f"CO{n:04d}", name=name, role=Role.CASE_OFFICER, team=teams[n % TEAMS],
            fte=rng.choice(("1.00", "1.00", "0.80", "0.60")), start_date=start,
            end_date=leaves if leaves < end else None))
    eps = [StaffMember(staff_ref=f"EP{n:03d}", name=f"Psychologist {n}",
                       role=Role.EDUCATIONAL_PSYCHOLOGIST, start_date=span_start)
           for n in range(40)]
    StaffMember.objects.bulk_create(staff + eps)
    by_name = {s.name: s for s in StaffMember.objects.filter(role=Role.CASE_OFFICER)}
    ep_ids = list(StaffMember.objects.filter(role=Role.EDUCATIONAL_PSYCHOLOGIST)
                  .values_list("id", flat=True))
    head = User.objects.create_user(username="head", password="bench password 1")
    StaffMember.objects.create(user=head, staff_ref="HOS", name="Head of Service",
                               role=Role.HEAD_OF_SERVICE, start_date=span_start)
    people: dict[str, date] = {}
    for r in rows:
        people.setdefault(r["person_id"], _d(r["date_of_birth"]) or date(2010, 1, 1))
    Child.objects.bulk_create([Child(person_ref=p, date_of_birth=born, forename="Child",
                                     surname=p) for p, born in people.items()],
                              batch_size=2000)
    child_ids = dict(Child.objects.values_list("person_ref", "id"))
    requests = []
    for r in rows:
        officer = by_name.get(r["officer"])
        request = AssessmentRequest(
            case_ref=r["case_ref"], child_id=child_ids[r["person_id"]],
            received_date=_d(r["request_date"]), source=r["request_source"],
            officer_id=officer.pk if officer else None, decision=r["decision"],
            decision_date=_d(r["decision_date"]), outcome=r["outcome"],
            outcome_date=_d(r["outcome_date"]), draft_date=_d(r["draft_date"]),
            final_date=_d(r["final_date"]), closed_date=_d(r["closed_date"]),
            closed_reason=r["closed_reason"], week20_exception=bool(r["exception"]))
        request.stage = derive_stage(request)
        requests.append(request)
    AssessmentRequest.objects.bulk_create(requests, batch_size=2000)
    saved = list(AssessmentRequest.objects.values_list(
        "id", "child_id", "officer_id", "decision", "decision_date", "final_date",
        "closed_date", "outcome_date"))
    advice, plans = [], []
    kinds = (c.AdviserType.EDUCATIONAL_PSYCHOLOGY, c.AdviserType.HEALTH,
             c.AdviserType.SOCIAL_CARE, c.AdviserType.EDUCATION)
    slow = {c.AdviserType.EDUCATIONAL_PSYCHOLOGY: (20, 120), c.AdviserType.HEALTH: (15, 100),
            c.AdviserType.SOCIAL_CARE: (10, 70), c.AdviserType.EDUCATION: (7, 50)}
    for pk, child_id, officer_id, decision, decided, final, closed, outcome in saved:
        if decision == "assess" and decided is not None:
            stop = min(x for x in (final, closed, outcome, end) if x is not None)
            for kind in kinds:
                asked = decided + timedelta(days=rng.randint(0, 6))
                if asked > stop:
                    continue
                back = asked + timedelta(days=rng.randint(*slow[kind]))
                advice.append(AdviceRequest(
                    request_id=pk, adviser_type=kind, requested_on=asked,
                    due_on=clock.advice_due(asked), received_on=back if back <= end else None,
                    adviser_id=rng.choice(ep_ids) if kind == "educational_psychology" else None,
                    exception="missed_appointment" if rng.random() < 0.03 else ""))
        if final is not None:
            ceases = final + timedelta(days=rng.randint(365, 9 * 365))
            plans.append(EHCPlan(
                child_id=child_id, request_id=pk, start_date=final, first_issued_date=final,
                officer_id=officer_id, cease_date=ceases if ceases <= end else None,
                next_review_due=clock.next_review_due(final)))
    AdviceRequest.objects.bulk_create(advice, batch_size=5000)
    EHCPlan.objects.bulk_create(plans, batch_size=5000)
    reviews = []
    for plan_id, issued, ceased in EHCPlan.objects.values_list(
            "id", "first_issued_date", "cease_date"):
        due = clock.next_review_due(issued)
        while due <= end + timedelta(days=180) and (ceased is None or due < ceased):
            late = rng.random() < 0.3
            meeting = due + timedelta(days=rng.randint(1, 90) if late else -rng.randint(0, 40))
            decided = meeting + timedelta(days=rng.randint(5, 50))
            outcome = rng.choice(("maintain", "maintain", "amend", "cease"))
            transfer = rng.random() < 0.12
            post16 = transfer and rng.random() < 0.4
            year = due.year + (1 if due.month >= 9 else 0)
            reviews.append(AnnualReview(
                plan_id=plan_id, due_date=due,
                meeting_date=meeting if meeting <= end else None,
                decision_date=decided if decided <= end and meeting <= end else None,
                outcome=outcome if decided <= end and meeting <= end else "",
                amended_final_date=(decided + timedelta(days=rng.randint(10, 60))
                                    if outcome == "amend" and decided + timedelta(days=60) <= end
                                    else None),
                phase_transfer=transfer, transfer_year=year if transfer else None,
                secondary_to_post16=post16,
                phase_transfer_due=(clock.phase_transfer_deadline(year, secondary_to_post16=post16)
                                    if transfer else None)))
            due = clock.next_review_due(meeting if meeting <= end else due)
    AnnualReview.objects.bulk_create(reviews, batch_size=5000)
    return {"requests": len(requests), "plans": len(plans), "advice": len(advice),
            "reviews": len(reviews), "officers": len(staff), "children": len(people)}


def _median_ms(run: Any, times: int = 5) -> tuple[float, list[float]]:
    run()  # warm-up: imports, template compilation, the first query plan
    runs = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        runs.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(runs), 1), [round(r, 1) for r in runs]


def run_engine(engine: str, workdir: Path, keep: Path | None) -> dict[str, Any]:
    os.environ["EHCFLOW_VAR_DIR"] = str(workdir / "var")
    os.environ["DJANGO_SETTINGS_MODULE"] = "ehcflow.settings"
    built = False
    if engine == "sqlite":
        path = keep or workdir / "bench-insight.sqlite3"
        built = keep is not None and keep.exists()
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        harness.fresh_postgres(PG_URL)
        os.environ["DATABASE_URL"] = PG_URL
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from ehcflow.insight import boardpack, snapshots
    from ehcflow.insight.models import Snapshot
    from ehcflow.people.models import User

    setup_test_environment()
    call_command("migrate", verbosity=0)
    register = _register_module()
    started = time.perf_counter()
    if built:
        created = {"reused": 1}
    else:
        created = populate(register.build_register(), register.officer_names())
    populate_s = time.perf_counter() - started
    call_command("national", "load", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    client = Client()
    client.force_login(User.objects.get(username="head"))
    params = {"as_of": AS_OF.isoformat()}
    pages: dict[str, Any] = {}
    for key in PAGES:
        url = reverse(f"insight:{key}")

        def get(url: str = url) -> None:
            response = client.get(url, params)
            assert response.status_code == 200, (url, response.status_code)

        median, runs = _median_ms(get)
        pages[key] = {"ms_median_of_5": median, "ms_runs": runs, "charts": {}}
        html = client.get(url, params).content.decode()
        for src in re.findall(r'<img class="app-chart__img" src="([^"]+)"', html):
            chart_url = src.replace("&amp;", "&")

            version = chart_url.rsplit("v=", 1)[-1]

            def draw(chart_url: str = chart_url, version: str = version) -> None:
                # As on a first view: the page has just described the chart; the SVG is not
                # drawn yet, so matplotlib draws it.
                cache.delete(f"insight:chart-svg:{version}")
                assert client.get(chart_url).status_code == 200

            chart_ms, _ = _median_ms(draw, times=3)
            pages[key]["charts"][chart_url.split("/")[4].split(".")[0]] = chart_ms
        print(f"  {engine} {key}: {median} ms, charts {pages[key]['charts']}", file=sys.stderr,
              flush=True)
    drill, drill_runs = _median_ms(lambda: client.get(
        reverse("insight:cases"), {**params, "measure": "over_20_weeks"}))
    Snapshot.objects.all().delete()
    started = time.perf_counter()
    backfilled = snapshots.snapshot_backfill(until=AS_OF)
    backfill_s = time.perf_counter() - started
    with_snapshots, _ = _median_ms(lambda: client.get(reverse("insight:timeliness"), params))
    pack_times = {}
    for fmt in ("pdf", "xlsx"):
        out = workdir / f"board-pack.{fmt}"
        started = time.perf_counter()
        boardpack.write(boardpack.build(as_of=AS_OF), out)
        pack_times[fmt] = {"seconds": round(time.perf_counter() - started, 2),
                           "bytes": out.stat().st_size}
    if engine == "sqlite":
        server = "sqlite " + ".".join(map(str, connection.Database.sqlite_version_info))
    else:
        server = f"postgresql {connection.cursor().connection.info.server_version}"
    return {
        "engine": engine, "server": server, "created": created,
        "populate_seconds": round(populate_s, 1), "pages": pages,
        "drilldown_over_20_weeks_ms": drill, "drilldown_runs": drill_runs,
        "snapshot_backfill": {"days": backfilled, "seconds": round(backfill_s, 1)},
        "timeliness_with_snapshots_ms": with_snapshots,
        "board_pack": pack_times,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--keep", type=Path, help="build the SQLite database here and reuse it")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args()
    if args.engine:
        print(json.dumps(run_engine(args.engine, args.workdir, args.keep)))
        return 0
    engines = harness.engines_to_run(PG_URL, sqlite_only=args.sqlite_only)
    keep = ["--keep", str(args.keep.resolve())] if args.keep else []
    with tempfile.TemporaryDirectory(prefix="ehcflow-bench-insight-") as tmp:
        results = harness.run_children(__file__, engines, Path(tmp),
                                       lambda engine: keep if engine == "sqlite" else [])
    if results is None:
        return 1
    print()
    print("| engine | " + " | ".join(PAGES) + " | cases list | board pack PDF s | "
          "board pack XLSX s | snapshot backfill |")
    print("|---|" + "---:|" * (len(PAGES) + 4))
    for r in results:
        cells = " | ".join(f"{r['pages'][k]['ms_median_of_5']} ms" for k in PAGES)
        print(f"| {r['server']} | {cells} | {r['drilldown_over_20_weeks_ms']} ms | "
              f"{r['board_pack']['pdf']['seconds']} | {r['board_pack']['xlsx']['seconds']} | "
              f"{r['snapshot_backfill']['days']} days in {r['snapshot_backfill']['seconds']} s |")
    print("\nCharts (each its own request, drawn by matplotlib as on a first view; median of "
          "3, ms):\n")
    for r in results:
        drawn = {f"{k}/{name}": ms for k in PAGES for name, ms in r["pages"][k]["charts"].items()}
        print(f"- {r['server']}: " + ", ".join(f"{name} {ms}" for name, ms in drawn.items()))
    report = {
        "benchmark": "insight",
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
        "as_of": AS_OF.isoformat(),
        "targets": {"page_ms": 300, "board_pack_seconds": 10},
        "results": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nWrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
