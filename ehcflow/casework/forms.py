"""Forms for each next step of a request. Thin: the services decide what the law allows."""

from __future__ import annotations

from typing import Any

from django import forms

from ehcflow.casework import choices as c
from ehcflow.casework.models import AdviceRequest, Institution
from ehcflow.people.models import Role, StaffMember
from ehcflow.web.forms import GovukDateField, GovukForm


class VersionedForm(GovukForm):
    """Carries the request's version so a second officer's stale page is refused, not lost."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class DecisionForm(VersionedForm):
    decision = forms.ChoiceField(
        label="Decision", choices=c.Decision.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select whether to carry out an assessment"},
    )
    on = GovukDateField(label="Date the decision was notified")
    reason = forms.CharField(label="Reasons (shared with the family)", required=False,
                             widget=forms.Textarea, max_length=4000)


class AdviceRequestForm(VersionedForm):
    adviser_type = forms.ChoiceField(
        label="Advice from", choices=c.AdviserType.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select who the advice is from"},
    )
    adviser = forms.ModelChoiceField(
        label="Educational psychologist or adviser (if known)", required=False,
        queryset=StaffMember.objects.none(),
    )
    organisation = forms.CharField(label="Organisation", required=False, max_length=200)
    on = GovukDateField(label="Date advice was requested")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["adviser"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = StaffMember.objects.filter(
            role__in=[Role.EDUCATIONAL_PSYCHOLOGIST, Role.HEALTH_ADVISER,
                      Role.SOCIAL_CARE_ADVISER], end_date__isnull=True)


def _advice_label(advice: AdviceRequest) -> str:
    return f"{advice.get_adviser_type_display()} – requested {advice.requested_on:%d/%m/%Y}"


class AdviceReceivedForm(VersionedForm):
    advice = forms.ModelChoiceField(label="Advice", queryset=AdviceRequest.objects.none(),
                                    error_messages={"required": "Select which advice arrived"})
    on = GovukDateField(label="Date advice was received")

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
    on = GovukDateField(label="Date the decision was made")
    reason = forms.CharField(label="Reasons", required=False, widget=forms.Textarea,
                             max_length=4000)


class DraftForm(VersionedForm):
    on = GovukDateField(label="Date the draft plan was sent")


class CommentsForm(VersionedForm):
    on = GovukDateField(label="Date comments were received")
    school_requested = forms.ModelChoiceField(
        label="School or college requested (if any)", required=False,
        queryset=Institution.objects.all(),
    )


class FinalForm(VersionedForm):
    on = GovukDateField(label="Date the final plan was issued")
    setting = forms.ModelChoiceField(label="Named school or setting", required=False,
                                     queryset=Institution.objects.all())
    primary_need = forms.ChoiceField(label="Primary need", choices=c.SENType.choices,
                                     error_messages={"required": "Select the primary need"})
    secondary_need = forms.ChoiceField(label="Secondary need (optional)", required=False,
                                       choices=[("", "None"), *c.SENType.choices])


class ExceptionForm(VersionedForm):
    reason = forms.ChoiceField(
        label="Reason for the exception", choices=c.ExceptionReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the reason for the exception"},
    )
    start = GovukDateField(label="Start of the period")
    end = GovukDateField(label="End of the period (if known)", required=False, allow_future=True)
    note = forms.CharField(label="What happened", required=False, widget=forms.Textarea,
                           max_length=4000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The end of the period must be on or after its start")
        return data


class CloseForm(VersionedForm):
    closed_reason = forms.ChoiceField(
        label="Why is the request closing?", choices=c.ClosedReason.choices,
        widget=forms.RadioSelect, error_messages={"required": "Select why the request is closing"},
    )
    on = GovukDateField(label="Date the request closed")
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
    date_of_birth = GovukDateField(label="Date of birth")
    upn = forms.CharField(label="Unique pupil number (UPN), if known", required=False,
                          max_length=13)
    postcode = forms.CharField(label="Postcode", required=False, max_length=8)
    received_date = GovukDateField(label="Date the request was received")
    source = forms.ChoiceField(label="Who made the request?", choices=c.RequestSource.choices,
                               widget=forms.RadioSelect,
                               error_messages={"required": "Select who made the request"})
    confirm_new_child = forms.BooleanField(
        label="This is a different child from the possible matches shown", required=False)
