"""Who may see and do what: least privilege by role and by case.

The rules, in the council's words (issue: casework in the browser):

- a case officer sees their own and their team's requests;
- a team manager sees their team's requests and the unallocated ones, and can reallocate;
- the head of service sees everything; an analyst sees everything, read-only;
- an educational psychologist (or a health or social care adviser) sees only the requests
  where advice was asked of them, and only what they need to give it;
- business support can register requests and record correspondence;
- an administrator manages users but not case content;
- a leaver (a staff member whose end date has passed) has no role at all.

Which of a child's details each role may read is decided here too (`child_fields`): see
`ChildField` and docs/decisions/0014-least-privilege-by-field.md. Every view and every export
asks these functions; nothing else decides access.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from ehcflow.people.models import Role, StaffMember

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from ehcflow.casework.models import AssessmentRequest, Child


class Action(StrEnum):
    VIEW = "view"                       # open the request page
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
    Role.CASE_OFFICER: {Action.VIEW, Action.RECORD_STEP, Action.REGISTER,
                        Action.CORRESPONDENCE, Action.EXPORT},
    Role.TEAM_MANAGER: {Action.VIEW, Action.RECORD_STEP, Action.REGISTER,
                        Action.CORRESPONDENCE, Action.ALLOCATE, Action.VIEW_AUDIT,
                        Action.EXPORT, Action.VIEW_CASELOADS},
    Role.HEAD_OF_SERVICE: {Action.VIEW, Action.RECORD_STEP,
                           Action.REGISTER, Action.CORRESPONDENCE, Action.ALLOCATE,
                           Action.VIEW_AUDIT, Action.EXPORT, Action.VIEW_CASELOADS},
    Role.ANALYST: {Action.VIEW, Action.EXPORT, Action.VIEW_CASELOADS},
    Role.BUSINESS_SUPPORT: {Action.VIEW, Action.REGISTER, Action.CORRESPONDENCE},
    Role.EDUCATIONAL_PSYCHOLOGIST: {Action.VIEW, Action.RECORD_ADVICE},
    Role.HEALTH_ADVISER: {Action.VIEW, Action.RECORD_ADVICE},
    Role.SOCIAL_CARE_ADVISER: {Action.VIEW, Action.RECORD_ADVICE},
    Role.ADMINISTRATOR: {Action.MANAGE_USERS},
}


class ChildField(StrEnum):
    """The parts of a child's record that are released by role (UK GDPR art. 5(1)(c), 9).

    Anything not listed here (case reference, stage, dates of statutory steps, officer) is
    casework data every role with access to the case may read.
    """

    NAME = "name"                    # forename and surname
    DATE_OF_BIRTH = "date_of_birth"  # exact date (others see the age in years only)
    UPN = "upn"                      # unique pupil number, unique learner number
    ADDRESS = "address"              # postcode and anything locating the family
    NOTES = "notes"                  # free-text notes on steps, exceptions, closures
    HEALTH = "health"                # needs, plans, settings and review history


ALL_CHILD_FIELDS = frozenset(ChildField)
_ROLE_FIELDS: dict[str, frozenset[ChildField]] = {
    # Casework roles run the case and write to the family: everything.
    Role.CASE_OFFICER: ALL_CHILD_FIELDS,
    Role.TEAM_MANAGER: ALL_CHILD_FIELDS,
    Role.HEAD_OF_SERVICE: ALL_CHILD_FIELDS,
    # An adviser must know whom they are assessing (reg 6(1)): name and date of birth only.
    Role.EDUCATIONAL_PSYCHOLOGIST: frozenset({ChildField.NAME, ChildField.DATE_OF_BIRTH}),
    Role.HEALTH_ADVISER: frozenset({ChildField.NAME, ChildField.DATE_OF_BIRTH}),
    Role.SOCIAL_CARE_ADVISER: frozenset({ChildField.NAME, ChildField.DATE_OF_BIRTH}),
    # Business support and analysts work with case references: nothing that identifies the
    # child. Business support types a child's details in when registering, and is told only
    # whether a matching record exists (see casework.selectors.possible_duplicates).
    Role.BUSINESS_SUPPORT: frozenset(),
    Role.ANALYST: frozenset(),
    Role.ADMINISTRATOR: frozenset(),
}


def staff_of(user: AbstractBaseUser | AnonymousUser | None) -> StaffMember | None:
    """The staff record of a signed-in user, or None (parents, anonymous, no record, leavers).

    A leaver keeps their staff record (history names them) but, from the day after their end
    date, holds no role: every page and action is refused even if a session is still open.
    """
    if user is None or not user.is_authenticated:
        return None
    try:
        staff: StaffMember = user.staff  # type: ignore[union-attr,attr-defined]
    except StaffMember.DoesNotExist:
        return None
    if staff.end_date is not None and staff.end_date < timezone.localdate():
        return None
    return staff


def role_of(user: AbstractBaseUser | AnonymousUser | None) -> str | None:
    staff = staff_of(user)
    return staff.role if staff is not None else None


def may(user: AbstractBaseUser | AnonymousUser | None, action: Action) -> bool:
    """Whether the user's role allows an action at all (before looking at any case)."""
    role = role_of(user)
    return role is not None and action in _ROLE_ACTIONS.get(role, set())


def child_fields(user: AbstractBaseUser | AnonymousUser | None) -> frozenset[ChildField]:
    """The parts of a child's record this user may read, on any child within their scope."""
    role = role_of(user)
    return _ROLE_FIELDS.get(role, frozenset()) if role is not None else frozenset()


def sees(user: AbstractBaseUser | AnonymousUser | None, field: ChildField) -> bool:
    return field in child_fields(user)


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


def plan_scope(user: AbstractBaseUser | AnonymousUser | None) -> Q:
    """A filter on EHCPlan for the plans this user may see, mirroring `request_scope`.

    A plan is seen with the request it came from; a plan with no request in scope (issued before
    the records began, or transferred in) only by those who see its maintaining officer's work.
    Advisers see no plans: their advice is on the assessment, not the plan.
    """
    staff = staff_of(user)
    if staff is None or not may(user, Action.VIEW) or staff.role in ADVISER_ROLES:
        return Q(pk__in=[])
    if staff.role in SEE_ALL_ROLES:
        return Q()
    from ehcflow.casework.models import AssessmentRequest

    requests = AssessmentRequest.objects.filter(request_scope(user)).values("pk")
    if staff.role == Role.CASE_OFFICER:
        officers = Q(officer=staff) | (Q(officer__team_id=staff.team_id) if staff.team_id
                                       else Q(pk__in=[]))
    else:  # team manager: the team's plans and those nobody maintains
        officers = (Q(officer__team_id=staff.team_id) if staff.team_id else Q(pk__in=[])) | Q(
            officer__isnull=True)
    return Q(request__in=requests) | officers


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
