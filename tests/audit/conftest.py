"""Helpers for the audit tests: a few chained rows, and the triggers lifted to tamper."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import RequestFactory

from ehcflow.casework import services
from ehcflow.casework.audit import record_access
from ehcflow.casework.models import CaseEvent, Child, RecordAccess
from ehcflow.people.models import User


@contextmanager
def triggers_lifted(table: str) -> Iterator[None]:
    """Take a table's triggers off for the block, as an attacker with the owner's rights
    could, and put them back exactly as they were."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                           "AND tbl_name = %s", [table])
            saved = cursor.fetchall()
            for name, _sql in saved:
                cursor.execute(f'DROP TRIGGER "{name}"')
            yield
            for _name, sql in saved:
                cursor.execute(sql)
        else:
            settle()
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
            yield
            settle()
            cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')


def settle() -> None:
    """On PostgreSQL, run the test transaction's deferred foreign-key checks now: ALTER
    TABLE and TRUNCATE refuse a table with checks pending, which would hide what is tested."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


@pytest.fixture
def user(db: None) -> User:
    return User.objects.create_user(username="auditor-test", password="x")


@pytest.fixture
def log_access(user: User) -> Callable[..., None]:
    """record_access as a view calls it, for the signed-in `user`."""
    def write(page: str = "child", child: Child | None = None) -> None:
        http_request = RequestFactory().get("/")
        http_request.user = user
        record_access(http_request, RecordAccess.Kind.VIEW, page=page, child=child)
    return write


@pytest.fixture
def events(child: Child, system_actor: services.Actor) -> list[CaseEvent]:
    """Five case events written by the services (the child's creation and four requests)."""
    for n in range(4):
        services.request_register(child=child, case_ref=f"AUD-{n}",
                                  received_date=date(2026, 1, 5 + n), by=system_actor)
    return list(CaseEvent.objects.order_by("seq"))
