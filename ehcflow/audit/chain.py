"""Hash chains over the case events and the access log.

Each row carries `seq` (1, 2, 3, ... within its log) and `chain_hash`:

    chain_hash(n) = SHA-256( chain_hash(n-1) + canonical(log, n, the row's own content) )

with `chain_hash(0)` = 64 zeros. Changing, removing, inserting or reordering any row breaks
every hash after it, which `ehcflow audit verify` finds (decision 0008). The canonical form
is a compact JSON array of the log's name, the sequence number and the row's fields in a
fixed order, each as a string, an integer or null: UUIDs as 32 hex digits, dates as ISO
text, times in UTC to the microsecond, JSON content with sorted keys. It is computed from
the values as the database returns them, so it is the same on SQLite and PostgreSQL and
after a backup is restored on the other engine.

THE ENCODING MUST NEVER CHANGE: every stored hash depends on it.

Writers: `CaseEvent.save()` and `RecordAccess.save()` (every `objects.create`), the
`bulk_create` of both models' managers, the register importer and the demo writer, which
number rows through `appending()` in the same pass that builds them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from django.apps import apps
from django.db import connection, models, transaction

from ehcflow.audit.models import ChainHead, Disposal, Log

GENESIS = "0" * 64

#: The fields of each log that its hash covers, in their canonical order (never reorder).
FIELDS: dict[str, tuple[str, ...]] = {
    Log.CASE_EVENTS: ("public_id", "child_id", "request_id", "plan_id", "occurred_at",
                      "effective_date", "actor_id", "actor_name", "action", "description",
                      "reason", "changes"),
    Log.ACCESS_LOG: ("public_id", "at", "user_id", "kind", "child_id", "request_id", "page"),
}
#: The model of each log, as "app_label.Model".
MODELS: dict[str, str] = {Log.CASE_EVENTS: "casework.CaseEvent",
                          Log.ACCESS_LOG: "casework.RecordAccess"}
#: The field holding each log's time (named in `audit verify`'s messages).
TIME_FIELD: dict[str, str] = {Log.CASE_EVENTS: "occurred_at", Log.ACCESS_LOG: "at"}

Primitive = str | int | None

#: JSON content (a case event's `changes`) in canonical form: sorted keys, no spaces.
canonical_json = json.JSONEncoder(separators=(",", ":"), sort_keys=True).encode
_encode_row = json.JSONEncoder(separators=(",", ":")).encode


def timestamp(value: datetime) -> str:
    """A time in UTC to the microsecond, as both engines store it (ISO 8601, 'Z')."""
    # The same text as strftime("%Y-%m-%dT%H:%M:%S.%fZ"), in about half the time.
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def primitive(value: Any) -> Primitive:
    """A field's value in canonical form (see the module docstring)."""
    if value is None or value.__class__ is str or value.__class__ is int:
        return value  # type: ignore[no-any-return]
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | str):
        return value if isinstance(value, str) else int(value)
    if isinstance(value, UUID):
        return value.hex
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list | tuple):
        return canonical_json(value)
    raise TypeError(f"no canonical form for {type(value).__name__}")


def digest(prev: str, log: str, seq: int, values: Sequence[Primitive]) -> str:
    """The chain hash of a row: SHA-256 over the previous hash and the row's canonical form."""
    return hashlib.sha256((prev + _encode_row([log, seq, *values])).encode()).hexdigest()


def row_values(log: str, obj: models.Model) -> tuple[Primitive, ...]:
    """The canonical values of a model instance of `log`."""
    return tuple(primitive(getattr(obj, name)) for name in FIELDS[log])


class Appender:
    """Numbers and hashes the rows appended to one log inside `appending()`."""

    def __init__(self, log: str, seq: int, prev: str) -> None:
        self.log = log
        self.seq = seq
        self.prev = prev

    def link(self, values: Sequence[Primitive]) -> tuple[int, str]:
        """The next row's (seq, chain_hash), for its canonical `values` (FIELDS order)."""
        self.seq += 1
        self.prev = digest(self.prev, self.log, self.seq, values)
        return self.seq, self.prev

    def link_instance(self, obj: models.Model) -> None:
        """Set `seq` and `chain_hash` on an unsaved instance of the log's model."""
        obj.seq, obj.chain_hash = self.link(row_values(self.log, obj))  # type: ignore[attr-defined]


