"""The old disagreement vocabulary (kind mediation/tribunal, stage, free-text outcome) mapped
to the new one. Pure: the demo and older callers use it; migration 0002 keeps its own copy,
as migrations must not change when this does.
"""

from __future__ import annotations

from typing import Any

#: kind: mediation / tribunal (SEN2's words) -> Kind
KINDS = {"mediation": "mediation", "tribunal": "appeal", "appeal": "appeal"}
#: stage: request / assessment / other (SEN2 Request, Assessment, Other flags) -> Decision
STAGES = {"request": "refuse_assess", "assessment": "plan_content", "other": "other"}
MEDIATION_OUTCOMES = {"agreement reached at mediation": "agreed",
                      "no agreement: mediation certificate issued": "not_agreed"}
APPEAL_OUTCOMES = {"appeal withdrawn": "withdrawn",
                   "appeal conceded by the authority": "conceded",
                   "appeal dismissed": "dismissed", "appeal allowed": "upheld"}
ACTIONS = {"mediation": ("mediation_started", "Mediation asked for"),
           "appeal": ("appeal_registered", "Appeal registered by the Tribunal")}


#: Decision -> the SEN2 stage it is reported under (Requests, Assessment or Other flags).
SEN2_STAGES = {"refuse_assess": "request", "refuse_issue": "assessment",
               "plan_content": "assessment"}


def sen2_flag(kind: str, decision: str) -> tuple[str, str]:
    """The SEN2 kind (mediation / tribunal) and stage a disagreement is reported under.

    The SEN2 guide's Requests module flags mediation and tribunal about the decision not to
    assess; the Assessment module those about the decision not to issue or the plan; anything
    else (a cease, say) goes in the "other" flags.
    """
    return ("tribunal" if kind == "appeal" else "mediation", SEN2_STAGES.get(decision, "other"))


def decision_for(stage: str, request_outcome: str = "") -> str:
    """The decision disputed: after an assessment that ended without a plan, a refusal to issue."""
    decision = STAGES[stage]
    if decision == "plan_content" and request_outcome == "no_plan":
        return "refuse_issue"
    return decision


def fields_from_legacy(*, kind: str, stage: str, outcome: str, concluded_on: Any,
                       request_outcome: str = "") -> dict[str, Any]:
    """The new model's kind, decision and outcome fields for one old-style disagreement."""
    new_kind = KINDS[kind]
    text = outcome.strip()
    appeal = new_kind == "appeal"
    known = (APPEAL_OUTCOMES if appeal else MEDIATION_OUTCOMES).get(text.lower(), "")
    return {
        "kind": new_kind, "decision": decision_for(stage, request_outcome),
        "appeal_outcome": known if appeal else "",
        "mediation_outcome": "" if appeal else known,
        "certificate_on": concluded_on if known == "not_agreed" else None,
        "outcome_detail": "" if known else text[:200],
    }
