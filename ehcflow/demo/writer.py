"""Write the generated authority to the database, fast and in one transaction.

Rows go in dependency order (teams and staff, institutions, children, requests and their
advice and exceptions, plans and their settings, needs and reviews, and last the case
events, oldest first so that ids follow history) as plain multi-row INSERTs: each value is
prepared by its model field for the database in use (`get_db_prep_save`), then the rows go
to `executemany`. Nothing goes through the services one step at a time (hundreds of
thousands of transactions), nor through `bulk_create`, whose per-row SQL compilation would
triple the load time. Instead every row is made as the services would have left it
(`assemble.py`), the stage comes from `statutory.records.current_stage` (the services' rule:
docs/decisions/0023), and tests/demo check the invariants. The database's constraints and
triggers still apply to every row.

Timestamps are historical: a request's `created_at` is the day it arrived and an event's
`occurred_at` the working day of its step, as if the service had used ehcflow since 2018.
Public ids are drawn from the seed, so the same seed and date give identical content.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connections, models, router
from django.utils import timezone

from ehcflow.audit import chain
from ehcflow.audit.models import Log
from ehcflow.casework.models import (
    AdviceRequest,
    AnnualReview,
    AssessmentRequest,
    CaseEvent,
    Child,
    EHCPlan,
    Institution,
    PlanNeed,
    PlanSetting,
    StatutoryException,
)
from ehcflow.demo.common import stream
from ehcflow.demo.rows import Authority
from ehcflow.disagreements import vocabulary
from ehcflow.disagreements.models import Disagreement
from ehcflow.people.models import StaffMember, Team
from ehcflow.statutory.records import RequestRecord, current_stage

CHUNK = 5000
LONDON = ZoneInfo("Europe/London")
Row = Mapping[str, Any]


class _Ids:
    """Deterministic version-4 UUIDs for `public_id`, drawn from the seed."""

    def __init__(self, seed: int) -> None:
        self.rng = stream(seed, "public-ids")
        self.buffer = b""
        self.used = 0

    def __call__(self) -> uuid.UUID:
        if self.used >= len(self.buffer):
            self.buffer, self.used = self.rng.bytes(16 * 4096), 0
        chunk = self.buffer[self.used:self.used + 16]
        self.used += 16
        return uuid.UUID(bytes=chunk, version=4)


def _at(day: date, minutes: int, now: datetime) -> datetime:
    """A time on a working day: steps are recorded from 9 o'clock, in their legal order."""
    moment = datetime.combine(day, time(9, 0), tzinfo=LONDON) + timedelta(minutes=minutes)
    return min(moment, now)


