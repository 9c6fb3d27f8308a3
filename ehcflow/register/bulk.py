"""Inserting many rows fast: `COPY` on PostgreSQL, one prepared `executemany` elsewhere.

Django's `bulk_create` compiles every value of every row through the ORM's SQL compiler,
which costs more than the database's own work: about 50 µs per request row with its child,
plan and event, three times the whole budget of the register import (20,000 rows a second,
docs/domain/request-register.md's migrations and nightly feeds). This module writes the same rows
from the models' own metadata (table, columns, defaults), so a model change cannot silently
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
import os
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache
from operator import itemgetter
from typing import Any

from django.db import connection, models

#: The text form of a value for the database, or None for NULL.
DBValue = str | int | bool | None


@cache
def as_db_date(value: date | None) -> str | None:
    """ISO text; cached, as a register holds a few thousand distinct dates in 400,000 cells."""
    return None if value is None else value.isoformat()


#: compact JSON (no spaces after separators): fewer bytes to write for each case event
as_db_json = json.JSONEncoder(separators=(",", ":")).encode


class Inserter:
    """Inserts rows of `model` giving `fields` (in that order); other columns get defaults."""

    def __init__(self, model: type[models.Model], fields: Sequence[str], *,
                 now: datetime) -> None:
        meta = model._meta
        quote = connection.ops.quote_name
        given = {name: i for i, name in enumerate(fields)}
        stamp = connection.ops.adapt_datetimefield_value(now)
        # Each table row is taken, by one C-level itemgetter, from the tuple
        # (given values..., a fresh UUID, constant defaults...).
        constants: list[Any] = []
        order: list[int] = []
        columns: list[str] = []
        self.needs_uuid = False
        uuid_at = len(fields)
        for field in meta.concrete_fields:
            if field.primary_key and isinstance(field, models.AutoField | models.BigAutoField):
                continue
            columns.append(quote(field.column or field.attname))
            name = field.attname if field.attname in given else field.name
            if name in given:
                order.append(given.pop(name))
            elif isinstance(field, models.UUIDField) and not self.needs_uuid:
                self.needs_uuid = True
                order.append(uuid_at)
            else:
                if isinstance(field, models.DateTimeField) and (field.auto_now or
                                                                field.auto_now_add):
                    value = stamp
                else:
                    value = field.get_db_prep_save(field.get_default(), connection)
                order.append(uuid_at + 1 + len(constants))
                constants.append(value)
        if given:
            raise ValueError(f"{meta.label} has no field(s) {sorted(given)}")
        self.constants = tuple(constants)
        self.constants_text = tuple(copy_text(value) for value in constants)
        self.pick = itemgetter(*order)
        self.columns = columns
        self.table = quote(meta.db_table)

    def rows(self, values: Iterable[Sequence[DBValue]]) -> Iterator[tuple[Any, ...]]:
        pick, constants = self.pick, self.constants
        if self.needs_uuid:
            for given, public_id in zip(values, uuid4_hexes(), strict=False):
                yield pick((*given, public_id, *constants))
        else:
            for given in values:
                yield pick((*given, None, *constants))

    def copy_lines(self, values: Iterable[Sequence[DBValue]]) -> Iterator[str]:
        """The rows as lines of PostgreSQL's COPY text format (constants rendered once)."""
        pick, constants = self.pick, self.constants_text
        ids = uuid4_hexes() if self.needs_uuid else None
        for given in values:
            public_id = next(ids) if ids is not None else None
            yield "\t".join(pick((*map(copy_text, given), public_id, *constants)))

    def insert(self, values: Iterable[Sequence[DBValue]]) -> None:
        """Insert the rows (each a sequence of the given fields' values)."""
        columns = ", ".join(self.columns)
        with connection.cursor() as cursor, connection.wrap_database_errors:
            if connection.vendor == "postgresql":
                raw = cursor.cursor  # the psycopg cursor under Django's wrapper
                with raw.copy(f"COPY {self.table} ({columns}) FROM STDIN") as copy:
                    block: list[str] = []
                    for line in self.copy_lines(values):
                        block.append(line)
                        if len(block) == 2000:
                            copy.write("\n".join(block) + "\n")
                            block.clear()
                    if block:
                        copy.write("\n".join(block) + "\n")
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                rows: Any = list(self.rows(values))  # a list: the debug cursor counts it
                cursor.executemany(f"INSERT INTO {self.table} ({columns}) VALUES ({marks})",
                                   rows)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: Any) -> str:
    """A value in PostgreSQL's COPY text format: `\\N` for NULL, t/f, escaped text."""
    if value.__class__ is str:
        # most values (dates, codes, references) need no escaping: skip the slow translate
        if value.isprintable() and "\\" not in value:
            return value
        return value.translate(_COPY_ESCAPES)
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "dumps") and hasattr(value, "obj"):  # psycopg's Jsonb wrapper
        return json.dumps(value.obj).translate(_COPY_ESCAPES)
    return str(value)


_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def uuid4_hexes(block: int = 4096) -> Iterator[str]:
    """Endless random version-4 UUIDs as 32 hex digits, as `uuid.uuid4().hex` gives them.

    `uuid4()` builds a `UUID` object in pure Python (several µs each); this draws the same
    randomness (`os.urandom`) a block at a time and sets the version and variant digits of
    RFC 9562 directly.
    """
    while True:
        digits = os.urandom(16 * block).hex()
        for start in range(0, len(digits), 32):
            raw = digits[start:start + 32]
            yield f"{raw[:12]}4{raw[13:16]}{_VARIANT[raw[16]]}{raw[17:]}"


