"""Every writer links its rows into the hash chain, and `ehcflow audit verify` names the
first broken link (issue 9, "Tamper-evident audit")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ehcflow.audit import chain, verify
from ehcflow.audit.models import ChainHead, Log
from ehcflow.casework import services
from ehcflow.casework.models import CaseEvent, Child, RecordAccess
from tests.audit.conftest import sql, triggers_lifted

pytestmark = pytest.mark.django_db

EVENTS = "casework_caseevent"


def verified() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue().strip()


def broken() -> str:
    with pytest.raises(CommandError) as error:
        call_command("audit", "verify")
    return str(error.value)


def test_the_services_chain_their_events(events: list[CaseEvent]) -> None:
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    prev = chain.GENESIS
    for event in events:
        event.refresh_from_db()
        values = chain.row_values(Log.CASE_EVENTS, event)
        assert event.chain_hash == chain.digest(prev, Log.CASE_EVENTS, event.seq, values)
        prev = event.chain_hash
    head = ChainHead.objects.get(log=Log.CASE_EVENTS)
    assert (head.seq, head.hash) == (5, prev)


def test_record_access_chains_and_keeps_its_signature(log_access: Callable[..., None],
                                                      child: Child) -> None:
    log_access(page="child", child=child)
    log_access(page="search")
    rows = list(RecordAccess.objects.order_by("seq"))
    assert [(r.seq, r.page, r.child_id) for r in rows] == [(1, "child", child.pk),
                                                           (2, "search", None)]
    assert len({r.public_id for r in rows}) == 2
    assert len(rows[1].chain_hash) == 64


def test_verify_passes_and_counts_the_rows(events: list[CaseEvent],
                                           log_access: Callable[..., None]) -> None:
    log_access()
    line = verified()
    assert line.startswith("Audit logs intact: case-event log 5 rows")
    assert "access log 1 rows" in line
    assert "\n" not in line


def test_verify_passes_on_empty_logs(db: None) -> None:
    assert "case-event log 0 rows" in verified()


def test_bulk_create_chains_rows_after_the_services(events: list[CaseEvent],
                                                    child: Child) -> None:
    made = CaseEvent.objects.bulk_create([
        CaseEvent(child=child, effective_date=date(2026, 2, n), actor_name="bulk",
                  action="note", description=f"bulk {n}", changes={"n": n, "a": [n]})
        for n in range(1, 4)])
    assert [e.seq for e in made] == [6, 7, 8]
    assert "case-event log 8 rows" in verified()


def test_a_changed_row_is_named_by_log_sequence_id_and_time(events: list[CaseEvent]) -> None:
    target = events[2]
    with triggers_lifted(EVENTS):
        sql(f"UPDATE {EVENTS} SET description = 'nothing happened' WHERE id = %s", [target.pk])
    message = broken()
    assert message.startswith("The case-event log is broken at sequence 3 ")
    assert target.public_id.hex in message
    assert f"{target.occurred_at.astimezone(verify.UTC):%Y-%m-%d %H:%M:%S} UTC" in message
    assert "hash mismatch" in message


def test_a_changed_json_content_is_found(events: list[CaseEvent]) -> None:
    with triggers_lifted(EVENTS):
        sql(f"UPDATE {EVENTS} SET changes = %s WHERE seq = 4", ['{"received_date": "x"}'])
    assert "sequence 4 " in broken()


def test_a_deleted_row_is_missing(events: list[CaseEvent]) -> None:
    with triggers_lifted(EVENTS):
        sql(f"DELETE FROM {EVENTS} WHERE seq = 2")
    message = broken()
    assert "broken at sequence 2:" in message
    assert "missing row" in message and "no disposal" in message
    assert events[2].public_id.hex in message  # the next row present


def test_rows_cut_from_the_end_are_missing(events: list[CaseEvent]) -> None:
    with triggers_lifted(EVENTS):
        sql(f"DELETE FROM {EVENTS} WHERE seq >= 4")
    message = broken()
    assert "broken at sequence 4:" in message and "cut from the end" in message


def test_reordered_rows_are_named(events: list[CaseEvent]) -> None:
    with triggers_lifted(EVENTS):
        sql(f"UPDATE {EVENTS} SET seq = -1 WHERE seq = 2")
        sql(f"UPDATE {EVENTS} SET seq = 2 WHERE seq = 3")
        sql(f"UPDATE {EVENTS} SET seq = 3 WHERE seq = -1")
    message = broken()
    assert "broken at sequence 2 " in message and "reordered" in message


def test_a_row_slipped_in_around_the_application_is_found(events: list[CaseEvent]) -> None:
    # A forged row given the next number and a plausible hash, without moving the head.
    with triggers_lifted(EVENTS):
        sql(f"UPDATE {EVENTS} SET description = 'forged' WHERE seq = 5")
    message = broken()
    assert "broken at sequence 5 " in message


def test_a_row_beyond_the_head_is_found(events: list[CaseEvent]) -> None:
    ChainHead.objects.filter(log=Log.CASE_EVENTS).update(seq=4, hash=events[3].chain_hash)
    assert "row beyond the chain head" in broken()


def test_a_changed_access_log_row_is_named(log_access: Callable[..., None]) -> None:
    for page in ("child", "request", "search"):
        log_access(page=page)
    target = RecordAccess.objects.get(seq=2)
    with triggers_lifted("casework_recordaccess"):
        sql("UPDATE casework_recordaccess SET page = 'home' WHERE seq = 2")
    message = broken()
    assert message.startswith("The access log is broken at sequence 2 ")
    assert target.public_id.hex in message


def test_the_head_is_rebuilt_from_the_log_when_missing(events: list[CaseEvent],
                                                       system_actor: services.Actor,
                                                       child: Child) -> None:
    ChainHead.objects.all().delete()  # as after a restore that left the audit tables out
    services.request_register(child=child, case_ref="AUD-9", received_date=date(2026, 1, 20),
                              by=system_actor)
    assert CaseEvent.objects.order_by("-seq").first().seq == 6  # type: ignore[union-attr]
    assert "case-event log 6 rows" in verified()


def test_heads_rebuilt_after_a_restore_without_them(events: list[CaseEvent],
                                                    log_access: Callable[..., None]) -> None:
    log_access()
    ChainHead.objects.update(seq=0, hash=chain.GENESIS)  # as `migrate` leaves them
    assert "row beyond the chain head" in broken()
    chain.rebuild_heads()
    assert "case-event log 5 rows" in verified()
