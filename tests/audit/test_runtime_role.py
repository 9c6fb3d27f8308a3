"""The PostgreSQL runtime role can read and append to the logs, and nothing more."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from ehcflow.casework.models import CaseEvent, Child
from tests.audit.conftest import settle, sql

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif("connection.vendor != 'postgresql'")]

ROLE = "ehcflow_audit_test_runtime"


@pytest.fixture
def runtime_role(db: None) -> Iterator[str]:
    """The role, made by the command inside the test's transaction (so rolled back with it:
    PostgreSQL's CREATE ROLE and GRANT are transactional)."""
    call_command("audit", "runtime-role", "--role", ROLE, stdout=StringIO())
    yield ROLE
    sql("RESET ROLE")


def as_role(role: str, statement: str) -> None:
    settle()
    with transaction.atomic():
        sql(f'SET LOCAL ROLE "{role}"')
        sql(statement)


@pytest.mark.parametrize("statement", [
    "TRUNCATE casework_caseevent",
    "TRUNCATE casework_recordaccess",
    "TRUNCATE audit_disposal",
    "ALTER TABLE casework_caseevent DISABLE TRIGGER USER",
    "ALTER TABLE casework_recordaccess ADD COLUMN note text",
    "DROP TRIGGER casework_caseevent_append_only ON casework_caseevent",
    "UPDATE casework_caseevent SET description = 'x'",
    "DELETE FROM casework_caseevent",
    "UPDATE casework_recordaccess SET page = 'x'",
    "DELETE FROM casework_recordaccess",
    "DELETE FROM audit_disposal",
    "DELETE FROM audit_chainhead",
])
def test_the_runtime_role_cannot_rewrite_the_logs(runtime_role: str, events: list[CaseEvent],
                                                  statement: str) -> None:
    with pytest.raises(DatabaseError, match=r"permission denied|must be owner"):
        as_role(runtime_role, statement)
    assert CaseEvent.objects.count() == len(events)


def test_the_runtime_role_appends_and_works_the_ordinary_tables(
    runtime_role: str, events: list[CaseEvent], child: Child,
) -> None:
    with transaction.atomic():
        sql(f'SET LOCAL ROLE "{runtime_role}"')
        CaseEvent.objects.create(child=child, effective_date=events[0].effective_date,
                                 actor_name="t", action="note", description="as the runtime")
        Child.objects.filter(pk=child.pk).update(postcode="AB1 2CD")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == runtime_role
    assert CaseEvent.objects.get(description="as the runtime").seq == len(events) + 1


def test_print_sql_shows_the_grants_without_running_them(db: None) -> None:
    out = StringIO()
    call_command("audit", "runtime-role", "--role", ROLE, "--print-sql", stdout=out)
    text = out.getvalue()
    assert 'GRANT SELECT, INSERT ON "casework_caseevent", "casework_recordaccess", ' \
           '"audit_disposal"' in text
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [ROLE])
        assert cursor.fetchone() is None


def test_the_owner_or_a_bad_name_is_refused(db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
    with pytest.raises(CommandError, match=r"superuser|owns|owner"):
        call_command("audit", "runtime-role", "--role", owner)
    with pytest.raises(CommandError, match="lower-case"):
        call_command("audit", "runtime-role", "--role", "Robert'); DROP TABLE x;--")
