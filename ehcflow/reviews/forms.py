"""Forms for the steps after a plan is issued. Thin: `reviews.services` decides what the law
allows; every date goes through `ServiceDateField`."""

from __future__ import annotations

from typing import Any

from django import forms

from ehcflow.casework import choices as c
from ehcflow.casework.forms import ServiceDateField
from ehcflow.statutory.dates import DateKind
from ehcflow.web.forms import GovukForm

_TEXT = {"rows": 5, "class": "govuk-textarea"}


class ScheduleForm(GovukForm):
    due_date = ServiceDateField(label="Date the review is due", kind=DateKind.FIGURE,
                                help_text="At the latest 12 months after the plan or the last "
                                          "review. For example, 27 3 2025")
    phase_transfer = forms.ChoiceField(
        label="Is this a phase transfer review?", widget=forms.RadioSelect,
        choices=[("no", "No"), ("school", "Yes: to school, or between schools (15 February)"),
                 ("post16", "Yes: from secondary school to post-16 (31 March)")],
        initial="no")
    transfer_year = forms.IntegerField(
        label="Year of the transfer", required=False, min_value=2000, max_value=2099,
        help_text="The calendar year the child moves, for example 2026")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("phase_transfer") in {"school", "post16"} and not data.get("transfer_year"):
            self.add_error("transfer_year", "Enter the year of the transfer")
        return data


class InvitationsForm(GovukForm):
    invitations_on = ServiceDateField(label="Date invitations were sent")
    advice_on = ServiceDateField(label="Date advice and information were circulated",
                                 required=False,
                                 help_text="Leave blank if not yet circulated. "
                                           "For example, 27 3 2025")


class DateForm(GovukForm):
    on = ServiceDateField(label="Date")

    def __init__(self, *args: Any, label: str = "Date", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].label = label
        self.fields["on"].what = label[0].lower() + label[1:]  # type: ignore[attr-defined]


class DecisionForm(GovukForm):
    outcome = forms.ChoiceField(
        label="Decision after the review", choices=c.ReviewOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the decision after the review"})
    proposed_amendments = forms.CharField(
        label="Proposed amendments", required=False, widget=forms.Textarea(_TEXT),
        help_text="Needed for a decision to amend: they are sent with the decision.")
    on = ServiceDateField(label="Date the decision was sent")


class AmendmentForm(GovukForm):
    proposed_amendments = forms.CharField(
        label="Proposed amendments", widget=forms.Textarea(_TEXT),
        error_messages={"required": "Enter the proposed amendments"})
    on = ServiceDateField(label="Date the proposed amendments were sent")


class CeaseProposalForm(GovukForm):
    cease_reason = forms.ChoiceField(
        label="Why the plan may cease", choices=c.CeaseReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the plan may cease"})
    on = ServiceDateField(label="Date the proposal was sent")


class CeaseForm(GovukForm):
    cease_reason = forms.ChoiceField(
        label="Why the plan is ceasing", choices=c.CeaseReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the plan is ceasing"})
    on = ServiceDateField(label="Date the plan ends")


class TransferNoticeForm(GovukForm):
    decision = forms.ChoiceField(
        label="What the family was told", choices=c.TransferInDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the family was told"})
    on = ServiceDateField(label="Date the family was told")


class TransferOutForm(GovukForm):
    transferred_to = forms.CharField(
        label="Council the plan is transferring to", max_length=100,
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
        error_messages={"required": "Enter the council the plan is transferring to"})
    told_on = ServiceDateField(label="Date we were told of the move", required=False,
                               help_text="For example, 27 3 2025")
    on = ServiceDateField(label="Date of the transfer")


class TransferInForm(GovukForm):
    forename = forms.CharField(label="First name", max_length=100, required=False,
                               widget=forms.TextInput(attrs={"class": "govuk-input"}))
    surname = forms.CharField(label="Last name", max_length=100,
                              widget=forms.TextInput(attrs={"class": "govuk-input"}),
                              error_messages={"required": "Enter the last name"})
    date_of_birth = ServiceDateField(label="Date of birth", kind=DateKind.BIRTH)
    transferred_from = forms.CharField(
        label="Council the plan is transferring from", max_length=100,
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
        error_messages={"required": "Enter the council the plan is transferring from"})
    transferred_on = ServiceDateField(label="Date of the transfer")
    last_reviewed = ServiceDateField(
        label="Date the plan was made or last reviewed by that council", required=False,
        help_text="For example, 27 3 2025")
