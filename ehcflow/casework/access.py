"""The requests, children and plans a user may see, as querysets.

Who may see what is decided in `ehcflow.people.access` (`may`, `request_scope`, `plan_scope`);
this module applies those rules to casework's own tables. It lives here, not in people,
so that people imports nothing of casework (an import-linter contract in pyproject.toml).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from ehcflow.casework.models import AssessmentRequest, Child
from ehcflow.people.access import ADVISER_ROLES, Action, may, request_scope, staff_of

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

__all__ = ["visible_children", "visible_requests"]


def visible_requests(
    user: AbstractBaseUser | AnonymousUser | None,
    queryset: QuerySet[AssessmentRequest] | None = None,
) -> QuerySet[AssessmentRequest]:
    """The requests (of `queryset`, default all) this user may see; none without VIEW."""
    base = queryset if queryset is not None else AssessmentRequest.objects.all()
    if not may(user, Action.VIEW):
        return base.none()
    staff = staff_of(user)
    filtered = base.filter(request_scope(user))
    if staff is not None and staff.role in ADVISER_ROLES:
        filtered = filtered.distinct()  # one row per request, however many advice requests
    return filtered


def visible_children(user: AbstractBaseUser | AnonymousUser | None) -> QuerySet[Child]:
    """Children with at least one request the user may see."""
    if not may(user, Action.VIEW):
        return Child.objects.none()
    if request_scope(user) == Q():
        return Child.objects.all()
    requests = visible_requests(user).values("child_id")
    return Child.objects.filter(pk__in=requests)
