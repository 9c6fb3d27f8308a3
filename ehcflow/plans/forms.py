"""Forms of the plan pages. Thin: the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms

from ehcflow.casework.forms import ServiceDateField
from ehcflow.people.models import Team
from ehcflow.plans.content import ALL_SECTIONS, NEED_SECTIONS, PROVISION_SECTIONS, SECTION_TITLES
from ehcflow.plans.models import Grade, ResponseKind
from ehcflow.statutory.dates import DateKind
from ehcflow.web.forms import GovukForm, YesNoField


class RevisionForm(GovukForm):
    """Carries the version's revision so a second officer's stale page is refused, not lost."""

    revision = forms.IntegerField(widget=forms.HiddenInput)


def _keys_field(label: str, choices: list[tuple[str, str]], help_text: str) -> forms.Field:
    return forms.MultipleChoiceField(label=label, choices=choices, required=False,
                                     widget=forms.CheckboxSelectMultiple, help_text=help_text)


class ViewsForm(RevisionForm):
    """Section A: the paragraphs, one box each, and one more to add."""

    def __init__(self, *args: Any, paragraphs: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i, text in enumerate([*(paragraphs or []), ""]):
            self.fields[f"para_{i}"] = forms.CharField(
                label=f"Paragraph {i + 1}" if text else "Add a paragraph", required=False,
                widget=forms.Textarea, initial=text, max_length=8000,
                help_text="Leave empty to remove it." if text else "")

    def texts(self) -> list[str]:
        return [self.cleaned_data[name] for name in self.fields if name.startswith("para_")]


class NeedForm(RevisionForm):
    section = forms.ChoiceField(label="Section", choices=[(s, SECTION_TITLES[s])
                                                          for s in NEED_SECTIONS],
                                widget=forms.RadioSelect)
    text = forms.CharField(label="The need", widget=forms.Textarea, max_length=8000,
                           error_messages={"required": "Describe the need"})
    area = forms.CharField(label="Area of need (optional)", required=False, max_length=100,
                           help_text="For example, communication and interaction.")


class OutcomeForm(RevisionForm):
    text = forms.CharField(label="The outcome", widget=forms.Textarea, max_length=4000,
                           error_messages={"required": "Describe the outcome"})
    steps = forms.CharField(label="Steps towards the outcome", widget=forms.Textarea,
                            required=False, max_length=8000,
                            help_text="One step on each line.")
    by_when = forms.CharField(label="By when", required=False, max_length=100,
                              help_text="For example, end of key stage 2.")

    def __init__(self, *args: Any, needs: list[tuple[str, str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["need_keys"] = _keys_field("Needs this outcome answers", needs or [],
                                               "Select all that apply.")

    def step_list(self) -> list[str]:
        return [s for s in self.cleaned_data["steps"].splitlines() if s.strip()]


class ProvisionForm(RevisionForm):
    section = forms.ChoiceField(label="Section", choices=[(s, SECTION_TITLES[s])
                                                          for s in PROVISION_SECTIONS],
                                widget=forms.RadioSelect)
    what = forms.CharField(label="What the provision is", widget=forms.Textarea,
                           max_length=4000, error_messages={"required": "Describe the provision"})
    how_often = forms.CharField(label="How often", required=False, max_length=100,
                                help_text="For example, 3 times a week.")
    amount = forms.CharField(label="How much each time", required=False, max_length=100,
                             help_text="For example, 30 minutes.")
    by_whom = forms.CharField(label="By whom", required=False, max_length=200,
                              help_text="For example, a speech and language therapist.")
    from_when = ServiceDateField(label="From when", kind=DateKind.FIGURE, required=False,
                                 help_text="Leave empty for the date of the plan. "
                                           "For example, 1 9 2026")

    def __init__(self, *args: Any, needs: list[tuple[str, str]] | None = None,
                 outcomes: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["need_keys"] = _keys_field("Needs this provision meets", needs or [],
                                               "Select all that apply.")
        self.fields["outcome_keys"] = _keys_field("Outcomes it works towards", outcomes or [],
                                                  "Select all that apply.")


class PlacementForm(RevisionForm):
    setting_type = forms.CharField(label="Type of school or setting", required=False,
                                   max_length=200,
                                   help_text="For example, mainstream primary school.")
    name = forms.CharField(label="Name of the school or setting", required=False,
                           max_length=200,
                           help_text="Only in the final plan: a draft must not name one.")
    urn = forms.CharField(label="URN (optional)", required=False, max_length=8)
    note = forms.CharField(label="Notes for section I (optional)", required=False,
                           max_length=1000, widget=forms.Textarea)


class BudgetForm(RevisionForm):
    description = forms.CharField(label="How the personal budget will be used",
                                  required=False, widget=forms.Textarea, max_length=4000,
                                  help_text="Leave empty if there is no personal budget.")
    amount = forms.CharField(label="Amount", required=False, max_length=100,
                             help_text="For example, £1,200 a year.")
    arrangement = forms.CharField(label="Arrangement", required=False, max_length=100,
                                  help_text="For example, direct payment.")


class DateForm(RevisionForm):
    on = ServiceDateField(label="Date sent")


class FinalForm(RevisionForm):
    on = ServiceDateField(label="Date the plan is made final")
    reason = forms.CharField(
        label="Why the plan should be made final as it is (only if the checks found gaps)",
        required=False, widget=forms.Textarea, max_length=4000)


class ResponseForm(GovukForm):
    kind = forms.ChoiceField(label="Who the response is from", choices=ResponseKind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Select who the response is from"})
    from_whom = forms.CharField(label="Name of the school or college (for a school's answer)",
                                required=False, max_length=200)
    school_agrees = YesNoField(
        label="Does the school or college agree to be named?", required=False)
    received_on = ServiceDateField(label="Date received")
    text = forms.CharField(label="What they said", widget=forms.Textarea, max_length=8000,
                           error_messages={"required": "Enter what they said"})


class SampleForm(GovukForm):
    month = ServiceDateField(label="A day in the month to sample",
                             help_text="For example, 1 11 2026")
    percent = forms.IntegerField(label="Percentage of the month's final plans", required=False,
                                 min_value=1, max_value=100, initial=10)
    team = forms.ModelChoiceField(label="Or all of one team's final plans", required=False,
                                  queryset=Team.objects.all(), empty_label="No team")


GRADE_CHOICES = [(g.value, g.label) for g in Grade]


class GradeForm(GovukForm):
    """A grade and a comment for each section."""

    def __init__(self, *args: Any, moderating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for s in ALL_SECTIONS:
            self.fields[f"grade_{s}"] = forms.ChoiceField(
                label=SECTION_TITLES[s], choices=GRADE_CHOICES, widget=forms.RadioSelect,
                required=not moderating,
                error_messages={"required": f"Grade {SECTION_TITLES[s]}"})
            if not moderating:
                self.fields[f"comment_{s}"] = forms.CharField(
                    label="Comment (optional)", required=False, max_length=2000)
        if moderating:
            self.fields["note"] = forms.CharField(label="Moderation note", required=False,
                                                  widget=forms.Textarea, max_length=4000)

    def grades(self) -> dict[str, str]:
        return {s: self.cleaned_data.get(f"grade_{s}") or "" for s in ALL_SECTIONS}

    def comments(self) -> dict[str, str]:
        return {s: self.cleaned_data.get(f"comment_{s}", "") for s in ALL_SECTIONS}
