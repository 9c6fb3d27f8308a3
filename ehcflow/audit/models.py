"""The state of each audit chain, and the record of rows removed at the end of retention."""

from __future__ import annotations

from django.db import models


class Log(models.TextChoices):
    """The logs kept as hash chains (the value is part of every row's hash: never change it)."""

    CASE_EVENTS = "case_event", "Case events"
    ACCESS_LOG = "record_access", "Access log"


class ChainHead(models.Model):
    """The last link of one chain: its sequence number and hash.

    Every writer locks this row (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE
    transactions already serialise writers) before numbering its rows, so two concurrent
    writers cannot both link to the same row and fork the chain. `audit verify` also compares
    the last row of the log with it, which shows rows cut from the end of a log.
    """

    log = models.CharField(max_length=20, choices=Log.choices, primary_key=True)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.log} at {self.seq}"


class Disposal(models.Model):
    """One log row removed at the end of its retention period, and who removed it and why.

    Append-only (database triggers, audit migration 0001). It keeps the removed row's
    sequence number and hash, so `audit verify` can carry the chain across the gap, and the
    row's public id and time, so the gap can be explained later. It holds no personal data.
    """

    log = models.CharField(max_length=20, choices=Log.choices)
    seq = models.BigIntegerField()
    row_hash = models.CharField(max_length=64)
    row_public_id = models.UUIDField()
    row_time = models.DateTimeField()
    disposed_at = models.DateTimeField(auto_now_add=True)
    disposed_by = models.CharField(max_length=150)
    reason = models.CharField(max_length=300)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["log", "seq"], name="audit_disposal_once")]
        ordering = ["log", "seq"]

    def __str__(self) -> str:
        return f"{self.log} {self.seq} disposed"
