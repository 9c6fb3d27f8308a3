"""My work and the request page read a fixed number of queries whatever the caseload."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ehcflow.casework import services
from ehcflow.casework.models import AssessmentRequest
from ehcflow.people.models import Role, StaffMember, Team, User

pytestmark = pytest.mark.django_db


def build(count: int, officer: StaffMember) -> list[AssessmentRequest]:
    actor = services.Actor(name="test")
    today = timezone.localdate()
    cases = []
    for i in range(count):
        child = services.child_create(person_ref=f"Q{count}-{i}", date_of_birth=date(2015, 1, 1),
                                      forename="Test", surname=f"Child{i}", by=actor)
        received = today - timedelta(days=10 + i)
        case = services.request_register(child=child, case_ref=f"Q{count}-{i}",
                                         received_date=received, officer=officer, by=actor)
        if i % 2:
            case = services.request_record_decision(request=case, decision="assess",
                                                    on=received + timedelta(days=5), by=actor)
            services.advice_request(request=case, adviser_type="health",
                                    requested_on=received + timedelta(days=6), by=actor)
        cases.append(case)
    return cases


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.fixture
def signed_in() -> tuple[Client, StaffMember]:
    team = Team.objects.create(name="T")
    user = User.objects.create_user(username="officer", password="x")
    officer = StaffMember.objects.create(user=user, staff_ref="O", name="O",
                                         role=Role.CASE_OFFICER, team=team,
                                         start_date=date(2020, 1, 1))
    client = Client()
    client.force_login(user)
    return client, officer


def test_my_work_queries_do_not_grow_with_the_caseload(
    signed_in: tuple[Client, StaffMember],
) -> None:
    client, officer = signed_in
    build(3, officer)
    small = queries_for(client, reverse("casework:my_work"))
    build(40, officer)
    large = queries_for(client, reverse("casework:my_work"))
    assert small == large


def test_the_request_page_queries_do_not_grow_with_its_history(
    signed_in: tuple[Client, StaffMember],
) -> None:
    client, officer = signed_in
    case = build(2, officer)[1]
    url = reverse("casework:request", args=[case.public_id])
    before = queries_for(client, url)
    actor = services.Actor(name="test")
    for kind in ("educational_psychology", "social_care", "education", "other"):
        services.advice_request(request=case, adviser_type=kind,
                                requested_on=case.decision_date, by=actor)  # type: ignore[arg-type]
    after = queries_for(client, url)
    assert before == after
