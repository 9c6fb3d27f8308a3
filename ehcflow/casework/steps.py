"""The next steps of a request, as the request page offers them.

Each step names its form, the stages in which the law allows it, the permission it needs and
the service that records it. A step that is not allowed yet is not offered, and if a forged
post asks for it anyway the service refuses it (services.py checks the legal order again).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms

from ehcflow.casework import choices as c
from ehcflow.casework import forms as f
from ehcflow.casework import services
from ehcflow.casework.models import AssessmentRequest
from ehcflow.people.access import Action

Handler = Callable[[AssessmentRequest, dict[str, Any], services.Actor], object]
OPEN = set(c.OPEN_STAGES)


def _decision(req: AssessmentRequest, d: dict[str, Any], by: services.Actor) -> object:
    return services.request_record_decision(request=req, decision=d["decision"], on=d["on"],
                                            by=by, reason=d["reason"],
                                            expected_version=d["version"])


def _advice(req: AssessmentRequest, d: dict[str, Any], by: services.Actor) -> object:
    return services.advice_request_many(request=req, adviser_types=d["adviser_types"],
                                        requested_on=d["on"], adviser=d.get("adviser"),
                                        organisation=d.get("organisation", ""), by=by,
                                        expected_version=d["version"])


def _advice_received(req: AssessmentRequest, d: dict[str, Any], by: services.Actor) -> object:
    return services.advice_record_received(advice=d["advice"], received_on=d["on"], by=by)


def _chase(req: AssessmentRequest, d: dict[str, Any], by: services.Actor) -> object:
    from django.utils import timezone

    return services.advice_record_chase(advice=d["advice"], on=timezone.localdate(), by=by)


def _outcome(req: AssessmentRequest, d: dict[str, Any], by: services.Actor) -> object:
    return services.request_record_outcome(request=req, outcome=d["outcome"], on=d["on"],
                                           by=by, reason=d["reason"],
                                           expected_version=d["version"])


def _draft(req: AssessmentRequest, d: dict[str, Any], by: services.Actor) -> object:
    return services.request_issue_draft(request=req, on=d["on"], by=by,
                                        expected_version=d["version"])


def _comments(req: AssessmentRequest, d: dict[str, Any], by: services.Actor) -> object:
    return services.request_record_comments(request=req, on=d["on"], by=by,
                                            school_requested=d.get("school_requested"),
                                            expected_version=d["version"])


def _final(req: AssessmentRequest, d: dict[str, Any], by: services.Actor) -> object:
    needs = [d["primary_need"]] + ([d["secondary_need"]] if d.get("secondary_need") else [])
    settings = [services.NamedSetting(institution=d["setting"])] if d.get("setting") else []
    return services.request_issue_final(request=req, on=d["on"], by=by, needs=needs,
                                        settings=settings, expected_version=d["version"])


def _exception(req: AssessmentRequest, d: dict[str, Any], by: services.Actor) -> object:
    return services.exception_apply(request=req, reason=d["reason"], start=d["start"],
                                    end=d.get("end"), note=d.get("note", ""), by=by,
                                    expected_version=d["version"])


def _close(req: AssessmentRequest, d: dict[str, Any], by: services.Actor) -> object:
    return services.request_close(request=req, on=d["on"], closed_reason=d["closed_reason"],
                                  note=d.get("note", ""), by=by, expected_version=d["version"])


def _allocate(req: AssessmentRequest, d: dict[str, Any], by: services.Actor) -> object:
    return services.request_allocate(request=req, officer=d["officer"], by=by,
                                     reason=d.get("reason", ""), expected_version=d["version"])


@dataclass(frozen=True)
class StepDefinition:
    slug: str
    title: str
    form: type[forms.Form]
    stages: frozenset[str]
    action: Action
    handler: Handler
    done_message: str
    needs_outstanding_advice: bool = False


STEPS: dict[str, StepDefinition] = {
    s.slug: s
    for s in [
        StepDefinition("decision", "Record the decision whether to assess", f.DecisionForm,
                       frozenset({c.Stage.AWAITING_DECISION}), Action.RECORD_STEP, _decision,
                       "Decision recorded"),
        StepDefinition("request-advice", "Request advice", f.AdviceRequestForm,
                       frozenset({c.Stage.ASSESSING}), Action.RECORD_STEP, _advice,
                       "Advice requested"),
        StepDefinition("advice-received", "Record advice received", f.AdviceReceivedForm,
                       frozenset({c.Stage.ASSESSING}), Action.RECORD_ADVICE, _advice_received,
                       "Advice recorded as received", needs_outstanding_advice=True),
        StepDefinition("chase-advice", "Chase advice", f.ChaseForm,
                       frozenset({c.Stage.ASSESSING}), Action.CORRESPONDENCE, _chase,
                       "Chase recorded", needs_outstanding_advice=True),
        StepDefinition("outcome", "Record the decision whether to issue a plan", f.OutcomeForm,
                       frozenset({c.Stage.ASSESSING}), Action.RECORD_STEP, _outcome,
                       "Decision recorded"),
        StepDefinition("draft", "Issue the draft plan", f.DraftForm,
                       frozenset({c.Stage.AWAITING_DRAFT}), Action.RECORD_STEP, _draft,
                       "Draft plan recorded as issued"),
        StepDefinition("comments", "Record comments and the school requested", f.CommentsForm,
                       frozenset({c.Stage.DRAFT_ISSUED}), Action.CORRESPONDENCE, _comments,
                       "Comments recorded"),
        StepDefinition("final", "Issue the final plan", f.FinalForm,
                       frozenset({c.Stage.DRAFT_ISSUED}), Action.RECORD_STEP, _final,
                       "Final plan recorded as issued"),
        StepDefinition("exception", "Apply an exception to the time limit", f.ExceptionForm,
                       frozenset(OPEN), Action.RECORD_STEP, _exception, "Exception recorded"),
        StepDefinition("close", "Close the request", f.CloseForm, frozenset(OPEN),
                       Action.RECORD_STEP, _close, "Request closed"),
        StepDefinition("allocate", "Allocate to a case officer", f.AllocateForm, frozenset(OPEN),
                       Action.ALLOCATE, _allocate, "Request allocated"),
    ]
}
