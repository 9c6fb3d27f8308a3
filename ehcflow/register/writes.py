"""Writing a checked register batch: new requests in bulk, changed ones with the ORM.

The last of the importer's three steps (`importer` has the overview), run only when
`lookup.ImportBatch.prepare()` found no problem, in the same transaction. New rows are
written by `bulk` (PostgreSQL `COPY`, SQLite `executemany`), changed rows by `bulk_update`,
keeping the invariants the casework services keep (docs/decisions/0023): the stage from
`statutory.records.current_stage`, `week20_exception`, the plan of a final date, `exported`,
`version`, and one case event per created or changed request, linked into the hash chain.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, datetime
from functools import cache
from operator import attrgetter
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.text import slugify

from ehcflow.audit import chain
from ehcflow.audit.models import Log
from ehcflow.casework import choices as c
from ehcflow.casework.events import DESCRIPTIONS, EventAction
from ehcflow.casework.models import (
    AssessmentRequest,
    CaseEvent,
    Child,
    EHCPlan,
    StatutoryException,
)
from ehcflow.casework.services import derive_stage
from ehcflow.people.models import Role, StaffMember
from ehcflow.register import bulk, schema
from ehcflow.register.lookup import REQUEST_FIELDS, ImportBatch
from ehcflow.register.validation import RegisterRow
from ehcflow.statutory import clock
from ehcflow.statutory.records import RequestRecord, current_stage

#: Rows per bulk statement.
BATCH = 2000
#: New requests from which an import into tables holding no more rows than it adds drops
#: the secondary indexes and builds them after the load (SQLite).
DEFER_INDEXES_FROM = 5000


class BatchWriter:
    """Writes one checked `ImportBatch`; the batch's lookups gain the ids of what it creates."""

    def __init__(self, batch: ImportBatch) -> None:
        self.batch = batch


    def apply(self) -> None:
        now = timezone.now()
        self._create_officers()
        deferred = (Child, AssessmentRequest, StatutoryException, EHCPlan, CaseEvent)
        with (bulk.indexes_deferred(*deferred) if self.defer_indexes()
              else contextlib.nullcontext()):
            self._create_children(now)
            self._create_requests(now)
            self._update_requests(now)

    def defer_indexes(self) -> bool:
        """Whether to build the filled tables' secondary indexes after the load (see
        `bulk.indexes_deferred`): on SQLite, for many new rows, at least as many as the tables
        hold. Not on PostgreSQL: there it measured no faster (the deferred foreign-key checks
        must run before the builds) and DROP INDEX locks the tables against readers."""
        new = len(self.batch.new_rows)
        return (connection.vendor == "sqlite" and new >= DEFER_INDEXES_FROM
                and new >= bulk.max_pk(AssessmentRequest))

    def _staff_ref(self, name: str) -> str:
        base = (schema.IMPORTED_STAFF_PREFIX + (slugify(name) or "officer"))[:36]
        ref, n = base, 1
        while ref in self.batch.staff_refs:
            n += 1
            ref = f"{base}-{n}"
        self.batch.staff_refs.add(ref)
        return ref

    def _create_officers(self) -> None:
        staff = [StaffMember(staff_ref=self._staff_ref(name), name=name,
                             role=Role.CASE_OFFICER, start_date=start)
                 for name, start in sorted(self.batch.new_officers.items())]
        StaffMember.objects.bulk_create(staff, batch_size=BATCH)
        for member in staff:
            self.batch.officer_ids[member.name] = member.pk
            self.batch.staff_names[member.pk] = member.name

    def _officer_id(self, key: int | str | None) -> int | None:
        if isinstance(key, str):
            resolved = self.batch.officer_ids[key]
            assert isinstance(resolved, int)
            return resolved
        return key

    def _create_children(self, now: datetime) -> None:
        people = list(self.batch.new_children.items())
        after = bulk.max_pk(Child)
        inserter = bulk.Inserter(Child, ("person_ref", "date_of_birth"), now=now)
        inserter.insert((person, bulk.as_db_date(born)) for person, born in people)
        self.batch.child_ids.update(
            bulk.new_ids(Child, "person_ref", self.batch.new_children, after=after))

    def _create_requests(self, now: datetime) -> None:
        day = bulk.as_db_date
        rows = self.batch.new_rows
        officers = [self._officer_id(self.batch.officer_key(row.officer)) for row in rows]
        after = bulk.max_pk(AssessmentRequest)
        requests = bulk.Inserter(AssessmentRequest, (
            "case_ref", "child_id", "kind", "received_date", "source", "officer_id", "stage",
            "decision", "decision_date", "outcome", "outcome_date", "draft_date", "final_date",
            "closed_date", "closed_reason", "exported", "week20_exception"), now=now)
        requests.insert(
            (row.case_ref, self.batch.child_ids[row.person_id], c.RequestKind.INITIAL.value,
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
            (self.batch.child_ids[row.person_id], request_ids[row.case_ref], day(row.final_date),
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
        actor, action = self.batch.actor_name, EventAction.REQUEST_IMPORTED.value
        description = DESCRIPTIONS[EventAction.REQUEST_IMPORTED]
        public_ids = bulk.uuid4_hexes()
        encode = chain.canonical_json  # stored as it is hashed: sorted keys, no spaces
        large = len(rows) >= DEFER_INDEXES_FROM  # as for the indexes: only a large load gains
        with (chain.appending(Log.CASE_EVENTS) as appender,
              chain.replace_guard_lifted(CaseEvent) if large else contextlib.nullcontext()):
            link = appender.link

            def events() -> Iterator[tuple[bulk.DBValue, ...]]:
                for row, public_id in zip(rows, public_ids, strict=False):
                    child, request = self.batch.child_ids[row.person_id], request_ids[row.case_ref]
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
        if not self.batch.changed:
            return
        requests: list[AssessmentRequest] = []
        new_exceptions: list[StatutoryException] = []
        changed_exceptions: dict[int, StatutoryException] = {}
        removed_exceptions: list[int] = []
        new_plans: list[EHCPlan] = []
        changed_plans: list[EHCPlan] = []
        plan_ids: dict[int, int] = {}
        for change in self.batch.changed:
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
            plan = self.batch.plans.get(stored.id)
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
        for change in self.batch.changed:
            columns = [column for column in schema.COLUMNS if column in change.diff]
            events.append(CaseEvent(
                child_id=change.stored.child_id, request_id=change.stored.id,
                plan_id=plan_ids.get(change.stored.id), effective_date=self.batch.today,
                actor_name=self.batch.actor_name, action=EventAction.REQUEST_UPDATED_BY_IMPORT,
                description=_truncate("Updated from the request register: "
                                      + ", ".join(columns)),
                changes={column: [_shown(change.diff[column][0]),
                                  _shown(change.diff[column][1])] for column in columns},
            ))
        # The manager's bulk_create links each event into the hash chain (decision 0008).
        CaseEvent.objects.bulk_create(events, batch_size=BATCH)


def _stage(row: RegisterRow) -> str:
    """The stage of a new row: `statutory.records.current_stage`, the services' rule too.

    Worked out once per combination of recorded steps (a few dozen), which keeps a 40,000-row
    import from paying for it per row; a row with two endings (refused, then closed) depends
    on their dates' order (the earliest wins) and is worked out on its own.
    """
    endings = ((row.decision == c.Decision.NOT_ASSESS and row.decision_date is not None)
               + (row.outcome == c.Outcome.NO_PLAN and row.outcome_date is not None)
               + (row.final_date is not None) + (row.closed_date is not None))
    if endings > 1:
        return current_stage(RequestRecord(
            case_ref=row.case_ref, request_date=row.request_date,
            decision=row.decision or None, decision_date=row.decision_date,
            outcome=row.outcome or None, outcome_date=row.outcome_date,
            draft_date=row.draft_date, final_date=row.final_date,
            closed_date=row.closed_date)).value
    return _stage_of(row.decision, row.decision_date is not None, row.outcome,
                     row.outcome_date is not None, row.draft_date is not None,
                     row.final_date is not None, row.closed_date is not None)


@cache
def _stage_of(decision: str, decided: bool, outcome: str, outcome_dated: bool, drafted: bool,
              final: bool, closed: bool) -> str:
    """`current_stage` of a request with these steps, at most one of them an ending (so the
    dates' order cannot matter: every step is dated the same day)."""
    day = date(2000, 1, 1)
    return current_stage(RequestRecord(
        case_ref="", request_date=day, decision=decision or None,
        decision_date=day if decided else None, outcome=outcome or None,
        outcome_date=day if outcome_dated else None, draft_date=day if drafted else None,
        final_date=day if final else None, closed_date=day if closed else None)).value


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
