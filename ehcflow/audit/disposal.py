"""Removing case events and access-log rows at the end of their retention period.

The logs are append-only: the database refuses DELETE of a row unless a disposal of that
very row (log, sequence number, hash) has been recorded first (casework migration 0009).
`dispose` records one `Disposal` per row, then deletes the rows, in one transaction, so a
disposal is never half done, and `ehcflow audit verify` carries the chain across each gap
from the recorded hash. The disposal record is itself append-only and holds no personal
data: the removed row's log, sequence number, hash, public id and time, who disposed of it
and why.

Deciding WHICH rows have reached the end of retention is the retention schedule's job
(`ehcflow.records`); this module only removes what it is given, and refuses anything that is
not a queryset of one of the two logs.

On PostgreSQL the runtime role (`ehcflow audit runtime-role`) has no DELETE on the logs:
run disposal under the owner (migration) role, as docs/operations/database-roles.md says.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models, transaction

from ehcflow.audit import chain
from ehcflow.audit.models import Disposal, Log

CHUNK = 2000


class DisposalError(ValueError):
    """A disposal that was refused; nothing was removed. The message says why."""


def _log_of(model: type[models.Model]) -> str:
    for log, label in chain.MODELS.items():
        if model._meta.label == label:
            return log
    raise DisposalError(
        "Only case events and access-log rows can be disposed of here, "
        f"not {model._meta.verbose_name_plural}.")


def dispose(queryset: models.QuerySet[Any], *, reason: str, by: str) -> int:
    """Delete the log rows of `queryset` at the end of retention; return how many went.

    `queryset` is a queryset of `casework.CaseEvent` or `casework.RecordAccess` (any other
    model is refused). `reason` says why (for example "retention: 25th birthday + 6 years,
    schedule approved 2026-11-30"); `by` names who or what ran the disposal. Both are
    required and kept, with each row's log, sequence number, hash, public id and time, in
    the append-only `audit.Disposal`. Runs in one transaction (the caller's, if any): either
    every row is recorded and removed or none is. Raises `DisposalError` on refusal.
    """
    if not isinstance(queryset, models.QuerySet):
        raise DisposalError("Give the rows to dispose of as a queryset of a log.")
    log = _log_of(queryset.model)
    reason, by = (reason or "").strip(), (by or "").strip()
    if not reason:
        raise DisposalError("Say why the rows are being disposed of (the reason is kept).")
    if not by:
        raise DisposalError("Say who is disposing of the rows (the name is kept).")
    if len(reason) > 300 or len(by) > 150:
        raise DisposalError("The reason must be at most 300 characters and the name 150.")
    model = queryset.model
    table = connection.ops.quote_name(model._meta.db_table)
    time_field = chain.TIME_FIELD[log]
    removed = 0
    with transaction.atomic(), chain.appending(log):
        # The head lock keeps writers of the same log out while its rows are removed.
        rows = list(queryset.order_by().values_list("id", "seq", "chain_hash", "public_id",
                                                    time_field))
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            Disposal.objects.bulk_create([
                Disposal(log=log, seq=seq, row_hash=row_hash, row_public_id=public_id,
                         row_time=at, disposed_by=by, reason=reason)
                for _pk, seq, row_hash, public_id, at in chunk])
            marks = ", ".join(["%s"] * len(chunk))
            with connection.cursor() as cursor:
                # The triggers let exactly these rows go: their disposal is now recorded.
                cursor.execute(f"DELETE FROM {table} WHERE id IN ({marks})",
                               [pk for pk, *_rest in chunk])
                removed += cursor.rowcount
    return removed


__all__ = ["DisposalError", "Log", "dispose"]
