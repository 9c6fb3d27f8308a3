"""Write the generated authority to the database, fast and in one transaction.

Rows go in with `bulk_create` in dependency order (teams and staff, institutions, children,
requests and their advice and exceptions, plans and their settings, needs and reviews, and
last the case events, oldest first so that ids follow history). Nothing goes through the
services one step at a time: that would be hundreds of thousands of transactions. Instead
every row is made as the services would have left it (`assemble.py`), the stage comes from
`services.derive_stage`, and tests/demo check the invariants.

Timestamps are historical: a request's `created_at` is the day it arrived and an event's
`occurred_at` the working day of its step, as if the service had used ehcflow since 2018.
Public ids are drawn from the seed, so the same seed and date give identical content.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import models, transaction
from django.utils import timezone

from ehcflow.casework import services
from ehcflow.casework.models import (
    AdviceRequest,
    AnnualReview,
    AssessmentRequest,
    CaseEvent,
    Child,
    Disagreement,
    EHCPlan,
    Institution,
    PlanNeed,
    PlanSetting,
    StatutoryException,
)
from ehcflow.demo.common import stream
from ehcflow.demo.rows import Authority
from ehcflow.people.models import StaffMember, Team

BATCH = 2000
LONDON = ZoneInfo("Europe/London")
_TIMESTAMPED = (Child, AssessmentRequest, AdviceRequest, StatutoryException, Disagreement,
                EHCPlan, AnnualReview)


@contextmanager
def historical_timestamps() -> Iterator[None]:
    """Let the loader set `created_at`, `updated_at` and `occurred_at` to historical times.

    The fields fill themselves with the current time on save (auto_now, auto_now_add); the
    demo's rows record steps dated years ago, so for the duration of the load the fields take
    the values given. Restored afterwards, whatever happens.
    """
    fields: list[models.DateTimeField] = []
    for model in (*_TIMESTAMPED, CaseEvent):
        for name in ("created_at", "updated_at", "occurred_at"):
            try:
                field = model._meta.get_field(name)
            except Exception:  # noqa: BLE001 - the model simply has no such field
                continue
            assert isinstance(field, models.DateTimeField)
            fields.append(field)
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class _Ids:
    """Deterministic version-4 UUIDs for `public_id`, drawn from the seed."""

    def __init__(self, seed: int) -> None:
        self.rng = stream(seed, "public-ids")

    def __call__(self) -> uuid.UUID:
        return uuid.UUID(bytes=self.rng.bytes(16), version=4)


def _at(day: date, minutes: int, now: datetime) -> datetime:
    moment = datetime.combine(day, time(9, 0), tzinfo=LONDON) + timedelta(minutes=minutes)
    return min(moment, now)


def _bulk(model: type[models.Model], rows: Sequence[models.Model]) -> None:
    model._default_manager.bulk_create(rows, batch_size=BATCH)  # type: ignore[attr-defined]


def write(authority: Authority) -> dict[str, int]:
    """Insert every row of `authority`; call inside a transaction. Returns rows per table."""
    now = timezone.now()
    new_id = _Ids(authority.seed)
    with historical_timestamps():
        teams = {t.key: Team(name=t.name) for t in authority.teams}
        _bulk(Team, list(teams.values()))
        staff = {}
        for s in authority.staff:
            staff[s.key] = StaffMember(
                public_id=new_id(), staff_ref=s.staff_ref, name=s.name, role=s.role,
                team=teams.get(s.team) if s.team is not None else None, fte=Decimal(s.fte),
                start_date=s.start_date, end_date=s.end_date, agency=s.agency)
        _bulk(StaffMember, list(staff.values()))
        for t in authority.teams:
            teams[t.key].manager = staff.get(t.manager) if t.manager is not None else None
        Team.objects.bulk_update(list(teams.values()), ["manager"])
        institutions = {i.key: Institution(urn=i.urn, name=i.name, kind=i.kind,
                                           in_area=i.in_area) for i in authority.institutions}
        _bulk(Institution, list(institutions.values()))

        children = {}
        for ch in authority.children:
            created = _at(ch.recorded_on, 0, now)
            children[ch.key] = Child(
                public_id=new_id(), person_ref=ch.person_ref, forename=ch.forename,
                surname=ch.surname, date_of_birth=ch.date_of_birth, sex=ch.sex,
                ethnicity=ch.ethnicity, postcode=ch.postcode, upn=ch.upn, uln=ch.uln,
                upn_unknown=ch.upn_unknown, created_at=created, updated_at=created)
        _bulk(Child, list(children.values()))

        requests = {}
        for r in authority.requests:
            request = AssessmentRequest(
                public_id=new_id(), case_ref=r.case_ref, child=children[r.child],
                received_date=r.received_date, source=r.source,
                officer=staff.get(r.officer) if r.officer is not None else None,
                decision=r.decision, decision_date=r.decision_date, outcome=r.outcome,
                outcome_date=r.outcome_date, draft_date=r.draft_date,
                comments_received_date=r.comments_received_date,
                school_requested=(institutions[r.school_requested]
                                  if r.school_requested is not None else None),
                final_date=r.final_date, closed_date=r.closed_date,
                closed_reason=r.closed_reason, exported=r.exported,
                week20_exception=r.week20_exception, version=r.version,
                created_at=_at(r.received_date, 30, now),
                updated_at=_at(r.last_changed or r.received_date, 420, now))
            request.stage = services.derive_stage(request)
            requests[r.key] = request
        _bulk(AssessmentRequest, list(requests.values()))
        advice, exceptions = [], []
        for r in authority.requests:
            for a in r.advice:
                advice.append(AdviceRequest(
                    public_id=new_id(), request=requests[r.key], adviser_type=a.adviser_type,
                    adviser=staff.get(a.adviser) if a.adviser is not None else None,
                    adviser_organisation=a.organisation, requested_on=a.requested_on,
                    due_on=a.due_on, received_on=a.received_on,
                    last_chased_on=a.last_chased_on, chase_count=a.chase_count,
                    created_at=_at(a.requested_on, 90, now),
                    updated_at=_at(a.received_on or a.last_chased_on or a.requested_on, 150,
                                   now)))
            for e in r.exceptions:
                exceptions.append(StatutoryException(
                    public_id=new_id(), request=requests[r.key], reason=e.reason,
                    start_date=e.start_date, end_date=e.end_date, note=e.note,
                    created_at=_at(e.start_date, 180, now), updated_at=_at(e.start_date, 180,
                                                                           now)))
        _bulk(AdviceRequest, advice)
        _bulk(StatutoryException, exceptions)
        _bulk(Disagreement, [
            Disagreement(public_id=new_id(), child=children[d.child],
                         request=requests[d.request] if d.request is not None else None,
                         kind=d.kind, stage=d.stage,
                         decision_notice_date=d.decision_notice_date, started_on=d.started_on,
                         concluded_on=d.concluded_on, outcome=d.outcome,
                         created_at=_at(d.started_on, 300, now),
                         updated_at=_at(d.concluded_on or d.started_on, 300, now))
            for d in authority.disagreements])

        plans = {}
        for p in authority.plans:
            last = max([p.first_issued_date, *(d for rv in p.reviews for d in
                        (rv.meeting_date, rv.decision_date, rv.amended_final_date) if d),
                        *([p.cease_date] if p.cease_date else [])])
            plans[p.key] = EHCPlan(
                public_id=new_id(), child=children[p.child],
                request=requests[p.request] if p.request is not None else None,
                start_date=p.start_date, first_issued_date=p.first_issued_date,
                transferred_in=p.transferred_in, cease_date=p.cease_date,
                cease_reason=p.cease_reason, personal_budget=p.personal_budget,
                organised_arrangements=p.organised_arrangements, residential=p.residential,
                work_based_learning=p.work_based_learning, next_review_due=p.next_review_due,
                created_at=_at(p.first_issued_date, 330, now), updated_at=_at(last, 450, now))
        _bulk(EHCPlan, list(plans.values()))
        _bulk(PlanSetting, [
            PlanSetting(plan=plans[p.key], rank=s.rank,
                        institution=institutions[s.institution]
                        if s.institution is not None else None,
                        sen_setting=s.sen_setting, sen_unit=s.sen_unit,
                        resourced_provision=s.resourced_provision, entry_date=s.entry_date,
                        leaving_date=s.leaving_date)
            for p in authority.plans for s in p.settings])
        _bulk(PlanNeed, [PlanNeed(plan=plans[p.key], rank=n, sen_type=need)
                         for p in authority.plans for n, need in enumerate(p.needs, start=1)])
        reviews = []
        for p in authority.plans:
            for rv in p.reviews:
                last = max(d for d in (rv.scheduled_on, rv.meeting_date, rv.decision_date,
                                       rv.amended_final_date) if d)
                reviews.append(AnnualReview(
                    public_id=new_id(), plan=plans[p.key], due_date=rv.due_date,
                    meeting_date=rv.meeting_date, decision_date=rv.decision_date,
                    outcome=rv.outcome, amendment_notice_date=rv.amendment_notice_date,
                    amended_final_date=rv.amended_final_date, phase_transfer=rv.phase_transfer,
                    transfer_year=rv.transfer_year, secondary_to_post16=rv.secondary_to_post16,
                    phase_transfer_due=rv.phase_transfer_due,
                    created_at=_at(rv.scheduled_on, 240, now), updated_at=_at(last, 240, now)))
        _bulk(AnnualReview, reviews)

        for chunk in _chunks(authority.events, 20000):
            _bulk(CaseEvent, [
                CaseEvent(public_id=new_id(), child=children[e.child],
                          request=requests[e.request] if e.request is not None else None,
                          plan=plans[e.plan] if e.plan is not None else None,
                          effective_date=e.effective_date,
                          occurred_at=_at(e.effective_date, 20 * e.order + (e.child % 17), now),
                          actor_name=e.actor_name, action=e.action, description=e.description,
                          reason=e.reason, changes=e.changes)
                for e in chunk])
    return {
        "teams": len(teams), "staff": len(staff), "institutions": len(institutions),
        "children": len(children), "requests": len(requests), "advice_requests": len(advice),
        "exceptions": len(exceptions), "disagreements": len(authority.disagreements),
        "plans": len(plans), "reviews": len(reviews), "events": len(authority.events),
    }


def _chunks(items: Sequence[object], size: int) -> Iterator[Sequence[object]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@transaction.atomic
def write_atomic(authority: Authority) -> dict[str, int]:
    return write(authority)


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
            "child__person_ref", "request__case_ref", "kind", "stage", "decision_notice_date",
            "started_on", "concluded_on", "outcome")),
        ("plans", EHCPlan.objects.values_list(
            "child__person_ref", "request__case_ref", "start_date", "first_issued_date",
            "transferred_in", "cease_date", "cease_reason", "next_review_due", "public_id")),
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
