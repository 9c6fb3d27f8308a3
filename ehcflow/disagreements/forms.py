"""Forms for mediation, appeals and Tribunal orders. Thin: the services decide what is allowed.

Every date is a `ServiceDateField` (the range the service accepts, in GOV.UK words).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from ehcflow.casework.forms import ServiceDateField
from ehcflow.casework.models import AssessmentRequest, EHCPlan
from ehcflow.disagreements.models import (
    AppealOutcome,
    Decision,
    Disagreement,
    MediationOutcome,
    OrderKind,
)
from ehcflow.disagreements.services import MAX_COST
from ehcflow.web.forms import GovukForm

SECTION_CHOICES = [("B", "Section B: special educational needs"),
                   ("F", "Section F: special educational provision"),
                   ("I", "Section I: school or college named")]


class _AboutForm(GovukForm):
    """The decision disputed, and which request or plan it was about."""

    decision = forms.ChoiceField(label="Decision disputed",
                                 choices=Decision.choices[:4], widget=forms.RadioSelect,
                                 error_messages={"required": "Select the decision disputed"})
    about = forms.ChoiceField(label="Request or plan", required=False)
    decision_notice_date = ServiceDateField(label="Date of the decision letter")

    def __init__(self, *args: Any, requests: list[AssessmentRequest] | None = None,
                 plans: list[EHCPlan] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Not linked to a request or plan")]
        choices += [(f"r:{r.public_id}", f"Request {r.case_ref}") for r in requests or []]
        choices += [(f"p:{p.public_id}", f"Plan issued {p.first_issued_date:%-d %B %Y}")
                    for p in plans or []]
        field = self.fields["about"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class MediationStartForm(_AboutForm):
    started_on = ServiceDateField(
        label="Date the council was told the family wants mediation or a certificate")


class AppealStartForm(_AboutForm):
    sections = forms.MultipleChoiceField(
        label="Sections appealed (for an appeal about what the plan says)", required=False,
        choices=SECTION_CHOICES, widget=forms.CheckboxSelectMultiple)
    grounds = forms.CharField(label="Grounds of appeal, in brief", required=False,
                              max_length=300, widget=forms.Textarea(attrs={"rows": 3}))
    started_on = ServiceDateField(label="Date the Tribunal registered the appeal")
    notice_sent_on = ServiceDateField(label="Date the Tribunal sent the appeal to the council",
                                      required=False,
                                      help_text="The council's response is due 30 working days "
                                                "after. For example, 27 3 2024")


class MediationForm(GovukForm):
    certificate_on = ServiceDateField(label="Date the mediation certificate was issued",
                                      required=False)
    mediation_on = ServiceDateField(label="Date the mediation was held", required=False)
    outcome = forms.ChoiceField(label="Outcome", required=False,
                                choices=[("", "Not known yet"), *MediationOutcome.choices],
                                widget=forms.RadioSelect)

    @classmethod
    def for_item(cls, item: Disagreement, data: Any = None) -> MediationForm:
        return cls(data, initial={"certificate_on": item.certificate_on,
                                  "mediation_on": item.mediation_on,
                                  "outcome": item.mediation_outcome})


class AppealForm(GovukForm):
    notice_sent_on = ServiceDateField(label="Date the Tribunal sent the appeal to the council",
                                      required=False)
    response_sent_on = ServiceDateField(label="Date the council's response was sent",
                                        required=False)
    unopposed_on = ServiceDateField(
        label="Date the council told the Tribunal it will not oppose the appeal",
        required=False)
    hearing_on = ServiceDateField(label="Date of the hearing", required=False)
    outcome = forms.ChoiceField(label="Outcome", required=False,
                                choices=[("", "Not decided yet"), *AppealOutcome.choices],
                                widget=forms.RadioSelect)
    concluded_on = ServiceDateField(label="Date the appeal ended", required=False)
    cost = forms.DecimalField(label="Cost to the council, in pounds", required=False,
                              min_value=Decimal(0), max_value=MAX_COST, decimal_places=2,
                              max_digits=8,
                              help_text="Legal and expert costs, and any compensation.")

    @classmethod
    def for_item(cls, item: Disagreement, data: Any = None) -> AppealForm:
        return cls(data, initial={
            "notice_sent_on": item.notice_sent_on, "response_sent_on": item.response_sent_on,
            "unopposed_on": item.unopposed_on, "hearing_on": item.hearing_on,
            "outcome": item.appeal_outcome, "concluded_on": item.concluded_on,
            "cost": item.cost})


class OrderForm(GovukForm):
    kind = forms.ChoiceField(label="What the Tribunal ordered", choices=OrderKind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Select what the Tribunal ordered"})
    made_on = ServiceDateField(label="Date of the order, or of the council's notice that it "
                                     "will not oppose")
    unopposed = forms.BooleanField(label="Agreed by not opposing the appeal", required=False)


class ComplianceForm(GovukForm):
    complied_on = ServiceDateField(label="Date the council complied", required=False)
