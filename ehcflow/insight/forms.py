"""The dashboards' as-of date and period, from the GOV.UK date boxes or a link's ISO date."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone

from ehcflow.insight.dashboards import PERIODS
from ehcflow.insight.tables import long_date
from ehcflow.web.forms import GovukDateField, GovukForm


def _with_iso_date(data: QueryDict) -> tuple[QueryDict, str | None]:
    """Links carry `as_of=2023-07-31`; the form's boxes are as_of_0/1/2. Map one to the other."""
    copy = data.copy()
    iso = copy.get("as_of")
    if iso and not any(copy.get(f"as_of_{i}") for i in range(3)):
        try:
            day = date.fromisoformat(iso)
        except ValueError:
            return copy, "The date of the figures must be a real date, for example 31 7 2023"
        copy["as_of_0"], copy["as_of_1"], copy["as_of_2"] = (
            str(day.day), str(day.month), str(day.year))
    return copy, None


class DashboardForm(GovukForm):
    as_of = GovukDateField(label="Date of the figures", required=False,
                           help_text="For example, 31 7 2023. Leave it empty for today.")
    period = forms.ChoiceField(label="Period", choices=list(PERIODS.items()), required=False)

    def __init__(self, data: QueryDict, *, first: date | None) -> None:
        prepared, problem = _with_iso_date(data)
        super().__init__(prepared)
        self.first = first
        self.problem = problem

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.problem:
            self.add_error("as_of", self.problem)
            return cleaned
        if "as_of" in self.errors:
            return cleaned
        as_of = cleaned.get("as_of") or timezone.localdate()
        cleaned["as_of"] = as_of
        cleaned["period"] = cleaned.get("period") or "12m"
        if self.first is None:
            self.add_error(None, "There are no requests on record yet, so there are no figures "
                                 "to show.")
        elif as_of < self.first:
            self.add_error("as_of", f"There are no figures for {long_date(as_of)}: the first "
                                    f"request on record was received on "
                                    f"{long_date(self.first)}. Enter that date or a later one.")
        return cleaned
