"""`ehcflow backup`: the whole database in one consistent, checksummed, engine-neutral file.

The file is a zip holding one JSON-lines part per table (`data/<app>.<model>.jsonl`, one JSON
array a row, columns in the order the manifest lists) and `manifest.json`: the format and
version, the migration state of the database, and per table its columns, row count, byte
count and SHA-256. The manifest's own `digest` is the SHA-256 of everything else in it, so it
covers every part; a sidecar `FILE.sha256` (in `sha256sum` format) covers the file as moved.

Consistency while the site runs: every table is read inside one read-only snapshot
(REPEATABLE READ on PostgreSQL; one deferred read transaction on SQLite, whose WAL journal
keeps the snapshot while officers go on writing). Memory stays flat whatever the size of the
authority: rows are read in chunks and streamed through the zip.

Children's records are special category personal data (UK GDPR art. 9, 32): the file is
written with owner-only permissions and must be stored encrypted (see
docs/operations/backup-and-restore.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder

from ehcflow.records import tables

FORMAT = "ehcflow-backup"
VERSION = 1
MANIFEST = "manifest.json"
CHUNK_ROWS = 2000
#: Compressed writes are batched: one zip write per ~1 MB rather than per row.
WRITE_BYTES = 1 << 20


@dataclass(frozen=True)
class BackupResult:
    path: Path
    tables: int
    rows: int
    size: int
    sha256: str


def applied_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[list[str]]:
    """The database's migration state as sorted [app, name] pairs."""
    recorder = MigrationRecorder(connections[alias])
    return sorted([app, name] for app, name in recorder.applied_migrations())


def manifest_digest(manifest: dict[str, Any]) -> str:
    """SHA-256 of the manifest without its digest, in a canonical JSON form."""
    body = {key: value for key, value in manifest.items() if key != "digest"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def part_name(model: type[models.Model]) -> str:
    return f"data/{model._meta.label_lower}.jsonl"


@contextmanager
def read_snapshot(alias: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """One read-only snapshot of the whole database for the duration of the block.

    Inside a caller's transaction (the tests') that transaction is the snapshot already.
    """
    connection = connections[alias]
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            # The first statement of the transaction: every later read sees the same instant.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    if connection.vendor == "sqlite":
        # Django's SQLite transactions begin IMMEDIATE (a write lock) and Python's sqlite3
        # would not open one for SELECTs at all; a deferred BEGIN plus a first read pins a
        # WAL snapshot without blocking writers.
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
            cursor.execute("SELECT count(*) FROM sqlite_master")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
        return
    with transaction.atomic(using=alias):
        yield


def _rows(model: type[models.Model], fields: list[Any], alias: str) -> Iterator[tuple[Any, ...]]:
    query = (model._base_manager.using(alias).order_by("pk")
             .values_list(*[field.attname for field in fields]))
    yield from query.iterator(chunk_size=CHUNK_ROWS)


def _encode(row: tuple[Any, ...], encode: list[Callable[[Any], Any] | None]) -> list[Any]:
    return [value if value is None or fn is None else fn(value)
            for value, fn in zip(row, encode, strict=True)]


def write_backup(
    out: Path, *, alias: str = DEFAULT_DB_ALIAS,
    after_table: Callable[[str], None] | None = None,
) -> BackupResult:
    """Write the backup to `out` (atomically: a partial file never takes its name).

    `after_table` is called with each table's label once it is written (progress, and the
    tests' way to write concurrently mid-backup).
    """
    out = Path(out)
    if out.exists():
        raise FileExistsError(str(out))
    created = datetime.now(UTC).isoformat()
    entries: list[dict[str, Any]] = []
    handle, temp_name = tempfile.mkstemp(prefix=".backup-", suffix=".partial", dir=out.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        os.chmod(temp, 0o600)
        with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED,
                             compresslevel=6) as archive:
            with read_snapshot(alias):
                migrations = applied_migrations(alias)
                for model in tables.backed_up_models():
                    entries.append(_write_table(archive, model, alias))
                    if after_table is not None:
                        after_table(model._meta.label_lower)
            manifest: dict[str, Any] = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": created,
                "engine": connections[alias].vendor,
                "migrations": migrations,
                "tables": entries,
            }
            manifest["digest"] = manifest_digest(manifest)
            archive.writestr(MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
        digest = file_sha256(temp)
        temp.replace(out)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    sidecar = sidecar_path(out)
    sidecar.write_text(f"{digest}  {out.name}\n", encoding="ascii")
    return BackupResult(path=out, tables=len(entries),
                        rows=sum(entry["rows"] for entry in entries),
                        size=out.stat().st_size, sha256=digest)


def _write_table(archive: zipfile.ZipFile, model: type[models.Model],
                 alias: str) -> dict[str, Any]:
    fields = tables.columns(model)
    encode = tables.encoders(fields)
    digest = hashlib.sha256()
    rows = size = 0
    name = part_name(model)
    buffer: list[bytes] = []
    buffered = 0
    info = zipfile.ZipInfo(name, date_time=datetime.now().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=True) as stream:
        for row in _rows(model, fields, alias):
            line = (json.dumps(_encode(row, encode), ensure_ascii=False,
                               separators=(",", ":")) + "\n").encode("utf-8")
            digest.update(line)
            buffer.append(line)
            buffered += len(line)
            rows += 1
            if buffered >= WRITE_BYTES:
                stream.write(b"".join(buffer))
                size += buffered
                buffer, buffered = [], 0
        if buffer:
            stream.write(b"".join(buffer))
            size += buffered
    return {
        "model": model._meta.label_lower,
        "table": model._meta.db_table,
        "columns": [field.column for field in fields],
        "rows": rows,
        "bytes": size,
        "sha256": digest.hexdigest(),
        "part": name,
    }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")
