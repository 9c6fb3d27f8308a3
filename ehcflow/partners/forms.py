"""Forms for partners: advice by plan section, a consultation answer, adding a member of staff,
and (for officers) sending advice requests and consultations to an organisation."""

from __future__ import annotations

from typing import Any

from django import forms

from ehcflow.partners.models import ConsultationAnswer, Organisation
from ehcflow.web.forms import GovukForm

# The plan sections an adviser writes to (regulation 12(1)(b) to (h)), in the plan's order,
# with the words an adviser sees. "H" is social care provision before the officer decides
# whether it falls under H1 or H2 (plans.services.ADVICE_SECTIONS).
ADVICE_SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("B", "Special educational needs (section B)",
     "What the child or young person's needs are, as you found them."),
    ("C", "Health needs related to their special educational needs (section C)", ""),
    ("D", "Social care needs related to their special educational needs or a disability "
          "(section D)", ""),
    ("E", "Outcomes (section E)",
     "What you expect them to achieve with the provision, and by when."),
    ("F", "Special educational provision (section F)",
     "What help they need, how much and how often, and who should give it."),
    ("G", "Health provision (section G)", ""),
    ("H", "Social care provision (section H)", ""),
)
SECTION_MAX_CHARS = 20_000


class AdviceForm(GovukForm):
    """One box per plan section; at least one must be filled in (checked by the service)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for letter, label, hint in ADVICE_SECTIONS:
            self.fields[f"section_{letter}"] = forms.CharField(
                label=label, help_text=hint, required=False, widget=forms.Textarea,
                max_length=SECTION_MAX_CHARS,
                error_messages={"max_length": f"{label} must be {SECTION_MAX_CHARS:,} "
                                              "characters or fewer"})

    def sections(self) -> dict[str, str]:
        return {letter: self.cleaned_data.get(f"section_{letter}", "")
                for letter, _, _ in ADVICE_SECTIONS}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any((cleaned.get(f"section_{letter}") or "").strip()
                   for letter, _, _ in ADVICE_SECTIONS):
            self.add_error("section_B", "Enter your advice in at least one section")
        return cleaned


class ConsultationAnswerForm(GovukForm):
    answer = forms.ChoiceField(
        label="Can the school or setting meet the needs in the draft plan?",
        choices=ConsultationAnswer.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select whether the school can meet the needs"})
    reasons = forms.CharField(
        label="Reasons", required=False, widget=forms.Textarea, max_length=5000,
        help_text="If the school cannot meet the needs, say why. The council must consider "
                  "your reasons before it decides.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("answer") == ConsultationAnswer.CANNOT_MEET and not (
                cleaned.get("reasons") or "").strip():
            self.add_error("reasons", "Enter why the school cannot meet the needs")
        return cleaned


class MemberForm(GovukForm):
    first_name = forms.CharField(label="First name", max_length=150,
                                 error_messages={"required": "Enter their first name"})
    last_name = forms.CharField(label="Last name", max_length=150,
                                error_messages={"required": "Enter their last name"})
    email = forms.EmailField(
        label="Work e-mail address", max_length=254,
        error_messages={"required": "Enter their work e-mail address",
                        "invalid": "Enter an e-mail address in the right format, like "
                                   "name@example.org"})
    job_title = forms.CharField(label="Job title", max_length=100, required=False)
    is_manager = forms.BooleanField(label="They may add and remove staff", required=False)


class AssignForm(GovukForm):
    organisation = forms.ModelChoiceField(
        label="Organisation", queryset=Organisation.objects.none(),
        error_messages={"required": "Select the organisation to send it to"})

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(kind__in=kinds).order_by("name")
        field.to_field_name = "public_id"
