"""Load the demo authority once, and only into a database that holds nothing else.

Policy (documented in the command's help): a database with a `DemoLoad` row is a demo
database. Running again with the same seed is a no-op, whatever `--today`; a different seed
is refused, because the demo cannot be replaced in place: case events are append-only and
the database itself refuses to delete them (casework migration 0003), so wiping the demo's
rows would mean defeating the audit trail. Start again from an empty database instead. A
database that holds casework, staff or institutions but no `DemoLoad` belongs to a real
service and is never written to.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from django.db import DatabaseError, transaction

from ehcflow.casework.models import AssessmentRequest, CaseEvent, Child, EHCPlan, Institution
from ehcflow.demo import generator, writer
from ehcflow.demo.models import DemoLoad
from ehcflow.people.models import StaffMember, Team
from ehcflow.plans import demo_content

DEFAULT_SEED = 2023


class DemoRefused(Exception):
    """The demo will not be loaded; the message says why and what to do instead."""


@dataclass(frozen=True)
class LoadResult:
    load: DemoLoad
    already: bool
    seconds: float = 0.0


def status() -> str:
    """`loaded` when the demo authority is in the database, else `empty`."""
    try:
        return "loaded" if DemoLoad.objects.exists() else "empty"
    except DatabaseError:  # not migrated yet: certainly not loaded
        return "empty"


def other_records() -> dict[str, int]:
    """Rows that would make this a real service's database, by table (only non-zero)."""
    found = {
        "children": Child.objects.count(),
        "requests": AssessmentRequest.objects.count(),
        "plans": EHCPlan.objects.count(),
        "case events": CaseEvent.objects.count(),
        "staff": StaffMember.objects.count(),
        "teams": Team.objects.count(),
        "institutions": Institution.objects.count(),
    }
    return {name: n for name, n in found.items() if n}


def load(*, seed: int, today: date, scale: float = 1.0) -> LoadResult:
    """Generate the authority for `seed` as at `today` and write it, all or nothing."""
    existing = DemoLoad.objects.order_by("loaded_at").first()
    if existing is not None:
        if existing.seed == seed and existing.scale == scale:
            return LoadResult(load=existing, already=True)
        raise DemoRefused(
            f"The demo authority is already loaded with seed {existing.seed} (as at "
            f"{existing.today:%d %B %Y}). It cannot be replaced in place, because case events "
            "are append-only and the database refuses to delete them. To load another seed, "
            "start from an empty database: delete var/ehcflow.sqlite3 (or drop and recreate "
            "the PostgreSQL database), run `ehcflow migrate`, then load again.")
    others = other_records()
    if others:
        listed = ", ".join(f"{n:,} {name}" for name, n in others.items())
        raise DemoRefused(
            f"This database already holds records that are not demo data ({listed}). The "
            "demo writes invented children into the database, so it only loads into an empty "
            "one. Point DATABASE_URL at a new database, run `ehcflow migrate`, and try again.")
    started = time.perf_counter()
    authority = generator.generate(seed, today, scale)
    with transaction.atomic():
        counts = writer.write(authority)
        counts.update(demo_content.write_demo_documents(seed=seed))  # plans since 2024
        seconds = round(time.perf_counter() - started, 1)
        record = DemoLoad.objects.create(seed=seed, today=today, scale=scale, seconds=seconds,
                                         counts=counts)
    return LoadResult(load=record, already=False, seconds=seconds)
