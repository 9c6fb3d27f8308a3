"""Server time of a family's pages on the large authority (target ≤ 150 ms).

Loads the register of `bench_register.py` (40,000 requests over 10 years, 600 officers) into a
fresh SQLite database and, if it answers, PostgreSQL (`ehcflow_bench_family`), takes the open
request of a child under 16 with the longest history, links a parent to its child, gives the
case 20 letters and documents (rows only: the page lists them, it does not open them) and a
kept likely final-plan date and 60 more case events, and times with Django's test client (no
network; the figure is the server's time):

- the family's home page (their children's requests);
- the family's page of that request (stage, officer, dates, likely final plan, documents and
  the history in plain words).

Run: `.venv/bin/python benchmarks/bench_family.py`. Median of 10 after one warm-up. Writes
benchmarks/results/family.json. Measured, never asserted.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "family.json"
PG_URL = os.environ.get("EHCFLOW_BENCH_PG_FAMILY",
                        "postgres://postgres@127.0.0.1:5432/ehcflow_bench_family")
sys.path.insert(0, str(HERE))

import bench_register  # noqa: E402
import harness  # noqa: E402


def run_engine(engine: str, register: Path, workdir: Path) -> dict[str, Any]:
    harness.use_database(engine, workdir, pg_url=PG_URL, sqlite_name="family.sqlite3")
    from datetime import timedelta

    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from ehcflow.casework import choices as c
    from ehcflow.casework.models import AssessmentRequest
    from ehcflow.families.models import ChildLink, FamilyMember, Relationship
    from ehcflow.files.models import FileKind, ScanStatus, StoredFile
    from ehcflow.people.models import User
    from ehcflow.planning.models import LikelyFinalPlan
    from ehcflow.register.importer import import_register
    from ehcflow.statutory.dates import add_years

    call_command("migrate", verbosity=0)
    import_register(register)
    today = timezone.localdate()
    # A child under 16, so the parent holds the rights (families.access).
    case = (AssessmentRequest.objects.filter(stage__in=c.OPEN_STAGES,
                                             child__date_of_birth__gt=add_years(today, -16))
            .annotate(n=Count("events")).order_by("-n", "received_date").first())
    assert case is not None
    user = User.objects.create_user(username="bench-parent", email="parent@example.com")
    member = FamilyMember.objects.create(user=user)
    ChildLink.objects.create(member=member, child=case.child, relationship=Relationship.PARENT)
    StoredFile.objects.bulk_create([StoredFile(
        child=case.child, request=case, kind=FileKind.LETTER, title=f"Letter {n}",
        original_name="letter.pdf", content_type="application/pdf", size=1000, sha256="0" * 64,
        storage_name=f"bench/{n}", scan_status=ScanStatus.CLEAN, uploaded_by_name="bench",
        shared_with_family=True) for n in range(20)])
    LikelyFinalPlan.objects.update_or_create(request=case, defaults={
        "as_of": today, "p_plan": 0.8, "final_p10": today + timedelta(days=40),
        "final_p50": today + timedelta(days=55), "final_p90": today + timedelta(days=80)})
    # A long history: 60 more case events (advice asked and received, chasers, documents),
    # as a case that has waited a year carries; the page rewrites each in plain words.
    from ehcflow.casework.services import Actor, record_event

    actions = ("advice_requested", "advice_chased", "advice_received", "file_added")
    for n in range(60):
        record_event(child=case.child, request=case, action=actions[n % 4], by=Actor(name="b"),
                      on=case.received_date, description="bench",
                      changes={"adviser_type": "health", "file": str(n)})
    client = Client()
    client.force_login(user)
    return {
        "engine": engine,
        "requests": AssessmentRequest.objects.count(),
        "events_on_the_case": case.events.count(),
        "family_home": harness.time_page(client, "/family/"),
        "family_request_page": harness.time_page(client, f"/family/requests/{case.public_id}/"),
    }


def _write_register(path: Path) -> None:
    bench_register.write_csv(bench_register.build_register(), path)


def main() -> int:
    args = harness.child_arguments(__doc__)
    if args.engine:
        print(json.dumps(run_engine(args.engine, args.register, args.workdir)))
        return 0
    results = harness.run_per_engine(__file__, prefix="ehcflow-bench-family-", pg_url=PG_URL,
                                     write_register=_write_register)
    if results is None:
        return 1
    print("| engine | page | median ms | max ms | queries |")
    print("|---|---|---:|---:|---:|")
    for r in results:
        for page in ("family_home", "family_request_page"):
            f = r[page]
            print(f"| {r['engine']} | {page} | {f['median_ms']} | {f['max_ms']} | {f['queries']} |")
    print(f"(requests: {results[0]['requests']}; events on the case: "
          f"{results[0]['events_on_the_case']}; target ≤ 150 ms)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
