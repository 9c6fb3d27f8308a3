"""`{% undelivered_messages case as messages %}`: the request page's failed messages."""

from __future__ import annotations

from django import template

from ehcflow.notify import selectors, templates
from ehcflow.notify.models import Message

register = template.Library()


@register.simple_tag
def undelivered_messages(case: object) -> list[Message]:
    return list(selectors.undelivered_for_case(case)[:20])


@register.filter
def message_stage(message: Message) -> str:
    """The stage the message reported, in words (never the template's internal name)."""
    found = templates.TEMPLATES.get(message.template)
    return found.stage if found else "Message"
