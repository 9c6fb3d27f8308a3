"""What the page benchmarks share: a fresh database per engine, a child process per engine, and
one way of timing a page.

Each page benchmark (`bench_casework`, `bench_family`, `bench_partners`, `bench_reviews`) builds
the large authority's register once, then runs itself again in a child process per database
engine (SQLite always, PostgreSQL when it answers), so that each engine starts from a fresh
Django and database; the child prints its figures as one line of JSON. Timing is Django's test
client: the server's time to answer, with no network, median of 10 after one warm-up, and the
number of queries of the last run.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def time_page(client: Any, url: str, runs: int = 10) -> dict[str, Any]:
    """Median and worst server time of `url` (ms) and its query count, after one warm-up."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1), "queries": len(queries.captured_queries)}


def _connect(url: str, **options: Any) -> Any:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    return psycopg.connect(dbname="postgres", host=config.get("HOST") or "127.0.0.1",
                           port=int(config.get("PORT") or 5432),
                           user=config.get("USER") or "postgres",
                           password=config.get("PASSWORD") or None, connect_timeout=3,
                           **options)


def fresh_postgres(url: str) -> None:
    """Drop and create the benchmark's own PostgreSQL database (never the project's)."""
    import dj_database_url

    name = dj_database_url.parse(url)["NAME"]
    with _connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def postgres_answers(url: str) -> bool:
    """Whether the PostgreSQL server of `url` takes connections (else that leg is skipped)."""
    try:
        with _connect(url):
            return True
    except Exception:
        return False


def use_database(engine: str, workdir: Path, *, pg_url: str, sqlite_name: str) -> None:
    """Point Django at a fresh database of `engine` in the child process, and set it up."""
    os.environ["EHCFLOW_VAR_DIR"] = str(workdir / "var")
    os.environ["DJANGO_SETTINGS_MODULE"] = "ehcflow.settings"
    if engine == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / sqlite_name}"
    else:
        fresh_postgres(pg_url)
        os.environ["DATABASE_URL"] = pg_url
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def engines_to_run(pg_url: str | None, *, sqlite_only: bool = False) -> list[str]:
    """SQLite always; PostgreSQL too when asked for and it answers (said when it does not)."""
    if pg_url is None or sqlite_only:
        return ["sqlite"]
    if postgres_answers(pg_url):
        return ["sqlite", "postgres"]
    print(f"(PostgreSQL does not answer at {pg_url}: SQLite only)")
    return ["sqlite"]


def run_children(script: str, engines: list[str], workdir: Path,
                 args_for: Callable[[str], list[str]]) -> list[dict[str, Any]] | None:
    """Run `script --engine E --workdir W` (and `args_for(E)`) per engine; each child's JSON
    line, or None (after printing the child's error) when one fails."""
    results = []
    for engine in engines:
        done = subprocess.run(
            [sys.executable, script, "--engine", engine, "--workdir", str(workdir),
             *args_for(engine)], cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return None
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return results


def run_per_engine(script: str, *, prefix: str, pg_url: str | None,
                   write_register: Callable[[Path], None]) -> list[dict[str, Any]] | None:
    """Write the register once, run `script --engine E` per engine; each child's JSON line.

    `pg_url` None runs SQLite only. None is returned (after printing the child's error) when a
    child fails.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        workdir = Path(tmp)
        register = workdir / "register.csv"
        write_register(register)
        engines = ["sqlite"] + (["postgres"] if pg_url and postgres_answers(pg_url) else [])
        return run_children(script, engines, workdir, lambda _: ["--register", str(register)])


def child_arguments(doc: str) -> Any:
    """The hidden arguments a benchmark's child process is run with."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    parser.add_argument("--register", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()
