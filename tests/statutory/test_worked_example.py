"""docs/domain/measures.md, "Worked examples": every figure of the table, as of 31 July 2023."""

from datetime import date

import pytest

from ehcflow.statutory import measures as m
from ehcflow.statutory.measures import Period, RequestRecord, RequestState

D = date(2023, 7, 31)
PERIOD = Period(date(2022, 8, 1), date(2023, 7, 31))

A = RequestRecord("a", date(2023, 3, 13))
B = RequestRecord("b", date(2023, 3, 12), decision="assess", decision_date=date(2023, 4, 20))
C = RequestRecord("c", date(2022, 7, 1), final_date=date(2022, 11, 18))
D_ = RequestRecord("d", date(2022, 7, 1), final_date=date(2022, 11, 19))
E = RequestRecord("e", date(2022, 9, 1), final_date=date(2023, 9, 15))
F = RequestRecord("f", date(2022, 1, 10), exception=True, final_date=date(2023, 2, 1))
G = RequestRecord("g", date(2023, 1, 5), decision="not_assess", decision_date=date(2023, 2, 10))
H = RequestRecord("h", date(2022, 6, 1), closed_date=date(2022, 12, 1), closed_reason="withdrawn")
RECORDS = [A, B, C, D_, E, F, G, H]


def test_the_period_is_the_twelve_months_ending_at_d() -> None:
    assert m.twelve_months_ending(D) == PERIOD


@pytest.mark.parametrize(
    ("record", "open_at_d", "state"),
    [
        (A, True, RequestState.OPEN),
        (B, True, RequestState.OPEN),
        (C, False, RequestState.PLAN_ISSUED),
        (D_, False, RequestState.PLAN_ISSUED),
        (E, True, RequestState.OPEN),  # the plan comes after D
        (F, False, RequestState.PLAN_ISSUED),
        (G, False, RequestState.NOT_ASSESSED),
        (H, False, RequestState.CLOSED),
    ],
)
def test_open_at_d(record: RequestRecord, open_at_d: bool, state: RequestState) -> None:
    assert m.is_open(record, D) is open_at_d
    assert m.state_on(record, D) is state


def test_exactly_140_days_is_not_over_20_weeks() -> None:
    assert (D - A.request_date).days == 140
    assert m.backlog([A], D) == m.Backlog(open=1, over_20_weeks=0, over_30_weeks=0, over_50_weeks=0)
    assert (D - B.request_date).days == 141
    assert m.backlog([B], D).over_20_weeks == 1


def test_e_is_over_30_weeks_but_not_50() -> None:
    assert (D - E.request_date).days == 333
    assert m.backlog([E], D) == m.Backlog(open=1, over_20_weeks=1, over_30_weeks=1, over_50_weeks=0)


def test_backlog() -> None:
    assert m.backlog(RECORDS, D) == m.Backlog(
        open=3, over_20_weeks=2, over_30_weeks=1, over_50_weeks=0
    )
    assert [r.case_ref for r in m.open_requests(RECORDS, D)] == ["a", "b", "e"]


def test_requests_received() -> None:
    assert m.requests_received(RECORDS, PERIOD) == 4  # a, b, e, g


def test_the_deadline_day_counts_as_within_20_weeks() -> None:
    assert [r.case_ref for r in m.new_plans(RECORDS, PERIOD)] == ["c", "d", "f"]
    assert m.plans_issued(RECORDS, PERIOD) == 3
    assert m.issued_within_20_weeks(RECORDS, PERIOD) == 1  # c only


def test_pct_within_20_weeks() -> None:
    assert m.pct_within_20_weeks(RECORDS, PERIOD) == 33.3


def test_pct_within_20_weeks_excluding_exceptions() -> None:
    assert m.plans_issued_excl_exceptions(RECORDS, PERIOD) == 2
    assert m.issued_within_20_weeks_excl_exceptions(RECORDS, PERIOD) == 1
    assert m.pct_within_20_weeks_excl_exceptions(RECORDS, PERIOD) == 50.0


def test_avg_weeks_to_issue() -> None:
    # (140 + 141 + 387) / 7 / 3 = 31.809...
    assert m.avg_weeks_to_issue(RECORDS, PERIOD) == 31.8


def test_kpis_as_the_cli_prints_them() -> None:
    assert m.kpis(RECORDS, as_of=D).as_dict() == {
        "as_of": "2023-07-31",
        "period": {"from": "2022-08-01", "to": "2023-07-31"},
        "requests_received": 4,
        "plans_issued": 3,
        "issued_within_20_weeks": 1,
        "pct_within_20_weeks": 33.3,
        "pct_within_20_weeks_excl_exceptions": 50.0,
        "avg_weeks_to_issue": 31.8,
        "backlog": {"open": 3, "over_20_weeks": 2, "over_30_weeks": 1, "over_50_weeks": 0},
        "plans_issued_excl_exceptions": 2,
        "issued_within_20_weeks_excl_exceptions": 1,
        "decisions_made": 2,
        "decisions_within_6_weeks": 2,
        "pct_decisions_within_6_weeks": 100.0,
    }


def test_kpis_keys_keep_the_cli_order() -> None:
    assert list(m.kpis(RECORDS, as_of=D).as_dict())[:9] == [
        "as_of",
        "period",
        "requests_received",
        "plans_issued",
        "issued_within_20_weeks",
        "pct_within_20_weeks",
        "pct_within_20_weeks_excl_exceptions",
        "avg_weeks_to_issue",
        "backlog",
    ]
