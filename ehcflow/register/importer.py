"""Importing a request register into the casework record (shared/domain/request-register.md).

"An import is all or nothing: a file with any error changes nothing and reports every error
it found, not just the first. Importing the same file twice leaves the data as after the
first import (rows are matched on `case_ref`: a changed row updates the request, keeping its
history)."

`import_register()` does it in three steps:

1. read and check the whole file without the database (`formats`, `validation`);
2. in one transaction, look up what ehcflow already holds (people, requests and their
   exceptions, staff; and for a changed request its advice, comments and plan) with a fixed
   number of queries per 5,000 rows, locking the requests it may change (PostgreSQL), and
   check the file against it;
3. if there is no problem at all, write everything in that same transaction; otherwise raise
   `ImportRejected` with every problem, sorted by row and column.

New rows are written by `bulk` (PostgreSQL `COPY`, SQLite `executemany`), changed rows by the
ORM's `bulk_update`; neither goes through the one-step services of `casework.services` on
purpose: a register describes requests whose steps have all happened already, and a
migration of 40,000 requests must take seconds, not an hour of per-row transactions. The
importer keeps the invariants the services keep: the stage is `services.derive_stage`, an
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

import contextlib
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from operator import attrgetter
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.text import slugify

from ehcflow.audit import chain
from ehcflow.audit.models import Log
from ehcflow.casework import choices as c
from ehcflow.casework.models import (
    AdviceRequest,
    AnnualReview,
    AssessmentRequest,
    CaseEvent,
    Child,
    EHCPlan,
    StatutoryException,
)
from ehcflow.casework.services import derive_stage
from ehcflow.people.models import Role, StaffMember
from ehcflow.register import bulk, formats, schema, validation
from ehcflow.register.formats import Problem
from ehcflow.register.validation import RegisterRow, Value
from ehcflow.statutory import clock

#: Rows per query (`__in` lists) and per bulk statement.
CHUNK = 5000
BATCH = 2000
#: New requests from which an import into tables holding no more rows than it adds drops
#: the secondary indexes and builds them after the load (SQLite).
DEFER_INDEXES_FROM = 5000

#: Register column -> `AssessmentRequest` field, for the columns stored on the request.
REQUEST_FIELDS: dict[str, str] = {
    "request_date": "received_date",
    "request_source": "source",
    "decision_date": "decision_date",
    "decision": "decision",
    "outcome_date": "outcome_date",
    "outcome": "outcome",
    "draft_date": "draft_date",
    "final_date": "final_date",
    "closed_date": "closed_date",
    "closed_reason": "closed_reason",
}
_COMPARED = (*REQUEST_FIELDS, "exception")


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
        plan = _Plan(checked.rows, today=today, actor_name=schema.actor_name(path.name))
        if readable:
            plan.prepare()
            problems.extend(plan.problems)
        prepared_at = time.perf_counter()
        result.timings["look_up"] = prepared_at - checked_at
        if problems:
            raise ImportRejected(validation.sort_problems(problems, checked.header),
                                 checked.rows_read)
        result.created = len(plan.new_rows)
        result.updated = len(plan.changed)
        result.unchanged = plan.unchanged
        result.children_created = len(plan.new_children)
        result.officers_created = sorted(plan.new_officers)
        if not dry_run:
            try:
                plan.apply()
            except IntegrityError as error:
                # the file was checked against the database at the start of this transaction;
                # a clash now is a concurrent change (another import, an officer's edit)
                raise ImportConflict(
                    "the records changed while the file was being imported (another import or "
                    "an officer's edit): nothing was changed; import the file again") from error
        result.timings["write"] = time.perf_counter() - prepared_at
    return result


def _chunks[T](items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass(slots=True)
class _StoredException:
    id: int
    reason: str
    start_date: date
    imported: bool


@dataclass(slots=True)
class _Stored:
    """An existing request as the register sees it, with what the register cannot show."""

    id: int
    kind: str
    child_id: int
    person_ref: str
    date_of_birth: date
    version: int
    officer_id: int | None
    comments_received_date: date | None
    values: dict[str, Value]
    exceptions: list[_StoredException] = field(default_factory=list)


@dataclass(slots=True)
class _Change:
    row: RegisterRow
    stored: _Stored
    diff: dict[str, tuple[Any, Any]]
    merged: dict[str, Value]
    officer_id: int | str | None  # str: an officer the import creates


class _Plan:
    """What the import will do, worked out from the rows and the database before any write."""

    def __init__(self, rows: list[RegisterRow], *, today: date, actor_name: str) -> None:
        self.rows = rows
        self.today = today
        self.actor_name = actor_name
        self.problems: list[Problem] = []
        self.new_rows: list[RegisterRow] = []
        self.changed: list[_Change] = []
        self.unchanged = 0
        self.new_children: dict[str, date] = {}
        self.new_officers: dict[str, date] = {}
        self.child_ids: dict[str, int] = {}
        self.officer_ids: dict[str, int | str] = {}  # officer text -> staff id or new name
        self.staff_names: dict[int, str] = {}
        self.staff_refs: set[str] = set()
        #: for changed requests: request id -> (plan id, issued, ceased); ids with reviews
        self.plans: dict[int, tuple[int, date, date | None]] = {}
        self.reviewed: set[int] = set()

    # --- looking up -------------------------------------------------------------------------

    def prepare(self) -> None:
        self._resolve_officers()
        births = self._load_people()
        stored = self._load_requests(births)
        for row in self.rows:
            known_birth = births.get(row.person_id)
            if known_birth is not None and known_birth != row.date_of_birth:
                self._problem(row, "date_of_birth",
                              f"person_id '{row.person_id}' is recorded in ehcflow with "
                              f"date_of_birth {known_birth.isoformat()}: a person keeps one "
                              "date of birth (correct it in ehcflow or in the file)")
            request = stored.get(row.case_ref)
            if request is None:
                self.new_rows.append(row)
                if row.person_id not in self.child_ids:
                    self.new_children.setdefault(row.person_id, row.date_of_birth)
            else:
                self._compare(row, request)
        self._check_changes_against_history()

    def _problem(self, row: RegisterRow, column: str, message: str) -> None:
        self.problems.append(Problem(row.row, column, message))

    def _resolve_officers(self) -> None:
        by_ref: dict[str, int] = {}
        by_name: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for pk, staff_ref, name in StaffMember.objects.values_list("id", "staff_ref", "name"):
            by_ref[staff_ref] = pk
            by_name[name].append((pk, staff_ref))
            self.staff_names[pk] = name
            self.staff_refs.add(staff_ref)
        for row in self.rows:
            text = row.officer
            if not text or "officer" not in row.supplied:
                continue
            if text in self.officer_ids:
                resolved = self.officer_ids[text]
                if isinstance(resolved, str):
                    self.new_officers[text] = min(self.new_officers[text], row.request_date)
                continue
            if text in by_ref:
                self.officer_ids[text] = by_ref[text]
            elif len(by_name.get(text, ())) == 1:
                self.officer_ids[text] = by_name[text][0][0]
            elif text in by_name:
                refs = ", ".join(sorted(ref for _, ref in by_name[text]))
                self._problem(row, "officer", f"'{text}' is the name of {len(by_name[text])} "
                              f"staff members (staff ids {refs}): write the staff id instead")
            else:
                self.officer_ids[text] = text
                self.new_officers[text] = row.request_date

    def _officer_key(self, text: str) -> int | str | None:
        return self.officer_ids.get(text) if text else None

    def _load_people(self) -> dict[str, date]:
        births: dict[str, date] = {}
        people = sorted({row.person_id for row in self.rows})
        for pk, person_ref, born in bulk.select_in(Child, "person_ref", people,
                                                   ("id", "person_ref", "date_of_birth")):
            self.child_ids[person_ref] = pk
            births[person_ref] = born
        return births

    def _load_requests(self, births: dict[str, date]) -> dict[str, _Stored]:
        """The requests the file names, locked until the import ends (PostgreSQL)."""
        stored: dict[str, _Stored] = {}
        fields = ("id", "case_ref", "kind", "child", "version", "officer",
                  "comments_received_date", *REQUEST_FIELDS.values())
        refs = [row.case_ref for row in self.rows]
        found = list(bulk.select_in(AssessmentRequest, "case_ref", refs, fields, lock=True))
        people = {pk: (person_ref, births[person_ref])
                  for person_ref, pk in self.child_ids.items()}
        others = sorted({record[3] for record in found} - set(people))
        for pk, person_ref, born in bulk.select_in(Child, "id", others,
                                                   ("id", "person_ref", "date_of_birth")):
            people[pk] = (person_ref, born)
        for record in found:
            (pk, case_ref, kind, child_id, version, officer_id, comments, *columns) = record
            values: dict[str, Value] = dict(zip(REQUEST_FIELDS, columns, strict=True))
            values["exception"] = ""
            person_ref, born = people[child_id]
            stored[case_ref] = _Stored(
                id=pk, kind=kind, child_id=child_id, person_ref=person_ref,
                date_of_birth=born, version=version, officer_id=officer_id,
                comments_received_date=comments, values=values)
        by_id = {request.id: request for request in stored.values()}
        exceptions = sorted(bulk.select_in(
            StatutoryException, "request", sorted(by_id),
            ("request", "start_date", "id", "reason", "note")))
        for request_id, start, pk, reason, note in exceptions:
            request = by_id[request_id]
            if not request.exceptions:
                request.values["exception"] = reason
            request.exceptions.append(_StoredException(pk, reason, start,
                                                       note == schema.IMPORT_NOTE))
        return stored

    def _compare(self, row: RegisterRow, stored: _Stored) -> None:
        if stored.kind != c.RequestKind.INITIAL:
            self._problem(row, "case_ref", f"'{row.case_ref}' is a {stored.kind} in ehcflow; "
                          "the register holds initial requests only")
            return
        if stored.person_ref != row.person_id:
            self._problem(row, "person_id", f"case_ref '{row.case_ref}' belongs to person_id "
                          f"'{stored.person_ref}' in ehcflow: a request cannot move to another "
                          "child")
            return
        diff: dict[str, tuple[Any, Any]] = {}
        merged = dict(stored.values)
        for column in _COMPARED:
            if column not in row.supplied:
                continue
            new = row.value(column)
            merged[column] = new
            if new != stored.values[column]:
                diff[column] = (stored.values[column], new)
        officer: int | str | None = stored.officer_id
        if "officer" in row.supplied:
            officer = self._officer_key(row.officer)
            if officer != stored.officer_id:
                before = self.staff_names.get(stored.officer_id) if stored.officer_id else None
                diff["officer"] = (before, self._officer_label(officer))
        if not diff:
            self.unchanged += 1
            return
        merged.update(case_ref=row.case_ref, person_id=row.person_id,
                      date_of_birth=row.date_of_birth)
        self.changed.append(_Change(row=row, stored=stored, diff=diff, merged=merged,
                                    officer_id=officer))

    def _officer_label(self, officer: int | str | None) -> str | None:
        if officer is None or isinstance(officer, str):
            return officer
        return self.staff_names.get(officer)

    def _check_changes_against_history(self) -> None:
        """A changed request must stay in the legal order with what ehcflow holds about it."""
        if not self.changed:
            return
        ids = [change.stored.id for change in self.changed]
        first_advice: dict[int, date] = {}
        plans: dict[int, tuple[int, date, date | None]] = {}
        for chunk in _chunks(ids):
            for item in (AdviceRequest.objects.filter(request_id__in=chunk)
                         .values("request_id").annotate(first=Min("requested_on"))):
                first_advice[item["request_id"]] = item["first"]
            for request_id, pk, issued, ceased in EHCPlan.objects.filter(
                    request_id__in=chunk).values_list("request_id", "id", "first_issued_date",
                                                      "cease_date"):
                plans[request_id] = (pk, issued, ceased)
            self.reviewed.update(AnnualReview.objects.filter(plan__request_id__in=chunk)
                                 .values_list("plan__request_id", flat=True))
        self.plans = plans
        for change in self.changed:
            self._check_history(change, first_advice.get(change.stored.id),
                                plans.get(change.stored.id), change.stored.id in self.reviewed)

    def _check_history(self, change: _Change, advice: date | None,
                       plan: tuple[int, date, date | None] | None, reviewed: bool) -> None:
        row, merged, stored = change.row, change.merged, change.stored
        if row.supplied != frozenset(schema.COLUMNS):
            note = " (with the stored values of the columns this file leaves out)"
            for column, message in validation.consistency_problems(merged, today=self.today):
                self._problem(row, column, message + note)
        decision_date = merged["decision_date"]
        if advice is not None:
            if merged["decision"] != c.Decision.ASSESS:
                self._problem(row, "decision", "advice for this assessment was requested in "
                              f"ehcflow on {advice.isoformat()}, so the decision must stay "
                              "assess")
            elif isinstance(decision_date, date) and decision_date > advice:
                self._problem(row, "decision_date", f"{decision_date.isoformat()} is after "
                              f"advice was requested in ehcflow ({advice.isoformat()})")
        comments = stored.comments_received_date
        draft = merged["draft_date"]
        if comments is not None:
            if draft is None:
                self._problem(row, "draft_date", "comments on the draft plan were recorded in "
                              f"ehcflow on {comments.isoformat()}, so the draft date cannot be "
                              "removed")
            elif isinstance(draft, date) and draft > comments:
                self._problem(row, "draft_date", f"{draft.isoformat()} is after the comments "
                              f"on the draft recorded in ehcflow ({comments.isoformat()})")
        received = merged["request_date"]
        for exception in stored.exceptions:
            if not exception.imported and isinstance(received, date) \
                    and exception.start_date < received:
                self._problem(row, "request_date", f"{received.isoformat()} is after the start "
                              f"of an exception recorded in ehcflow "
                              f"({exception.start_date.isoformat()})")
        if "exception" in change.diff and not merged["exception"] \
                and any(not e.imported for e in stored.exceptions):
            self._problem(row, "exception", "this request has an exception recorded in "
                          "ehcflow itself, which an import cannot remove: end it on the case "
                          "page")
        final = merged["final_date"]
        if plan is not None:
            _pk, _issued, ceased = plan
            if final is None:
                self._problem(row, "final_date", "the EHC plan issued from this request is "
                              "recorded in ehcflow; an import cannot remove it")
            elif isinstance(final, date) and "final_date" in change.diff:
                if ceased is not None and ceased < final:
                    self._problem(row, "final_date", f"{final.isoformat()} is after the plan "
                                  f"ceased ({ceased.isoformat()})")
                if reviewed:
                    self._problem(row, "final_date", "the plan has a review recorded in "
                                  "ehcflow, so its issue date cannot change by import")

    # --- writing --------------------------------------------------------------------------

    def apply(self) -> None:
        now = timezone.now()
        self._create_officers()
        deferred = (Child, AssessmentRequest, StatutoryException, EHCPlan, CaseEvent)
        with (bulk.indexes_deferred(*deferred) if self._defer_indexes()
              else contextlib.nullcontext()):
            self._create_children(now)
            self._create_requests(now)
            self._update_requests(now)

    def _defer_indexes(self) -> bool:
        """Whether to build the filled tables' secondary indexes after the load (see
        `bulk.indexes_deferred`): on SQLite, for many new rows, at least as many as the tables
        hold. Not on PostgreSQL: there it measured no faster (the deferred foreign-key checks
        must run before the builds) and DROP INDEX locks the tables against readers."""
        new = len(self.new_rows)
        return (connection.vendor == "sqlite" and new >= DEFER_INDEXES_FROM
                and new >= bulk.max_pk(AssessmentRequest))

    def _staff_ref(self, name: str) -> str:
        base = (schema.IMPORTED_STAFF_PREFIX + (slugify(name) or "officer"))[:36]
        ref, n = base, 1
        while ref in self.staff_refs:
            n += 1
            ref = f"{base}-{n}"
        self.staff_refs.add(ref)
        return ref

    def _create_officers(self) -> None:
        staff = [StaffMember(staff_ref=self._staff_ref(name), name=name,
                             role=Role.CASE_OFFICER, start_date=start)
                 for name, start in sorted(self.new_officers.items())]
        StaffMember.objects.bulk_create(staff, batch_size=BATCH)
        for member in staff:
            self.officer_ids[member.name] = member.pk
            self.staff_names[member.pk] = member.name

    def _officer_id(self, key: int | str | None) -> int | None:
        if isinstance(key, str):
            resolved = self.officer_ids[key]
            assert isinstance(resolved, int)
            return resolved
        return key

    def _create_children(self, now: datetime) -> None:
        people = list(self.new_children.items())
        after = bulk.max_pk(Child)
        inserter = bulk.Inserter(Child, ("person_ref", "date_of_birth"), now=now)
        inserter.insert((person, bulk.as_db_date(born)) for person, born in people)
        self.child_ids.update(bulk.new_ids(Child, "person_ref", self.new_children, after=after))

    def _create_requests(self, now: datetime) -> None:
        day = bulk.as_db_date
        rows = self.new_rows
        officers = [self._officer_id(self._officer_key(row.officer)) for row in rows]
        after = bulk.max_pk(AssessmentRequest)
        requests = bulk.Inserter(AssessmentRequest, (
            "case_ref", "child_id", "kind", "received_date", "source", "officer_id", "stage",
            "decision", "decision_date", "outcome", "outcome_date", "draft_date", "final_date",
            "closed_date", "closed_reason", "exported", "week20_exception"), now=now)
        requests.insert(
            (row.case_ref, self.child_ids[row.person_id], c.RequestKind.INITIAL.value,
             day(row.request_date), row.request_source, officer, _stage(row), row.decision,
             day(row.decision_date), row.outcome, day(row.outcome_date), day(row.draft_date),
             day(row.final_date), day(row.closed_date), row.closed_reason,
             row.closed_reason == c.ClosedReason.MOVED_AWAY, bool(row.exception))
            for row, officer in zip(rows, officers, strict=True))
        request_ids = bulk.new_ids(AssessmentRequest, "case_ref",
                                   [row.case_ref for row in rows], after=after)
        bulk.Inserter(StatutoryException, ("request_id", "reason", "start_date", "note"),
                      now=now).insert(
            (request_ids[row.case_ref], row.exception, day(row.request_date),
             schema.IMPORT_NOTE) for row in rows if row.exception)
        planned = [(row, officer) for row, officer in zip(rows, officers, strict=True)
                   if row.final_date is not None]
        after = bulk.max_pk(EHCPlan)
        bulk.Inserter(EHCPlan, ("child_id", "request_id", "start_date", "first_issued_date",
                                "next_review_due", "officer_id"), now=now).insert(
            (self.child_ids[row.person_id], request_ids[row.case_ref], day(row.final_date),
             day(row.final_date), day(_next_review(row.final_date)), officer)
            for row, officer in planned)
        plan_ids = bulk.new_ids(EHCPlan, "request",
                                [request_ids[row.case_ref] for row, _ in planned], after=after)
        self._create_events(rows, request_ids, plan_ids, now)

    def _create_events(self, rows: list[RegisterRow], request_ids: dict[str, int],
                       plan_ids: dict[int, int], now: datetime) -> None:
        """One "imported" case event per new request, each a link of the hash chain
        (decision 0008), hashed in the same pass that builds the rows."""
        day = bulk.as_db_date
        stamp = connection.ops.adapt_datetimefield_value(now)
        at = chain.timestamp(now)
        actor, action = self.actor_name, schema.ACTION_IMPORTED
        description = "Request imported from the request register"
        public_ids = bulk.uuid4_hexes()
        encode = chain.canonical_json  # stored as it is hashed: sorted keys, no spaces
        large = len(rows) >= DEFER_INDEXES_FROM  # as for the indexes: only a large load gains
        with (chain.appending(Log.CASE_EVENTS) as appender,
              chain.replace_guard_lifted(CaseEvent) if large else contextlib.nullcontext()):
            link = appender.link

            def events() -> Iterator[tuple[bulk.DBValue, ...]]:
                for row, public_id in zip(rows, public_ids, strict=False):
                    child, request = self.child_ids[row.person_id], request_ids[row.case_ref]
                    plan, on, changes = (plan_ids.get(request), day(row.request_date),
                                         encode(_row_changes(row)))
                    seq, digest = link((public_id, child, request, plan, at, on, None, actor,
                                        action, description, "", changes))
                    yield (public_id, child, request, plan, stamp, on, actor, action,
                           description, changes, seq, digest)

            bulk.Inserter(CaseEvent, (
                "public_id", "child_id", "request_id", "plan_id", "occurred_at",
                "effective_date", "actor_name", "action", "description", "changes", "seq",
                "chain_hash"), now=now).insert(events())

    def _update_requests(self, now: datetime) -> None:
        if not self.changed:
            return
        requests: list[AssessmentRequest] = []
        new_exceptions: list[StatutoryException] = []
        changed_exceptions: dict[int, StatutoryException] = {}
        removed_exceptions: list[int] = []
        new_plans: list[EHCPlan] = []
        changed_plans: list[EHCPlan] = []
        plan_ids: dict[int, int] = {}
        for change in self.changed:
            merged, stored = change.merged, change.stored
            request = AssessmentRequest(
                id=stored.id, child_id=stored.child_id, updated_at=now,
                version=stored.version + 1,
                officer_id=self._officer_id(change.officer_id),
                **{field_name: merged[column] for column, field_name in REQUEST_FIELDS.items()})
            request.exported = request.closed_reason == c.ClosedReason.MOVED_AWAY
            received = request.received_date
            exceptions = list(stored.exceptions)
            if "exception" in change.diff:
                code = str(merged["exception"] or "")
                if not exceptions:
                    new_exceptions.append(StatutoryException(
                        request_id=stored.id, reason=code, start_date=received,
                        note=schema.IMPORT_NOTE))
                elif code:
                    first = exceptions[0]
                    changed_exceptions[first.id] = StatutoryException(
                        id=first.id, reason=code, start_date=first.start_date, updated_at=now)
                else:
                    removed_exceptions.extend(e.id for e in exceptions if e.imported)
                    exceptions = [e for e in exceptions if not e.imported]
            if "request_date" in change.diff:
                # an exception the importer made starts on the request date, and follows it
                old_received = change.diff["request_date"][0]
                for e in exceptions:
                    if e.imported and e.start_date == old_received:
                        moved = changed_exceptions.setdefault(e.id, StatutoryException(
                            id=e.id, reason=e.reason, start_date=received, updated_at=now))
                        moved.start_date = received
            request.week20_exception = bool(exceptions) or bool(merged["exception"])
            request.stage = derive_stage(request)
            requests.append(request)
            plan = self.plans.get(stored.id)
            if plan is not None:
                plan_ids[stored.id] = plan[0]
                if "final_date" in change.diff and request.final_date is not None:
                    changed_plans.append(_moved_plan(plan[0], request.final_date, now))
            elif request.final_date is not None:
                new_plans.append(_new_plan(request))
        fields = [*REQUEST_FIELDS.values(), "officer_id", "stage", "exported",
                  "week20_exception", "version", "updated_at"]
        AssessmentRequest.objects.bulk_update(requests, fields, batch_size=500)
        StatutoryException.objects.filter(id__in=removed_exceptions).delete()
        StatutoryException.objects.bulk_create(new_exceptions, batch_size=BATCH)
        StatutoryException.objects.bulk_update(
            list(changed_exceptions.values()), ["reason", "start_date", "updated_at"],
            batch_size=500)
        EHCPlan.objects.bulk_create(new_plans, batch_size=BATCH)
        plan_ids.update({plan.request_id: plan.pk for plan in new_plans
                         if plan.request_id is not None})
        EHCPlan.objects.bulk_update(
            changed_plans, ["start_date", "first_issued_date", "next_review_due", "updated_at"],
            batch_size=500)
        events = []
        for change in self.changed:
            columns = [column for column in schema.COLUMNS if column in change.diff]
            events.append(CaseEvent(
                child_id=change.stored.child_id, request_id=change.stored.id,
                plan_id=plan_ids.get(change.stored.id), effective_date=self.today,
                actor_name=self.actor_name, action=schema.ACTION_UPDATED,
                description=_truncate("Updated from the request register: "
                                      + ", ".join(columns)),
                changes={column: [_shown(change.diff[column][0]),
                                  _shown(change.diff[column][1])] for column in columns},
            ))
        # The manager's bulk_create links each event into the hash chain (decision 0008).
        CaseEvent.objects.bulk_create(events, batch_size=BATCH)


@cache
def _stage_of(closed: bool, final: bool, decision: str, outcome: str, draft: bool) -> str:
    """`services.derive_stage` for a combination of steps (there are only a few dozen)."""
    probe = AssessmentRequest(
        closed_date=date.min if closed else None, final_date=date.min if final else None,
        decision=decision, outcome=outcome, draft_date=date.min if draft else None)
    return str(derive_stage(probe))


def _stage(row: RegisterRow) -> str:
    return _stage_of(row.closed_date is not None, row.final_date is not None, row.decision,
                     row.outcome, row.draft_date is not None)


@cache
def _next_review(final: date | None) -> date | None:
    return None if final is None else clock.next_review_due(final)


def _new_plan(request: AssessmentRequest) -> EHCPlan:
    """The plan a final date issues: dated the final date, first review a year on."""
    final = request.final_date
    assert final is not None
    return EHCPlan(child_id=request.child_id, request_id=request.pk, start_date=final,
                   first_issued_date=final, next_review_due=clock.next_review_due(final),
                   officer_id=request.officer_id)


def _moved_plan(pk: int, final: date, now: Any) -> EHCPlan:
    """The plan with its issue date corrected; only a plan never reviewed is moved, so its
    current plan date is still its first issue date and its first review is a year on."""
    return EHCPlan(id=pk, start_date=final, first_issued_date=final, updated_at=now,
                   next_review_due=clock.next_review_due(final))


_ROW_VALUES = attrgetter(*schema.COLUMNS)


def _row_changes(row: RegisterRow) -> dict[str, str | None]:
    """The row as an event's `changes`: every column, ISO dates, None when empty."""
    day = bulk.as_db_date
    return dict(zip(schema.COLUMNS, [
        day(value) if value.__class__ is date else (value or None)
        for value in _ROW_VALUES(row)], strict=True))


def _shown(value: Any) -> str | None:
    if isinstance(value, date):
        return value.isoformat()
    return value or None


def _truncate(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
