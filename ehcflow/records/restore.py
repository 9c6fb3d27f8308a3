"""`ehcflow restore FILE`: load a backup into an empty database of either engine.

Every check that can refuse runs before the first row is written, and the load itself is one
transaction, so a refused or failed restore changes nothing:

1. the file is a complete zip written by `ehcflow backup` (not truncated, not someone else's);
2. its sidecar checksum (when present), the manifest's digest and every part's SHA-256 and
   row count match: the whole file is read once to prove it before loading;
3. the database has the same migrations applied as the database that was backed up;
4. the database holds no records (only what `migrate` writes itself).

Rows keep their primary keys and every stored value, so hash chains over them verify after
the move; on PostgreSQL the id sequences are set past the restored rows.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.utils import IntegrityError

from ehcflow.records import backup, tables

INSERT_BATCH = 1000


class RestoreRefused(Exception):
    """The backup cannot be restored here; the message says why in plain words."""


@dataclass(frozen=True)
class RestoreResult:
    tables: int
    rows: int


def read_manifest(path: Path) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    """Open the backup and check its manifest; the caller closes the zip."""
    if not path.is_file():
        raise RestoreRefused(f"There is no file at {path}.")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise RestoreRefused(
            f"{path} is not a complete backup: the file is damaged, cut short or not a "
            "backup at all. Nothing was changed.") from None
    try:
        raw = archive.read(backup.MANIFEST)
        manifest = json.loads(raw)
    except KeyError:
        archive.close()
        raise RestoreRefused(f"{path} is not a backup made by this service (it has no "
                             "manifest). Nothing was changed.") from None
    except (zipfile.BadZipFile, ValueError, OSError):
        archive.close()
        raise RestoreRefused(f"{path} is damaged: its manifest cannot be read. "
                             "Nothing was changed.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != backup.FORMAT:
        archive.close()
        raise RestoreRefused(f"{path} is not a backup made by this service. "
                             "Nothing was changed.")
    if manifest.get("version") != backup.VERSION:
        archive.close()
        raise RestoreRefused(
            f"{path} is a backup in format version {manifest.get('version')}; this release "
            f"reads version {backup.VERSION}. Nothing was changed.")
    if manifest.get("digest") != backup.manifest_digest(manifest):
        archive.close()
        raise RestoreRefused(f"{path} is damaged: its manifest does not match its checksum. "
                             "Nothing was changed.")
    return archive, manifest


def verify(path: Path) -> dict[str, Any]:
    """Prove the whole file before anything is written; return the manifest."""
    sidecar = backup.sidecar_path(path)
    if sidecar.is_file():
        expected = sidecar.read_text(encoding="ascii", errors="replace").split()[:1]
        if expected != [backup.file_sha256(path)]:
            raise RestoreRefused(
                f"{path} does not match its checksum file {sidecar.name}: it has been changed "
                "or damaged since the backup was taken. Nothing was changed.")
    archive, manifest = read_manifest(path)
    with archive:
        names = set(archive.namelist())
        for entry in manifest["tables"]:
            if entry["part"] not in names:
                raise RestoreRefused(f"{path} is incomplete: the {entry['model']} table is "
                                     "missing. Nothing was changed.")
            digest = hashlib.sha256()
            rows = 0
            try:
                with archive.open(entry["part"]) as stream:
                    for line in stream:
                        digest.update(line)
                        rows += 1
            except (zipfile.BadZipFile, OSError, EOFError):
                raise RestoreRefused(f"{path} is damaged in the {entry['model']} table. "
                                     "Nothing was changed.") from None
            if digest.hexdigest() != entry["sha256"] or rows != entry["rows"]:
                raise RestoreRefused(f"{path} is damaged: the {entry['model']} table does not "
                                     "match its checksum. Nothing was changed.")
    return manifest


def check_schema(manifest: dict[str, Any], alias: str) -> dict[str, type[models.Model]]:
    """Same migrations, same tables and columns; return the models by label."""
    ours = backup.applied_migrations(alias)
    theirs = sorted(list(pair) for pair in manifest["migrations"])
    if ours != theirs:
        only_backup = len({tuple(p) for p in theirs} - {tuple(p) for p in ours})
        only_here = len({tuple(p) for p in ours} - {tuple(p) for p in theirs})
        raise RestoreRefused(
            "The backup was taken from a different version of the database: it has "
            f"{only_backup} change{'s' if only_backup != 1 else ''} to the database design "
            f"that this database lacks, and this database has {only_here} that the backup "
            "lacks. Restore into a database migrated by the same release as the backup. "
            "Nothing was changed.")
    found = {model._meta.label_lower: model for model in tables.backed_up_models()}
    listed = {entry["model"] for entry in manifest["tables"]}
    if listed != set(found):
        raise RestoreRefused("The backup's tables do not match this release's tables. "
                             "Nothing was changed.")
    for entry in manifest["tables"]:
        wanted = [field.column for field in tables.columns(found[entry["model"]])]
        if entry["columns"] != wanted:
            raise RestoreRefused(f"The backup's {entry['model']} table does not have this "
                                 "release's columns. Nothing was changed.")
    return found


def check_empty(found: dict[str, type[models.Model]], alias: str) -> None:
    holding = []
    for label, model in found.items():
        rows = model._base_manager.using(alias).all()
        if label in tables.GENERATED_BY_MIGRATE:
            counted = tables.GENERATED_BY_MIGRATE[label]
            if not counted:
                continue  # only ever what migrate writes
            rows = rows.filter(**counted)
        if rows.exists():
            holding.append(label)
    if holding:
        raise RestoreRefused(
            "The database already holds records, so the backup was not restored (a restore "
            "never merges into or overwrites live records). Restore into a new, empty "
            f"database. Tables holding rows: {', '.join(sorted(holding))}. Nothing was "
            "changed.")


def _lines(archive: zipfile.ZipFile, part: str) -> Iterator[list[Any]]:
    with archive.open(part) as stream:
        for line in stream:
            yield json.loads(line)


def restore_backup(path: Path, *, alias: str = DEFAULT_DB_ALIAS) -> RestoreResult:
    """Check everything, then load the backup in one transaction (see the module docstring)."""
    path = Path(path)
    manifest = verify(path)
    found = check_schema(manifest, alias)
    connection = connections[alias]
    archive, _ = read_manifest(path)
    total = 0
    with archive:
        try:
            with transaction.atomic(using=alias):
                check_empty(found, alias)
                with connection.cursor() as cursor:
                    # Sessions are never backed up; none may outlive a restore either.
                    for label in ("sessions.session", *tables.GENERATED_BY_MIGRATE):
                        model = _model(label)
                        if model is not None:
                            cursor.execute(
                                f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
                    for entry in manifest["tables"]:
                        total += _load_table(cursor, archive, entry, found[entry["model"]],
                                             alias)
                    if connection.vendor == "postgresql":
                        # Check every deferred foreign key now, inside this block, so a bad
                        # reference is refused here even when the caller's transaction
                        # commits later.
                        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                        for sql in connection.ops.sequence_reset_sql(no_style(),
                                                                     list(found.values())):
                            cursor.execute(sql)
                    if connection.vendor == "sqlite":
                        # Report a broken reference now, with a message, not as a failed commit.
                        cursor.execute("PRAGMA foreign_key_check")
                        if cursor.fetchone() is not None:
                            raise RestoreRefused(
                                "The backup's records do not fit together (a reference points "
                                "at a missing record). Nothing was changed.")
        except IntegrityError:
            raise RestoreRefused("The backup's records do not fit together (a reference "
                                 "points at a missing record, or a value breaks a rule of the "
                                 "database). Nothing was changed.") from None
        except (ValueError, TypeError, ArithmeticError):
            raise RestoreRefused("The backup holds a value this database cannot take. "
                                 "Nothing was changed.") from None
        except DatabaseError as error:
            raise RestoreRefused(f"The database refused the restore ({error.__class__.__name__})"
                                 ". Nothing was changed.") from error
    return RestoreResult(tables=len(manifest["tables"]), rows=total)


def _model(label: str) -> type[models.Model] | None:
    from django.apps import apps

    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _preparer(field: Any, decode: Callable[[Any], Any] | None,
              connection: Any) -> Callable[[Any], Any]:
    if decode is None:
        return lambda value: field.get_db_prep_save(value, connection)
    return lambda value: field.get_db_prep_save(decode(value), connection)


def _load_table(cursor: Any, archive: zipfile.ZipFile, entry: dict[str, Any],
                model: type[models.Model], alias: str) -> int:
    connection = connections[alias]
    fields = tables.columns(model)
    decode = tables.decoders(fields)
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} "
           f"({', '.join(quote(str(field.column)) for field in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    # Per column: None to pass the JSON value through, else decode and let the field adapt it
    # for this engine exactly as the ORM would.
    prepare: list[Callable[[Any], Any] | None] = [
        None if fn is None and tables.value_kind(field) in tables.PASS_THROUGH
        else _preparer(field, fn, connection) for field, fn in zip(fields, decode, strict=True)]
    width = len(fields)
    batch: list[list[Any]] = []
    count = 0
    for row in _lines(archive, entry["part"]):
        if len(row) != width:
            raise RestoreRefused(f"The backup's {entry['model']} table has a row of the wrong "
                                 "width. Nothing was changed.")
        batch.append([value if value is None or prep is None else prep(value)
                      for value, prep in zip(row, prepare, strict=True)])
        if len(batch) >= INSERT_BATCH:
            cursor.executemany(sql, batch)
            count += len(batch)
            batch = []
    if batch:
        cursor.executemany(sql, batch)
        count += len(batch)
    return count
