"""Importing a request register into the casework record (docs/domain/request-register.md).

"An import is all or nothing: a file with any error changes nothing and reports every error
it found, not just the first. Importing the same file twice leaves the data as after the
first import (rows are matched on `case_ref`: a changed row updates the request, keeping its
history)."

`import_register()` does it in three steps:

1. read and check the whole file without the database (`formats`, `validation`);
2. in one transaction, look up what ehcflow already holds (people, requests and their
   exceptions, staff; and for a changed request its advice, comments and plan) with a fixed
   number of queries per 5,000 rows, locking the requests it may change (PostgreSQL), and
   check the file against it (`lookup.ImportBatch`);
3. if there is no problem at all, write everything in that same transaction
   (`writes.BatchWriter`); otherwise raise `ImportRejected` with every problem, sorted by row
   and column.

New rows are written by `bulk` (PostgreSQL `COPY`, SQLite `executemany`), changed rows by the
ORM's `bulk_update`; neither goes through the one-step services of `casework.services` on
purpose: a register describes requests whose steps have all happened already, and a
migration of 40,000 requests must take seconds, not an hour of per-row transactions. The
importer keeps the invariants the services keep (docs/decisions/0023): the stage is
`statutory.records.current_stage` (through `services.derive_stage` for a changed row), an
exception sets `week20_exception`, a final date has its `EHCPlan` (next review a year on,
`clock.next_review_due`), closing as moved away sets `exported`, a change bumps `version`
(so a page open on the request sees it changed), and every created or changed request gets
one `CaseEvent` in the same transaction.

Interpretations of the spec made here:

- New row: a `Child` is created for an unknown `person_id` (names blank); the request is
  initial; `exception` becomes a `StatutoryException` from the request date with no end and
  the note "imported from the request register"; `final_date` creates the plan; one
  `request_imported` event (dated the request date) holds the row.
- A `person_id` already in ehcflow must have the file's date of birth; an existing
  `case_ref` must be an initial request of the same person (a request cannot move to another
  child: its history is the child's). A re-assessment's `case_ref` is refused.
- Changed row: the request, its exception and its plan follow the row; one
  `request_updated_by_import` event (dated today) holds `{column: [before, after]}`. What the
  register cannot describe is never destroyed: a final plan cannot be removed, nor an
  exception recorded in ehcflow itself; a change that would put a step out of order with
  what ehcflow holds (advice requested before the decision to assess, comments on the draft
  before the draft, an exception before the request, a reviewed plan's date) is an error.
- The register shows a request's first exception (by start date); changing the code changes
  that exception's reason; emptying it removes the exceptions the importer made.
- An optional column left out of the file leaves that value of existing requests alone.
- `officer` is matched to a `StaffMember` by staff id, else by exact name; a name shared by
  two staff members is an error (write the staff id). An unknown officer is created as a
  case officer with staff id "IMP-" + the name's slug, starting on their earliest request.
- A clash with a concurrent change (another import creating the same child) rolls back and
  raises `ImportConflict`, never an `IntegrityError`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from ehcflow.register import formats, schema, validation
from ehcflow.register.formats import Problem
from ehcflow.register.lookup import ImportBatch
from ehcflow.register.writes import BatchWriter


class ImportConflict(Exception):
    """Someone else changed the same records while the file was being imported."""


class ImportRejected(Exception):
    """The file has problems; nothing was changed. `problems` holds every one, by row."""

    def __init__(self, problems: list[Problem], rows_read: int) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems
        self.rows_read = rows_read


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    file_name: str
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    children_created: int = 0
    officers_created: list[str] = field(default_factory=list)
    ignored_columns: tuple[str, ...] = ()
    dry_run: bool = False
    #: seconds spent reading and checking the file, looking up the database, and writing
    timings: dict[str, float] = field(default_factory=dict)


def import_register(path: Path, *, dry_run: bool = False, ignore_unknown_columns: bool = False,
                    today: date | None = None) -> ImportResult:
    """Validate the whole file, then apply it in one transaction, or raise `ImportRejected`.

    `today` (default: the local date) is the date that no register date may be after.
    """
    today = today or timezone.localdate()
    started = time.perf_counter()
    source = formats.open_register(path)
    checked = validation.validate(source, today=today,
                                  ignore_unknown_columns=ignore_unknown_columns,
                                  problems=source.problems)
    result = ImportResult(file_name=path.name, rows_read=checked.rows_read, dry_run=dry_run,
                          ignored_columns=checked.header.ignored if checked.header else ())
    problems = list(checked.problems)
    checked_at = time.perf_counter()
    result.timings["read_and_check"] = checked_at - started
    # A file the reader could not read to the end (wrong encoding, too many rows, damaged)
    # is refused as it is: checking part of it against the database would tell nothing.
    readable = checked.header is not None and not source.stopped
    with transaction.atomic():
        batch = ImportBatch(checked.rows, today=today, actor_name=schema.actor_name(path.name))
        if readable:
            batch.prepare()
            problems.extend(batch.problems)
        prepared_at = time.perf_counter()
        result.timings["look_up"] = prepared_at - checked_at
        if problems:
            raise ImportRejected(validation.sort_problems(problems, checked.header),
                                 checked.rows_read)
        result.created = len(batch.new_rows)
        result.updated = len(batch.changed)
        result.unchanged = batch.unchanged
        result.children_created = len(batch.new_children)
        result.officers_created = sorted(batch.new_officers)
        if not dry_run:
            try:
                BatchWriter(batch).apply()
            except IntegrityError as error:
                # the file was checked against the database at the start of this transaction;
                # a clash now is a concurrent change (another import, an officer's edit)
                raise ImportConflict(
                    "the records changed while the file was being imported (another import or "
                    "an officer's edit): nothing was changed; import the file again") from error
        result.timings["write"] = time.perf_counter() - prepared_at
    return result

