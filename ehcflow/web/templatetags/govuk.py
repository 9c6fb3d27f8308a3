"""Template helpers for GOV.UK components."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField

from ehcflow.web.forms import DateInputWidget

register = template.Library()


@register.filter
def widget_kind(field: BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, DateInputWidget):
        return "date"
    if isinstance(widget, forms.CheckboxSelectMultiple):  # a RadioSelect subclass: first
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    return "text"


@register.filter
def date_parts(field: BoundField) -> list[tuple[Any, str, int]]:
    """(value, label, width) for the day, month and year boxes."""
    value = field.value()
    if isinstance(value, date):
        parts: list[Any] = [value.day, value.month, value.year]
    elif isinstance(value, list | tuple):
        parts = list(value) + [None] * (3 - len(value))
    else:
        parts = [None, None, None]
    return [(parts[0], "Day", 2), (parts[1], "Month", 2), (parts[2], "Year", 4)]


@register.filter
def weeks(days: int | None) -> str:
    if days is None:
        return "–"
    return f"{days / 7:.1f}"


@register.filter
def weeks_since(start: date | None, today: date) -> str:
    """Weeks elapsed from a date (docs/domain/measures.md: days ÷ 7), one decimal place."""
    if start is None:
        return "–"
    return f"{(today - start).days / 7:.1f}"


@register.filter
def is_chosen(value: object, field: BoundField) -> bool:
    """Whether a checkbox's value is among the field's chosen values."""
    chosen = field.value() or []
    if not isinstance(chosen, list | tuple):
        chosen = [chosen]
    return str(value) in {str(v) for v in chosen}


@register.filter
def figure(value: object, suffix: str = "") -> str:
    """A figure as every page and the board pack show it: 1,299; 66.9%; – for none."""
    from ehcflow.insight.tables import show

    return show(value, suffix=suffix)
