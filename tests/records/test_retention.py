"""The retention schedule: who is due, and disposal as a reviewed, audited job."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction

from ehcflow.audit import verify
from ehcflow.audit.models import Disposal
from ehcflow.casework.models import (
    AssessmentRequest,
    CaseEvent,
    Child,
    RecordAccess,
)
from ehcflow.disagreements.models import Disagreement
from ehcflow.records import schedule, selectors, services
from ehcflow.records.models import DisposalBatch, DisposalRecord
from tests.records.conftest import Old

TODAY = date(2026, 12, 4)


def _run(*args: str) -> str:
    out = StringIO()
    call_command("retention", *args, stdout=out)
    return out.getvalue()


# --- the pure rule ---------------------------------------------------------------------------


def test_kept_until_25th_birthday_plus_the_councils_years() -> None:
    assert schedule.retain_until(date(1995, 1, 1), 6) == date(2026, 1, 1)
    assert schedule.retain_until(date(1995, 1, 1), 0) == date(2020, 1, 1)
    assert not schedule.is_past_retention(date(1995, 1, 2), 6, date(2026, 1, 1))
    assert schedule.is_past_retention(date(1995, 1, 1), 6, date(2026, 1, 1))


def test_a_29_february_birthday_falls_on_1_march() -> None:
    assert schedule.retain_until(date(2000, 2, 29), 6) == date(2031, 3, 1)
    assert schedule.retain_until(date(2000, 2, 29), 7) == date(2032, 2, 29)


@pytest.mark.parametrize("value", ["six", "-1", "2.5", "76", ""])
def test_a_retention_period_that_is_not_whole_years_is_refused(value: str) -> None:
    with pytest.raises(schedule.ScheduleError, match="EHCFLOW_RETENTION_YEARS"):
        schedule.parse_years(value)


def test_the_default_is_six_years(settings: object) -> None:
    assert schedule.parse_years("6") == schedule.DEFAULT_YEARS == 6


# --- who is due ------------------------------------------------------------------------------


def test_due_lists_references_never_names(old: Old, child: Child) -> None:
    text = _run("due", "--as-of", TODAY.isoformat())
    assert "25th birthday + 6 years" in text
    assert "1 due for disposal, 1 held" in text
    lines = [line.split(maxsplit=2) for line in text.splitlines()]
    assert ["R0001", "2026-01-01", "due"] in lines
    assert ["R0002", "2026-01-01", "held: an open request"] in lines
    assert "P0001" not in text  # the young child is years from retention
    for name in ("Ada", "Bea", "Invented"):
        assert name not in text


def test_the_council_sets_the_period(old: Old, settings: object) -> None:
    settings.EHCFLOW_RETENTION_YEARS = "7"  # type: ignore[attr-defined]
    assert selectors.past_retention(TODAY, selectors.retention_years()) == []
    settings.EHCFLOW_RETENTION_YEARS = "ten"  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match="whole number of years"):
        _run("due", "--as-of", TODAY.isoformat())


# --- the reviewed job ------------------------------------------------------------------------


def test_disposal_is_proposed_reviewed_then_run_and_recorded(old: Old) -> None:
    events_before = CaseEvent.objects.filter(child=old.done).count()
    assert events_before >= 3
    text = _run("propose", "--by", "proposer")
    batch = DisposalBatch.objects.get()
    assert batch.reference in text
    assert [item.person_ref for item in batch.items.all()] == ["R0001"]
    # Nothing is deleted before a reviewer approves.
    with pytest.raises(CommandError, match="only an approved batch"):
        _run("dispose", batch.reference, "--by", "runner")
    assert Child.objects.filter(pk=old.done.pk).exists()
    # The proposer cannot approve their own batch.
    with pytest.raises(CommandError, match="someone other than"):
        _run("approve", batch.reference, "--reviewer", "proposer")
    _run("approve", batch.reference, "--reviewer", "reviewer")
    text = _run("dispose", batch.reference, "--by", "runner")
    assert "the records of 1 children" in text
    assert "Reviewer Tester (reviewer)" in text

    assert not Child.objects.filter(pk=old.done.pk).exists()
    assert not AssessmentRequest.objects.filter(child_id=old.done.pk).exists()
    assert not Disagreement.objects.filter(child_id=old.done.pk).exists()
    assert not CaseEvent.objects.filter(child_id=old.done.pk).exists()
    assert not RecordAccess.objects.filter(child_id=old.done.pk).exists()
    assert not RecordAccess.objects.filter(request_id=old.done_request.pk).exists()
    # The other old record (held) and its history are untouched.
    assert Child.objects.filter(pk=old.open.pk).exists()

    record = DisposalRecord.objects.get()
    assert record.batch_reference == batch.reference
    assert record.children == 1
    assert record.person_refs == ["R0001"]
    assert record.reviewer == "Reviewer Tester (reviewer)"
    assert record.proposed_by == "Proposer Tester (proposer)"
    assert record.disposed_by == "Runner Tester (runner)"
    assert record.counts["case events"] == events_before
    assert record.counts["access-log entries"] == 2
    assert record.counts["children"] == 1
    assert record.counts["disagreements"] == 1
    # Each removed log row is recorded by the audit, so the chains still verify.
    assert Disposal.objects.filter(reason__contains=batch.reference).count() == \
        events_before + 2
    assert all(result.broken is None for result in verify.verify_all())
    batch.refresh_from_db()
    assert batch.status == DisposalBatch.Status.DISPOSED
    assert "Disposed of 1 children's records" in _run("show", batch.reference)


def test_the_disposal_record_cannot_be_rewritten(old: Old) -> None:
    _run("propose", "--by", "proposer")
    reference = DisposalBatch.objects.get().reference
    _run("approve", reference, "--reviewer", "reviewer")
    _run("dispose", reference, "--by", "runner")
    from django.db import connection

    table = "records_disposalrecord"
    rewrites = [f"UPDATE {table} SET reviewer = 'someone else'", f"DELETE FROM {table}"]
    if connection.vendor == "sqlite":
        # REPLACE deletes the clashing row without firing the delete trigger (decision 0008).
        rewrites.append(
            f"REPLACE INTO {table} SELECT id, batch_reference, as_of, retention_years, "
            f"children, person_refs, counts, proposed_by, 'someone else', approved_at, "
            f"disposed_by, disposed_at FROM {table}")
    else:
        rewrites.append(f"TRUNCATE {table}")
    for statement in rewrites:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert DisposalRecord.objects.get().reviewer == "Reviewer Tester (reviewer)"


def test_a_record_active_again_since_review_is_kept(old: Old, system_actor: object) -> None:
    _run("propose", "--by", "proposer")
    reference = DisposalBatch.objects.get().reference
    _run("approve", reference, "--reviewer", "reviewer")
    from ehcflow.casework import choices as c
    from ehcflow.disagreements import services as casework
    casework.disagreement_record(child=old.done, kind=c.DisagreementKind.TRIBUNAL,
                                 stage=c.DisagreementStage.OTHER, by=system_actor,  # type: ignore[arg-type]
                                 decision_notice_date=date(2026, 1, 5),
                                 started_on=date(2026, 1, 6))
    text = _run("dispose", reference, "--by", "runner")
    assert "Kept R0001: held: an unresolved disagreement." in text
    assert Child.objects.filter(pk=old.done.pk).exists()
    assert DisposalRecord.objects.get().children == 0


@pytest.mark.parametrize("args, message", [
    (("propose", "--by", "nobody"), "no active account 'nobody'"),
    (("propose", "--by", "proposer", "--as-of", "2099-01-01"), "today or an earlier date"),
    (("approve", "RD-2026-9999", "--reviewer", "reviewer"), "no disposal batch RD-2026-9999"),
    (("show", "RD-2026-9999"), "no disposal batch"),
])
def test_bad_steps_are_refused_with_a_message(old: Old, args: tuple[str, ...],
                                              message: str) -> None:
    with pytest.raises(CommandError, match=message):
        _run(*args)
    assert not DisposalBatch.objects.exists()


def test_nothing_due_proposes_nothing(child: Child, staff: object) -> None:
    with pytest.raises(CommandError, match="No records are due"):
        _run("propose", "--by", "proposer")
    assert not DisposalBatch.objects.exists()


def test_a_child_is_in_one_pending_batch_only(old: Old) -> None:
    _run("propose", "--by", "proposer")
    with pytest.raises(services.RecordsError, match="No records are due"):
        services.propose(as_of=date.today(), by="proposer")
    assert "(in batch RD-" in _run("due")
