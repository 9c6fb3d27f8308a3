"""The work queue's age bands follow docs/domain/measures.md: over 20 weeks is more than 140
days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ehcflow.casework import selectors, services
from ehcflow.casework.models import AssessmentRequest, Child

pytestmark = pytest.mark.django_db

TODAY = date(2023, 7, 31)


def test_exactly_140_days_is_not_over_20_weeks(system_actor: services.Actor) -> None:
    child = Child.objects.create(person_ref="P", date_of_birth=date(2012, 1, 1))
    for days in (42, 43, 140, 141, 210, 211, 350, 351):
        AssessmentRequest.objects.create(child=child, case_ref=f"R{days}",
                                         received_date=TODAY - timedelta(days=days))

    def band(name: str) -> list[str]:
        queue = selectors.work_queue(AssessmentRequest.objects.all(), today=TODAY,
                                     age_band=name)
        return sorted(r.case_ref for r in queue)

    assert band("under_6") == ["R42"]
    assert band("6_to_20") == ["R140", "R43"]
    # Over 20 weeks is every request older than 20 weeks, as the home page counts them.
    assert band("over_20") == ["R141", "R210", "R211", "R350", "R351"]
    assert band("over_30") == ["R211", "R350", "R351"]
    assert band("over_50") == ["R351"]
    over_20 = selectors.backlog(on=TODAY).over_20_weeks
    assert over_20 == len(band("over_20"))
