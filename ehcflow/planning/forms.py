from __future__ import annotations

from django import forms

from ehcflow.web.forms import GovukForm


class ScenarioForm(GovukForm):
    name = forms.CharField(label="Name", max_length=200,
                           error_messages={"required": "Enter a name for the scenario"})
    toml = forms.CharField(
        label="Scenario", widget=forms.Textarea,
        help_text="In the planner's TOML format: demand, work, advice, staff (with start and end "
                  "dates and cost) and the starting state. Errors name the setting to fix.",
        error_messages={"required": "Enter the scenario"},
    )