@contextmanager
def appending(log: str) -> Iterator[Appender]:
    """Lock the chain's head, let the block number its rows, then move the head.

    The rows must be inserted inside the block, in the order they were linked. Runs in the
    caller's transaction (or its own), without a savepoint: the head lock is held until that
    transaction ends, which is what serialises concurrent writers on PostgreSQL. If the block
    raises, nothing is written and the caller's transaction must roll back, as for any
    failed write.
    """
    with transaction.atomic(savepoint=False):
        seq, prev = _lock_head(log)
        appender = Appender(log, seq, prev)
        yield appender
        if appender.seq != seq:
            ChainHead.objects.filter(log=log).update(seq=appender.seq, hash=appender.prev)


def _lock_head(log: str) -> tuple[int, str]:
    head = ChainHead.objects.select_for_update().filter(log=log).values_list("seq", "hash")
    found = head.first()
    if found is None:
        # No head (a test database flushed, a table emptied by hand): make one from the
        # log's last row. ignore_conflicts: a concurrent writer may be making it too.
        ChainHead.objects.bulk_create([ChainHead(log=log, seq=0, hash=GENESIS)],
                                      ignore_conflicts=True)
        found = head.first()
        assert found is not None
        last = (apps.get_model(MODELS[log])._default_manager.order_by("-seq")
                .values_list("seq", "chain_hash").first())
        if found[0] == 0 and last is not None:
            ChainHead.objects.filter(log=log).update(seq=last[0], hash=last[1])
            found = last
    return int(found[0]), str(found[1])


class ChainedQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """The log models' queryset: `bulk_create` numbers and hashes the new rows."""

    chain_log: str = ""

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        # Rows that already carry a `seq` are kept as they are: a restore brings rows with
        # their original links, which `audit verify` then checks like any other.
        objs = list(objs)
        if all(getattr(obj, "seq", None) is not None for obj in objs):
            return super().bulk_create(objs, *args, **kwargs)
        with appending(self.chain_log) as appender:
            for obj in objs:
                if getattr(obj, "seq", None) is None:
                    appender.link_instance(obj)
            return super().bulk_create(objs, *args, **kwargs)


class CaseEventQuerySet(ChainedQuerySet):
    chain_log = Log.CASE_EVENTS


class RecordAccessQuerySet(ChainedQuerySet):
    chain_log = Log.ACCESS_LOG


def rebuild_heads() -> None:
    """Set each chain head from its log's last link (a row, or a disposed row if later).

    For a restore that loads the logs but not `audit_chainhead`: without it the heads stay
    where `migrate` left them (sequence 0) and `audit verify` reports the restored rows as
    lying beyond the head. Call inside the restore's transaction, after the logs are loaded.
    """
    with transaction.atomic():
        for log, label in MODELS.items():
            links = [apps.get_model(label)._default_manager.order_by("-seq")
                     .values_list("seq", "chain_hash").first(),
                     Disposal.objects.filter(log=log).order_by("-seq")
                     .values_list("seq", "row_hash").first()]
            seq, digest_ = max((link for link in links if link is not None),
                               default=(0, GENESIS))
            ChainHead.objects.update_or_create(log=log, defaults={"seq": seq,
                                                                  "hash": digest_})


@contextmanager
def replace_guard_lifted(model: type[models.Model]) -> Iterator[None]:
    """On SQLite, lift the log's REPLACE guard while a bulk writer inserts rows it has just
    numbered itself; put it back, verbatim, before the transaction ends.

    The guard (casework migration 0009) is a BEFORE INSERT trigger probing three unique
    indexes per row, about a tenth of a 40,000-row import's time, and it can never fire for
    such rows (new ids, new public ids, new sequence numbers). Only inside a transaction:
    SQLite's IMMEDIATE transactions hold the database's write lock from the start, so no
    other connection can write while the trigger is off, and a rollback restores it with
    everything else. Elsewhere (PostgreSQL) this does nothing.
    """
    if connection.vendor != "sqlite":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("replace_guard_lifted() needs a transaction")
    name = f"{model._meta.db_table}_no_replace"
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                       [name])
        found = cursor.fetchone()
        if found is None:
            yield
            return
        cursor.execute(f'DROP TRIGGER "{name}"')
    yield
    with connection.cursor() as cursor:
        cursor.execute(found[0])
