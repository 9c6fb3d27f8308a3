"""The dashboards' as-of date and period, from the GOV.UK date boxes or a link's ISO date;
and the parameters of the lists behind the figures.

Every GET parameter of the insight pages is read through a form here, so that nonsense (year
1, a team id of 30 digits, a period running backwards) gets a page saying what is wrong,
never a server error (issue 9, finding 9).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone

from ehcflow.casework.forms import ServiceDateField, date_range_message
from ehcflow.insight.dashboards import PERIODS
from ehcflow.insight.tables import long_date
from ehcflow.statutory.dates import DateKind, accepted_range
from ehcflow.web.forms import GovukForm


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
    as_of = ServiceDateField(label="Date of the figures", required=False, kind=DateKind.FIGURE,
                             allow_future=False,
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


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: The largest id a team can have: PostgreSQL's `integer` (SQLite's is larger).
_LARGEST_ID = 2**31 - 1
TEAM_MESSAGE = "The team must be one of the service's teams"


class IsoDateField(forms.CharField):
    """A date written as a link writes it, YYYY-MM-DD, within the range of a figure's date
    (`statutory.dates.accepted_range(FIGURE)`): 1 January 2000 to 31 December 2099.

    Nothing else is read as a date: Python's own parser would also take 20230731 and
    2023-W31-1, and a date in year 1 or 9999 overflows the period arithmetic behind a list.
    """

    def __init__(self, *, what: str, **kwargs: Any) -> None:
        self.what = what
        kwargs.setdefault("required", False)
        super().__init__(max_length=10, strip=True, error_messages={
            "max_length": f"{what} must be a date like 2023-07-31",
            "required": f"Enter {what[0].lower()}{what[1:]}"}, **kwargs)

    def clean(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        try:
            day = date.fromisoformat(text) if _ISO_DATE.fullmatch(text) else None
        except ValueError:
            day = None
        if day is None:
            raise ValidationError(f"{self.what} must be a date like 2023-07-31",
                                  code="invalid")
        message = date_range_message(self.what, day, DateKind.FIGURE,
                                     today=timezone.localdate())
        if message:
            raise ValidationError(message, code="range")
        return day


class DrilldownForm(GovukForm):
    """The parameters of a list behind a figure (`drilldown.Params`), checked before any of
    them reaches a query: dates within a figure's range, a period that runs forwards, a year
    and a team that are numbers of a sensible size, codes of a sensible length. Whether a code
    names a list, a band or a status is `drilldown`'s to say."""

    measure = forms.CharField(required=False, max_length=40)
    as_of = IsoDateField(what="The date of the figure", required=True)
    start = IsoDateField(what="The start of the period")
    end = IsoDateField(what="The end of the period")
    on = IsoDateField(what="The day of the figure")
    source = forms.CharField(required=False, max_length=40)
    band = forms.CharField(required=False, max_length=40)
    step = forms.CharField(required=False, max_length=40)
    type = forms.CharField(required=False, max_length=40)
    status = forms.CharField(required=False, max_length=40)
    transfer = forms.CharField(required=False, max_length=40)
    year = forms.CharField(required=False, max_length=4)
    team = forms.CharField(required=False, max_length=10)

    #: query-string names that are Python keywords or clash: from -> start, to -> end
    RENAMED = {"from": "start", "to": "end"}
    CODES = ("source", "band", "step", "type", "status", "transfer")

    def __init__(self, data: QueryDict) -> None:
        prepared = {self.RENAMED.get(key, key): data.get(key, "") for key in data}
        super().__init__(prepared)
        figure = accepted_range(DateKind.FIGURE, today=timezone.localdate())
        self.years = (figure.earliest.year, figure.latest.year)
        for name in self.CODES:
            self.fields[name].error_messages["max_length"] = (
                f"'{name}' is not one of the list's values")
        self.fields["measure"].error_messages["max_length"] = "There is no such list"
        self.fields["team"].error_messages["max_length"] = TEAM_MESSAGE
        self.fields["year"].error_messages["max_length"] = self.year_message()
        self.fields["as_of"].error_messages["required"] = (
            "The list needs the as-of date of the figure it counts")

    def year_message(self) -> str:
        low, high = self.years
        return f"The year of the phase transfer must be between {low} and {high}"

    def clean_year(self) -> str:
        year: str = self.cleaned_data.get("year", "")
        low, high = self.years
        if year and not (year.isascii() and year.isdigit() and low <= int(year) <= high):
            raise ValidationError(self.year_message(), code="range")
        return year

    def clean_team(self) -> str:
        team: str = self.cleaned_data.get("team", "")
        if team and team not in ("none", "left") and not (
                team.isascii() and team.isdigit() and 0 < int(team) <= _LARGEST_ID):
            raise ValidationError(TEAM_MESSAGE, code="invalid")
        return team

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The end of the period must be the same as or after its start")
        return cleaned

    def messages(self) -> str:
        """Every problem, in one sentence each, for the page that refuses the list."""
        return " ".join(str(message).rstrip(".") + "." for errors in self.errors.values()
                        for message in errors)
