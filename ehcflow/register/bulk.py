"""Inserting many rows fast: `COPY` on PostgreSQL, one prepared `executemany` elsewhere.

Django's `bulk_create` compiles every value of every row through the ORM's SQL compiler,
which costs more than the database's own work: about 50 µs per request row with its child,
plan and event, three times the whole budget of the register import (20,000 rows a second,
request-register.md's migrations and nightly feeds). This module writes the same rows from
the models' own metadata (table, columns, defaults), so a model change cannot silently
desynchronise it, but hands the values to the driver directly.

Values are given as the database's text forms, which both engines take: dates as ISO text,
UUIDs as 32 hex digits, JSON as text, timestamps as the backend adapts them. Every column
not given takes its field's default (a new UUID for `public_id`, the same "now" for
`created_at` and `updated_at`), as `Model.save()` would give it.

Rows are inserted without returning their keys; callers read the keys back by a natural key
(`case_ref`, `person_ref`, `request_id`), which works on every engine.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection, models

#: The text form of a value for the database, or None for NULL.
DBValue = str | int | bool | None


def as_db_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def as_db_json(value: Any) -> str:
    return json.dumps(value)


class Inserter:
    """Inserts rows of `model` giving `fields` (in that order); other columns get defaults."""

    def __init__(self, model: type[models.Model], fields: Sequence[str], *,
                 now: datetime) -> None:
        self.model = model
        meta = model._meta
        quote = connection.ops.quote_name
        given = {name: i for i, name in enumerate(fields)}
        self.template: list[DBValue] = []
        self.slots: list[int] = []  # template position of each given field, in `fields` order
        self.uuids: list[int] = []  # template positions that need a fresh UUID per row
        columns: list[str] = []
        stamp = connection.ops.adapt_datetimefield_value(now)
        slots: dict[str, int] = {}
        for field in meta.concrete_fields:
            if field.primary_key and isinstance(field, models.AutoField | models.BigAutoField):
                continue
            position = len(columns)
            columns.append(quote(field.column))
            name = field.attname if field.attname in given else field.name
            if name in given:
                slots[name] = position
                self.template.append(None)
            elif isinstance(field, models.DateTimeField) and (field.auto_now or
                                                              field.auto_now_add):
                self.template.append(stamp)
            elif isinstance(field, models.UUIDField):
                self.uuids.append(position)
                self.template.append(None)
            else:
                default = field.get_default()
                self.template.append(field.get_db_prep_save(default, connection))
        missing = set(given) - set(slots)
        if missing:
            raise ValueError(f"{meta.label} has no field(s) {sorted(missing)}")
        self.slots = [slots[name] for name in fields]
        self.columns = columns
        self.table = quote(meta.db_table)

    def rows(self, values: Iterable[Sequence[DBValue]]) -> Iterable[list[DBValue]]:
        template, slots, uuids = self.template, self.slots, self.uuids
        for given in values:
            row = template.copy()
            for position, value in zip(slots, given, strict=True):
                row[position] = value
            for position in uuids:
                row[position] = uuid.uuid4().hex
            yield row

    def insert(self, values: Iterable[Sequence[DBValue]]) -> None:
        """Insert the rows (each a sequence of the given fields' values)."""
        columns = ", ".join(self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor  # the psycopg cursor under Django's wrapper
                with raw.copy(f"COPY {self.table} ({columns}) FROM STDIN") as copy:
                    for row in self.rows(values):
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {self.table} ({columns}) VALUES ({marks})",
                                   list(self.rows(values)))
