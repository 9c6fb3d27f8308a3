"""Who may open a kept file. Asked by the download view before anything is read.

Staff: the casework roles (those who may read a child's needs, `ChildField.HEALTH`) on a case
within their scope (people.access). Everyone else through a checker registered by the app that
knows them: the families app registers one for a family and the children they hold rights
for; the partners app registers one for what was asked of a partner. A checker answers True
(may open) or False/None (not by this rule); the file opens if any rule says True.

The scan comes first regardless: a file not yet checked, or infected, opens for nobody
(`StoredFile.openable`, checked in the view so the person is told why).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ehcflow.casework.access import visible_children, visible_requests
from ehcflow.people.access import Action, ChildField, child_fields, may

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from ehcflow.files.models import StoredFile

    AnyUser = AbstractBaseUser | AnonymousUser

Checker = Callable[["AnyUser", "StoredFile"], bool | None]
_CHECKERS: list[Checker] = []


def register_checker(checker: Checker) -> Checker:
    """Add a rule that may let a non-staff user open a file (usable as a decorator).

    Registering the same function twice keeps one copy (apps' ready() can run again in tests).
    """
    if checker not in _CHECKERS:
        _CHECKERS.append(checker)
    return checker


def unregister_checker(checker: Checker) -> None:
    """Take a rule away again (a test that added one for itself)."""
    if checker in _CHECKERS:
        _CHECKERS.remove(checker)


def may_see_documents(user: AnyUser) -> bool:
    """Staff whose role reads a child's needs and health see the documents on cases in their
    scope: what a document is about is itself such a detail."""
    return ChildField.HEALTH in child_fields(user)


def may_add_documents(user: AnyUser) -> bool:
    """Those who see the documents and record the steps of a case may add one."""
    return may_see_documents(user) and may(user, Action.RECORD_STEP)


def staff_may_open(user: AnyUser, stored: StoredFile) -> bool:
    if not may_see_documents(user):
        return False
    if stored.request_id is not None:
        return visible_requests(user).filter(pk=stored.request_id).exists()
    return visible_children(user).filter(pk=stored.child_id).exists()


def may_open(user: AnyUser, stored: StoredFile) -> bool:
    """Whether this user may open the file (its scan aside)."""
    if user is None or not user.is_authenticated:
        return False
    if staff_may_open(user, stored):
        return True
    return any(checker(user, stored) for checker in _CHECKERS)
