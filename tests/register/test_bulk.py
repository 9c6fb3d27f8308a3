"""Rows the importer writes in bulk read back through the ORM as rows it saved itself would."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from ehcflow.casework.models import AssessmentRequest, CaseEvent, Child, EHCPlan
from ehcflow.register import bulk
from tests.register.conftest import import_file

pytestmark = pytest.mark.django_db


def test_bulk_rows_get_every_default_a_saved_row_gets(fixture: Callable[[str], Path]) -> None:
    started = timezone.now()
    assert import_file(fixture("good.csv")).status == 0
    saved = Child(person_ref="X", date_of_birth=started.date())  # what save() would fill in
    for child in Child.objects.all():
        assert (child.sex, child.forename, child.ethnicity, child.upn, child.upn_unknown) == (
            saved.sex, saved.forename, saved.ethnicity, saved.upn, saved.upn_unknown)
        assert child.public_id.version == 4
        assert started - timedelta(seconds=5) <= child.created_at <= timezone.now()
        assert child.created_at == child.updated_at
        assert child.created_at.tzinfo is not None
    request = AssessmentRequest.objects.get(case_ref="EHC-0001")
    assert (request.version, request.relevant_youth_accommodation, request.exported,
            request.comments_received_date, request.school_requested) == (1, False, False,
                                                                         None, None)
    plan = EHCPlan.objects.get(request=request)
    assert (plan.transferred_in, plan.personal_budget, plan.cease_date, plan.cease_reason) == (
        False, False, None, "")
    event = CaseEvent.objects.get(request=request)
    assert (event.reason, event.actor) == ("", None)
    assert isinstance(event.changes, dict)
    assert event.occurred_at.tzinfo is not None
    ids = [*Child.objects.values_list("public_id", flat=True),
           *AssessmentRequest.objects.values_list("public_id", flat=True),
           *CaseEvent.objects.values_list("public_id", flat=True)]
    assert len(set(ids)) == len(ids)


def test_text_needing_escapes_survives_the_bulk_writer(tmp_path: Path) -> None:
    """Backslashes, tabs, quotes and line breaks are text, not COPY or SQL syntax."""
    path = tmp_path / "odd.csv"
    path.write_text('case_ref,person_id,date_of_birth,request_date,officer\n'
                    'EHC\\1,"P\t""1""",2015-01-01,2023-01-09,"Ann\\nO\'Neill\nJr"\n',
                    encoding="utf-8")
    assert import_file(path).status == 0, import_file(path).stderr
    request = AssessmentRequest.objects.select_related("child", "officer").get()
    assert (request.case_ref, request.child.person_ref) == ("EHC\\1", 'P\t"1"')
    assert request.officer is not None
    assert request.officer.name == "Ann\\nO'Neill\nJr"
    event = CaseEvent.objects.get()
    assert event.changes["person_id"] == 'P\t"1"'
    assert event.changes["officer"] == "Ann\\nO'Neill\nJr"


def test_the_fast_uuids_are_random_version_4_uuids() -> None:
    values = list(itertools.islice(bulk.uuid4_hexes(block=64), 1000))
    assert len(set(values)) == 1000
    for value in values:
        parsed = uuid.UUID(value)
        assert (parsed.version, parsed.variant, parsed.hex) == (4, uuid.RFC_4122, value)


def test_copy_text_escapes_what_copy_would_misread() -> None:
    assert [bulk.copy_text(v) for v in (None, True, False, 7, "a\tb\\c\nd\re", "plain")] == [
        "\\N", "t", "f", "7", "a\\tb\\\\c\\nd\\re", "plain"]
