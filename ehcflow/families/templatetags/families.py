"""`{% may_act_for_family as flag %}`: whether the request page offers the family's links."""

from __future__ import annotations

from django import template

from ehcflow.people.access import Action, may

register = template.Library()


@register.simple_tag(takes_context=True)
def may_act_for_family(context: template.Context) -> bool:
    """Staff who may record correspondence invite families and enter what they say.

    The request page is shown only for a request within the user's scope, so only the role's
    action remains to check (families.access.may_act_for_family checks both).
    """
    request = context.get("request")
    return request is not None and may(request.user, Action.CORRESPONDENCE)
