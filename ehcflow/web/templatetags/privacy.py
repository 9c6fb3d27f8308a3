"""Showing a child's details on a page only to those whose role may read them.

Templates never read a child's name, date of birth, UPN, postcode or a free-text note
directly (a test keeps it so): they ask these tags, and the tags ask
`people.access.child_fields`, the one place that decides. What a role may not read is left
out, not masked, so nothing of it reaches the browser.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateformat import format as format_date

from ehcflow.people.access import ChildField, child_fields
from ehcflow.statutory.dates import age_on

register = template.Library()

_CACHE_ATTRIBUTE = "_ehcflow_child_fields"


def fields_for(http_request: HttpRequest | None) -> frozenset[ChildField]:
    """The fields the signed-in user may read, worked out once per request."""
    if http_request is None:
        return frozenset()
    cached: frozenset[ChildField] | None = getattr(http_request, _CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = child_fields(http_request.user)
        setattr(http_request, _CACHE_ATTRIBUTE, cached)
    return cached


def _fields(context: template.Context) -> frozenset[ChildField]:
    return fields_for(context.get("request"))


@register.simple_tag(takes_context=True)
def sees(context: template.Context, field: str) -> bool:
    """`{% sees "upn" as show_upn %}`: whether this user may read that part of a record."""
    return ChildField(field) in _fields(context)


@register.simple_tag(takes_context=True)
def child_name(context: template.Context, child: Any, fallback: str = "") -> str:
    """The child's full name, or `fallback` where the role may not read names."""
    if child is None or ChildField.NAME not in _fields(context):
        return fallback
    name = f"{child.forename} {child.surname}".strip()
    return name or "Name not recorded"


@register.simple_tag(takes_context=True)
def child_detail(context: template.Context, child: Any, field: str) -> str:
    """One detail of the child, formatted, or "" where the role may not read it."""
    wanted = ChildField(field)
    if child is None or wanted not in _fields(context):
        return ""
    if wanted is ChildField.DATE_OF_BIRTH:
        return format_date(child.date_of_birth, "j F Y")
    if wanted is ChildField.UPN:
        return str(child.upn or "Not known")
    if wanted is ChildField.ADDRESS:
        return str(child.postcode or "Not recorded")
    if wanted is ChildField.NAME:
        return child_name(context, child)
    raise template.TemplateSyntaxError(f"child_detail does not show {field!r}")


@register.simple_tag(takes_context=True)
def child_age(context: template.Context, child: Any) -> str:
    """The child's age in whole years today: casework needs it, and it identifies nobody."""
    if child is None:
        return ""
    return str(age_on(child.date_of_birth, timezone.localdate()))


@register.simple_tag(takes_context=True)
def note(context: template.Context, text: str | None) -> str:
    """A free-text note (an exception's circumstances, a reason), or "" for other roles."""
    if not text or ChildField.NOTES not in _fields(context):
        return ""
    return str(text)
