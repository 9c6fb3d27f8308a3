"""The bulk writers chain too: the register importer and the demo authority."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from ehcflow.audit import chain
from ehcflow.casework.models import CaseEvent
from ehcflow.demo import loader
from ehcflow.register import writes
from tests.register.conftest import HEADER, csv_rows, fixture, import_file, write_csv

__all__ = ["fixture"]  # the register tests' fixture, used here

pytestmark = pytest.mark.django_db


def verify_line() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def test_an_import_and_a_reimport_with_changes_verify(fixture: Callable[[str], Path],
                                                      tmp_path: Path) -> None:
    assert import_file(fixture("good.csv")).status == 0
    first = CaseEvent.objects.count()
    assert first > 0
    assert f"case-event log {first} rows" in verify_line()
    changed = [list(r) for r in csv_rows(fixture("good.csv"))]
    source = HEADER.index("request_source")
    changed[1][source] = "parent" if changed[1][source] != "parent" else "school"
    again = write_csv(tmp_path / "again.csv", changed)
    assert import_file(again).status == 0
    assert CaseEvent.objects.count() == first + 1
    total = CaseEvent.objects.count()
    assert f"case-event log {total} rows" in verify_line()
    assert list(CaseEvent.objects.order_by("seq").values_list("seq", flat=True)) == \
        list(range(1, total + 1))


def test_the_demo_authority_verifies(db: None) -> None:
    loader.load(seed=11, today=date(2026, 11, 23), scale=0.02)
    total = CaseEvent.objects.count()
    assert total > 100
    assert f"case-event log {total:,} rows" in verify_line()


def trigger_sql(name: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                       [name])
        found = cursor.fetchone()
    return found[0] if found else None


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_a_large_import_puts_the_replace_guard_back(fixture: Callable[[str], Path],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    guard = "casework_caseevent_no_replace"
    before = trigger_sql(guard)
    assert before is not None
    monkeypatch.setattr(writes, "DEFER_INDEXES_FROM", 1)  # take the large-load path
    assert import_file(fixture("good.csv")).status == 0
    assert trigger_sql(guard) == before
    assert f"case-event log {CaseEvent.objects.count()} rows" in verify_line()


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_the_replace_guard_comes_back_on_rollback(db: None) -> None:
    guard = "casework_caseevent_no_replace"
    before = trigger_sql(guard)
    with (pytest.raises(RuntimeError, match="boom"), transaction.atomic(),
          chain.replace_guard_lifted(CaseEvent)):
        assert trigger_sql(guard) is None
        raise RuntimeError("boom")
    assert trigger_sql(guard) == before
