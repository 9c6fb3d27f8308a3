"""A large import builds the secondary indexes after its rows: the schema it leaves is the
schema `migrate` made, the append-only triggers still hold, and a failure restores both."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from ehcflow.casework.models import (
    AssessmentRequest,
    CaseEvent,
    Child,
    EHCPlan,
    StatutoryException,
)
from ehcflow.register import bulk, importer, writes
from tests.register.conftest import import_file, register_row, table_counts, write_csv

pytestmark = pytest.mark.django_db

FILLED = (Child, AssessmentRequest, StatutoryException, EHCPlan, CaseEvent)


def schema_objects() -> dict[str, str | None]:
    """Every index and trigger of the database, by name, with its definition."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes "
                           "WHERE schemaname = current_schema()")
            found = dict(cursor.fetchall())
            cursor.execute("SELECT tgname, tgrelid::regclass::text FROM pg_trigger "
                           "WHERE NOT tgisinternal")
            found.update({f"trigger {name}": table for name, table in cursor.fetchall()})
            return found
        cursor.execute("SELECT type || ' ' || name, sql FROM sqlite_master "
                       "WHERE type IN ('index', 'trigger')")
        return dict(cursor.fetchall())


def case_events_refuse_changes() -> None:
    event_id = CaseEvent.objects.values_list("id", flat=True).first()
    assert event_id is not None
    for statement in ("UPDATE casework_caseevent SET action = 'rewritten' WHERE id = %s",
                      "DELETE FROM casework_caseevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute(statement, [event_id])
    assert CaseEvent.objects.filter(id=event_id).exclude(action="rewritten").exists()


def big_register(path: Path, rows: int = 60) -> Path:
    return write_csv(path, [
        register_row(case_ref=f"BIG-{n:04d}", person_id=f"Q{n:04d}", date_of_birth="2015-03-14",
                     request_date="2023-01-09", decision_date="2023-02-01", decision="assess",
                     outcome_date="2023-04-03", outcome="plan", draft_date="2023-04-10",
                     final_date="2023-05-02", exception="school_closure" if n % 7 == 0 else "",
                     officer=f"Officer {n % 5}")
        for n in range(1, rows + 1)])


def test_a_large_import_leaves_the_indexes_and_triggers_migrate_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(writes, "DEFER_INDEXES_FROM", 10)
    deferred: list[bool] = []
    decide = writes.BatchWriter.defer_indexes

    def recorded(self: writes.BatchWriter) -> bool:
        deferred.append(decide(self))
        return deferred[-1]

    monkeypatch.setattr(writes.BatchWriter, "defer_indexes", recorded)
    before = schema_objects()
    assert import_file(big_register(tmp_path / "big.csv")).status == 0
    assert deferred == [connection.vendor == "sqlite"]
    assert AssessmentRequest.objects.count() == EHCPlan.objects.count() == 60
    assert schema_objects() == before
    case_events_refuse_changes()


def test_the_deferred_indexes_are_the_secondary_ones_and_come_back_on_both_engines() -> None:
    before = schema_objects()
    names = {name for model in FILLED for name in bulk.secondary_indexes(model)}
    # the foreign keys' and Meta.indexes' indexes, never a unique one
    assert len(names) >= 15
    assert all(f"index {name}" in before or name in before for name in names)
    with transaction.atomic(), bulk.indexes_deferred(*FILLED):
        during = schema_objects()
        assert not any(f"index {name}" in during or name in during for name in names)
        assert not any(name for name in before if name not in during
                       and name.split(" ")[-1] not in names)
    assert schema_objects() == before
    assert bulk.secondary_indexes(CaseEvent)  # found again by name, with migrate's definition


def test_a_failure_during_a_large_import_restores_rows_and_indexes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixture: Callable[[str], Path],
) -> None:
    assert import_file(fixture("good.csv")).status == 0
    monkeypatch.setattr(writes, "DEFER_INDEXES_FROM", 10)
    monkeypatch.setattr(writes.BatchWriter, "defer_indexes", lambda self: True)

    def fail(self: writes.BatchWriter, now: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(writes.BatchWriter, "_update_requests", fail)
    before, counts = schema_objects(), table_counts()
    with pytest.raises(RuntimeError, match="disk full"):
        importer.import_register(big_register(tmp_path / "big.csv"))
    assert table_counts() == counts
    assert schema_objects() == before
    case_events_refuse_changes()

