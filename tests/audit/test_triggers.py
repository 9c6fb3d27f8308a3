"""The append-only logs refuse the rewrites the security probe found (issue 9, finding 3).

Before casework migration 0009: on SQLite `INSERT OR REPLACE` / `REPLACE INTO` rewrote
rows (REPLACE does not fire the delete trigger); on PostgreSQL `TRUNCATE` emptied both logs
(the triggers were per row).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction

from ehcflow.audit.models import Disposal
from ehcflow.casework.models import CaseEvent, RecordAccess
from tests.audit.conftest import settle, sql

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'")
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'")


def refused(statement: str, params: list[object] | None = None) -> None:
    settle()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql(statement, params)


def columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, table)]


def replace_statement(verb: str, table: str) -> tuple[str, list[object]]:
    """The attacker's statement: the same row again, with every column copied but one."""
    names = columns(table)
    changed = "description" if table == "casework_caseevent" else "page"
    select = ", ".join("'rewritten'" if n == changed else f'"{n}"' for n in names)
    return (f'{verb} INTO "{table}" ({", ".join(names)}) '
            f'SELECT {select} FROM "{table}" WHERE id = (SELECT min(id) FROM "{table}")', [])


@sqlite_only
@pytest.mark.parametrize("verb", ["INSERT OR REPLACE", "REPLACE"])
def test_sqlite_replace_cannot_rewrite_a_case_event(events: list[CaseEvent], verb: str) -> None:
    refused(*replace_statement(verb, "casework_caseevent"))
    assert CaseEvent.objects.get(pk=events[0].pk).description == events[0].description


@sqlite_only
@pytest.mark.parametrize("verb", ["INSERT OR REPLACE", "REPLACE"])
def test_sqlite_replace_cannot_rewrite_the_access_log(log_access: Callable[..., None],
                                                      verb: str) -> None:
    log_access(page="child")
    refused(*replace_statement(verb, "casework_recordaccess"))
    assert list(RecordAccess.objects.values_list("page", flat=True)) == ["child"]


@sqlite_only
def test_sqlite_replace_cannot_rewrite_a_disposal_record(events: list[CaseEvent]) -> None:
    from ehcflow.audit.disposal import dispose

    dispose(CaseEvent.objects.filter(pk=events[0].pk), reason="test", by="test")
    refused('REPLACE INTO audit_disposal SELECT id, log, seq, row_hash, row_public_id, '
            "row_time, disposed_at, 'someone else', reason FROM audit_disposal")
    assert Disposal.objects.get().disposed_by == "test"


@postgres_only
@pytest.mark.parametrize("table", ["casework_caseevent", "casework_recordaccess",
                                   "audit_disposal"])
def test_postgres_truncate_is_refused(events: list[CaseEvent], log_access: Callable[..., None],
                                      table: str) -> None:
    from ehcflow.audit.disposal import dispose

    log_access()
    dispose(CaseEvent.objects.filter(pk=events[-1].pk), reason="test", by="test")
    refused(f'TRUNCATE "{table}"')
    refused(f'TRUNCATE "{table}" CASCADE')
    assert CaseEvent.objects.count() == len(events) - 1
    assert RecordAccess.objects.count() == 1
    assert Disposal.objects.count() == 1


@postgres_only
def test_postgres_truncate_of_an_empty_log_erases_nothing_and_is_allowed(db: None) -> None:
    """Django's test flush empties every table with TRUNCATE: an empty log may be emptied."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute('TRUNCATE "audit_disposal"')
        cursor.execute("SELECT count(*) FROM audit_disposal")
        assert cursor.fetchone() == (0,)


@postgres_only
def test_postgres_truncating_the_children_cascade_is_refused(events: list[CaseEvent]) -> None:
    refused('TRUNCATE "casework_child" CASCADE')
    assert CaseEvent.objects.count() == len(events)


@pytest.mark.parametrize("statement", [
    "UPDATE casework_caseevent SET description = 'rewritten'",
    "DELETE FROM casework_caseevent",
    "UPDATE casework_recordaccess SET page = 'rewritten'",
    "DELETE FROM casework_recordaccess",
])
def test_update_and_delete_are_still_refused(events: list[CaseEvent],
                                             log_access: Callable[..., None],
                                             statement: str) -> None:
    log_access()
    refused(statement)
    assert CaseEvent.objects.count() == len(events)
    assert RecordAccess.objects.count() == 1


def test_an_upsert_is_refused(events: list[CaseEvent]) -> None:
    names = columns("casework_caseevent")
    quoted = ", ".join(f'"{n}"' for n in names)
    refused(f'INSERT INTO casework_caseevent ({quoted}) SELECT {quoted} FROM casework_caseevent '
            "WHERE id = (SELECT min(id) FROM casework_caseevent) "
            "ON CONFLICT (id) DO UPDATE SET description = 'rewritten'")
