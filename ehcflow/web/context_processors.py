"""Values every page needs: the service and authority names, and the navigation."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from ehcflow.partners.selectors import is_partner
from ehcflow.people.access import Action, may
from ehcflow.plans.access import may_see_quality_dashboard
from ehcflow.reviews.access import may_open_team_reviews
from ehcflow.sen2.services import may_export_return


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


# (label, url name, the action the role needs, the URL namespaces or names it stands for).
# An item is offered only to roles that may use the page it leads to, so no link ends in a
# refusal; the current section is marked for screen readers and sighted users alike. Where an
# action is not enough, a rule on the user stands in for it (the SEN2 return: decision 0016).
_NAVIGATION: tuple[tuple[str, str, Action | Callable[[Any], bool] | None, tuple[str, ...]],
                   ...] = (
    ("Home", "home", None, ("home",)),
    ("My work", "casework:my_work", Action.VIEW,
     ("casework:my_work", "casework:request", "casework:step", "casework:access_log",
      "casework:child", "casework:request_new")),
    ("Search", "casework:search", Action.VIEW, ("casework:search",)),
    ("Reviews", "reviews:team", may_open_team_reviews, ("reviews",)),
    ("Advice requests", "partners:inbox", is_partner,
     ("partners:inbox", "partners:advice", "partners:consultation", "partners:timeliness",
      "partners:staff")),
    ("Dashboards", "insight:overview", Action.VIEW_CASELOADS, ("insight",)),
    ("Recovery planner", "planning:list", Action.VIEW_CASELOADS, ("planning",)),
    ("SEN2 return", "sen2:overview", may_export_return, ("sen2",)),
    ("Plan quality", "plans:quality", may_see_quality_dashboard,
     ("plans:quality", "plans:quality_sample", "plans:audit")),
    ("Accounts", "people:accounts", Action.MANAGE_USERS, ("people",)),
)


def navigation(request: HttpRequest) -> list[NavItem]:
    """The menu for the signed-in user, with the section of the current page marked."""
    if not request.user.is_authenticated:
        return []
    match = getattr(request, "resolver_match", None)
    here = {match.view_name, *match.namespaces} if match is not None else set()
    return [NavItem(label, reverse(name), bool(here & set(sections)))
            for label, name, action, sections in _NAVIGATION
            if action is None or (may(request.user, action) if isinstance(action, Action)
                                  else action(request.user))]


def service(request: HttpRequest) -> dict[str, Any]:
    return {
        "service_name": settings.EHCFLOW_SERVICE_NAME,
        "authority_name": settings.EHCFLOW_AUTHORITY_NAME,
        "oidc_enabled": settings.OIDC_ENABLED,
        "navigation": navigation(request),
    }
