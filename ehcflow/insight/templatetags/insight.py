"""Template helpers for the Insight pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import template

from ehcflow.casework import choices as c
from ehcflow.people.access import Action, may
from ehcflow.statutory import clock
from ehcflow.statutory.records import RequestRecord, RequestStage, ended_on, stage_on

register = template.Library()


@register.filter
def sees_dashboards(user: Any) -> bool:
    """Whether the navigation shows "Dashboards" (heads of service, team managers, analysts)."""
    return may(user, Action.VIEW_CASELOADS)


@register.filter
def weeks_between(start: date | None, end: date | None) -> str:
    """Weeks from one date to another (docs/domain/measures.md: days ÷ 7), one decimal place."""
    if start is None or end is None:
        return "–"
    return f"{(end - start).days / 7:.1f}"


@register.filter
def advice_due(requested_on: date | None) -> date | None:
    """The day advice is due: 6 weeks after it was requested (reg 8(1))."""
    return None if requested_on is None else clock.advice_due(requested_on)


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, "")


@dataclass(frozen=True)
class StateOn:
    """A request as it stood on a past date: what a list for that date must show."""

    stage: str
    decision: str
    decision_date: date | None
    final_date: date | None
    weeks: str


@register.filter
def state_on_date(request: Any, on: date) -> StateOn:
    """The request's stage, decision, final plan and weeks as they stood on `on`.

    Weeks run from the request to its ending (a final plan, a decision not to assess or not to
    issue, closure) if it had ended by `on`, else to `on` (docs/domain/measures.md: days ÷ 7).
    """
    record = RequestRecord(
        case_ref=request.case_ref, request_date=request.received_date,
        decision=request.decision or None, decision_date=request.decision_date,
        outcome=request.outcome or None, outcome_date=request.outcome_date,
        draft_date=request.draft_date, final_date=request.final_date,
        closed_date=request.closed_date)
    stage = stage_on(record, on)
    decided = request.decision_date is not None and request.decision_date <= on
    final = request.final_date if request.final_date and request.final_date <= on else None
    end = ended_on(record, on) or on
    label = ("Not yet received" if stage is RequestStage.NOT_RECEIVED
             else c.Stage(stage.value).label)
    return StateOn(
        stage=label,
        decision=c.Decision(request.decision).label if decided and request.decision else "",
        decision_date=request.decision_date if decided else None,
        final_date=final, weeks=f"{(end - request.received_date).days / 7:.1f}")


@register.filter
def shown(table: Any) -> Any:
    """The table without its empty columns (`Table.without_empty_columns`)."""
    return table.without_empty_columns()
