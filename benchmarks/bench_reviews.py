"""Server time of My work with reviews, the reviews pages and `ehcflow reviews` (target ≤ 150 ms).

Loads the register of `bench_register.py` (40,000 requests over 10 years, 600 officers) into a
fresh SQLite database, then gives every plan its yearly reviews to date (meetings, decisions,
outcomes, amended plans; a tenth of the reviews due in the last year not held), puts the officers in
teams of 20 and signs in as the officer maintaining the most plans, and as their team
manager. Times with Django's test client (no network; the server's time to answer):

- My work for the officer (their open requests and their plans' reviews) and for the manager
  (the team's);
- the team's reviews page (overdue list) and a plan's reviews page;
- the annual review figures of `ehcflow reviews` for the last calendar year.

Run: `.venv/bin/python benchmarks/bench_reviews.py`. Median of 10 after one warm-up. Writes
benchmarks/results/reviews.json. Measured, never asserted.
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "reviews.json"
TODAY = date(2026, 3, 31)  # the register's last day
sys.path.insert(0, str(HERE))

import bench_register  # noqa: E402
import harness  # noqa: E402


def _add_reviews() -> int:
    """Yearly reviews of every plan to TODAY; returns how many were written."""
    from ehcflow.casework.models import AnnualReview, EHCPlan
    from ehcflow.statutory import clock

    rng = random.Random(2023)
    rows, plan_updates = [], []
    for plan in EHCPlan.objects.only("pk", "first_issued_date", "cease_date").iterator():
        due = clock.next_review_due(plan.first_issued_date)
        end = min(plan.cease_date or TODAY, TODAY)
        while due <= end + timedelta(days=60):
            if (due > TODAY - timedelta(days=365) and rng.random() < 0.1) or due > end:
                rows.append(AnnualReview(plan_id=plan.pk, due_date=due))
                break
            meeting = min(due + timedelta(days=rng.randint(-40, 90)), TODAY)
            decided = meeting + timedelta(days=rng.randint(5, 120))
            outcome = rng.choice(["maintain", "amend", "amend"])
            rows.append(AnnualReview(
                plan_id=plan.pk, due_date=due, meeting_date=meeting,
                decision_date=decided if decided <= TODAY else None,
                outcome=outcome if decided <= TODAY else "",
                amendment_notice_date=decided if outcome == "amend" else None,
                amended_final_date=(decided + timedelta(days=50)
                                    if outcome == "amend" and decided + timedelta(days=50)
                                    <= TODAY else None)))
            due = clock.next_review_due(meeting)
        plan.next_review_due = due
        plan_updates.append(plan)
    AnnualReview.objects.bulk_create(rows, batch_size=5000)
    EHCPlan.objects.bulk_update(plan_updates, ["next_review_due"], batch_size=5000)
    return len(rows)


def run_engine(engine: str, register: Path, workdir: Path) -> dict[str, Any]:
    harness.use_database(engine, workdir, pg_url="", sqlite_name="reviews.sqlite3")
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from ehcflow.casework.models import EHCPlan
    from ehcflow.people.models import Role, StaffMember, Team, User
    from ehcflow.register.importer import import_register
    from ehcflow.reviews import selectors
    from ehcflow.statutory.periods import calendar_year

    call_command("migrate", verbosity=0)
    import_register(register)
    reviews = _add_reviews()
    officers = list(StaffMember.objects.order_by("pk"))
    for i in range(0, len(officers), 20):
        team = Team.objects.create(name=f"Team {i // 20 + 1}")
        StaffMember.objects.filter(pk__in=[o.pk for o in officers[i:i + 20]]).update(team=team)
    busiest = StaffMember.objects.annotate(n=Count("plans")).order_by("-n").first()
    assert busiest is not None
    officer_user = User.objects.create_user(username="bench-officer", password="x")
    busiest.user = officer_user
    busiest.save()
    manager_user = User.objects.create_user(username="bench-manager", password="x")
    StaffMember.objects.create(user=manager_user, staff_ref="BENCH-M", name="Manager",
                               role=Role.TEAM_MANAGER, team=busiest.team,
                               start_date=busiest.start_date)
    officer, manager = Client(), Client()
    officer.force_login(officer_user)
    manager.force_login(manager_user)
    plan = EHCPlan.objects.filter(officer=busiest).order_by("pk").first()
    assert plan is not None
    today = timezone.localdate()
    in_force = EHCPlan.objects.filter(selectors.in_force_on(today))
    last_year = calendar_year(TODAY.year - 1)
    started = time.perf_counter()
    figures = selectors.review_figures(last_year, last_year.end)
    command_ms = round((time.perf_counter() - started) * 1000, 1)
    return {
        "engine": engine,
        "plans": EHCPlan.objects.count(),
        "reviews": reviews,
        "officer_plans_in_force": in_force.filter(officer=busiest).count(),
        "team_plans_in_force": in_force.filter(officer__team=busiest.team).count(),
        "my_work_officer": harness.time_page(officer, "/work/?scope=mine"),
        "my_work_manager_team": harness.time_page(manager, "/work/?scope=team"),
        "reviews_team_page": harness.time_page(manager, "/reviews/?status=overdue"),
        "plan_reviews_page": harness.time_page(officer, f"/reviews/plans/{plan.public_id}/"),
        "reviews_command_ms": command_ms,
        "reviews_command_figures": figures.as_json(),
    }


def _write_register(path: Path) -> None:
    bench_register.write_csv(bench_register.build_register(), path)


def main() -> int:
    args = harness.child_arguments(__doc__)
    if args.engine:
        print(json.dumps(run_engine(args.engine, args.register, args.workdir)))
        return 0
    results = harness.run_per_engine(__file__, prefix="ehcflow-bench-reviews-", pg_url=None,
                                     write_register=_write_register)
    if results is None:
        return 1
    result = results[0]
    print("| page | median ms | max ms | queries |")
    print("|---|---:|---:|---:|")
    for page in ("my_work_officer", "my_work_manager_team", "reviews_team_page",
                 "plan_reviews_page"):
        f = result[page]
        print(f"| {page} | {f['median_ms']} | {f['max_ms']} | {f['queries']} |")
    print(f"(plans: {result['plans']}; reviews: {result['reviews']}; officer's plans in force: "
          f"{result['officer_plans_in_force']}; team's: {result['team_plans_in_force']}; "
          f"`ehcflow reviews` for a year: {result['reviews_command_ms']} ms; target ≤ 150 ms)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
