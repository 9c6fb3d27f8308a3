"""`{% partner_panel case as panel %}`: partners' part of an officer's request page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from ehcflow.partners.models import AdviceAssignment, AdviceAttachment, Consultation
from ehcflow.people.access import Action, can

register = template.Library()


@dataclass(frozen=True)
class Panel:
    sent_to: dict[int, str]            # advice id -> organisation name
    attachments: list[AdviceAttachment]
    consultations: list[Consultation]
    may_send: bool


@register.simple_tag(takes_context=True)
def partner_panel(context: template.Context, case: Any) -> Panel:
    http_request = context.get("request")
    user = getattr(http_request, "user", None)
    sent_to = dict(AdviceAssignment.objects.filter(advice__request=case)
                   .values_list("advice_id", "organisation__name"))
    return Panel(
        sent_to=sent_to,
        attachments=list(AdviceAttachment.objects.filter(advice__request=case)
                         .select_related("file", "advice")),
        consultations=list(Consultation.objects.filter(request=case)
                           .select_related("organisation")),
        may_send=bool(case.is_open and can(user, Action.RECORD_STEP, case)),
    )


@register.filter
def get_sent(sent_to: dict[int, str], advice_id: int) -> str:
    return sent_to.get(advice_id, "")
