"""How long the SEN2 return takes for a large authority (issue: the SEN2 return).

Builds the large authority of the dashboards' benchmark (benchmarks/bench_insight.py's
`populate`: bench_register.py's deterministic 40,000 initial requests over ten years to
31 March 2026, a plan for every final plan, reviews and phase transfers) and adds what the
return needs that those do not carry: each child's UPN, sex, ethnicity and postcode, and for
every plan a setting named in section I (a school with a URN, or a code) and a primary need.
Then, for SQLite and, if it answers, PostgreSQL (a fresh `ehcflow_bench_sen2` database):

- times `ehcflow sen2 export` for the 2024, 2025 and 2026 collections (build the return from
  the records, write the XML, validate it against the year's schema, write the file 0600 and
  record the export), median of 3 after one warm-up;
- counts the queries one export makes (a fixed handful, whatever the size);
- times the pre-submission checks and the reconciliation for 2026.

Target: the export ≤ 10 s for 40,000 requests. Prints a Markdown table; writes
benchmarks/results/sen2.json. Measured, never asserted.

Run: `.venv/bin/python benchmarks/bench_sen2.py [--sqlite-only] [--keep PATH]`.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "sen2.json"
PG_URL = os.environ.get("EHCFLOW_BENCH_SEN2_PG",
                        "postgres://postgres@127.0.0.1:5432/ehcflow_bench_sen2")
YEARS = (2024, 2025, 2026)
SEED = 2016
sys.path.insert(0, str(HERE))

import harness  # noqa: E402


def _module(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def add_return_details() -> dict[str, int]:
    """Identifiers for every child; a setting and a need for every plan (bulk)."""
    from ehcflow.casework import choices as c
    from ehcflow.casework.models import Child, EHCPlan, Institution, PlanNeed, PlanSetting

    rng = random.Random(SEED)
    schools = Institution.objects.bulk_create([
        Institution(urn=f"{900000 + n}", name=f"School {n}", kind=c.InstitutionKind.PRIMARY)
        for n in range(300)])
    ethnicities = [e for e in c.Ethnicity.values if e not in ("REFU", "NOBT")]
    children = list(Child.objects.only("id"))
    for n, child in enumerate(children):
        child.upn = f"A{820000000000 + n}"
        child.sex = rng.choice("MF")
        child.ethnicity = rng.choice(ethnicities)
        child.postcode = f"ZZ99 {n % 10}AB"
        child.forename = f"Forename{n}"
    Child.objects.bulk_update(children, ["upn", "sex", "ethnicity", "postcode", "forename"],
                              batch_size=5000)
    settings, needs = [], []
    codes = [s for s in c.SENSetting.values if s not in ("NEET", "NIEC", "NIEO", "EYP")]
    needs_codes = list(c.SENType.values)
    for plan_id, issued in EHCPlan.objects.values_list("id", "first_issued_date"):
        if rng.random() < 0.9:
            settings.append(PlanSetting(plan_id=plan_id, rank=1, institution=rng.choice(schools),
                                        entry_date=issued))
        else:
            settings.append(PlanSetting(plan_id=plan_id, rank=1, sen_setting=rng.choice(codes),
                                        sen_setting_other="Specialist provision"))
        first, second = rng.sample(needs_codes, 2)
        needs.append(PlanNeed(plan_id=plan_id, rank=1, sen_type=first))
        if rng.random() < 0.4:
            needs.append(PlanNeed(plan_id=plan_id, rank=2, sen_type=second))
    PlanSetting.objects.bulk_create(settings, batch_size=5000)
    PlanNeed.objects.bulk_create(needs, batch_size=5000)
    return {"settings": len(settings), "needs": len(needs)}


def _median(run: Any, times: int = 3) -> tuple[float, list[float]]:
    run()  # warm-up
    runs = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        runs.append(time.perf_counter() - started)
    return round(statistics.median(runs), 2), [round(r, 2) for r in runs]


def run_engine(engine: str, workdir: Path, keep: Path | None) -> dict[str, Any]:
    os.environ["EHCFLOW_VAR_DIR"] = str(workdir / "var")
    os.environ["DJANGO_SETTINGS_MODULE"] = "ehcflow.settings"
    os.environ.update({"EHCFLOW_SEN2_LA_NUMBER": "999", "EHCFLOW_SEN2_DMO": "Y",
                       "EHCFLOW_SEN2_DCO": "Y", "EHCFLOW_SEN2_DSCO": "N"})
    built = False
    register = _module("bench_register")
    if engine == "sqlite":
        path = keep or workdir / "bench-sen2.sqlite3"
        built = keep is not None and keep.exists()
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        harness.fresh_postgres(PG_URL)
        os.environ["DATABASE_URL"] = PG_URL
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ehcflow.people.models import Role, StaffMember, User
    from ehcflow.sen2 import checks, items, reconcile, selectors, services

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if built:
        created: dict[str, int] = {"reused": 1}
    else:
        insight = _module("bench_insight")
        created = insight.populate(register.build_register(), register.officer_names())
        created.update(add_return_details())
        user = User.objects.create_user(username="sen2officer", password="bench password 1")
        StaffMember.objects.create(user=user, staff_ref="SEN2", name="Return Officer",
                                   role=Role.CASE_OFFICER, start_date=date(2010, 1, 1))
    populate_s = time.perf_counter() - started
    exports: dict[str, Any] = {}
    for year in YEARS:
        out = workdir / f"SEN2_{year}.xml"

        def export(year: int = year, out: Path = out) -> None:
            services.export_to_file(str(year), out, by="sen2officer")

        median, runs = _median(export)
        with CaptureQueriesContext(connection) as queries:
            export()
        ret = selectors.build_return(items.collection(year))
        exports[str(year)] = {"seconds_median_of_3": median, "runs": runs,
                              "queries": len(queries), "bytes": out.stat().st_size,
                              "persons": len(ret.persons), "requests": len(ret.requests())}
        print(f"  {engine} {year}: {median} s {runs}, {len(queries)} queries", file=sys.stderr,
              flush=True)
    coll = items.collection(2026)
    ret = selectors.build_return(coll)
    started = time.perf_counter()
    findings = checks.run_checks(ret)
    checks_s = time.perf_counter() - started
    started = time.perf_counter()
    lines = reconcile.reconcile(ret)
    reconcile_s = time.perf_counter() - started
    if engine == "sqlite":
        server = "sqlite " + ".".join(map(str, connection.Database.sqlite_version_info))  # type: ignore[attr-defined]
    else:
        server = f"postgresql {connection.cursor().connection.info.server_version}"
    return {"engine": engine, "server": server, "created": created,
            "populate_seconds": round(populate_s, 1), "exports": exports,
            "checks_seconds": round(checks_s, 2), "findings": len(findings),
            "reconcile_seconds": round(reconcile_s, 2),
            "reconciled": all(line.equal for line in lines)}


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
    with tempfile.TemporaryDirectory(prefix="ehcflow-bench-sen2-") as tmp:
        results = harness.run_children(__file__, engines, Path(tmp),
                                       lambda engine: keep if engine == "sqlite" else [])
    if results is None:
        return 1
    print("\n| engine | " + " | ".join(f"export {y}" for y in YEARS)
          + " | queries | children / requests (2026) | checks | reconciliation |")
    print("|---|" + "---:|" * (len(YEARS) + 4))
    for r in results:
        cells = " | ".join(f"{r['exports'][str(y)]['seconds_median_of_3']} s" for y in YEARS)
        e26 = r["exports"]["2026"]
        print(f"| {r['server']} | {cells} | {e26['queries']} | {e26['persons']:,} / "
              f"{e26['requests']:,} | {r['checks_seconds']} s | {r['reconcile_seconds']} s "
              f"({'equal' if r['reconciled'] else 'DIFFERENT'}) |")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"machine": platform.platform(), "results": results},
                                  indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
