"""Template helpers for the Insight pages."""

from __future__ import annotations

from typing import Any

from django import template

from ehcflow.people.access import Action, may

register = template.Library()


@register.filter
def sees_dashboards(user: Any) -> bool:
    """Whether the navigation shows "Dashboards" (heads of service, team managers, analysts)."""
    return may(user, Action.VIEW_CASELOADS)
