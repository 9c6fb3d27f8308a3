"""Who may use the review pages: one rule for the views and the menu."""

from __future__ import annotations

from typing import Any

from ehcflow.people.access import CASEWORK_ROLES, Action, may, staff_of
from ehcflow.people.models import Role


def may_work_on_reviews(user: Any) -> bool:
    """Case officers, team managers and heads of service schedule, hold and decide reviews."""
    staff = staff_of(user)
    return staff is not None and staff.role in CASEWORK_ROLES and may(user, Action.VIEW)


def may_count_reviews(user: Any) -> bool:
    """Analysts see the team's review counts, never the children behind them."""
    staff = staff_of(user)
    return staff is not None and staff.role == Role.ANALYST


def may_open_team_reviews(user: Any) -> bool:
    """The team's reviews page: its lists for casework, its counts for analysts."""
    return may_work_on_reviews(user) or may_count_reviews(user)
