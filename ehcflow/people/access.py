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
asks these functions; nothing else decides access. The querysets of what a user may see
(`visible_requests`, `visible_children`) are built from `request_scope` in
`ehcflow.casework.access`: people imports nothing of casework (an import-linter contract).
"""

from __future__ import annotations

import importlib
import warnings
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db.models import Model, Q
from django.utils import timezone

from ehcflow.people.models import Role, StaffMember

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


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

ROLE_ACTIONS: dict[str, set[Action]] = {
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
ROLE_FIELDS: dict[str, frozenset[ChildField]] = {
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


def adviser_of(user: AbstractBaseUser | AnonymousUser | None) -> StaffMember | None:
    """The staff record of a user who gives advice (an educational psychologist, a health or
    social care adviser), else None: an adviser sees and records only the advice asked of
    them (`ADVISER_ROLES`), wherever a page lists advice."""
    staff = staff_of(user)
    return staff if staff is not None and staff.role in ADVISER_ROLES else None


def role_of(user: AbstractBaseUser | AnonymousUser | None) -> str | None:
    staff = staff_of(user)
    return staff.role if staff is not None else None


def may(user: AbstractBaseUser | AnonymousUser | None, action: Action) -> bool:
    """Whether the user's role allows an action at all (before looking at any case)."""
    role = role_of(user)
    return role is not None and action in ROLE_ACTIONS.get(role, set())


def may_see_disagreements(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """Mediation and appeals are the council's casework: advisers (asked for advice on one
    assessment) are not shown them, whatever else of the child they may see."""
    role = role_of(user)
    return may(user, Action.VIEW) and role is not None and role not in ADVISER_ROLES


def child_fields(user: AbstractBaseUser | AnonymousUser | None) -> frozenset[ChildField]:
    """The parts of a child's record this user may read, on any child within their scope."""
    role = role_of(user)
    return ROLE_FIELDS.get(role, frozenset()) if role is not None else frozenset()


def sees(user: AbstractBaseUser | AnonymousUser | None, field: ChildField) -> bool:
    return field in child_fields(user)


def _scope(staff: StaffMember, via: str = "") -> Q:
    """The requests `staff` may see, as a filter through the relation path `via`.

    `via` is "" for a filter on AssessmentRequest itself and "request__" for a filter on a
    model pointing at its request (an EHC plan), so one rule serves both.
    """
    if staff.role in SEE_ALL_ROLES:
        return Q()
    if staff.role == Role.CASE_OFFICER:
        if staff.team_id is None:
            return Q(**{f"{via}officer": staff})
        return Q(**{f"{via}officer": staff}) | Q(**{f"{via}officer__team_id": staff.team_id})
    if staff.role == Role.TEAM_MANAGER:
        if staff.team_id is None:
            return Q(**{f"{via}officer__isnull": True})
        return (Q(**{f"{via}officer__team_id": staff.team_id})
                | Q(**{f"{via}officer__isnull": True}))
    if staff.role in ADVISER_ROLES:
        return Q(**{f"{via}advice_requests__adviser": staff})
    return Q(pk__in=[])


def request_scope(user: AbstractBaseUser | AnonymousUser | None) -> Q:
    """A filter on AssessmentRequest for the requests this user may see (none: `pk=None`).

    The querysets built from it (`visible_requests`, `visible_children`) are casework's, in
    `ehcflow.casework.access`: this module decides access and imports nothing of casework.
    """
    staff = staff_of(user)
    if staff is None:
        return Q(pk__in=[])
    return _scope(staff)


def can(user: AbstractBaseUser | AnonymousUser | None, action: Action,
        request: Model | None = None) -> bool:
    """Whether the user may take `action` on this request (an AssessmentRequest; or at all,
    for no request)."""
    if not may(user, action):
        return False
    if request is None:
        return True
    # The request's own model class, so this module needs no import of casework.
    return (type(request)._default_manager.filter(pk=request.pk)
            .filter(request_scope(user)).exists())


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
    if staff.role == Role.CASE_OFFICER:
        officers = Q(officer=staff) | (Q(officer__team_id=staff.team_id) if staff.team_id
                                       else Q(pk__in=[]))
    else:  # team manager: the team's plans and those nobody maintains
        officers = (Q(officer__team_id=staff.team_id) if staff.team_id else Q(pk__in=[])) | Q(
            officer__isnull=True)
    return (Q(request__isnull=False) & _scope(staff, "request__")) | officers


_MOVED = {name: "ehcflow.casework.access" for name in ("visible_requests", "visible_children")}


def __getattr__(name: str) -> object:
    """Forward the names that moved to `ehcflow.casework.access`, with a warning.

    Temporary, while the apps written alongside this change still import them from here:
    people imports nothing of casework, so the forward is resolved by name at run time.
    Remove it once `grep -rn "people.access import.*visible_" ehcflow` finds nothing.
    """
    if name in _MOVED:
        warnings.warn(f"import {name} from {_MOVED[name]}, not {__name__}", DeprecationWarning,
                      stacklevel=2)
        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
