"""Backup and restore in the test database: what the file holds, and every refusal.

A refused restore must say why in plain words and change nothing.
"""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from ehcflow.casework.models import Child
from ehcflow.people.models import Team
from ehcflow.records import backup, restore, tables


def _rewrite(source: Path, target: Path, change: dict[str, bytes | None]) -> None:
    """Copy a backup, replacing (or dropping, for None) some of its members."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename in change:
                data = change[info.filename]
                if data is not None:
                    new.writestr(info.filename, data)
            else:
                new.writestr(info.filename, old.read(info.filename))


def _manifest(path: Path) -> dict:  # type: ignore[type-arg]
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("manifest.json"))  # type: ignore[no-any-return]


@pytest.fixture
def empty_backup(db: None, tmp_path: Path) -> Path:
    """A backup of a database that holds no records (only what migrate writes)."""
    out = tmp_path / "empty.zip"
    backup.write_backup(out)
    return out


@pytest.fixture
def full_backup(child: Child, tmp_path: Path) -> Path:
    out = tmp_path / "full.zip"
    backup.write_backup(out)
    return out


def test_every_model_of_every_app_is_in_the_backup(full_backup: Path) -> None:
    manifest = _manifest(full_backup)
    listed = [entry["model"] for entry in manifest["tables"]]
    expected = {model._meta.label_lower for model in apps.get_models(include_auto_created=True)
                if model._meta.managed and not model._meta.proxy} - {"sessions.session"}
    assert set(listed) == expected
    assert len(listed) == len(set(listed))
    for label in ("casework.caseevent", "casework.recordaccess", "people.user",
                  "people.user_groups", "insight.snapshot", "planning.savedscenario"):
        assert label in listed
    # Parents come before the tables that point at them (where there is no cycle).
    assert listed.index("casework.child") < listed.index("casework.assessmentrequest")
    assert listed.index("casework.assessmentrequest") < listed.index("casework.advicerequest")
    assert manifest["migrations"] == backup.applied_migrations()
    assert manifest["digest"] == backup.manifest_digest(manifest)


def test_the_manifest_counts_and_checksums_each_part(full_backup: Path) -> None:
    manifest = _manifest(full_backup)
    children = next(e for e in manifest["tables"] if e["model"] == "casework.child")
    events = next(e for e in manifest["tables"] if e["model"] == "casework.caseevent")
    assert children["rows"] == 1
    assert events["rows"] == 1  # the child's creation
    with zipfile.ZipFile(full_backup) as archive:
        line = archive.read(children["part"])
    row = dict(zip(children["columns"], json.loads(line), strict=True))
    assert row["person_ref"] == "P0001"
    assert row["date_of_birth"] == "2015-03-14"
    import hashlib
    assert hashlib.sha256(line).hexdigest() == children["sha256"]
    sidecar = backup.sidecar_path(full_backup).read_text()
    assert sidecar == f"{backup.file_sha256(full_backup)}  full.zip\n"


def test_values_are_written_engine_neutrally_and_read_back_exactly() -> None:
    from django.db import models

    kinds: dict[models.Field[Any, Any], object] = {
        models.DateTimeField(): datetime(2026, 3, 1, 9, 30, 5, 123456, tzinfo=UTC),
        models.DateField(): date(2015, 3, 14),
        models.DecimalField(max_digits=3, decimal_places=2): Decimal("0.60"),
        models.UUIDField(): UUID("12345678-1234-5678-1234-567812345678"),
        models.DurationField(): timedelta(days=3, microseconds=7),
        models.BinaryField(): b"\x00\xffbytes",
    }
    for field, value in kinds.items():
        encode = tables.encoders([field])[0]
        decode = tables.decoders([field])[0]
        assert encode is not None and decode is not None
        written = json.loads(json.dumps(encode(value)))
        assert decode(written) == value, field


def test_restore_into_an_empty_database_loads_every_row(empty_backup: Path) -> None:
    result = restore.restore_backup(empty_backup)
    assert result.tables == len(tables.backed_up_models())
    # Content types and permissions are replaced by the backup's own, not doubled.
    manifest = _manifest(empty_backup)
    permissions = next(e for e in manifest["tables"] if e["model"] == "auth.permission")
    from django.contrib.auth.models import Permission
    assert Permission.objects.count() == permissions["rows"]


def test_restore_refuses_a_database_holding_records(full_backup: Path) -> None:
    Team.objects.create(name="Already here")
    with pytest.raises(CommandError, match="already holds records"):
        call_command("restore", str(full_backup))
    assert Child.objects.count() == 1
    assert Team.objects.count() == 1


def test_restore_refuses_a_changed_part(empty_backup: Path, tmp_path: Path) -> None:
    manifest = _manifest(empty_backup)
    entry = next(e for e in manifest["tables"] if e["model"] == "auth.permission")
    with zipfile.ZipFile(empty_backup) as archive:
        data = archive.read(entry["part"])
    tampered = tmp_path / "tampered.zip"
    _rewrite(empty_backup, tampered, {entry["part"]: data.replace(b"Can add", b"Can ADD", 1)})
    with pytest.raises(restore.RestoreRefused, match="does not match its checksum"):
        restore.restore_backup(tampered)
    assert not Child.objects.exists()


def test_restore_refuses_a_file_changed_after_the_backup(empty_backup: Path) -> None:
    with open(empty_backup, "r+b") as stream:
        stream.seek(10)
        byte = stream.read(1)
        stream.seek(10)
        stream.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(restore.RestoreRefused, match="does not match its checksum file"):
        restore.restore_backup(empty_backup)


def test_restore_refuses_a_truncated_file(full_backup: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.zip"
    cut.write_bytes(full_backup.read_bytes()[: full_backup.stat().st_size // 2])
    with pytest.raises(CommandError, match="not a complete backup"):
        call_command("restore", str(cut))
    assert Child.objects.count() == 1


def test_restore_refuses_a_foreign_file(db: None, tmp_path: Path) -> None:
    other = tmp_path / "photos.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("holiday.jpg", b"not a backup")
    with pytest.raises(restore.RestoreRefused, match="not a backup made by this service"):
        restore.restore_backup(other)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(restore.RestoreRefused, match="not a complete backup"):
        restore.restore_backup(text)
    with pytest.raises(restore.RestoreRefused, match="There is no file"):
        restore.restore_backup(tmp_path / "missing.zip")


def test_restore_refuses_another_migration_state(empty_backup: Path, tmp_path: Path) -> None:
    manifest = _manifest(empty_backup)
    manifest["migrations"] = manifest["migrations"][:-1]
    manifest["digest"] = backup.manifest_digest(manifest)
    older = tmp_path / "older.zip"
    _rewrite(empty_backup, older, {"manifest.json": json.dumps(manifest).encode()})
    with pytest.raises(restore.RestoreRefused, match="different version of the database"):
        restore.restore_backup(older)
    assert not Team.objects.exists()


def test_restore_refuses_a_manifest_edited_without_its_digest(
        empty_backup: Path, tmp_path: Path) -> None:
    manifest = _manifest(empty_backup)
    manifest["tables"][0]["rows"] += 1
    edited = tmp_path / "edited.zip"
    _rewrite(empty_backup, edited, {"manifest.json": json.dumps(manifest).encode()})
    with pytest.raises(restore.RestoreRefused, match="manifest does not match"):
        restore.restore_backup(edited)


def test_backup_never_overwrites_a_file(db: None, tmp_path: Path) -> None:
    out = tmp_path / "exists.zip"
    out.write_text("keep me")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", "--out", str(out))
    assert out.read_text() == "keep me"
    assert [p.name for p in tmp_path.iterdir()] == ["exists.zip"]


def test_a_backup_whose_rows_do_not_fit_together_changes_nothing(
        empty_backup: Path, tmp_path: Path) -> None:
    """Permissions pointing at content types that are not there: refused, all rolled back."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    manifest = _manifest(empty_backup)
    entry = next(e for e in manifest["tables"] if e["model"] == "contenttypes.contenttype")
    import hashlib
    entry.update(rows=0, bytes=0, sha256=hashlib.sha256(b"").hexdigest())
    manifest["digest"] = backup.manifest_digest(manifest)
    broken = tmp_path / "broken.zip"
    _rewrite(empty_backup, broken, {entry["part"]: b"",
                                    "manifest.json": json.dumps(manifest).encode()})
    permissions = sorted(Permission.objects.values_list("pk", "codename"))
    types = ContentType.objects.count()
    with pytest.raises(restore.RestoreRefused, match="do not fit together"):
        restore.restore_backup(broken)
    assert sorted(Permission.objects.values_list("pk", "codename")) == permissions
    assert ContentType.objects.count() == types
