"""Shared factories for the test world: case records built from plain records.

The pure measures take `statutory.records.RequestRecord`s; the SQL counts read
`AssessmentRequest` rows. `request_row` turns one into the other as every writer would leave it
(the stage from the one stage rule, decision 0023), so the tests that prove the two equal build
their worlds the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from ehcflow.casework.models import AssessmentRequest, Child
from ehcflow.casework.services import derive_stage
from ehcflow.statutory.records import RequestRecord


def request_row(record: RequestRecord, *, child: Child, **fields: Any) -> AssessmentRequest:
    """An unsaved initial request holding `record`'s steps, with its stage; `fields` adds the
    rest (officer, source, …)."""
    row = AssessmentRequest(
        child=child, case_ref=record.case_ref, received_date=record.request_date,
        decision=record.decision or "", decision_date=record.decision_date,
        outcome=record.outcome or "", outcome_date=record.outcome_date,
        draft_date=record.draft_date, final_date=record.final_date,
        week20_exception=record.exception, closed_date=record.closed_date,
        closed_reason=record.closed_reason or "", **fields)
    row.stage = derive_stage(row)
    return row


def load_records(records: Iterable[RequestRecord], *, person_ref: str = "P-RECORDS",
                 date_of_birth: date = date(2000, 1, 1)) -> list[AssessmentRequest]:
    """Every record as a request of one child, written in bulk as the importer would."""
    child = Child.objects.create(person_ref=person_ref, date_of_birth=date_of_birth)
    return AssessmentRequest.objects.bulk_create(
        [request_row(r, child=child) for r in records])
