"""The demo authority as plain rows, before it is written to the database.

One dataclass per table, holding what the row will hold on `today` (nothing dated after
it), with keys instead of database ids. `writer.py` turns them into model instances.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass
class TeamRow:
    key: int
    name: str
    manager: int | None = None  # staff key


@dataclass
class StaffRow:
    key: int
    staff_ref: str
    name: str
    role: str
    team: int | None
    fte: str  # Decimal text, e.g. "0.80"
    start_date: date
    end_date: date | None
    agency: bool


@dataclass
class InstitutionRow:
    key: int
    urn: str
    name: str
    kind: str
    in_area: bool
    establishment: int  # the 4-digit DfE establishment number in a UPN


@dataclass
class ChildRow:
    key: int
    person_ref: str
    forename: str
    surname: str
    date_of_birth: date
    sex: str
    ethnicity: str
    postcode: str
    upn: str
    uln: str
    upn_unknown: str
    recorded_on: date


@dataclass
class AdviceRow:
    adviser_type: str
    adviser: int | None  # staff key
    organisation: str
    requested_on: date
    due_on: date
    received_on: date | None
    last_chased_on: date | None
    chase_count: int


@dataclass
class ExceptionRow:
    reason: str
    start_date: date
    end_date: date | None
    note: str


@dataclass
class DisagreementRow:
    child: int
    request: int | None
    kind: str
    stage: str
    decision_notice_date: date
    started_on: date
    concluded_on: date | None
    outcome: str


@dataclass
class RequestRow:
    key: int
    case_ref: str
    child: int
    received_date: date
    source: str
    officer: int | None
    stage: str = ""
    decision: str = ""
    decision_date: date | None = None
    outcome: str = ""
    outcome_date: date | None = None
    draft_date: date | None = None
    comments_received_date: date | None = None
    school_requested: int | None = None
    final_date: date | None = None
    closed_date: date | None = None
    closed_reason: str = ""
    exported: bool = False
    week20_exception: bool = False
    version: int = 1
    last_changed: date | None = None
    advice: list[AdviceRow] = field(default_factory=list)
    exceptions: list[ExceptionRow] = field(default_factory=list)


@dataclass
class SettingRow:
    rank: int
    institution: int | None
    sen_setting: str
    entry_date: date
    leaving_date: date | None = None
    sen_unit: bool = False
    resourced_provision: bool = False


@dataclass
class ReviewRow:
    due_date: date
    scheduled_on: date
    meeting_date: date | None = None
    decision_date: date | None = None
    outcome: str = ""
    amendment_notice_date: date | None = None
    amended_final_date: date | None = None
    phase_transfer: bool = False
    transfer_year: int | None = None
    secondary_to_post16: bool = False
    phase_transfer_due: date | None = None


@dataclass
class PlanRow:
    key: int
    child: int
    request: int | None
    first_issued_date: date
    start_date: date
    transferred_in: bool = False
    cease_date: date | None = None
    cease_reason: str = ""
    personal_budget: bool = False
    organised_arrangements: bool = False
    residential: bool = False
    work_based_learning: bool = False
    next_review_due: date | None = None
    officer: int | None = None  # staff key: who maintains the plan on `today`
    settings: list[SettingRow] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    reviews: list[ReviewRow] = field(default_factory=list)


@dataclass
class EventRow:
    """A case event; `order` breaks ties between events of the same day (the legal order)."""

    child: int
    request: int | None
    plan: int | None
    effective_date: date
    order: int
    actor_name: str
    action: str
    description: str
    reason: str = ""
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Authority:
    """Everything the demo writes, as it stands on `today`."""

    seed: int
    today: date
    scale: float
    teams: list[TeamRow]
    staff: list[StaffRow]
    institutions: list[InstitutionRow]
    children: list[ChildRow]
    requests: list[RequestRow]
    plans: list[PlanRow]
    disagreements: list[DisagreementRow]
    events: list[EventRow]