def new_ids(model: type[models.Model], key: str, keys: Collection[Any], *,
            after: int) -> dict[Any, int]:
    """The primary keys of the rows just inserted, by `key`, for the given `keys`.

    `after` is the largest primary key before the insert: new rows have larger keys on every
    engine, so one range query finds them without an `IN` list of every key. A key missing
    from that range (a sequence reset below existing rows) is looked up by value.
    """
    found: dict[Any, int] = {}
    wanted = set(keys)
    for value, pk in (model._default_manager.filter(pk__gt=after)
                      .values_list(key, "pk").iterator(chunk_size=10_000)):
        if value in wanted:
            found[value] = pk
    missing = sorted(wanted - set(found))
    for start in range(0, len(missing), 5000):
        found.update(model._default_manager.filter(**{f"{key}__in": missing[start:start + 5000]})
                     .values_list(key, "pk"))
    return found


def max_pk(model: type[models.Model]) -> int:
    """The largest primary key of `model`'s table, 0 when it is empty."""
    top = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    return int(top or 0)


def select_in(model: type[models.Model], key: str, keys: Sequence[Any],
              fields: Sequence[str], *, lock: bool = False) -> Iterator[tuple[Any, ...]]:
    """`SELECT fields FROM model's table WHERE key IN keys`, in chunks, as plain tuples.

    The ORM prepares each value of an `IN` list in Python, which for 40,000 keys costs more
    than the query; here the driver gets them as they are (`= ANY(array)` on PostgreSQL).
    `fields` and `key` are field names of `model` (no joins); values come back typed by the
    driver (dates as `date`). `lock` adds `FOR UPDATE` where the engine has it.
    """
    meta = model._meta
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        field = meta.get_field(name)
        assert isinstance(field, models.Field) and field.column
        return quote(field.column)

    selected = ", ".join(column(name) for name in fields)
    where = column(key)
    table = quote(meta.db_table)
    postgres = connection.vendor == "postgresql"
    limit = min(5000, connection.features.max_query_params or 5000)
    suffix = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        for start in range(0, len(keys), limit):
            chunk = list(keys[start:start + limit])
            if postgres:
                cursor.execute(f"SELECT {selected} FROM {table} WHERE {where} = ANY(%s)"
                               f"{suffix}", [chunk])
            else:
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"SELECT {selected} FROM {table} WHERE {where} IN ({marks})"
                               f"{suffix}", chunk)
            yield from cursor.fetchall()


def _sql_editor() -> Any:
    """The connection's schema editor, to write SQL only. It is never entered: on SQLite,
    entering needs foreign-key checks off, which cannot be done inside a transaction."""
    editor = connection.schema_editor(atomic=False)
    editor.deferred_sql = []  # what __enter__ would set; nothing is ever deferred here
    return editor


def secondary_indexes(model: type[models.Model]) -> dict[str, str]:
    """The model's non-unique indexes present in the database: name -> the `CREATE INDEX`
    statement the migrations ran for it.

    The statements are the schema editor's own (`_model_indexes_sql`: each `db_index` field,
    foreign keys included, PostgreSQL's `varchar_pattern_ops` twins of indexed and unique
    text columns, and `Meta.indexes`), so an index made again from them has the name and
    definition `migrate` gave it. Unique indexes and constraints are never included (they
    check the rows as they are written), nor an index the model names but the database lacks
    (Django derives these names from the table and columns, so a shared name means the same
    index).
    """
    editor = _sql_editor()
    statements = {str(statement.parts["name"]).strip('"'): str(statement)
                  for statement in editor._model_indexes_sql(model)}
    with connection.cursor() as cursor:
        present = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {name: sql for name, sql in statements.items()
            if name in present and present[name]["index"] and not present[name]["unique"]
            and not present[name]["primary_key"]}


@contextmanager
def indexes_deferred(*tables: type[models.Model]) -> Iterator[None]:
    """Drop the models' secondary indexes, run the block, then build them again.

    For a large load into tables it roughly doubles, one sorted build per index costs less
    than keeping every index in step row by row. Must run inside a transaction: on any error
    the block raises, nothing is rebuilt here, and the rollback restores the indexes with the
    rows (both engines' DDL is transactional). While the transaction lasts, PostgreSQL holds
    an exclusive lock on each table (DROP INDEX), so readers of these tables wait for the
    import to end.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("indexes_deferred() needs a transaction to restore indexes in")
    indexes = [(model, secondary_indexes(model)) for model in tables]
    editor = _sql_editor()
    with connection.cursor() as cursor:
        for model, found in indexes:
            for name in found:
                cursor.execute(str(editor._delete_index_sql(model, name)))
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # PostgreSQL builds no index on a table with deferred foreign-key checks pending
            # (Django's foreign keys are DEFERRABLE INITIALLY DEFERRED): run them now, then
            # defer again what the rest of the transaction writes (the project declares no
            # DEFERRABLE INITIALLY IMMEDIATE constraint that this would also defer).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for _model, found in indexes:
            for sql in found.values():
                cursor.execute(sql)
