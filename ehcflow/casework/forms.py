"""Forms for each next step of a request. Thin: the services decide what the law allows.

Every date goes through `ServiceDateField`, which refuses a date outside the range the
service accepts for its kind (`statutory.dates.accepted_range`), in GOV.UK words.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from ehcflow.casework import choices as c
from ehcflow.casework.models import AdviceRequest, Institution
from ehcflow.people.models import StaffMember
from ehcflow.statutory.dates import (
    YOUNG_PERSON_AGE_LIMIT,
    DateKind,
    accepted_range,
    add_days,
    add_years,
    age_on,
    long_date,
    range_problem,
)
from ehcflow.statutory.exceptions import CORONAVIRUS_END
from ehcflow.web.forms import GovukDateField, GovukForm


def date_range_message(label: str, day: date, kind: DateKind, *, today: date,
                       start: date | None = None) -> str | None:
    """The GOV.UK error for a date outside the range its kind accepts, or None.

    For example "Date the request was received must be the same as or after 1 January 2000"
    (the design system's wording for a date that must be on or after another).
    """
    accepted = accepted_range(kind, today=today, start=start)
    where = range_problem(day, accepted)
    if where == "early":
        return f"{label} must be the same as or after {long_date(accepted.earliest)}"
    if where == "late":
        if kind is DateKind.EVENT:
            return f"{label} must be today or in the past"
        return f"{label} must be the same as or before {long_date(accepted.latest)}"
    return None


class ServiceDateField(GovukDateField):
    """A GOV.UK date (day, month, year boxes) within the range the service accepts for `kind`.

    The boxes are checked to be at most 2, 2 and 4 digits before they are made a date, so
    that a year such as 99999999999999999999 is "not a real date", not an overflow. An
    exception's end is checked against its start by the form, which knows both.
    """

    def __init__(self, *, label: str, kind: DateKind = DateKind.EVENT, **kwargs: Any) -> None:
        self.kind = kind
        if kind in (DateKind.EXCEPTION_END, DateKind.FIGURE):
            kwargs.setdefault("allow_future", True)
        super().__init__(label=label, **kwargs)

    def clean(self, value: Any) -> date | None:
        parts = [str(v).strip() if v is not None else "" for v in (value or ["", "", ""])]
        for part, width in zip(parts, (2, 2, 4), strict=True):
            if part and not (len(part) <= width and part.isascii() and part.isdigit()):
                raise ValidationError(f"The {self.what} must be a real date", code="invalid")
        when = super().clean(value)
        if when is None or self.kind is DateKind.EXCEPTION_END:
            return when
        message = date_range_message(str(self.label), when, self.kind,
                                     today=timezone.localdate())
        if message:
            raise ValidationError(message, code="range")
        return when


class VersionedForm(GovukForm):
    """Carries the request's version so a second officer's stale page is refused, not lost."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class DecisionForm(VersionedForm):
    decision = forms.ChoiceField(
        label="Decision", choices=c.Decision.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select whether to carry out an assessment"},
    )
    on = ServiceDateField(label="Date the decision was notified")
    reason = forms.CharField(label="Reasons (shared with the family)", required=False,
                             widget=forms.Textarea, max_length=4000)


ADVICE_OF_ROLE = c.ADVICE_OF_ROLE


class AdviceRequestForm(VersionedForm):
    """Ask for several kinds of advice at once: an assessment usually seeks four (reg 6(1))."""

    adviser_types = forms.MultipleChoiceField(
        label="Advice from", choices=c.AdviserType.choices, widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages={"required": "Select who the advice is from"},
    )
    adviser = forms.ModelChoiceField(
        label="Named educational psychologist or adviser (if known)", required=False,
        queryset=StaffMember.objects.none(),
        help_text="They will see the request in their work list.",
    )
    organisation = forms.CharField(label="Organisation", required=False, max_length=200)
    on = ServiceDateField(label="Date advice was requested")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["adviser"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = StaffMember.objects.filter(
            role__in=list(ADVICE_OF_ROLE), end_date__isnull=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        adviser, kinds = data.get("adviser"), data.get("adviser_types") or []
        if adviser is not None and kinds and ADVICE_OF_ROLE.get(adviser.role) not in kinds:
            kind = c.AdviserType(ADVICE_OF_ROLE[adviser.role]).label.lower()
            self.add_error("adviser", f"{adviser.name} gives {kind} advice: select "
                                      f"{kind} as well, or leave the adviser blank")
        return data


def _advice_label(advice: AdviceRequest) -> str:
    return f"{advice.get_adviser_type_display()} – requested {advice.requested_on:%-d %B %Y}"


class AdviceReceivedForm(VersionedForm):
    advice = forms.ModelChoiceField(label="Advice", queryset=AdviceRequest.objects.none(),
                                    error_messages={"required": "Select which advice arrived"})
    on = ServiceDateField(label="Date advice was received")

    def __init__(self, *args: Any, outstanding: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["advice"]
        assert isinstance(field, forms.ModelChoiceField)
        if outstanding is not None:
            field.queryset = outstanding
        field.label_from_instance = _advice_label  # type: ignore[method-assign,assignment]
        field.to_field_name = "public_id"


class OutcomeForm(VersionedForm):
    outcome = forms.ChoiceField(
        label="Decision after the assessment", choices=c.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to issue an EHC plan"},
    )
    on = ServiceDateField(label="Date the decision was made")
    reason = forms.CharField(label="Reasons", required=False, widget=forms.Textarea,
                             max_length=4000)


class DraftForm(VersionedForm):
    on = ServiceDateField(label="Date the draft plan was sent")


class CommentsForm(VersionedForm):
    on = ServiceDateField(label="Date comments were received")
    school_requested = forms.ModelChoiceField(
        label="School or college requested (if any)", required=False,
        queryset=Institution.objects.all(),
    )


# The ages, on the day a plan names it, at which each kind of setting is usual (England's
# phases: early years to 5, primary 4 to 11, secondary 11 to 18, colleges from 16). Outside
# them the officer is asked to confirm: a pre-school named for a 10-year-old is a slip.
USUAL_AGES: dict[str, tuple[int, int]] = {
    c.InstitutionKind.EARLY_YEARS: (0, 5),
    c.InstitutionKind.PRIMARY: (3, 11),
    c.InstitutionKind.SECONDARY: (10, 19),
    c.InstitutionKind.COLLEGE: (15, 25),
}


class FinalForm(VersionedForm):
    on = ServiceDateField(label="Date the final plan was issued")
    setting = forms.ModelChoiceField(label="Named school or setting", required=False,
                                     queryset=Institution.objects.all(),
                                     empty_label="Not named yet")
    primary_need = forms.ChoiceField(
        label="Primary need", choices=[("", "Choose the primary need"), *c.SENType.choices],
        error_messages={"required": "Select the primary need"})
    secondary_need = forms.ChoiceField(label="Secondary need (optional)", required=False,
                                       choices=[("", "None"), *c.SENType.choices])
    confirm_setting = forms.BooleanField(
        label="I have checked that this setting is right for the child's age", required=False)

    def __init__(self, *args: Any, case: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.born: date | None = case.child.date_of_birth if case is not None else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        setting, on = data.get("setting"), data.get("on")
        if data.get("secondary_need") and data.get("secondary_need") == data.get(
                "primary_need"):
            self.add_error("secondary_need", "The secondary need must differ from the primary")
        if setting is None or on is None or self.born is None or data.get("confirm_setting"):
            return data
        usual = USUAL_AGES.get(setting.kind)
        age = age_on(self.born, on)
        if usual is not None and not usual[0] <= age <= usual[1]:
            kind = c.InstitutionKind(setting.kind).label.lower()
            if setting.kind == c.InstitutionKind.EARLY_YEARS:
                kind += " setting"
            self.add_error("setting", f"{setting.name} is {'an' if kind[0] in 'aeiou' else 'a'} "
                                      f"{kind}, and the child is {age}. Check the setting, or "
                                      "confirm it is right")
        return data


class ExceptionForm(VersionedForm):
    reason = forms.ChoiceField(
        label="Reason for the exception", choices=c.ExceptionReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the reason for the exception"},
    )

    def __init__(self, *args: Any, case: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The coronavirus ground (SI 2020/471) covered only time limits running from 1 May to
        # 25 September 2020: it is not offered for a request received after it ended.
        if case is not None and case.received_date > CORONAVIRUS_END:
            field = self.fields["reason"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(v, label) for v, label in c.ExceptionReason.choices
                             if v != c.ExceptionReason.CORONAVIRUS]
    start = ServiceDateField(label="Start of the period")
    end = ServiceDateField(label="End of the period (if known)", required=False,
                           kind=DateKind.EXCEPTION_END)
    note = forms.CharField(label="What happened", required=False, widget=forms.Textarea,
                           max_length=4000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The end of the period must be on or after its start")
        elif start and end and (message := date_range_message(
                "End of the period", end, DateKind.EXCEPTION_END, today=timezone.localdate(),
                start=start)):
            self.add_error("end", message)
        return data


class CloseForm(VersionedForm):
    closed_reason = forms.ChoiceField(
        label="Why is the request closing?", choices=c.ClosedReason.choices,
        widget=forms.RadioSelect, error_messages={"required": "Select why the request is closing"},
    )
    on = ServiceDateField(label="Date the request closed")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea, max_length=4000)


class AllocateForm(VersionedForm):
    officer = forms.ModelChoiceField(label="Case officer", queryset=StaffMember.objects.none(),
                                     error_messages={"required": "Select a case officer"})
    reason = forms.CharField(label="Reason", required=False, max_length=300)

    def __init__(self, *args: Any, officers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["officer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = officers if officers is not None else StaffMember.objects.none()
        field.to_field_name = "public_id"


class ChaseForm(VersionedForm):
    advice = forms.ModelChoiceField(label="Advice to chase", queryset=AdviceRequest.objects.none())

    def __init__(self, *args: Any, outstanding: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["advice"]
        assert isinstance(field, forms.ModelChoiceField)
        if outstanding is not None:
            field.queryset = outstanding
        field.to_field_name = "public_id"


class NewRequestForm(GovukForm):
    """Register a request: the child (found or new) and the request's details."""

    forename = forms.CharField(label="First name", max_length=100,
                               error_messages={"required": "Enter the child's first name"})
    surname = forms.CharField(label="Last name", max_length=100,
                              error_messages={"required": "Enter the child's last name"})
    date_of_birth = ServiceDateField(label="Date of birth", kind=DateKind.BIRTH)
    upn = forms.CharField(label="Unique pupil number (UPN), if known", required=False,
                          max_length=13)
    postcode = forms.CharField(label="Postcode", required=False, max_length=8)
    received_date = ServiceDateField(label="Date the request was received")
    source = forms.ChoiceField(label="Who made the request?", choices=c.RequestSource.choices,
                               widget=forms.RadioSelect,
                               error_messages={"required": "Select who made the request"})
    confirm_new_child = forms.BooleanField(
        label="This is a different child from the possible matches shown", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        born, received = data.get("date_of_birth"), data.get("received_date")
        # Children and Families Act 2014 s.83(2): EHC plans are for those under 25. A date of
        # birth after the request is the service's own check (it names both dates).
        if isinstance(born, date) and isinstance(received, date) and received >= born and (
                date_range_message("Date of birth", born, DateKind.BIRTH,
                                   today=timezone.localdate(), start=received)):
            oldest = add_days(add_years(received, -YOUNG_PERSON_AGE_LIMIT), 1)
            self.add_error("date_of_birth", (
                f"Date of birth must be the same as or after {long_date(oldest)}: the child or "
                "young person must be under 25 on the date the request was received"))
        return data
