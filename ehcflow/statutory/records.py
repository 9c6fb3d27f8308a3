"""Plain records of requests and plans, and the state of a request at a date (measures.md).

The Django apps turn their rows into these records, or prove their SQL equal to the functions
over them. Values are the request register's codes (request-register.md): decision `assess` /
`not_assess`, outcome `plan` / `no_plan`, closed reason `withdrawn` / `moved_away` / `other`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

__all__ = ["PlanRecord", "RequestRecord", "RequestState", "is_open", "state_on"]


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
    """The events that end a request, dated on or before `on` (measures.md, "open at date D")."""
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

    Ends a request (measures.md): a decision not to assess, a decision after assessment not
    to issue a plan, the final plan, or closure (withdrawn, moved away, other), each dated on
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
