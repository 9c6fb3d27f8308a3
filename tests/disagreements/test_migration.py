"""Migration 0002 moves the old casework disagreements into the new table, and back."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("disagreements", "0001_initial")]
AFTER = [("disagreements", "0002_copy_casework_disagreements")]


def _migrate(target: list[tuple[str, str]]) -> object:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def _migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def back_to_latest() -> object:
    """Leave the database fully migrated whatever happens (casework 0011 drops the old table
    once 0002 has emptied it; a later test's flush must not meet it)."""
    yield None
    _migrate_to_latest()


def test_old_rows_move_across_with_their_meaning(back_to_latest: None) -> None:
    apps = _migrate(BEFORE)
    Child = apps.get_model("casework", "Child")  # type: ignore[attr-defined]
    Request = apps.get_model("casework", "AssessmentRequest")  # type: ignore[attr-defined]
    Old = apps.get_model("casework", "Disagreement")  # type: ignore[attr-defined]
    child = Child.objects.create(person_ref="M1", date_of_birth=date(2015, 1, 1))
    no_plan = Request.objects.create(case_ref="M-1", child=child, received_date=date(2024, 1, 8),
                                     decision="assess", decision_date=date(2024, 2, 1),
                                     outcome="no_plan", outcome_date=date(2024, 4, 1))
    Old.objects.create(child=child, request=no_plan, kind="tribunal", stage="assessment",
                       decision_notice_date=date(2024, 4, 1), started_on=date(2024, 5, 20),
                       concluded_on=date(2024, 11, 4), outcome="Appeal conceded by the authority")
    Old.objects.create(child=child, kind="mediation", stage="request",
                       decision_notice_date=date(2023, 3, 1), started_on=date(2023, 3, 10),
                       concluded_on=date(2023, 4, 2),
                       outcome="No agreement: mediation certificate issued")
    Old.objects.create(child=child, kind="mediation", stage="other",
                       decision_notice_date=date(2022, 3, 1), started_on=date(2022, 3, 10),
                       outcome="Settled by letter")

    apps = _migrate(AFTER)
    New = apps.get_model("disagreements", "Disagreement")  # type: ignore[attr-defined]
    rows = {(r.kind, r.decision): r for r in New.objects.all()}
    assert apps.get_model("casework", "Disagreement").objects.count() == 0  # type: ignore[attr-defined]
    appeal = rows[("appeal", "refuse_issue")]
    assert (appeal.appeal_outcome, appeal.concluded_on) == ("conceded", date(2024, 11, 4))
    mediation = rows[("mediation", "refuse_assess")]
    assert (mediation.mediation_outcome, mediation.certificate_on) == ("not_agreed",
                                                                       date(2023, 4, 2))
    other = rows[("mediation", "other")]
    assert (other.mediation_outcome, other.outcome_detail) == ("", "Settled by letter")

    apps = _migrate(BEFORE)
    Old = apps.get_model("casework", "Disagreement")  # type: ignore[attr-defined]
    assert sorted(Old.objects.values_list("outcome", flat=True)) == [
        "Appeal conceded by the authority", "No agreement: mediation certificate issued",
        "Settled by letter"]
