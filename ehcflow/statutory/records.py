"""Plain records of requests and plans, and the state of a request at a date
(docs/domain/measures.md).

The Django apps turn their rows into these records, or prove their SQL equal to the functions
over them. Values are the request register's codes (docs/domain/request-register.md): decision
`assess` /
`not_assess`, outcome `plan` / `no_plan`, closed reason `withdrawn` / `moved_away` / `other`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

__all__ = [
    "PlanRecord",
    "RequestRecord",
    "RequestStage",
    "RequestState",
    "current_stage",
    "ended_on",
    "is_open",
    "stage_on",
    "state_on",
]


@dataclass(frozen=True)
class RequestRecord:
    """One initial request for an EHC needs assessment and what has happened to it.

    `exception` is SEN2's `Week20`: a statutory exception applied to the 20-week limit
    (SEND Regulations 2014, reg 13(3)).
    """

    case_ref: str
    request_date: date
    decision: str | None = None
    decision_date: date | None = None
    outcome: str | None = None
    outcome_date: date | None = None
    draft_date: date | None = None
    final_date: date | None = None
    exception: bool = False
    closed_date: date | None = None
    closed_reason: str | None = None


@dataclass(frozen=True)
class PlanRecord:
    """An EHC plan in force from `start_date` until it ceases (SEN2 `CeaseDate`)."""

    start_date: date
    cease_date: date | None = None


class RequestState(StrEnum):
    """Where a request stands at a date: not yet received, open, or its one ending."""

    NOT_RECEIVED = "not_received"
    OPEN = "open"
    NOT_ASSESSED = "not_assessed"
    NO_PLAN = "no_plan"
    PLAN_ISSUED = "plan_issued"
    CLOSED = "closed"


def _endings(record: RequestRecord, on: date) -> list[tuple[date, RequestState]]:
    """The events that end a request, dated on or before `on` (docs/domain/measures.md, "open at
    date D")."""
    endings: list[tuple[date, RequestState]] = []
    if record.decision == "not_assess" and record.decision_date is not None:
        endings.append((record.decision_date, RequestState.NOT_ASSESSED))
    if record.outcome == "no_plan" and record.outcome_date is not None:
        endings.append((record.outcome_date, RequestState.NO_PLAN))
    if record.final_date is not None:
        endings.append((record.final_date, RequestState.PLAN_ISSUED))
    if record.closed_date is not None:
        endings.append((record.closed_date, RequestState.CLOSED))
    return [(day, state) for day, state in endings if day <= on]


def is_open(record: RequestRecord, on: date) -> bool:
    """True when the request was received by `on` and nothing had ended it by then.

    Ends a request (docs/domain/measures.md): a decision not to assess, a decision after assessment
    not to issue a plan, the final plan, or closure (withdrawn, moved away, other), each dated on
    or before `on`. An event without a date ends nothing.
    """
    return record.request_date <= on and not _endings(record, on)


def state_on(record: RequestRecord, on: date) -> RequestState:
    """The request's state at `on`; with inconsistent data the earliest ending wins."""
    if record.request_date > on:
        return RequestState.NOT_RECEIVED
    endings = _endings(record, on)
    if not endings:
        return RequestState.OPEN
    return min(endings, key=lambda ending: ending[0])[1]


class RequestStage(StrEnum):
    """The step a request had reached at a date, in the order the law sets (reg 5, 10, 13).

    The same codes as the casework's stages (a test keeps them in step), so a list for a past
    date shows each request as it stood then, not as it stands today.
    """

    NOT_RECEIVED = "not_received"
    AWAITING_DECISION = "awaiting_decision"
    ASSESSING = "assessing"
    AWAITING_DRAFT = "awaiting_draft"
    DRAFT_ISSUED = "draft_issued"
    PLAN_ISSUED = "plan_issued"
    NOT_ASSESSED = "not_assessed"
    NO_PLAN = "no_plan"
    CLOSED = "closed"


_ENDED_STAGE = {
    RequestState.NOT_ASSESSED: RequestStage.NOT_ASSESSED,
    RequestState.NO_PLAN: RequestStage.NO_PLAN,
    RequestState.PLAN_ISSUED: RequestStage.PLAN_ISSUED,
    RequestState.CLOSED: RequestStage.CLOSED,
}


def _by(day: date | None, on: date) -> bool:
    return day is not None and day <= on


def stage_on(record: RequestRecord, on: date) -> RequestStage:
    """The stage at `on`, from the steps dated on or before it (date.max: the stage now).

    A draft implies the decision to issue; a step recorded without a date is not counted.
    """
    state = state_on(record, on)
    if state is RequestState.NOT_RECEIVED:
        return RequestStage.NOT_RECEIVED
    if state is not RequestState.OPEN:
        return _ENDED_STAGE[state]
    if _by(record.draft_date, on):
        return RequestStage.DRAFT_ISSUED
    if record.outcome == "plan" and _by(record.outcome_date, on):
        return RequestStage.AWAITING_DRAFT
    if record.decision == "assess" and _by(record.decision_date, on):
        return RequestStage.ASSESSING
    return RequestStage.AWAITING_DECISION


def current_stage(record: RequestRecord) -> RequestStage:
    """The stage every recorded step implies: `stage_on` with no date limit.

    The one stage rule of the three writers of requests (the casework services, the register
    import and the demo writer: docs/decisions/0023). Where steps conflict, the earliest
    ending wins, as for "open at date D" (docs/domain/measures.md): a request refused
    assessment and later closed stays "not assessed", because it ended at the refusal.
    """
    return stage_on(record, date.max)


def ended_on(record: RequestRecord, on: date) -> date | None:
    """The date the request ended, if it had ended by `on` (the earliest ending wins)."""
    endings = _endings(record, on)
    return min(day for day, _ in endings) if endings else None
