"""Administrators' forms for accounts. Thin: people.services decides what is allowed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from ehcflow.people.models import Role, Team
from ehcflow.people.services import AccountDetails
from ehcflow.web.forms import GovukDateField, GovukForm


class AccountChangeForm(GovukForm):
    role = forms.ChoiceField(label="Role", choices=Role.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Select a role"})
    team = forms.ModelChoiceField(label="Team", queryset=Team.objects.all(), required=False,
                                  empty_label="No team")
    fte = forms.DecimalField(
        label="Full-time equivalent (FTE)", help_text="From 0.01 to 1.00, for example 0.6",
        min_value=Decimal("0.01"), max_value=Decimal("1.00"), decimal_places=2,
        error_messages={"required": "Enter the full-time equivalent",
                        "invalid": "The full-time equivalent must be a number, like 0.6",
                        "min_value": "The full-time equivalent must be 0.01 or more",
                        "max_value": "The full-time equivalent must be 1.00 or less",
                        "max_decimal_places": "The full-time equivalent must have at most 2 "
                                              "decimal places"})
    end_date = GovukDateField(label="End date", required=False, allow_future=True,
                              help_text="Their last working day; leave blank if not leaving. "
                                        "For example, 31 3 2027")
    email = forms.EmailField(label="Email address", max_length=254, required=False,
                             help_text="Needed to send a set-password link",
                             error_messages={"required": "Enter an email address",
                                             "invalid": "Enter an email address in the "
                                                        "right format, like "
                                                        "name@council.gov.uk"})
    entra_object_id = forms.CharField(
        label="Microsoft Entra object ID (optional)", required=False, max_length=36,
        help_text="From the person's account in Microsoft Entra ID. Needed for them to sign "
                  "in with their council Microsoft account.")

    def details(self) -> AccountDetails:
        data: dict[str, Any] = self.cleaned_data
        return AccountDetails(role=data["role"], team=data["team"], fte=data["fte"],
                              end_date=data["end_date"], email=data["email"],
                              entra_object_id=data["entra_object_id"])


class AccountCreateForm(AccountChangeForm):
    name = forms.CharField(label="Full name", max_length=150,
                           error_messages={"required": "Enter the person's full name"})
    username = forms.RegexField(
        label="Username", max_length=150, regex=r"^[\w.@+-]+$",
        help_text="Letters, numbers and @ . + - _ only",
        error_messages={"required": "Enter a username",
                        "invalid": "The username must be letters, numbers and @ . + - _ only"})
    staff_ref = forms.CharField(label="Staff ID", max_length=40,
                                help_text="The council's staff identifier",
                                error_messages={"required": "Enter the staff ID"})
    start_date = GovukDateField(label="Start date", allow_future=True)

    field_order = ["name", "username", "email", "staff_ref", "role", "team", "fte",
                   "start_date", "end_date", "entra_object_id"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True  # a new account needs its set-password link


class StaffFileForm(GovukForm):
    file = forms.FileField(label="Upload a staff file (CSV)",
                           error_messages={"required": "Select a CSV file to upload",
                                           "empty": "The selected file is empty"})
