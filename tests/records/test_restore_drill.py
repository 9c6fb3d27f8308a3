"""The restore drill: build an authority, back it up, restore it into fresh databases.

A restore has worked when the restored service gives the same answers as the original: the
same bytes from `export-requests`, the same `kpis`, the audit chains verifying, and a second
backup of the restored database holding the same rows. SQLite to SQLite always; SQLite to
PostgreSQL when a server answers on 127.0.0.1:5432 (database `ehcflow_records`).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.records import drill

pytestmark = pytest.mark.slow

KPI_DATES = ("2024-03-31", "2026-11-01")


@dataclass(frozen=True)
class Source:
    var: Path
    url: str
    backup: Path
    export: bytes
    kpis: dict[str, str]


def _answers(url: str, var: Path, name: str) -> tuple[bytes, dict[str, str]]:
    export = var / f"{name}-register.csv"
    drill.run(["export-requests", str(export)], database=url, var=var)
    kpis = {day: drill.run(["kpis", "--as-of", day, "--json"], database=url, var=var).stdout
            for day in KPI_DATES}
    return export.read_bytes(), kpis


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Source:
    """A small demo authority with accounts, national figures and an access-log entry."""
    var = tmp_path_factory.mktemp("drill")
    url = f"sqlite:///{var / 'source.sqlite3'}"
    drill.run(["migrate", "--noinput", "-v0"], database=url, var=var)
    drill.run(["demo-data", "--seed", "11", "--today", "2026-11-23", "--scale", "0.03"],
              database=url, var=var, extra_env={"EHCFLOW_DEMO": "1"})
    accounts = drill.run(["demo-users", "--json"], database=url, var=var,
                         extra_env={"EHCFLOW_DEMO": "1"})
    drill.run(["national", "load"], database=url, var=var)
    # A subject access request puts a row in the access log, so both chains have links.
    username = json.loads(accounts.stdout)[0]["username"]
    register = var / "before.csv"
    drill.run(["export-requests", str(register)], database=url, var=var)
    person_ref = register.read_text(encoding="utf-8-sig").splitlines()[1].split(",")[1]
    drill.run(["subject-access", "--child", person_ref, "--out", str(var / "sar"),
               "--by", username], database=url, var=var)
    backup = var / "authority.zip"
    drill.run(["backup", "--out", str(backup)], database=url, var=var)
    export, kpis = _answers(url, var, "source")
    return Source(var=var, url=url, backup=backup, export=export, kpis=kpis)


def test_the_backup_holds_accounts_logs_and_casework(source: Source) -> None:
    tables = drill.parts(source.backup)
    for label in ("casework.child", "casework.assessmentrequest", "casework.caseevent",
                  "people.user", "people.staffmember", "insight.nationalfigure"):
        assert tables[label], label
    users = tables["people.user"]
    # Password hashes are kept, so staff sign in with the same passwords after a restore.
    assert all(isinstance(row[1], str) and row[1].startswith(("argon2", "pbkdf2", "md5"))
               for row in users)
    assert "sessions.session" not in tables
    assert len(tables["casework.recordaccess"]) == 1


def test_sqlite_to_sqlite_gives_the_same_answers(source: Source) -> None:
    url = f"sqlite:///{source.var / 'restored.sqlite3'}"
    drill.run(["migrate", "--noinput", "-v0"], database=url, var=source.var)
    done = drill.run(["restore", str(source.backup)], database=url, var=source.var)
    assert "Restored" in done.stdout
    export, kpis = _answers(url, source.var, "restored")
    assert export == source.export
    assert kpis == source.kpis
    if drill.audit_verify_exists():
        drill.run(["audit", "verify"], database=url, var=source.var)
    # Every stored value came back: a backup of the restored database is the same, part for
    # part, to the byte.
    again = source.var / "restored.zip"
    drill.run(["backup", "--out", str(again)], database=url, var=source.var)
    assert drill.part_digests(again) == drill.part_digests(source.backup)
    # A second restore into the now full database is refused and changes nothing.
    refused = drill.run(["restore", str(source.backup)], database=url, var=source.var,
                        check=False)
    assert refused.returncode != 0
    assert "already holds records" in refused.stderr
    with sqlite3.connect(source.var / "restored.sqlite3") as db:
        children = db.execute("SELECT count(*) FROM casework_child").fetchone()[0]
    assert children == len(drill.parts(source.backup)["casework.child"])


@pytest.mark.skipif(not drill.pg_available(), reason="no PostgreSQL server on 127.0.0.1:5432")
def test_sqlite_to_postgresql_gives_the_same_answers(source: Source) -> None:
    url = drill.fresh_pg_database(drill.PG_DRILL_DB)
    drill.run(["migrate", "--noinput", "-v0"], database=url, var=source.var)
    drill.run(["restore", str(source.backup)], database=url, var=source.var)
    export, kpis = _answers(url, source.var, "postgres")
    assert export == source.export
    assert kpis == source.kpis
    if drill.audit_verify_exists():
        drill.run(["audit", "verify"], database=url, var=source.var)
    again = source.var / "postgres.zip"
    drill.run(["backup", "--out", str(again)], database=url, var=source.var)
    # PostgreSQL's jsonb keeps keys in its own order, so rows are compared by value.
    assert drill.parts(again) == drill.parts(source.backup)
    # New rows after the restore get fresh ids: the sequences were moved past the restored
    # rows.
    created = drill.run(
        ["shell", "-c", "from ehcflow.people.models import Team; "
         "print(Team.objects.create(name='Drill team').pk)"],
        database=url, var=source.var)
    team_ids = [row[0] for row in drill.parts(source.backup)["people.team"]]
    assert int(created.stdout.strip().splitlines()[-1]) == max(team_ids) + 1


def test_backup_while_the_site_writes_is_one_snapshot(source: Source) -> None:
    """A row written by another connection mid-backup is not half in the file."""
    db = source.var / "busy.sqlite3"
    db.write_bytes((source.var / "source.sqlite3").read_bytes())
    url = f"sqlite:///{db}"
    script = (
        "import json, sqlite3, sys, zipfile\n"
        "from pathlib import Path\n"
        "import django; django.setup()\n"
        "from ehcflow.records.backup import write_backup\n"
        "other = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=20)\n"
        "written = []\n"
        "def writer(label):\n"
        "    if not written:  # after the first table, before people.team is read\n"
        "        other.execute(\"INSERT INTO people_team (name) VALUES ('Written mid-backup')\")\n"
        "        written.append(label)\n"
        "write_backup(Path(sys.argv[2]), after_table=writer)\n"
        "print(other.execute('SELECT count(*) FROM people_team').fetchone()[0])\n"
    )
    out = source.var / "busy.zip"
    done = drill.run(["shell", "-c",
                      f"import sys; sys.argv = ['x', {str(db)!r}, {str(out)!r}]\n{script}"],
                     database=url, var=source.var)
    teams_now = int(done.stdout.strip().splitlines()[-1])
    backed_up = drill.parts(out)["people.team"]
    assert teams_now == len(backed_up) + 1
    assert "Written mid-backup" not in json.dumps(backed_up)
