"""Template helpers for the Insight pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template

from ehcflow.people.access import Action, may
from ehcflow.statutory import clock

register = template.Library()


@register.filter
def sees_dashboards(user: Any) -> bool:
    """Whether the navigation shows "Dashboards" (heads of service, team managers, analysts)."""
    return may(user, Action.VIEW_CASELOADS)


@register.filter
def weeks_between(start: date | None, end: date | None) -> str:
    """Weeks from one date to another (measures.md: days ÷ 7), one decimal place."""
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
