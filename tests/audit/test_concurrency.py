"""Concurrent writers do not fork the chain: several processes append at once, and every
row still links to the one before it (the chain head's lock serialises them).

Runs against a database of its own (a file on SQLite, a fresh database on PostgreSQL),
because the writers must commit, which the test database's transaction would not allow.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
WORKERS, EACH = 4, 25

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[str]:
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'chain.sqlite3'}"
        return
    settings = connection.settings_dict
    name = f"{settings['NAME']}_chain"
    admin = psycopg.connect(host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432,
                            user=settings["USER"], password=settings["PASSWORD"] or None,
                            dbname="postgres", autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    user = settings["USER"]
    yield (f"postgres://{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
           f"/{name}")
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def run(args: list[str], url: str, tmp_path: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": url, "EHCFLOW_VAR_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "ehcflow.settings"}
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finished(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-2000:]
    return out


def test_concurrent_writers_keep_one_chain(own_database: str, tmp_path: Path) -> None:
    ehcflow = [sys.executable, "-m", "django"]
    finished(run([*ehcflow, "migrate", "--no-input"], own_database, tmp_path))
    writers = [run([sys.executable, "-m", "tests.audit.concurrent_writer", str(w), str(EACH)],
                   own_database, tmp_path) for w in range(WORKERS)]
    for writer in writers:
        finished(writer)
    line = finished(run([*ehcflow, "audit", "verify"], own_database, tmp_path))
    total = WORKERS * EACH
    assert f"case-event log {total} rows" in line
    assert f"access log {total} rows" in line
