"""Who may see and write the plan document, and who audits plans.

The rules of `people.access`, applied to the plan: the casework roles (case officer, team
manager, head of service) draft and see the plans of the requests in their scope. Advisers
give advice but do not see the plan (`plan_scope` gives them none); analysts and business
support work with figures and correspondence, not the plan's content. Quality assurance is
done by team managers and the head of service; the dashboard holds only counts, so analysts
may read it too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ehcflow.casework.access import visible_requests
from ehcflow.casework.models import EHCPlan
from ehcflow.people.access import CASEWORK_ROLES, Action, may, plan_scope, role_of
from ehcflow.people.models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from ehcflow.plans.models import PlanDocument

AUDITOR_ROLES = {Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE}
DASHBOARD_ROLES = AUDITOR_ROLES | {Role.ANALYST}

def may_work_on_plans(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """Whether the role drafts plans at all (before looking at any case)."""
    return role_of(user) in CASEWORK_ROLES and may(user, Action.RECORD_STEP)


def sees_document(user: AbstractBaseUser | AnonymousUser | None,
                  document: PlanDocument) -> bool:
    """Whether this user may open this plan: a casework role with the case in scope."""
    if not may_work_on_plans(user):
        return False
    if document.request_id is not None and visible_requests(user).filter(
            pk=document.request_id).exists():
        return True
    return document.plan_id is not None and EHCPlan.objects.filter(
        pk=document.plan_id).filter(plan_scope(user)).exists()


def may_audit(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    return role_of(user) in AUDITOR_ROLES


def may_see_quality_dashboard(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    return role_of(user) in DASHBOARD_ROLES
