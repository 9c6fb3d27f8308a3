"""The SEN2 person-level return as plain data, and the rules that turn case facts into its codes.

No Django here: the return is built from the records by `ehcflow.sen2.selectors`, read back from
a file by `ehcflow.sen2.xmlfile`, checked by `ehcflow.sen2.checks` and counted by
`ehcflow.sen2.reconcile`, all over these dataclasses. The module structure and cardinalities
are DfE's (docs/domain/sen2.md §2.2): Person → Requests (1+) → Assessment (0–1) → NamedPlan
(0–1) → PlanDetail (1–2); Requests → ActivePlans (0–1) → PlacementDetail (1–2) and SENneed
(1–2).

A return describes the records "as known on census day": every date after census day is
treated as not yet having happened, as the dashboards do for an as-of date
(docs/domain/measures.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ehcflow.statutory.periods import Period, calendar_year

__all__ = [
    "COLLECTIONS", "ActivePlan", "Assessment", "Collection", "Header", "NamedPlan", "Need",
    "Person", "Placement", "Request", "Sen2Return", "UnknownCollection", "assessment_outcome",
    "collection", "request_outcome", "request_source_code", "review_outcome_code",
]


@dataclass(frozen=True)
class Collection:
    """One year's collection: its census ("survey") day and what its schema holds.

    The items that arrived in later years follow docs/domain/sen2.md §2.3 (witan.sen2's version
    notes): 2025 added the request source, annual reviews (meeting, decision, outcome), the
    Down syndrome need and an optional "Exported" flag; 2026 added the Designated Social Care
    Officer, the draft amended plan date and phase transfers.
    """

    year: int
    census_day: date
    deadline: date
    schema: str  # file name in ehcflow/sen2/schemas/

    @property
    def activity_year(self) -> Period:
        """The calendar year before the census: requests and decisions the return covers."""
        return calendar_year(self.year - 1)

    @property
    def has_request_source(self) -> bool:
        return self.year >= 2025

    @property
    def has_reviews(self) -> bool:
        return self.year >= 2025

    @property
    def has_down_syndrome(self) -> bool:
        return self.year >= 2025

    @property
    def has_exported_flag(self) -> bool:
        return self.year >= 2025

    @property
    def has_dsco(self) -> bool:
        return self.year >= 2026

    @property
    def has_review_draft(self) -> bool:
        return self.year >= 2026

    @property
    def has_phase_transfers(self) -> bool:
        return self.year >= 2026


# Census days and deadlines: docs/domain/sen2.md §2.1 (gov.uk guidance).
COLLECTIONS: dict[int, Collection] = {
    2024: Collection(2024, date(2024, 1, 18), date(2024, 3, 14), "SEN2_2024.xsd"),
    2025: Collection(2025, date(2025, 1, 16), date(2025, 3, 14), "SEN2_2025.xsd"),
    2026: Collection(2026, date(2026, 1, 15), date(2026, 3, 12), "SEN2_2026.xsd"),
}


class UnknownCollection(ValueError):
    """A collection year the service cannot produce; the message lists those it can."""


def collection(year: int | str) -> Collection:
    """The collection for a year, or UnknownCollection naming the years there are."""
    try:
        found = COLLECTIONS.get(int(str(year).strip()))
    except ValueError:
        found = None
    if found is None:
        known = ", ".join(str(y) for y in COLLECTIONS)
        raise UnknownCollection(f"There is no SEN2 collection '{str(year)[:20]}' in this "
                                f"service. The collections it can produce are {known}.")
    return found


# --- codes ----------------------------------------------------------------------------------

# SEN2 `RequestSource` (docs/domain/sen2.md module 2): 1 child, young person or parent;
# 2 school or setting; 3 health; 4 social care; 5 other. Keys are casework.choices.RequestSource
# values.
REQUEST_SOURCE_CODES: dict[str, str] = {
    "parent": "1", "young_person": "1", "school": "2", "health": "3", "social_care": "4",
    "other": "5",
}
# Reading a file back: a code gives the first source that has it.
SOURCE_OF_CODE: dict[str, str] = {}
for _source, _code in REQUEST_SOURCE_CODES.items():
    SOURCE_OF_CODE.setdefault(_code, _source)

# SEN2 `ReviewOutcome` (the shipped 2024 schema's codes): A amend, C cease, M maintain.
REVIEW_OUTCOME_CODES: dict[str, str] = {"amend": "A", "cease": "C", "maintain": "M"}
REVIEW_OUTCOME_OF_CODE: dict[str, str] = {v: k for k, v in REVIEW_OUTCOME_CODES.items()}


def request_source_code(source: str) -> str | None:
    return REQUEST_SOURCE_CODES.get(source)


def review_outcome_code(outcome: str) -> str | None:
    return REVIEW_OUTCOME_CODES.get(outcome)


def _by(day: date | None, as_of: date) -> bool:
    return day is not None and day <= as_of


def request_outcome(*, decision: str, decision_date: date | None, closed_date: date | None,
                    period_start: date, as_of: date) -> tuple[str, date | None]:
    """SEN2 `RequestOutcome` and `RequestOutcomeDate` (docs/domain/sen2.md module 2).

    Y / N: the decision whether to assess, dated; H when that decision came before the
    collection period (an assessment decided earlier, still reported for its plan); W when the
    request was closed before any decision; A while no decision has been made.
    """
    if decision and _by(decision_date, as_of):
        assert decision_date is not None
        if decision_date < period_start and decision == "assess":
            return "H", decision_date
        return ("Y" if decision == "assess" else "N"), decision_date
    if _by(closed_date, as_of):
        return "W", None
    return "A", None


def assessment_outcome(*, outcome: str, outcome_date: date | None, final_date: date | None,
                       closed_date: date | None, period_start: date, as_of: date
                       ) -> tuple[str, date | None]:
    """SEN2 `AssessmentOutcome` and `AssessmentOutcomeDate` (docs/domain/sen2.md module 3).

    Y with the date the final plan was issued (blank while the decision to issue is made but
    the plan is not yet issued); N with the date the family was told no plan would be issued;
    H when that happened before the collection period; W when closed first; A while undecided.
    """
    if _by(final_date, as_of):
        assert final_date is not None
        return ("H" if final_date < period_start else "Y"), final_date
    if outcome == "no_plan" and _by(outcome_date, as_of):
        assert outcome_date is not None
        return ("H" if outcome_date < period_start else "N"), outcome_date
    if outcome == "plan" and _by(outcome_date, as_of):
        return "Y", None
    if _by(closed_date, as_of):
        return "W", None
    return "A", None


# --- the return -----------------------------------------------------------------------------


@dataclass
class Header:
    collection: Collection
    la_number: str
    dmo: str
    dco: str
    dsco: str
    software: str
    release: str
    serial_no: str
    generated_at: str  # ccyy-mm-ddThh:mm:ss, London time


@dataclass
class Placement:
    """PlanDetail (in NamedPlan) or PlacementDetail (in ActivePlans): one setting."""

    rank: int
    urn: str = ""
    ukprn: str = ""
    sen_setting: str = ""
    sen_setting_other: str = ""
    sen_unit: bool = False
    resourced_provision: bool = False
    entry_date: date | None = None
    entry_date_recorded: bool = True
    leaving_date: date | None = None


@dataclass
class Need:
    sen_type: str
    rank: int


@dataclass
class NamedPlan:
    start_date: date
    details: list[Placement] = field(default_factory=list)
    personal_budget: bool = False
    organised_arrangements: bool = False
    cease_date: date | None = None
    cease_reason: str = ""


@dataclass
class ActivePlan:
    placements: list[Placement] = field(default_factory=list)
    needs: list[Need] = field(default_factory=list)
    review_meeting: date | None = None
    review_outcome: str = ""  # A, C or M
    last_review: date | None = None
    review_draft: date | None = None
    phase_transfer_due: date | None = None
    phase_transfer_final: date | None = None
    plan_start: date | None = None  # first issued; for checks, not an item of ActivePlans


@dataclass
class Assessment:
    outcome: str
    outcome_date: date | None = None
    mediation: bool = False
    tribunal: bool = False
    other_mediation: bool = False
    other_tribunal: bool = False
    week20: bool | None = None
    named_plan: NamedPlan | None = None


@dataclass
class Request:
    """The Requests module, with the case it came from (for links; not written to the file)."""

    outcome: str
    received_date: date | None = None
    source: str = ""  # SEN2 code 1-5
    rya: bool = False
    outcome_date: date | None = None
    mediation: bool = False
    tribunal: bool = False
    exported: bool = False
    assessment: Assessment | None = None
    active_plan: ActivePlan | None = None
    case_ref: str = ""
    request_id: str = ""  # the request's public_id, for a link to the case
    child_id: str = ""  # the child's public_id, when there is no request to link to


@dataclass
class Person:
    surname: str
    forename: str
    birth_date: date
    sex: str
    ethnicity: str  # NOBT when not recorded
    postcode: str
    upn: str = ""
    uln: str = ""
    upn_unknown: str = ""
    requests: list[Request] = field(default_factory=list)
    ethnicity_recorded: bool = True


@dataclass
class Sen2Return:
    header: Header
    persons: list[Person] = field(default_factory=list)

    @property
    def collection(self) -> Collection:
        return self.header.collection

    def requests(self) -> list[tuple[Person, Request]]:
        return [(p, r) for p in self.persons for r in p.requests]
