"""The authority as it stood on `today`: rows cut at that date, and a case event per step.

Each row holds what `casework.services` would have left in it had every step been recorded
through them on its date: the stage is what `statutory.records.current_stage` gives (set by
the writer), `week20_exception` is true exactly when an exception is recorded, `version` counts
the saves, a final plan has its plan row with `next_review_due`, and every step has the
event the service writes, with the same action and description (`casework.events`) and
changes, in the legal order (docs/decisions/0023).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from ehcflow.casework import choices as c
from ehcflow.casework import events as case_events
from ehcflow.casework.events import DESCRIPTIONS
from ehcflow.casework.events import EventAction as E
from ehcflow.demo import workforce as wf
from ehcflow.demo.paths import Path
from ehcflow.demo.plans import Plan
from ehcflow.demo.rows import (
    AdviceRow,
    Authority,
    ChildRow,
    DisagreementRow,
    EventRow,
    ExceptionRow,
    InstitutionRow,
    PlanRow,
    RequestRow,
    ReviewRow,
    SettingRow,
    StaffRow,
    TeamRow,
)
from ehcflow.disagreements import vocabulary
from ehcflow.people.models import Role
from ehcflow.statutory import clock

# The legal order of steps on one day (the tie-break of `EventRow.order`).
ORDER = {
    "child_recorded": 0, "request_received": 1, "request_allocated": 2,
    "decision_recorded": 3, "advice_requested": 4, "advice_chased": 5, "advice_received": 6,
    "exception_applied": 7, "outcome_recorded": 8, "draft_issued": 9, "comments_received": 10,
    "final_issued": 11, "request_closed": 12, "mediation_started": 13, "appeal_registered": 13,
    "plan_recorded": 14, "plan_transferred_in": 14, "review_scheduled": 15,
    "review_meeting": 16, "review_decision": 17, "amended_plan_issued": 18, "plan_ceased": 19,
}


def _on(day: date | None, today: date) -> date | None:
    return day if day is not None and day <= today else None


class _Roster:
    """Who was a case officer on a date, to sign plan events that have no request."""

    def __init__(self, people: list[wf.Person]) -> None:
        self.officers = [p for p in people if p.role == Role.CASE_OFFICER]
        self.cache: dict[tuple[int, int], list[str]] = {}

    def name(self, on: date, salt: int) -> str:
        month = (on.year, on.month)
        if month not in self.cache:
            self.cache[month] = [p.name for p in self.officers if p.in_post(on)] or ["SEND team"]
        names = self.cache[month]
        return names[salt % len(names)]


class _Events:
    def __init__(self) -> None:
        self.rows: list[EventRow] = []

    def add(self, *, child: int, on: date, actor: str, action: str, description: str,
            request: int | None = None, plan: int | None = None, reason: str = "",
            changes: dict[str, Any] | None = None) -> None:
        self.rows.append(EventRow(child=child, request=request, plan=plan, effective_date=on,
                                  order=ORDER[action], actor_name=actor, action=action,
                                  description=description, reason=reason,
                                  changes=dict(changes or {})))


def authority(*, seed: int, today: date, scale: float, teams: list[TeamRow],
              people: list[wf.Person], institutions: list[InstitutionRow],
              children: list[ChildRow], paths: list[Path], plans: list[Plan]) -> Authority:
    """Cut the generated world at `today` and write its history as events."""
    events = _Events()
    staff = [StaffRow(key=p.key, staff_ref=p.staff_ref, name=p.name, role=p.role, team=p.team,
                      fte=p.fte, start_date=p.start, end_date=_on(p.end, today),
                      agency=p.agency)
             for p in people if p.start <= today]
    names = {p.key: p.name for p in people}
    kept_children = [ch for ch in children if ch.recorded_on <= today]
    for child in kept_children:
        events.add(child=child.key, on=child.recorded_on, actor="Business support",
                   action=E.CHILD_RECORDED,
                   description=DESCRIPTIONS[E.CHILD_RECORDED])
    roster = _Roster(people)
    plan_key_of_request: dict[int, int] = {p.request: p.key for p in plans
                                           if p.request is not None}
    school_names = {i.key: i.name for i in institutions}
    requests: list[RequestRow] = []
    disagreements: list[DisagreementRow] = []
    for path in paths:
        if path.timeline.received <= today:
            requests.append(_request(path, today, names, events, disagreements,
                                     plan_key_of_request, school_names))
    plan_rows = [_plan(plan, today, roster, events) for plan in plans
                 if plan.first_issued <= today]
    team_rows = _teams(teams, people, today)
    events.rows.sort(key=lambda e: (e.effective_date, e.order, e.child, e.request or -1,
                                    e.plan or -1))
    return Authority(seed=seed, today=today, scale=scale, teams=team_rows, staff=staff,
                     institutions=institutions, children=kept_children, requests=requests,
                     plans=plan_rows, disagreements=disagreements, events=events.rows)


def _teams(teams: list[TeamRow], people: list[wf.Person], today: date) -> list[TeamRow]:
    rows = []
    for team in teams:
        members = [p for p in people if p.team == team.key and p.start <= today]
        if not members:
            continue
        managers = [p for p in members if p.role in (Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE)]
        current = [p for p in managers if p.in_post(today)] or managers
        manager = max(current, key=lambda p: p.start).key if current else None
        rows.append(TeamRow(key=team.key, name=team.name, manager=manager))
    return rows


def _request(path: Path, today: date, names: dict[int, str], events: _Events,
             disagreements: list[DisagreementRow], plan_keys: dict[int, int],
             school_names: dict[int, str]) -> RequestRow:
    t = path.timeline
    allocations = [a for a in path.allocations if a[0] <= today]
    officer = allocations[-1][1] if allocations else None
    row = RequestRow(key=t.index, case_ref=t.case_ref, child=path.child, received_date=t.received,
                     source=path.source, officer=officer, last_changed=t.received)
    def log(*, on: date, actor: str, action: str, description: str, reason: str = "",
            changes: dict[str, Any] | None = None, plan: int | None = None) -> None:
        events.add(child=path.child, request=t.index, plan=plan, on=on, actor=actor,
                   action=action, description=description, reason=reason, changes=changes)

    def actor(on: date) -> str:
        current = [a for a in allocations if a[0] <= on]
        return names[current[-1][1]] if current else "Business support"

    def saved(on: date) -> None:  # services._save: the version goes up with each change
        row.version += 1
        row.last_changed = max(row.last_changed or on, on)

    log(on=t.received, actor=actor(t.received), action=E.REQUEST_RECEIVED,
               description=DESCRIPTIONS[E.REQUEST_RECEIVED],
               changes={"received_date": t.received.isoformat(), "source": path.source})
    for (on, key, reason), (_, before, _) in zip(allocations[1:], allocations[:-1],
                                                  strict=True):
        log(on=on, actor=names[key], action=E.REQUEST_ALLOCATED,
                   description=case_events.allocation_description(names[key]), reason=reason,
                   changes={"officer": [names[before], names[key]]})
        saved(on)
    if (decided := _on(path.decision_date, today)) is not None:
        row.decision, row.decision_date = path.decision, decided
        due = clock.decision_to_assess_due(t.received)
        log(on=decided, actor=actor(decided), action=E.DECISION_RECORDED,
                   description=case_events.decision_description(path.decision),
                   changes={"decision": path.decision, "decision_date": decided.isoformat(),
                            "due": due.isoformat(), "met": decided <= due})
        saved(decided)
        _advice(path, row, today, log, actor)
    for step in path.exceptions:
        if step.start > today:
            continue
        row.exceptions.append(ExceptionRow(step.reason, step.start, step.end, step.note))
        row.week20_exception = True
        log(on=step.start, actor=actor(step.start), action=E.EXCEPTION_APPLIED,
                   description=case_events.exception_description(step.reason), reason=step.note,
                   changes={"reason": step.reason, "start": step.start.isoformat(),
                            "end": step.end.isoformat() if step.end else None})
        saved(step.start)
    if (outcome_on := _on(path.outcome_date, today)) is not None:
        row.outcome, row.outcome_date = path.outcome, outcome_on
        changes: dict[str, Any] = {"outcome": path.outcome, "outcome_date": outcome_on.isoformat()}
        if path.outcome == "no_plan":
            due = clock.decision_not_to_issue_due(t.received)
            changes.update(due=due.isoformat(), met=outcome_on <= due)
        log(on=outcome_on, actor=actor(outcome_on), action=E.OUTCOME_RECORDED,
                   description=case_events.outcome_description(path.outcome), changes=changes)
        saved(outcome_on)
    if (draft := _on(path.draft_date, today)) is not None:
        row.draft_date = draft
        log(on=draft, actor=actor(draft), action=E.DRAFT_ISSUED,
                   description=DESCRIPTIONS[E.DRAFT_ISSUED],
                   changes={"draft_date": draft.isoformat(),
                            "comment_period_ends": clock.comment_period_ends(draft).isoformat()})
        saved(draft)
    if (comments := _on(path.comments_date, today)) is not None:
        row.comments_received_date, row.school_requested = comments, path.school_requested
        log(on=comments, actor=actor(comments), action=E.COMMENTS_RECEIVED,
                   description=DESCRIPTIONS[E.COMMENTS_RECEIVED],
                   changes={"school_requested": school_names.get(path.school_requested)
                            if path.school_requested is not None else None})
        saved(comments)
    if (final := _on(path.final_date, today)) is not None:
        row.final_date = final
        log(plan=plan_keys[t.index], on=final, actor=actor(final),
                   action=E.FINAL_ISSUED, description=DESCRIPTIONS[E.FINAL_ISSUED],
                   changes={"final_date": final.isoformat(),
                            "due": clock.final_plan_due(t.received).isoformat(),
                            "within_20_weeks": clock.is_within_20_weeks(t.received, final),
                            "exception": row.week20_exception})
        saved(final)
    if (closed := _on(path.closed_date, today)) is not None:
        row.closed_date, row.closed_reason = closed, path.closed_reason
        row.exported = path.closed_reason == c.ClosedReason.MOVED_AWAY
        log(on=closed, actor=actor(closed), action=E.REQUEST_CLOSED,
                   description=case_events.closure_description(path.closed_reason),
                   changes={"closed_date": closed.isoformat(),
                            "closed_reason": path.closed_reason})
        saved(closed)
    for d in path.disagreements:
        if d.started_on > today:
            continue
        concluded = _on(d.concluded_on, today)
        disagreements.append(DisagreementRow(
            child=path.child, request=t.index, kind=d.kind, stage=d.stage,
            decision_notice_date=d.decision_notice_date, started_on=d.started_on,
            concluded_on=concluded, outcome=d.outcome if concluded else ""))
        action, description = vocabulary.ACTIONS[vocabulary.KINDS[d.kind]]
        log(on=d.started_on, actor=actor(d.started_on), action=action,
                   description=description,
                   changes={"stage": d.stage, "appeal_deadline":
                            clock.appeal_deadline(d.decision_notice_date).isoformat()})
    return row


def _advice(path: Path, row: RequestRow, today: date, log: Callable[..., None],
            actor: Callable[[date], str]) -> None:
    for step in path.advice:
        if step.requested_on > today:
            continue
        due = clock.advice_due(step.requested_on)
        received = _on(step.received_on, today)
        chases = [d for d in step.chases if d <= today]
        row.advice.append(AdviceRow(
            adviser_type=step.adviser_type, adviser=step.adviser,
            organisation=step.organisation, requested_on=step.requested_on, due_on=due,
            received_on=received, last_chased_on=chases[-1] if chases else None,
            chase_count=len(chases)))
        log(on=step.requested_on, actor=actor(step.requested_on),
                   action=E.ADVICE_REQUESTED,
                   description=case_events.advice_description(E.ADVICE_REQUESTED,
                                                              step.adviser_type),
                   changes={"adviser_type": step.adviser_type, "due_on": due.isoformat()})
        for n, chased in enumerate(chases, start=1):
            log(on=chased, actor="Business support", action=E.ADVICE_CHASED,
                       description=case_events.advice_description(E.ADVICE_CHASED,
                                                                  step.adviser_type),
                       changes={"chase_count": n})
        if received is not None:
            log(on=received, actor=actor(received), action=E.ADVICE_RECEIVED,
                       description=case_events.advice_description(E.ADVICE_RECEIVED,
                                                             step.adviser_type),
                       changes={"adviser_type": step.adviser_type,
                                "received_on": received.isoformat(), "due_on": due.isoformat(),
                                "met": received <= due})


def _plan(plan: Plan, today: date, roster: _Roster, events: _Events) -> PlanRow:
    cease = _on(plan.cease_date, today)
    row = PlanRow(key=plan.key, child=plan.child, request=plan.request,
                  first_issued_date=plan.first_issued, start_date=plan.first_issued,
                  transferred_in=plan.transferred_in, cease_date=cease,
                  cease_reason=plan.cease_reason if cease else "",
                  personal_budget=plan.personal_budget,
                  organised_arrangements=plan.organised_arrangements,
                  residential=plan.residential, work_based_learning=plan.work_based_learning,
                  needs=list(plan.needs), officer=_holder(plan, today))
    def log(*, on: date, actor: str, action: str, description: str,
            changes: dict[str, Any] | None = None) -> None:
        events.add(child=plan.child, plan=plan.key, on=on, actor=actor, action=action,
                   description=description, changes=changes)

    def actor(on: date) -> str:
        return roster.name(on, plan.key)

    if plan.stock:
        log(on=plan.first_issued, actor="Business support",
                   action=E.PLAN_RECORDED, description=DESCRIPTIONS[E.PLAN_RECORDED])
    elif plan.transferred_in:
        log(on=plan.first_issued, actor=actor(plan.first_issued),
                   action=E.PLAN_TRANSFERRED_IN,
                   description=DESCRIPTIONS[E.PLAN_TRANSFERRED_IN])
    settings = [s for s in plan.settings if s.entry_date <= today]
    settings.sort(key=lambda s: s.entry_date, reverse=True)
    row.settings = [SettingRow(rank=1 if n == 0 else 2, institution=s.institution,
                               sen_setting=s.sen_setting, entry_date=s.entry_date,
                               leaving_date=_on(s.leaving_date, today) if n else None,
                               resourced_provision=s.resourced_provision)
                    for n, s in enumerate(settings)]
    last_meeting: date | None = None
    for review in plan.reviews:
        if review.scheduled_on > today:
            break
        kept = _review(review, today)
        row.reviews.append(kept)
        log(on=review.scheduled_on, actor=actor(review.scheduled_on),
                   action=E.REVIEW_SCHEDULED,
                   description=case_events.review_scheduled_description(review.phase_transfer),
                   changes={"due_date": review.due_date.isoformat()})
        if kept.meeting_date is None:
            continue
        meeting = kept.meeting_date
        last_meeting = meeting
        log(on=meeting, actor=actor(meeting), action=E.REVIEW_MEETING,
                   description=DESCRIPTIONS[E.REVIEW_MEETING],
                   changes={"decision_due": clock.review_decision_due(meeting).isoformat(),
                            "amended_plan_due": clock.amended_plan_due(meeting).isoformat()})
        if kept.decision_date is None:
            continue
        decided = kept.decision_date
        due = clock.review_decision_due(meeting)
        log(on=decided, actor=actor(decided), action=E.REVIEW_DECISION,
                   description=case_events.review_decision_description(kept.outcome),
                   changes={"outcome": kept.outcome, "due": due.isoformat(),
                            "met": decided <= due})
        if kept.amended_final_date is not None:
            amended = kept.amended_final_date
            row.start_date = amended
            due = clock.amended_plan_due(meeting)
            log(on=amended, actor=actor(amended),
                       action=E.AMENDED_PLAN_ISSUED,
                       description=DESCRIPTIONS[E.AMENDED_PLAN_ISSUED],
                       changes={"due": due.isoformat(), "met": amended <= due})
    if last_meeting is not None:
        row.next_review_due = clock.next_review_due(last_meeting)
    elif plan.reviews:
        row.next_review_due = plan.reviews[0].due_date
    else:
        row.next_review_due = clock.next_review_due(plan.first_issued)
    if cease is not None:
        log(on=cease, actor=actor(cease), action=E.PLAN_CEASED,
                   description=case_events.plan_ceased_description(plan.cease_reason),
                   changes={"cease_date": cease.isoformat(), "cease_reason": plan.cease_reason})
    return row


def _holder(plan: Plan, today: date) -> int | None:
    """The case officer maintaining the plan on `today` (or when it ceased)."""
    held = [key for since, key in plan.officers if since <= today]
    return held[-1] if held else None


def _review(review: ReviewRow, today: date) -> ReviewRow:
    meeting = _on(review.meeting_date, today)
    decided = _on(review.decision_date, today) if meeting else None
    amended = _on(review.amended_final_date, today) if decided else None
    return ReviewRow(
        due_date=review.due_date, scheduled_on=review.scheduled_on, meeting_date=meeting,
        decision_date=decided, outcome=review.outcome if decided else "",
        amendment_notice_date=decided if decided and review.outcome == "amend" else None,
        amended_final_date=amended, phase_transfer=review.phase_transfer,
        transfer_year=review.transfer_year, secondary_to_post16=review.secondary_to_post16,
        phase_transfer_due=review.phase_transfer_due,
    )


def counts(authority: Authority) -> dict[str, int]:
    """Rows per table, for the command's report and the DemoLoad record."""
    by: dict[str, int] = defaultdict(int)
    by["teams"] = len(authority.teams)
    by["staff"] = len(authority.staff)
    by["institutions"] = len(authority.institutions)
    by["children"] = len(authority.children)
    by["requests"] = len(authority.requests)
    by["advice_requests"] = sum(len(r.advice) for r in authority.requests)
    by["exceptions"] = sum(len(r.exceptions) for r in authority.requests)
    by["disagreements"] = len(authority.disagreements)
    by["plans"] = len(authority.plans)
    by["plan_settings"] = sum(len(p.settings) for p in authority.plans)
    by["plan_needs"] = sum(len(p.needs) for p in authority.plans)
    by["reviews"] = sum(len(p.reviews) for p in authority.plans)
    by["events"] = len(authority.events)
    return dict(by)
