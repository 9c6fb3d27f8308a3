"""Server time of a partner's inbox on the large authority (target ≤ 150 ms).

Loads the register of `bench_register.py` (40,000 requests over 10 years, 600 officers) into a
fresh SQLite database and, if it answers, PostgreSQL (`ehcflow_partners`), makes one health
body the partner for every piece of health advice ever asked (the whole history, so the inbox
query has to find the open few among thousands), adds a health advice request to every request
being assessed that has none outstanding (the worst case: one body asked on every open
assessment), and times with Django's test client (no network; the figure is the server's
time to answer) the inbox of a member of that body: its first page of 50, soonest due first,
with the count of all.

Run: `.venv/bin/python benchmarks/bench_partners.py`. Median of 10 after one warm-up. Writes
benchmarks/results/partners.json. Measured, never asserted.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "partners.json"
PG_URL = os.environ.get("EHCFLOW_BENCH_PG_PARTNERS",
                        "postgres://postgres@127.0.0.1:5432/ehcflow_partners")
sys.path.insert(0, str(HERE))

import bench_register  # noqa: E402
import harness  # noqa: E402


def run_engine(engine: str, register: Path, workdir: Path) -> dict[str, Any]:
    harness.use_database(engine, workdir, pg_url=PG_URL, sqlite_name="partners.sqlite3")
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from ehcflow.casework import choices as c
    from ehcflow.casework.models import AdviceRequest, AssessmentRequest
    from ehcflow.partners.models import (
        AdviceAssignment,
        Membership,
        Organisation,
        OrganisationKind,
    )
    from ehcflow.people.models import User
    from ehcflow.register.importer import import_register
    from ehcflow.statutory import clock

    call_command("migrate", verbosity=0)
    import_register(register)
    today = timezone.localdate()
    with_open_health = AdviceRequest.objects.filter(
        adviser_type=c.AdviserType.HEALTH, received_on__isnull=True).values("request_id")
    assessing = AssessmentRequest.objects.filter(stage=c.Stage.ASSESSING).exclude(
        pk__in=with_open_health)
    AdviceRequest.objects.bulk_create([
        AdviceRequest(request=r, adviser_type=c.AdviserType.HEALTH,
                      requested_on=max(r.decision_date or r.received_date, today.replace(
                          day=1)), due_on=clock.advice_due(max(r.decision_date or r.received_date,
                                                               today.replace(day=1))))
        for r in assessing], batch_size=1000)
    health = Organisation.objects.create(name="Bench ICB", kind=OrganisationKind.HEALTH)
    AdviceAssignment.objects.bulk_create([
        AdviceAssignment(advice_id=pk, organisation=health)
        for pk in AdviceRequest.objects.filter(adviser_type=c.AdviserType.HEALTH)
        .values_list("pk", flat=True)], batch_size=1000)
    user = User.objects.create_user(username="bench-dco", email="dco@example.org")
    Membership.objects.create(organisation=health, user=user, is_manager=True)
    client = Client()
    client.force_login(user)
    from ehcflow.partners.selectors import inbox

    return {
        "engine": engine,
        "requests": AssessmentRequest.objects.count(),
        "advice_sent_to_the_body": AdviceAssignment.objects.count(),
        "inbox_rows": inbox(user).count(),
        "partner_inbox": harness.time_page(client, "/partners/"),
    }


def _write_register(path: Path) -> None:
    bench_register.write_csv(bench_register.build_register(), path)


def main() -> int:
    args = harness.child_arguments(__doc__)
    if args.engine:
        print(json.dumps(run_engine(args.engine, args.register, args.workdir)))
        return 0
    results = harness.run_per_engine(__file__, prefix="ehcflow-bench-partners-", pg_url=PG_URL,
                                     write_register=_write_register)
    if results is None:
        return 1
    print("| engine | page | median ms | max ms | queries |")
    print("|---|---|---:|---:|---:|")
    for r in results:
        f = r["partner_inbox"]
        print(f"| {r['engine']} | partner_inbox | {f['median_ms']} | {f['max_ms']} | "
              f"{f['queries']} |")
    print(f"(requests: {results[0]['requests']}; advice sent to the body: "
          f"{results[0]['advice_sent_to_the_body']}; in its inbox: {results[0]['inbox_rows']}; "
          "target ≤ 150 ms)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
