"""Form pieces that follow the GOV.UK Design System: the date input and its messages.

GOV.UK's date input is three boxes (day, month, year); its error messages are specific
("Date of the decision must include a month"), which is what the pattern guidance asks for.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone


class DateInputWidget(forms.MultiWidget):
    """Day, month and year boxes; rendered by templates/includes/field.html."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        box = {"inputmode": "numeric"}
        super().__init__([forms.TextInput(box), forms.TextInput(box), forms.TextInput(box)],
                         attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    """A date from three boxes, refusing future dates unless `allow_future`."""

    widget = DateInputWidget

    def __init__(self, *, label: str, allow_future: bool = False, **kwargs: Any) -> None:
        self.allow_future = allow_future
        self.what = label[0].lower() + label[1:] if label else "date"
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields=fields, require_all_fields=False, label=label, **kwargs)

    def clean(self, value: Any) -> date | None:
        parts = [str(v).strip() if v is not None else "" for v in (value or ["", "", ""])]
        day, month, year = parts
        if not any(parts):
            if self.required:
                raise ValidationError(f"Enter the {self.what}", code="required")
            return None
        missing = [name for name, part in zip(("day", "month", "year"), parts, strict=True)
                   if not part]
        if missing:
            raise ValidationError(
                f"The {self.what} must include a {' and '.join(missing)}", code="incomplete")
        try:
            when = date(int(year), int(month), int(day))
        except ValueError as error:
            raise ValidationError(f"The {self.what} must be a real date",
                                  code="invalid") from error
        if len(year) != 4:
            raise ValidationError(f"The year of the {self.what} must include 4 numbers",
                                  code="invalid")
        if not self.allow_future and when > timezone.localdate():
            raise ValidationError(f"The {self.what} must be today or in the past",
                                  code="future")
        return when

    def compress(self, data_list: list[Any]) -> date | None:  # pragma: no cover - clean() owns it
        return None


class YesNoField(forms.TypedChoiceField):
    """A Yes / No question as GOV.UK radios, cleaned to True or False (None when optional and
    not answered)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.RadioSelect)
        super().__init__(choices=[("yes", "Yes"), ("no", "No")],
                         coerce=lambda value: value == "yes", empty_value=None, **kwargs)


class GovukForm(forms.Form):
    """A form whose errors feed the GOV.UK error summary in field order."""

    def error_list(self) -> list[tuple[str, str]]:
        """(anchor id, message) pairs for the error summary, in the order of the fields."""
        items: list[tuple[str, str]] = []
        for name, field_errors in self.errors.items():
            anchor = f"id_{name}" if name != "__all__" else "main-content"
            if name in self.fields and isinstance(self.fields[name].widget, DateInputWidget):
                anchor = f"id_{name}_0"
            items.extend((anchor, str(message)) for message in field_errors)
        return items
