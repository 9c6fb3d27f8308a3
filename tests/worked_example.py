"""docs/domain/measures.md's worked example (as of 31 July 2023) as full legal histories, for any
test.

Requests a–h with the steps the table implies, so that they load into the database through the
same rules as real records; `tests/statutory/test_worked_example.py` asserts every figure on
the bare dates.
"""

from __future__ import annotations

from datetime import date

from ehcflow.statutory.records import RequestRecord

AS_OF = date(2023, 7, 31)

WORKED_EXAMPLE = [  # docs/domain/measures.md, "Worked examples"
    RequestRecord("a", date(2023, 3, 13)),
    RequestRecord("b", date(2023, 3, 12), decision="assess", decision_date=date(2023, 4, 20)),
    RequestRecord("c", date(2022, 7, 1), decision="assess", decision_date=date(2022, 8, 1),
                  outcome="plan", outcome_date=date(2022, 10, 1), draft_date=date(2022, 10, 1),
                  final_date=date(2022, 11, 18)),
    RequestRecord("d", date(2022, 7, 1), decision="assess", decision_date=date(2022, 8, 1),
                  outcome="plan", outcome_date=date(2022, 10, 1), draft_date=date(2022, 10, 1),
                  final_date=date(2022, 11, 19)),
    RequestRecord("e", date(2022, 9, 1), decision="assess", decision_date=date(2022, 10, 1),
                  outcome="plan", outcome_date=date(2023, 8, 1), draft_date=date(2023, 8, 20),
                  final_date=date(2023, 9, 15)),
    RequestRecord("f", date(2022, 1, 10), decision="assess", decision_date=date(2022, 2, 1),
                  outcome="plan", outcome_date=date(2022, 12, 1), draft_date=date(2022, 12, 1),
                  final_date=date(2023, 2, 1), exception=True),
    RequestRecord("g", date(2023, 1, 5), decision="not_assess", decision_date=date(2023, 2, 10)),
    RequestRecord("h", date(2022, 6, 1), closed_date=date(2022, 12, 1),
                  closed_reason="withdrawn"),
]
