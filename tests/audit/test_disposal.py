"""Controlled disposal at the end of retention: rows go, the chain still verifies."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction

from ehcflow.audit.disposal import DisposalError, dispose
from ehcflow.audit.models import Disposal, Log
from ehcflow.casework.models import CaseEvent, Child, RecordAccess
from tests.audit.conftest import sql

pytestmark = pytest.mark.django_db


def verify_line() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def test_disposed_events_leave_a_record_and_the_chain_verifies(events: list[CaseEvent]) -> None:
    gone = [events[1], events[2]]
    removed = dispose(CaseEvent.objects.filter(pk__in=[e.pk for e in gone]),
                      reason="retention: 25th birthday + 6 years", by="records officer")
    assert removed == 2
    assert list(CaseEvent.objects.order_by("seq").values_list("seq", flat=True)) == [1, 4, 5]
    records = list(Disposal.objects.order_by("seq"))
    assert [(d.log, d.seq, d.row_hash, d.row_public_id) for d in records] == [
        (Log.CASE_EVENTS, e.seq, e.chain_hash, e.public_id) for e in gone]
    assert {d.reason for d in records} == {"retention: 25th birthday + 6 years"}
    assert {d.disposed_by for d in records} == {"records officer"}
    assert "case-event log 3 rows, 2 disposed of" in verify_line()


def test_the_newest_rows_can_be_disposed_of_too(events: list[CaseEvent],
                                                log_access: Callable[..., None]) -> None:
    log_access()
    log_access()
    assert dispose(CaseEvent.objects.filter(seq__gte=4), reason="r", by="b") == 2
    assert dispose(RecordAccess.objects.all(), reason="r", by="b") == 2
    line = verify_line()
    assert "case-event log 3 rows, 2 disposed of" in line
    assert "access log 0 rows, 2 disposed of" in line


def test_the_chain_continues_after_a_disposal(events: list[CaseEvent], child: Child,
                                              log_access: Callable[..., None]) -> None:
    dispose(CaseEvent.objects.filter(seq=5), reason="r", by="b")
    CaseEvent.objects.create(child=child, effective_date=events[0].effective_date,
                             actor_name="t", action="note", description="after")
    assert CaseEvent.objects.get(description="after").seq == 6
    assert "case-event log 5 rows, 1 disposed of" in verify_line()


@pytest.mark.parametrize(("reason", "by", "message"), [
    ("", "records officer", "Say why"),
    ("   ", "records officer", "Say why"),
    ("retention", "", "Say who"),
])
def test_a_disposal_without_reason_or_name_is_refused(events: list[CaseEvent], reason: str,
                                                      by: str, message: str) -> None:
    with pytest.raises(DisposalError, match=message):
        dispose(CaseEvent.objects.all(), reason=reason, by=by)
    assert CaseEvent.objects.count() == len(events)
    assert not Disposal.objects.exists()


def test_other_tables_are_refused(events: list[CaseEvent], child: Child) -> None:
    with pytest.raises(DisposalError, match="Only case events and access-log rows"):
        dispose(Child.objects.all(), reason="r", by="b")
    with pytest.raises(DisposalError, match="queryset"):
        dispose(list(CaseEvent.objects.all()), reason="r", by="b")  # type: ignore[arg-type]
    assert Child.objects.filter(pk=child.pk).exists()


def test_a_forged_disposal_record_does_not_open_another_row(events: list[CaseEvent]) -> None:
    # The delete trigger needs the disposal of that very row: same sequence AND hash.
    Disposal.objects.create(log=Log.CASE_EVENTS, seq=events[1].seq, row_hash="0" * 64,
                            row_public_id=events[1].public_id,
                            row_time=events[1].occurred_at, disposed_by="x", reason="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql("DELETE FROM casework_caseevent WHERE seq = 2")
    assert CaseEvent.objects.filter(seq=2).exists()


def test_disposal_records_are_append_only(events: list[CaseEvent]) -> None:
    dispose(CaseEvent.objects.filter(seq=1), reason="r", by="b")
    for statement in ("UPDATE audit_disposal SET reason = 'x'", "DELETE FROM audit_disposal"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            sql(statement)
    assert Disposal.objects.get().reason == "r"
