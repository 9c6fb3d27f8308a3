"""Hypothesis strategies for statutory records: legally ordered random histories.

Reusable by any test that must agree with `ehcflow.statutory` (e.g. proving ORM queries equal
to the pure measures)::

    from tests.statutory.strategies import request_record_lists

    @given(request_record_lists(), as_of_dates())
    def test_query_matches(records, as_of): ...

Every history follows the request register's consistency rules (docs/domain/request-register.md):
request ≤ decision ≤ outcome ≤ draft ≤ final; `not_assess` ends the history; `no_plan`
excludes a draft and a final plan; a closed request has no final plan, and nothing ends it
twice. Dates lie between `MIN_DATE` and `MAX_DATE`; day offsets favour the statutory
boundaries (42, 112, 140, 210, 350 days and their neighbours) so that off-by-one errors show.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from ehcflow.statutory.advice import AdviceRecord
from ehcflow.statutory.periods import Period
from ehcflow.statutory.records import PlanRecord, RequestRecord

__all__ = [
    "BOUNDARY_OFFSETS",
    "FATES",
    "MAX_DATE",
    "MIN_DATE",
    "advice_records",
    "as_of_dates",
    "case_refs",
    "periods",
    "plan_records",
    "request_record_lists",
    "request_records",
]

MIN_DATE = date(2015, 1, 1)
MAX_DATE = date(2026, 11, 23)

BOUNDARY_OFFSETS = (
    *(0, 1, 14, 15, 41, 42, 43),
    *(111, 112, 113, 139, 140, 141),
    *(209, 210, 211, 349, 350, 351),
)
_LONGEST_GAP = 700

# How far a history got. "closed" closes one of the open stages.
FATES = (
    "awaiting_decision",
    "not_assessed",
    "assessing",
    "no_plan",
    "plan_decided",
    "draft",
    "final",
    "closed",
)
_OPEN_FATES = ("awaiting_decision", "assessing", "plan_decided", "draft")
CLOSED_REASONS = ("withdrawn", "moved_away", "other")
ADVISER_TYPES = ("educational_psychology", "health", "social_care", "education", "other")


def case_refs() -> st.SearchStrategy[str]:
    """References like `EHC-000123`."""
    return st.integers(min_value=1, max_value=999_999).map(lambda n: f"EHC-{n:06d}")


def _gap(room: int) -> st.SearchStrategy[int]:
    """A number of days from 0 to `room`, often a statutory boundary."""
    boundaries = [offset for offset in BOUNDARY_OFFSETS if offset <= room]
    return st.one_of(
        st.sampled_from(boundaries), st.integers(min_value=0, max_value=min(room, _LONGEST_GAP))
    )


@st.composite
def request_records(
    draw: st.DrawFn,
    *,
    min_date: date = MIN_DATE,
    max_date: date = MAX_DATE,
    case_ref: str | None = None,
) -> RequestRecord:
    """One initial request with a legally ordered history, about 1 in 4 with an exception."""
    request = draw(st.dates(min_value=min_date, max_value=max_date))
    room = (max_date - request).days
    offset = 0

    def later() -> int:
        nonlocal offset
        offset += draw(_gap(room - offset))
        return offset

    def day(n: int) -> date:
        return request + timedelta(days=n)

    fate = draw(st.sampled_from(FATES))
    stage = draw(st.sampled_from(_OPEN_FATES)) if fate == "closed" else fate
    decision: str | None = None
    decision_date: date | None = None
    outcome: str | None = None
    outcome_date: date | None = None
    draft_date: date | None = None
    final_date: date | None = None
    closed_date: date | None = None
    closed_reason: str | None = None
    if stage == "final":
        # Draw the final date first, half the time around the 140-day deadline.
        near_20_weeks = [n for n in (138, 139, 140, 141, 142) if n <= room]
        use_boundary: bool = bool(near_20_weeks) and draw(st.booleans())
        final = draw(st.sampled_from(near_20_weeks)) if use_boundary else later()
        decided = draw(st.integers(0, final))
        outcome_at = draw(st.integers(decided, final))
        decision, decision_date = "assess", day(decided)
        outcome, outcome_date = "plan", day(outcome_at)
        final_date = day(final)
        if draw(st.booleans()):
            draft_date = day(draw(st.integers(outcome_at, final)))
    elif stage == "not_assessed":
        decision, decision_date = "not_assess", day(later())
    elif stage != "awaiting_decision":
        decision, decision_date = "assess", day(later())
        if stage == "no_plan":
            outcome, outcome_date = "no_plan", day(later())
        elif stage in ("plan_decided", "draft"):
            outcome, outcome_date = "plan", day(later())
            if stage == "draft":
                draft_date = day(later())
    if fate == "closed":
        closed_date = day(later())
        closed_reason = draw(st.sampled_from(CLOSED_REASONS))
    return RequestRecord(
        case_ref=case_ref if case_ref is not None else draw(case_refs()),
        request_date=request,
        decision=decision,
        decision_date=decision_date,
        outcome=outcome,
        outcome_date=outcome_date,
        draft_date=draft_date,
        final_date=final_date,
        exception=draw(st.sampled_from((False, False, False, True))),
        closed_date=closed_date,
        closed_reason=closed_reason,
    )


def request_record_lists(
    *, min_size: int = 0, max_size: int = 40
) -> st.SearchStrategy[list[RequestRecord]]:
    """Lists of requests with distinct case references (the register's unique key)."""
    return st.lists(
        request_records(), min_size=min_size, max_size=max_size, unique_by=lambda r: r.case_ref
    )


def as_of_dates() -> st.SearchStrategy[date]:
    """Any reporting date in the strategies' range."""
    return st.dates(min_value=MIN_DATE, max_value=MAX_DATE)


@st.composite
def periods(draw: st.DrawFn, *, min_date: date = MIN_DATE, max_date: date = MAX_DATE) -> Period:
    """An inclusive period inside the range, from one day to several years."""
    start = draw(st.dates(min_value=min_date, max_value=max_date))
    end = draw(st.dates(min_value=start, max_value=max_date))
    return Period(start, end)


@st.composite
def plan_records(draw: st.DrawFn) -> PlanRecord:
    """A plan, ceased on or after its start in about half the cases."""
    start = draw(st.dates(min_value=MIN_DATE, max_value=MAX_DATE))
    cease = draw(st.none() | st.dates(min_value=start, max_value=MAX_DATE))
    return PlanRecord(start_date=start, cease_date=cease)


@st.composite
def advice_records(draw: st.DrawFn) -> AdviceRecord:
    """A request for advice, returned at a boundary-heavy gap, or not at all."""
    requested = draw(st.dates(min_value=MIN_DATE, max_value=MAX_DATE))
    room = (MAX_DATE - requested).days
    received = draw(st.none() | _gap(room).map(lambda n: requested + timedelta(days=n)))
    return AdviceRecord(
        adviser_type=draw(st.sampled_from(ADVISER_TYPES)),
        requested_on=requested,
        received_on=received,
        exception=draw(st.booleans()),
    )
