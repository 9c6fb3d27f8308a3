"""Which tables a backup holds, in which order, and how their values are written as JSON.

Models are found through `django.apps` at run time, so a table another app adds later (the
audit chain, say) is backed up and restored without a change here. Values are written in an
engine-neutral form (ISO dates and times in UTC, decimals as text, UUIDs as text, durations in
microseconds, bytes in base64, JSON as JSON) so a backup taken on SQLite restores on
PostgreSQL and the other way round, value for value.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.apps import apps
from django.db import models

#: Left out of a backup on purpose (decision 0010): a session row is a live sign-in credential
#: that expires within the idle timeout; restoring it would only let an old cookie back in.
EXCLUDED = frozenset({"sessions.session"})

#: Rows that `migrate` writes itself into a new database. A restore replaces them with the
#: backup's own rows (same primary keys, so permissions and admin history still point right).
#: The audit chains' heads start at sequence 0 in a new database; a head past 0 means the log
#: holds rows, so the database is not empty.
GENERATED_BY_MIGRATE: dict[str, dict[str, Any]] = {
    "auth.permission": {},
    "contenttypes.contenttype": {},
    "audit.chainhead": {"seq__gt": 0},
}


def backed_up_models() -> list[type[models.Model]]:
    """Every table of every installed app, parents before the tables that refer to them."""
    found = [
        model for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
        and model._meta.label_lower not in EXCLUDED
    ]
    return dependency_order(found)


def dependency_order(found: list[type[models.Model]]) -> list[type[models.Model]]:
    """Order tables so each comes after the tables its foreign keys point to.

    Cycles exist (a team names its manager, a staff member their team); they are broken at a
    nullable reference, and in any case both engines check foreign keys at commit (Django
    declares them DEFERRABLE INITIALLY DEFERRED), so the order only has to be sensible.
    """
    labels = {model._meta.label_lower: model for model in found}
    needs: dict[str, set[str]] = {}
    must: dict[str, set[str]] = {}  # the subset through NOT NULL columns
    for label, model in labels.items():
        needs[label], must[label] = set(), set()
        for field in model._meta.local_concrete_fields:
            related = field.related_model
            if field.is_relation and isinstance(related, type):
                concrete = related._meta.concrete_model or related
                target = concrete._meta.label_lower
                if target != label and target in labels:
                    needs[label].add(target)
                    if not field.null:
                        must[label].add(target)
    ordered: list[str] = []
    waiting = set(labels)
    while waiting:
        ready = sorted(label for label in waiting if not (needs[label] & waiting))
        if not ready:
            # A cycle: let in one table whose required references are all there, so only a
            # nullable reference (a team's manager) points forward.
            ready = sorted(label for label in waiting if not (must[label] & waiting))[:1]
        if not ready:
            ready = [min(waiting)]
        for label in ready:
            ordered.append(label)
            waiting.discard(label)
    return [labels[label] for label in ordered]


def columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The model's own columns in a fixed order (primary key first, then declaration order)."""
    fields = list(model._meta.local_concrete_fields)
    fields.sort(key=lambda field: 0 if field.primary_key else 1)
    return fields


def value_kind(field: models.Field[Any, Any]) -> str:
    """The stored type of a column; a foreign key stores its target's type."""
    while field.is_relation and getattr(field, "target_field", None) is not None:
        field = field.target_field  # type: ignore[attr-defined]
    return str(field.get_internal_type())


def _datetime_out(value: datetime) -> str:
    return value.isoformat()


ENCODERS: dict[str, Callable[[Any], Any]] = {
    "DateTimeField": _datetime_out,
    "DateField": date.isoformat,
    "TimeField": time.isoformat,
    "DurationField": lambda value: value // timedelta(microseconds=1),
    "DecimalField": str,
    "UUIDField": str,
    "BinaryField": lambda value: base64.b64encode(bytes(value)).decode("ascii"),
}

DECODERS: dict[str, Callable[[Any], Any]] = {
    "DateTimeField": datetime.fromisoformat,
    "DateField": date.fromisoformat,
    "TimeField": time.fromisoformat,
    "DurationField": lambda value: timedelta(microseconds=value),
    "DecimalField": Decimal,
    "UUIDField": UUID,
    "BinaryField": base64.b64decode,
}


#: Column types whose JSON value is already what either database driver takes, so a restore
#: passes it straight through (the field's own preparation is the identity for them, and
#: skipping it halves the restore's Python time).
PASS_THROUGH = frozenset({
    "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
    "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
    "PositiveSmallIntegerField", "BooleanField", "FloatField", "CharField", "TextField",
    "SlugField", "EmailField", "URLField",
})


def encoders(fields: list[models.Field[Any, Any]]) -> list[Callable[[Any], Any] | None]:
    return [ENCODERS.get(value_kind(field)) for field in fields]


def decoders(fields: list[models.Field[Any, Any]]) -> list[Callable[[Any], Any] | None]:
    return [DECODERS.get(value_kind(field)) for field in fields]
