"""Running `ehcflow` commands against databases of their own, for the restore drill.

The drill needs databases other than the test database (a source and fresh targets on both
engines), so it runs the real console commands in child processes, each with its own
DATABASE_URL, exactly as an operator would.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import ehcflow

ROOT = Path(ehcflow.__file__).resolve().parent.parent
PG_SERVER = os.environ.get("EHCFLOW_RECORDS_PG", "postgres://postgres@127.0.0.1:5432")
PG_DRILL_DB = "ehcflow_records"


def run(args: list[str], *, database: str, var: Path, check: bool = True,
        extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `ehcflow ARGS` on `database`; fail the test with its output if it fails."""
    env = {**os.environ, "DATABASE_URL": database, "EHCFLOW_VAR_DIR": str(var),
           "PYTHONPATH": str(ROOT), **(extra_env or {})}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from ehcflow.cli import main; "
         "sys.argv[0] = 'ehcflow'; main()", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"ehcflow {' '.join(args)} failed ({done.returncode}):\n"
                             f"{done.stdout}\n{done.stderr}")
    return done


def audit_verify_exists() -> bool:
    """`ehcflow audit verify` arrives with the audit app; the drill uses it once it exists."""
    from django.apps import apps

    return (apps.is_installed("ehcflow.audit")
            and importlib.util.find_spec("ehcflow.audit.management.commands.audit") is not None)


def pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=2):
            return True
    except Exception:
        return False


def fresh_pg_database(name: str) -> str:
    """Drop and create a PostgreSQL database of the records engineer's own; return its URL."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}"


def parts(path: Path) -> dict[str, list[Any]]:
    """Every table of a backup, as decoded rows (JSON objects compared by value)."""
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        return {entry["model"]: [json.loads(line) for line in
                                 archive.read(entry["part"]).splitlines()]
                for entry in manifest["tables"]}


def part_digests(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    return {entry["model"]: entry["sha256"] for entry in manifest["tables"]}