def insert(model: type[models.Model], rows: Sequence[Row]) -> None:
    """INSERT rows given as {attname: value}; fields left out take their default."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.local_concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} "
           f"({', '.join(quote(str(f.column)) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    given = set(rows[0])
    defaults = {f.attname: f.get_default() for f in fields if f.attname not in given}
    preps = [(f.attname, f.get_db_prep_save) for f in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            params = [[prep(row[name] if name in given else defaults[name], connection)
                       for name, prep in preps] for row in rows[start:start + CHUNK]]
            cursor.executemany(sql, params)


def _ids(model: type[models.Model], key: str) -> dict[Any, int]:
    return dict(model._default_manager.values_list(key, "id"))  # type: ignore[attr-defined]


def write(authority: Authority) -> dict[str, int]:
    """Insert every row of `authority`; call inside a transaction. Returns rows per table."""
    now = timezone.now()
    new_id = _Ids(authority.seed)

    insert(Team, [{"name": t.name, "manager_id": None} for t in authority.teams])
    team_id = _ids(Team, "name")
    team_of = {t.key: team_id[t.name] for t in authority.teams}
    insert(StaffMember, [
        {"public_id": new_id(), "user_id": None, "staff_ref": s.staff_ref, "name": s.name,
         "role": s.role, "team_id": team_of.get(s.team) if s.team is not None else None,
         "fte": s.fte, "start_date": s.start_date, "end_date": s.end_date, "agency": s.agency}
        for s in authority.staff])
    staff_id = _ids(StaffMember, "staff_ref")
    staff_of = {s.key: staff_id[s.staff_ref] for s in authority.staff}
    for t in authority.teams:
        if t.manager is not None:
            Team.objects.filter(pk=team_of[t.key]).update(manager_id=staff_of[t.manager])
    insert(Institution, [{"urn": i.urn, "ukprn": None, "name": i.name, "kind": i.kind,
                          "in_area": i.in_area} for i in authority.institutions])
    urn_id = _ids(Institution, "urn")
    school_of = {i.key: urn_id[i.urn] for i in authority.institutions}

    insert(Child, [
        {"public_id": new_id(), "person_ref": ch.person_ref, "forename": ch.forename,
         "surname": ch.surname, "date_of_birth": ch.date_of_birth, "sex": ch.sex,
         "ethnicity": ch.ethnicity, "postcode": ch.postcode, "upn": ch.upn, "uln": ch.uln,
         "upn_unknown": ch.upn_unknown, "created_at": _at(ch.recorded_on, 0, now),
         "updated_at": _at(ch.recorded_on, 0, now)}
        for ch in authority.children])
    person_id = _ids(Child, "person_ref")
    child_of = {ch.key: person_id[ch.person_ref] for ch in authority.children}

    request_rows = []
    for r in authority.requests:
        stage = current_stage(RequestRecord(
            case_ref=r.case_ref, request_date=r.received_date, decision=r.decision or None,
            decision_date=r.decision_date, outcome=r.outcome or None,
            outcome_date=r.outcome_date, draft_date=r.draft_date, final_date=r.final_date,
            closed_date=r.closed_date)).value
        request_rows.append({
            "public_id": new_id(), "case_ref": r.case_ref, "child_id": child_of[r.child],
            "kind": "initial", "received_date": r.received_date, "source": r.source,
            "relevant_youth_accommodation": False,
            "officer_id": staff_of.get(r.officer) if r.officer is not None else None,
            "stage": stage, "decision": r.decision, "decision_date": r.decision_date,
            "outcome": r.outcome, "outcome_date": r.outcome_date, "draft_date": r.draft_date,
            "comments_received_date": r.comments_received_date,
            "school_requested_id": (school_of[r.school_requested]
                                    if r.school_requested is not None else None),
            "final_date": r.final_date, "closed_date": r.closed_date,
            "closed_reason": r.closed_reason, "exported": r.exported,
            "week20_exception": r.week20_exception, "version": r.version,
            "created_at": _at(r.received_date, 30, now),
            "updated_at": _at(r.last_changed or r.received_date, 420, now)})
    insert(AssessmentRequest, request_rows)
    case_id = _ids(AssessmentRequest, "case_ref")
    request_of = {r.key: case_id[r.case_ref] for r in authority.requests}

    advice: list[Row] = []
    exceptions: list[Row] = []
    for r in authority.requests:
        for a in r.advice:
            advice.append({
                "public_id": new_id(), "request_id": request_of[r.key],
                "adviser_type": a.adviser_type,
                "adviser_id": staff_of.get(a.adviser) if a.adviser is not None else None,
                "adviser_organisation": a.organisation, "requested_on": a.requested_on,
                "due_on": a.due_on, "received_on": a.received_on,
                "last_chased_on": a.last_chased_on, "chase_count": a.chase_count,
                "exception": "", "created_at": _at(a.requested_on, 90, now),
                "updated_at": _at(a.received_on or a.last_chased_on or a.requested_on, 150,
                                  now)})
        for e in r.exceptions:
            exceptions.append({
                "public_id": new_id(), "request_id": request_of[r.key], "reason": e.reason,
                "start_date": e.start_date, "end_date": e.end_date, "note": e.note,
                "created_at": _at(e.start_date, 180, now),
                "updated_at": _at(e.start_date, 180, now)})
    insert(AdviceRequest, advice)
    insert(StatutoryException, exceptions)
    outcome_of = {r.key: r.outcome for r in authority.requests}
    insert(Disagreement, [
        {"public_id": new_id(), "child_id": child_of[d.child],
         "request_id": request_of[d.request] if d.request is not None else None,
         **vocabulary.fields_from_legacy(
             kind=d.kind, stage=d.stage, outcome=d.outcome, concluded_on=d.concluded_on,
             request_outcome=outcome_of.get(d.request, "") if d.request is not None else ""),
         "decision_notice_date": d.decision_notice_date,
         "started_on": d.started_on, "concluded_on": d.concluded_on,
         "created_at": _at(d.started_on, 300, now),
         "updated_at": _at(d.concluded_on or d.started_on, 300, now)}
        for d in authority.disagreements])

    plan_rows = []
    for p in authority.plans:
        last = max([p.first_issued_date, *(d for rv in p.reviews for d in
                    (rv.meeting_date, rv.decision_date, rv.amended_final_date) if d),
                    *([p.cease_date] if p.cease_date else [])])
        plan_rows.append({
            "public_id": new_id(), "child_id": child_of[p.child],
            "request_id": request_of[p.request] if p.request is not None else None,
            "start_date": p.start_date, "first_issued_date": p.first_issued_date,
            "transferred_in": p.transferred_in, "cease_date": p.cease_date,
            "cease_reason": p.cease_reason, "personal_budget": p.personal_budget,
            "organised_arrangements": p.organised_arrangements, "residential": p.residential,
            "work_based_learning": p.work_based_learning, "next_review_due": p.next_review_due,
            "officer_id": staff_of.get(p.officer) if p.officer is not None else None,
            "created_at": _at(p.first_issued_date, 330, now), "updated_at": _at(last, 450, now)})
    insert(EHCPlan, plan_rows)
    public_plan = _ids(EHCPlan, "public_id")
    plan_of = {p.key: public_plan[row["public_id"]]
               for p, row in zip(authority.plans, plan_rows, strict=True)}
    insert(PlanSetting, [
        {"plan_id": plan_of[p.key], "rank": s.rank,
         "institution_id": school_of[s.institution] if s.institution is not None else None,
         "sen_setting": s.sen_setting, "sen_setting_other": "", "sen_unit": s.sen_unit,
         "resourced_provision": s.resourced_provision, "entry_date": s.entry_date,
         "leaving_date": s.leaving_date}
        for p in authority.plans for s in p.settings])
    insert(PlanNeed, [{"plan_id": plan_of[p.key], "rank": n, "sen_type": need}
                      for p in authority.plans for n, need in enumerate(p.needs, start=1)])
    reviews: list[Row] = []
    for p in authority.plans:
        for rv in p.reviews:
            last = max(d for d in (rv.scheduled_on, rv.meeting_date, rv.decision_date,
                                   rv.amended_final_date) if d)
            reviews.append({
                "public_id": new_id(), "plan_id": plan_of[p.key], "due_date": rv.due_date,
                "meeting_date": rv.meeting_date, "decision_date": rv.decision_date,
                "outcome": rv.outcome, "amendment_notice_date": rv.amendment_notice_date,
                "draft_amended_date": None, "amended_final_date": rv.amended_final_date,
                "phase_transfer": rv.phase_transfer, "transfer_year": rv.transfer_year,
                "secondary_to_post16": rv.secondary_to_post16,
                "phase_transfer_due": rv.phase_transfer_due,
                "created_at": _at(rv.scheduled_on, 240, now), "updated_at": _at(last, 240, now)})
    insert(AnnualReview, reviews)
    # Each day's events spread over the working day (9:00 to 17:00) in their order, so that
    # `occurred_at` runs the same way as the ids and the legal order of the steps.
    per_day = Counter(e.effective_date for e in authority.events)
    seen: Counter[date] = Counter()
    events = []
    # Each event is a link of the case events' hash chain (decision 0008), numbered and
    # hashed here, in the order inserted, from the values as the database will return them.
    with chain.appending(Log.CASE_EVENTS) as appender:
        link, timestamp, canonical = appender.link, chain.timestamp, chain.canonical_json
        for ev in authority.events:
            day = ev.effective_date
            seconds = 8 * 3600 * seen[day] // per_day[day]
            seen[day] += 1
            public_id = new_id()
            child = child_of[ev.child]
            request = request_of[ev.request] if ev.request is not None else None
            plan = plan_of[ev.plan] if ev.plan is not None else None
            occurred = min(datetime.combine(day, time(9, 0), tzinfo=LONDON)
                           + timedelta(seconds=seconds), now)
            # chain.FIELDS's order, each value as chain.primitive() gives it (spelt out:
            # 190,000 events at full scale)
            seq, chain_hash = link((
                public_id.hex, child, request, plan, timestamp(occurred), day.isoformat(),
                None, ev.actor_name, ev.action, ev.description, ev.reason,
                canonical(ev.changes)))
            events.append({
                "public_id": public_id, "child_id": child, "request_id": request,
                "plan_id": plan, "occurred_at": occurred, "effective_date": day,
                "actor_id": None, "actor_name": ev.actor_name, "action": ev.action,
                "description": ev.description, "reason": ev.reason, "changes": ev.changes,
                "seq": seq, "chain_hash": chain_hash})
        insert(CaseEvent, events)
    return {
        "teams": len(authority.teams), "staff": len(authority.staff),
        "institutions": len(authority.institutions), "children": len(authority.children),
        "requests": len(authority.requests), "advice_requests": len(advice),
        "exceptions": len(exceptions), "disagreements": len(authority.disagreements),
        "plans": len(authority.plans), "reviews": len(reviews),
        "events": len(authority.events),
    }


# --- a canonical dump, for the determinism test -------------------------------------------


def _canonical(rows: Iterable[Sequence[object]]) -> list[str]:
    # Sorted keys: PostgreSQL's jsonb does not keep the order the keys were written in.
    return sorted(json.dumps([v if isinstance(v, dict) else str(v) for v in row],
                             sort_keys=True, default=str) for row in rows)


def canonical_digest() -> str:
    """SHA-256 of the key fields of every demo table, independent of ids and load time."""
    digest = hashlib.sha256()
    parts: list[tuple[str, Iterable[Sequence[object]]]] = [
        ("staff", StaffMember.objects.values_list(
            "staff_ref", "name", "role", "team__name", "fte", "start_date", "end_date", "agency",
            "public_id")),
        ("institutions", Institution.objects.values_list("urn", "name", "kind", "in_area")),
        ("children", Child.objects.values_list(
            "person_ref", "forename", "surname", "date_of_birth", "sex", "ethnicity", "postcode",
            "upn", "uln", "upn_unknown", "public_id")),
        ("requests", AssessmentRequest.objects.values_list(
            "case_ref", "child__person_ref", "received_date", "source", "officer__staff_ref",
            "stage", "decision", "decision_date", "outcome", "outcome_date", "draft_date",
            "comments_received_date", "school_requested__urn", "final_date", "closed_date",
            "closed_reason", "exported", "week20_exception", "version", "public_id")),
        ("advice", AdviceRequest.objects.values_list(
            "request__case_ref", "adviser_type", "adviser__staff_ref", "adviser_organisation",
            "requested_on", "due_on", "received_on", "last_chased_on", "chase_count")),
        ("exceptions", StatutoryException.objects.values_list(
            "request__case_ref", "reason", "start_date", "end_date", "note")),
        ("disagreements", Disagreement.objects.values_list(
            "child__person_ref", "request__case_ref", "kind", "decision", "decision_notice_date",
            "started_on", "concluded_on", "mediation_outcome", "appeal_outcome",
            "certificate_on")),
        ("plans", EHCPlan.objects.values_list(
            "child__person_ref", "request__case_ref", "start_date", "first_issued_date",
            "transferred_in", "cease_date", "cease_reason", "next_review_due",
            "officer__staff_ref", "public_id")),
        ("settings", PlanSetting.objects.values_list(
            "plan__public_id", "rank", "institution__urn", "sen_setting", "entry_date",
            "leaving_date")),
        ("needs", PlanNeed.objects.values_list("plan__public_id", "rank", "sen_type")),
        ("reviews", AnnualReview.objects.values_list(
            "plan__public_id", "due_date", "meeting_date", "decision_date", "outcome",
            "amended_final_date", "phase_transfer", "transfer_year", "phase_transfer_due")),
        ("events", CaseEvent.objects.values_list(
            "child__person_ref", "request__case_ref", "plan__public_id", "effective_date",
            "actor_name", "action", "description", "reason", "changes", "public_id")),
    ]
    for name, rows in parts:
        digest.update(name.encode())
        for line in _canonical(rows):
            digest.update(line.encode())
    return digest.hexdigest()
