"""Template tags of the plan pages, and the link to the plan from the request page."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from ehcflow.plans import access
from ehcflow.plans.models import PlanDocument

register = template.Library()

FINDING_LABELS = {
    "section_empty": "Mandatory section empty",
    "need_without_provision": "Need with no provision",
    "outcome_without_steps": "Outcome with no steps",
    "provision_unspecified": "Provision not specified or quantified",
}


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    """`{{ labels|get:key }}`: a value of a dictionary."""
    return mapping.get(key, "")


@register.filter
def finding_label(code: str) -> str:
    """What a check's finding is called on a page."""
    return FINDING_LABELS.get(code, code)


@register.simple_tag(takes_context=True)
def plan_link(context: template.Context, case: Any) -> dict[str, str] | None:
    """The link from a request to its plan, for the casework roles who draft plans.

    `{% plan_link case as link %}`: None for advisers, analysts and business support, who do
    not see the plan; otherwise the URL and what the link says.
    """
    http_request = context.get("request")
    if http_request is None or not access.may_work_on_plans(http_request.user):
        return None
    document = PlanDocument.objects.filter(request=case).first()
    if document is None:
        if case.decision != "assess" or case.outcome == "no_plan":
            return None
        return {"url": reverse("plans:for_request", args=[case.public_id]),
                "label": "Start drafting the EHC plan"}
    return {"url": reverse("plans:document", args=[document.public_id]),
            "label": "Open the EHC plan"}
