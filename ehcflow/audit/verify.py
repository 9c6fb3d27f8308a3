"""Walking the hash chains: every link checked, the first broken one named.

For each log, rows are read in sequence order and each row's hash is recomputed from the
previous hash and the row's content (`chain.digest`). A sequence number that is missing must
have a recorded disposal (`audit.Disposal`), whose hash carries the chain across the gap.
The last link must match the chain head. Ids show the order rows were written in, so a row
whose id is lower than the one before it has been moved in the chain.

The hashes use no secret, so someone able to rewrite the tables and every hash after a change
could hide it; the head hashes in the summary line are worth keeping outside the database
(decision 0008), and the triggers and the runtime role's privileges stop that in practice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.apps import apps

from ehcflow.audit import chain
from ehcflow.audit.models import ChainHead, Disposal, Log

#: How each log is named in the messages.
LOG_NAMES: dict[str, str] = {Log.CASE_EVENTS: "case-event log", Log.ACCESS_LOG: "access log"}


@dataclass(frozen=True)
class Break:
    """The first broken link of a log."""

    log: str
    seq: int
    public_id: str | None
    at: datetime | None
    problem: str

    def __str__(self) -> str:
        where = f"the {LOG_NAMES[self.log]} is broken at sequence {self.seq}"
        if self.public_id is not None:
            when = f", written {self.at:%Y-%m-%d %H:%M:%S} UTC" if self.at else ""
            where += f" (row {self.public_id}{when})"
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class LogResult:
    log: str
    rows: int
    disposed: int
    head_seq: int
    head_hash: str
    broken: Break | None


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def verify_log(log: str) -> LogResult:
    """Check one log's chain from its first row to its head; stop at the first break."""
    model = apps.get_model(chain.MODELS[log])
    fields = chain.FIELDS[log]
    time_at = 3 + fields.index(chain.TIME_FIELD[log])
    disposed = dict(Disposal.objects.filter(log=log).values_list("seq", "row_hash"))
    head = ChainHead.objects.filter(log=log).values_list("seq", "hash").first()
    expected, prev, prev_id, rows, bridged = 1, chain.GENESIS, 0, 0, 0
    primitive, digest = chain.primitive, chain.digest

    def result(broken: Break | None) -> LogResult:
        head_seq, head_hash = head if head is not None else (expected - 1, prev)
        return LogResult(log, rows, bridged, head_seq, head_hash, broken)

    def broken(seq: int, row: Any, problem: str) -> LogResult:
        public_id = row[3].hex if row is not None else None
        at = _utc(row[time_at]) if row is not None else None
        return result(Break(log, seq, public_id, at, problem))

    query = (model._base_manager.order_by("seq")
             .values_list("id", "seq", "chain_hash", *fields).iterator(chunk_size=5000))
    following = iter(query)
    upcoming = next(following, None)
    while upcoming is not None:
        row, upcoming = upcoming, next(following, None)
        pk, seq, stored = row[0], row[1], row[2]
        while expected < seq:
            if expected not in disposed:
                return broken(expected, None, (
                    f"missing row: sequence {expected} is absent and no disposal of it was "
                    f"recorded (the next row present is {row[3].hex}, sequence {seq})"))
            prev = disposed[expected]
            bridged += 1
            expected += 1
        if head is not None and seq > head[0]:
            return broken(seq, row, (
                f"row beyond the chain head (sequence {head[0]}): it was written around the "
                "application"))
        if seq in disposed:
            return broken(seq, row, "the row is recorded as disposed of but is still present")
        if pk < prev_id:
            return broken(seq, row, (
                f"reordered: this row was written before the row at sequence {seq - 1}"))
        if digest(prev, log, seq, [primitive(v) for v in row[3:]]) != stored:
            if upcoming is not None and upcoming[0] < pk:
                return broken(seq, row, (
                    f"reordered: this row was written after the row now at sequence "
                    f"{upcoming[1]}"))
            return broken(seq, row, (
                "hash mismatch: the row differs from what was written, or was not written "
                "through the chain"))
        prev, expected, prev_id = stored, seq + 1, pk
        rows += 1
    if head is not None:
        while expected <= head[0]:
            if expected not in disposed:
                return broken(expected, None, (
                    f"missing row: sequence {expected} is absent and no disposal of it was "
                    f"recorded; the chain head is at sequence {head[0]}, so rows were cut "
                    "from the end of the log"))
            prev = disposed[expected]
            bridged += 1
            expected += 1
        if head[1] != prev:
            return broken(head[0], None, (
                "the chain head's hash does not match the last row: the head or the last "
                "row was changed"))
    return result(None)


def verify_all() -> list[LogResult]:
    """Both logs, case events first."""
    return [verify_log(log) for log in (Log.CASE_EVENTS, Log.ACCESS_LOG)]


def summary(results: list[LogResult]) -> str:
    """The one line `ehcflow audit verify` prints when every link holds."""
    parts = []
    for r in results:
        gap = f", {r.disposed:,} disposed of" if r.disposed else ""
        parts.append(f"{LOG_NAMES[r.log]} {r.rows:,} rows{gap} (head {r.head_seq}: "
                     f"{r.head_hash[:16]})")
    return "Audit logs intact: " + "; ".join(parts) + "."
