"""Who may see and do what: least privilege by role and by case.

The rules, in the council's words (issue: casework in the browser):

- a case officer sees their own and their team's requests;
- a team manager sees their team's requests and the unallocated ones, and can reallocate;
- the head of service sees everything; an analyst sees everything, read-only;
- an educational psychologist (or a health or social care adviser) sees only the requests
  where advice was asked of them, and only what they need to give it;
- business support can register requests and record correspondence;
- an administrator manages users but not case content.

Every view and every export asks these functions; nothing else decides access.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from ehcflow.people.models import Role, StaffMember

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from ehcflow.casework.models import AssessmentRequest, Child


class Action(StrEnum):
    VIEW = "view"                       # open the request page
    VIEW_PERSONAL = "view_personal"     # the child's full details (address, UPN, history)
    RECORD_STEP = "record_step"         # decisions, advice, draft, final, exceptions, closure
    RECORD_ADVICE = "record_advice"     # record advice received on one's own advice request
    ALLOCATE = "allocate"               # (re)allocate to an officer
    REGISTER = "register"               # register a new request
    CORRESPONDENCE = "correspondence"   # record correspondence and chase advice
    VIEW_AUDIT = "view_audit"           # who looked at a case
    EXPORT = "export"                   # download lists of cases
    VIEW_CASELOADS = "view_caseloads"   # team caseloads
    MANAGE_USERS = "manage_users"


CASEWORK_ROLES = {Role.CASE_OFFICER, Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE}
ADVISER_ROLES = {Role.EDUCATIONAL_PSYCHOLOGIST, Role.HEALTH_ADVISER, Role.SOCIAL_CARE_ADVISER}
SEE_ALL_ROLES = {Role.HEAD_OF_SERVICE, Role.ANALYST, Role.BUSINESS_SUPPORT}

_ROLE_ACTIONS: dict[str, set[Action]] = {
    Role.CASE_OFFICER: {Action.VIEW, Action.VIEW_PERSONAL, Action.RECORD_STEP, Action.REGISTER,
                        Action.CORRESPONDENCE, Action.EXPORT},
    Role.TEAM_MANAGER: {Action.VIEW, Action.VIEW_PERSONAL, Action.RECORD_STEP, Action.REGISTER,
                        Action.CORRESPONDENCE, Action.ALLOCATE, Action.VIEW_AUDIT,
                        Action.EXPORT, Action.VIEW_CASELOADS},
    Role.HEAD_OF_SERVICE: {Action.VIEW, Action.VIEW_PERSONAL, Action.RECORD_STEP,
                           Action.REGISTER, Action.CORRESPONDENCE, Action.ALLOCATE,
                           Action.VIEW_AUDIT, Action.EXPORT, Action.VIEW_CASELOADS},
    Role.ANALYST: {Action.VIEW, Action.EXPORT, Action.VIEW_CASELOADS},
    Role.BUSINESS_SUPPORT: {Action.VIEW, Action.REGISTER, Action.CORRESPONDENCE},
    Role.EDUCATIONAL_PSYCHOLOGIST: {Action.VIEW, Action.RECORD_ADVICE},
    Role.HEALTH_ADVISER: {Action.VIEW, Action.RECORD_ADVICE},
    Role.SOCIAL_CARE_ADVISER: {Action.VIEW, Action.RECORD_ADVICE},
    Role.ADMINISTRATOR: {Action.MANAGE_USERS},
}


def staff_of(user: AbstractBaseUser | AnonymousUser | None) -> StaffMember | None:
    """The staff record of a signed-in user, or None (parents, anonymous, no record)."""
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.staff  # type: ignore[union-attr,attr-defined,no-any-return]
    except StaffMember.DoesNotExist:
        return None


def role_of(user: AbstractBaseUser | AnonymousUser | None) -> str | None:
    staff = staff_of(user)
    return staff.role if staff is not None else None


def may(user: AbstractBaseUser | AnonymousUser | None, action: Action) -> bool:
    """Whether the user's role allows an action at all (before looking at any case)."""
    role = role_of(user)
    return role is not None and action in _ROLE_ACTIONS.get(role, set())


def request_scope(user: AbstractBaseUser | AnonymousUser | None) -> Q:
    """A filter on AssessmentRequest for the requests this user may see (none: `pk=None`)."""
    staff = staff_of(user)
    nothing = Q(pk__in=[])
    if staff is None:
        return nothing
    if staff.role in SEE_ALL_ROLES:
        return Q()
    if staff.role == Role.CASE_OFFICER:
        if staff.team_id is None:
            return Q(officer=staff)
        return Q(officer=staff) | Q(officer__team_id=staff.team_id)
    if staff.role == Role.TEAM_MANAGER:
        if staff.team_id is None:
            return Q(officer__isnull=True)
        return Q(officer__team_id=staff.team_id) | Q(officer__isnull=True)
    if staff.role in ADVISER_ROLES:
        return Q(advice_requests__adviser=staff)
    return nothing


def visible_requests(
    user: AbstractBaseUser | AnonymousUser | None,
    queryset: QuerySet[AssessmentRequest] | None = None,
) -> QuerySet[AssessmentRequest]:
    from ehcflow.casework.models import AssessmentRequest

    base = queryset if queryset is not None else AssessmentRequest.objects.all()
    if not may(user, Action.VIEW):
        return base.none()
    scope = request_scope(user)
    staff = staff_of(user)
    filtered = base.filter(scope)
    if staff is not None and staff.role in ADVISER_ROLES:
        filtered = filtered.distinct()
    return filtered


def can(user: AbstractBaseUser | AnonymousUser | None, action: Action,
        request: AssessmentRequest | None = None) -> bool:
    """Whether the user may take `action` on this request (or at all, for no request)."""
    if not may(user, action):
        return False
    if request is None:
        return True
    from ehcflow.casework.models import AssessmentRequest

    return AssessmentRequest.objects.filter(pk=request.pk).filter(request_scope(user)).exists()


def visible_children(user: AbstractBaseUser | AnonymousUser | None) -> QuerySet[Child]:
    """Children with at least one request the user may see."""
    from ehcflow.casework.models import Child

    if not may(user, Action.VIEW):
        return Child.objects.none()
    scope = request_scope(user)
    if scope == Q():
        return Child.objects.all()
    requests = visible_requests(user).values("child_id")
    return Child.objects.filter(pk__in=requests)
