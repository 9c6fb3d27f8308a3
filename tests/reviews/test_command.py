"""`ehcflow reviews`: the figures as DfE counts them, and the dashboard's equal to them."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ehcflow.casework import services as casework
from ehcflow.casework.models import AnnualReview, EHCPlan
from ehcflow.insight import dashboards
from ehcflow.insight import services as insight_services
from ehcflow.insight.dashboards import Query
from ehcflow.insight.models import Authority
from ehcflow.reviews import services
from tests.insight.conftest import (
    _shipped_release,  # noqa: F401 (a fixture)
    national,  # noqa: F401 (a fixture)
)

pytestmark = pytest.mark.django_db


def run(*args: str) -> dict[str, object]:
    out = StringIO()
    call_command("reviews", *args, "--json", stdout=out)
    result: dict[str, object] = json.loads(out.getvalue())
    return result


@pytest.fixture
def reviews_2024(db: None) -> None:
    """Four plans reviewed in or around 2024, as the worked example of
    docs/domain/annual-reviews.md."""
    actor = casework.Actor(name="test")

    def plan(ref: str, issued: date, **extra: object) -> EHCPlan:
        child = casework.child_create(person_ref=ref, date_of_birth=date(2012, 3, 1), by=actor)
        return EHCPlan.objects.create(child=child, start_date=issued, first_issued_date=issued,
                                      **extra)  # type: ignore[arg-type]

    a = plan("P1", date(2021, 2, 1))
    review = services.review_schedule(plan=a, due_date=date(2024, 2, 1), by=actor)
    services.review_record_meeting(review=review, on=date(2024, 1, 20), by=actor)
    services.review_record_decision(review=review, outcome="amend", on=date(2024, 2, 10),
                                    proposed_amendments="Section F", by=actor)
    b = plan("P2", date(2022, 6, 1))
    review = services.review_schedule(plan=b, due_date=date(2024, 6, 1), by=actor)
    services.review_record_meeting(review=review, on=date(2024, 5, 20), by=actor)
    services.review_record_decision(review=review, outcome="maintain", on=date(2024, 7, 1),
                                    by=actor)
    plan("P3", date(2023, 3, 1))  # review due March 2024, never held: overdue
    plan("P4", date(2024, 4, 1))  # too new for a review in 2024
    c = plan("P5", date(2015, 6, 1))
    AnnualReview.objects.create(plan=c, due_date=date(2023, 10, 1),
                                meeting_date=date(2023, 10, 1), decision_date=date(2023, 10, 20),
                                outcome="maintain", phase_transfer=True, transfer_year=2024,
                                phase_transfer_due=date(2024, 2, 15))


def test_the_command_counts_as_dfe_does(reviews_2024: None) -> None:
    assert run("--as-of", "2024-12-31", "--from", "2024-01-01", "--to", "2024-12-31") == {
        "plans_maintained": 5, "reviews_due": 4, "meetings_held": 3, "decisions": 3,
        "decisions_within_4_weeks": 2, "pct_decisions_within_4_weeks": 66.7,
        "outcomes": {"maintain": 2, "amend": 1, "cease": 0}, "overdue_reviews": 2,
        "phase_transfers": {"due": 1, "final_by_deadline": 1},
    }
    # the 12 months to --as-of without --from and --to
    assert run("--as-of", "2024-12-31") == run("--as-of", "2024-12-31", "--from", "2024-01-01",
                                               "--to", "2024-12-31")


def test_the_text_output_names_each_figure(reviews_2024: None) -> None:
    out = StringIO()
    call_command("reviews", "--as-of", "2024-12-31", stdout=out)
    assert "Decisions within 4 weeks          2 (66.7%)" in out.getvalue()
    assert "Maintain / amend / cease          2 / 1 / 0" in out.getvalue()


@pytest.mark.parametrize("args", [
    ("--as-of", "2024-13-01"),
    ("--as-of", "31/12/2024"),
    ("--as-of", "2024-12-31", "--from", "2024-06-01"),
    ("--as-of", "2024-12-31", "--from", "2024-06-01", "--to", "2024-01-01"),
    ("--as-of", "2024-06-30", "--from", "2024-01-01", "--to", "2024-12-31"),
    ("--as-of", "1066-10-14"),
])
def test_a_bad_date_or_period_is_a_message_and_status_1(args: tuple[str, ...]) -> None:
    with pytest.raises(CommandError) as raised:
        call_command("reviews", *args, "--json", stdout=StringIO())
    assert raised.value.returncode == 1
    assert "Traceback" not in str(raised.value)


def test_the_dashboard_shows_the_commands_figures(reviews_2024: None) -> None:
    q = Query(as_of=date(2025, 3, 31), first=date(2021, 1, 1))
    tables = dashboards.dfe_reviews_tables(q, None)
    by_year = {row[0].value: [c.value for c in row[1:]] for row in tables[0].rows}
    for year in (2023, 2024, 2025):
        period, as_of = dashboards.dfe_review_period(q, year)
        got = run("--as-of", as_of.isoformat(), "--from", period.start.isoformat(),
                  "--to", period.end.isoformat())
        outcomes = got["outcomes"]
        assert isinstance(outcomes, dict)
        assert by_year[year] == [
            got["plans_maintained"], got["reviews_due"], got["meetings_held"],
            got["decisions"], got["decisions_within_4_weeks"],
            got["pct_decisions_within_4_weeks"], outcomes["maintain"], outcomes["amend"],
            outcomes["cease"]]
    assert by_year[2024] == [5, 4, 3, 3, 2, 66.7, 2, 1, 0]
    compared = {row[0].value: [c.value for c in row[1:]] for row in tables[1].rows}
    assert compared["Review meetings held"][0] == 3
    assert compared["% of decisions within 4 weeks"][0] == 66.7


@pytest.mark.usefixtures("national")
def test_dfes_figures_are_set_beside_ours(reviews_2024: None) -> None:
    bcp = Authority.objects.get(code="E06000058")
    insight_services.our_authority_set(authority=bcp)
    q = Query(as_of=date(2025, 3, 31), first=date(2021, 1, 1))
    compared = dashboards.dfe_reviews_tables(q, bcp)[1]
    assert [c.label for c in compared.columns][:3] == ["Measure", "Ours", "England"]
    rows = {row[0].value: [c.value for c in row[1:]] for row in compared.rows}
    assert rows["% of decisions within 4 weeks"][:2] == [66.7, Decimal("44.4")]
    assert rows["Review meetings held"][:2] == [3, Decimal("453761")]
    assert rows["Decided to amend"][:2] == [1, Decimal("219538")]
    assert rows["Review meetings held"][-1] == Decimal("3281")  # BCP as DfE published
