"""Checking a register against what ehcflow holds, before anything is written.

The second of the importer's three steps (`importer` has the overview): in the import's
transaction, look up the people, requests (locked on PostgreSQL), exceptions, staff, and for a
changed request its advice, comments and plan, with a fixed number of queries per 5,000 rows;
sort the rows into new and changed requests; and find every problem a row has with the
records (a person's date of birth, a request moving child, a change out of the legal order
with what ehcflow holds). `writes` then writes the batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Min

from ehcflow.casework import choices as c
from ehcflow.casework.models import (
    AdviceRequest,
    AnnualReview,
    AssessmentRequest,
    Child,
    EHCPlan,
    StatutoryException,
)
from ehcflow.people.models import StaffMember
from ehcflow.register import bulk, schema, validation
from ehcflow.register.formats import Problem
from ehcflow.register.validation import RegisterRow, Value

#: Rows per query (`__in` lists).
CHUNK = 5000

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
COMPARED = (*REQUEST_FIELDS, "exception")


def chunks[T](items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass(slots=True)
class StoredException:
    id: int
    reason: str
    start_date: date
    imported: bool


@dataclass(slots=True)
class StoredRequest:
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
    exceptions: list[StoredException] = field(default_factory=list)


@dataclass(slots=True)
class RowChange:
    row: RegisterRow
    stored: StoredRequest
    diff: dict[str, tuple[Any, Any]]
    merged: dict[str, Value]
    officer_id: int | str | None  # str: an officer the import creates


class ImportBatch:
    """What an import will do, worked out from the rows and the database before any write.

    `prepare()` sorts the rows into new (`new_rows`) and changed (`changed`) requests,
    resolves officers and people, and collects every `problems`; `writes.BatchWriter` then
    writes the batch. Nothing here writes.
    """

    def __init__(self, rows: list[RegisterRow], *, today: date, actor_name: str) -> None:
        self.rows = rows
        self.today = today
        self.actor_name = actor_name
        self.problems: list[Problem] = []
        self.new_rows: list[RegisterRow] = []
        self.changed: list[RowChange] = []
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

    def officer_key(self, text: str) -> int | str | None:
        """A row's officer: a staff id, the name of an officer the import creates, or None."""
        return self.officer_ids.get(text) if text else None

    def _load_people(self) -> dict[str, date]:
        births: dict[str, date] = {}
        people = sorted({row.person_id for row in self.rows})
        for pk, person_ref, born in bulk.select_in(Child, "person_ref", people,
                                                   ("id", "person_ref", "date_of_birth")):
            self.child_ids[person_ref] = pk
            births[person_ref] = born
        return births

    def _load_requests(self, births: dict[str, date]) -> dict[str, StoredRequest]:
        """The requests the file names, locked until the import ends (PostgreSQL)."""
        stored: dict[str, StoredRequest] = {}
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
            stored[case_ref] = StoredRequest(
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
            request.exceptions.append(StoredException(pk, reason, start,
                                                       note == schema.IMPORT_NOTE))
        return stored

    def _compare(self, row: RegisterRow, stored: StoredRequest) -> None:
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
        for column in COMPARED:
            if column not in row.supplied:
                continue
            new = row.value(column)
            merged[column] = new
            if new != stored.values[column]:
                diff[column] = (stored.values[column], new)
        officer: int | str | None = stored.officer_id
        if "officer" in row.supplied:
            officer = self.officer_key(row.officer)
            if officer != stored.officer_id:
                before = self.staff_names.get(stored.officer_id) if stored.officer_id else None
                diff["officer"] = (before, self._officer_label(officer))
        if not diff:
            self.unchanged += 1
            return
        merged.update(case_ref=row.case_ref, person_id=row.person_id,
                      date_of_birth=row.date_of_birth)
        self.changed.append(RowChange(row=row, stored=stored, diff=diff, merged=merged,
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
        for chunk in chunks(ids):
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

    def _check_history(self, change: RowChange, advice: date | None,
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
