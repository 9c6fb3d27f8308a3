"""The shared strategies produce what they promise: legal histories inside the date range."""

from datetime import date

from hypothesis import find, given, settings

from ehcflow.statutory.records import RequestRecord
from tests.statutory.strategies import (
    MAX_DATE,
    MIN_DATE,
    advice_records,
    request_record_lists,
    request_records,
)


def dated(record: RequestRecord) -> list[date]:
    return [
        d
        for d in (
            record.request_date,
            record.decision_date,
            record.outcome_date,
            record.draft_date,
            record.final_date,
        )
        if d is not None
    ]


@given(request_records())
def test_histories_follow_the_register_rules(record: RequestRecord) -> None:
    steps = dated(record)
    assert steps == sorted(steps)
    assert all(MIN_DATE <= day <= MAX_DATE for day in [*steps, *filter(None, [record.closed_date])])
    assert (record.decision is None) is (record.decision_date is None)
    assert (record.outcome is None) is (record.outcome_date is None)
    if record.decision == "not_assess":
        assert record.outcome is None
        assert record.draft_date is record.final_date is record.closed_date is None
    if record.outcome is not None:
        assert record.decision == "assess"
    if record.outcome == "no_plan":
        assert record.draft_date is record.final_date is record.closed_date is None
    if record.draft_date is not None or record.final_date is not None:
        assert record.outcome == "plan"
    if record.closed_date is not None:
        assert record.final_date is None
        assert record.closed_date >= max(steps)
        assert record.closed_reason in ("withdrawn", "moved_away", "other")


@given(request_record_lists())
def test_case_refs_are_unique(records: list[RequestRecord]) -> None:
    assert len({r.case_ref for r in records}) == len(records)


@given(advice_records())
def test_advice_is_received_after_it_is_requested(advice: object) -> None:
    from ehcflow.statutory.advice import AdviceRecord

    assert isinstance(advice, AdviceRecord)
    assert advice.received_on is None or advice.requested_on <= advice.received_on <= MAX_DATE


# Deterministic, so that a rare history cannot make the suite flaky.
SEARCH = settings(max_examples=2000, derandomize=True, database=None)


def test_every_kind_of_history_is_generated() -> None:
    def within(r: RequestRecord) -> bool:
        return r.final_date is not None and (r.final_date - r.request_date).days == 140

    def just_late(r: RequestRecord) -> bool:
        return r.final_date is not None and (r.final_date - r.request_date).days == 141

    for condition in (
        within,
        just_late,
        lambda r: r.exception and r.final_date is not None,
        lambda r: r.decision == "not_assess",
        lambda r: r.outcome == "no_plan",
        lambda r: r.closed_date is not None and r.draft_date is not None,
        lambda r: r.decision is None and r.closed_date is None,
    ):
        found = find(request_records(), condition, settings=SEARCH)
        assert condition(found)
