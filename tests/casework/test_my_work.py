"""My work as each role reads it: pages of 50, caseloads on their own tab, whose deadline."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ehcflow.casework import services
from ehcflow.casework.models import AssessmentRequest
from ehcflow.people.models import Role, StaffMember, Team, User

pytestmark = pytest.mark.django_db


def make_staff(username: str, role: str, team: Team | None) -> User:
    user = User.objects.create_user(username=username, password="correct horse battery")
    StaffMember.objects.create(user=user, staff_ref=username.upper(), name=username.title(),
                               role=role, team=team, start_date=date(2020, 1, 1))
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def head_with_120_requests(db: None) -> User:
    head = make_staff("head", Role.HEAD_OF_SERVICE, None)
    actor = services.Actor(name="test")
    today = timezone.localdate()
    for n in range(120):
        child = services.child_create(person_ref=f"P{n}", date_of_birth=date(2015, 1, 1),
                                      by=actor)
        services.request_register(child=child, case_ref=f"EHC-{n:03d}", by=actor,
                                  received_date=today - timedelta(days=n * 2))
    return head


def case_refs(html: str) -> list[str]:
    return re.findall(r">(EHC-\d{3})</a>", html)


def test_my_work_comes_in_pages_of_50_and_every_request_is_on_one(
        head_with_120_requests: User) -> None:
    client = signed_in(head_with_120_requests)
    seen: list[str] = []
    for number in (1, 2, 3):
        html = client.get(reverse("casework:my_work"), {"page": number}).content.decode()
        assert "120 requests." in html
        assert f"Page {number} of 3" in html
        seen += case_refs(html)
    assert len(seen) == len(set(seen)) == 120
    # A nonsense page number shows the nearest page rather than failing.
    assert client.get(reverse("casework:my_work"), {"page": "9999"}).status_code == 200


def test_over_20_weeks_counts_what_the_home_page_counts(head_with_120_requests: User) -> None:
    client = signed_in(head_with_120_requests)
    html = client.get(reverse("casework:my_work"), {"age": "over_20"}).content.decode()
    over_20 = AssessmentRequest.objects.filter(
        received_date__lt=timezone.localdate() - timedelta(days=140)).count()
    assert f"{over_20} requests." in html
    home = client.get(reverse("home")).content.decode()
    assert re.search(rf"\b{over_20}\b", home)
    assert ">Over 20 weeks<" in html


def test_a_manager_reads_caseloads_on_their_own_tab(db: None) -> None:
    team = Team.objects.create(name="North")
    manager = make_staff("manager", Role.TEAM_MANAGER, team)
    make_staff("officer", Role.CASE_OFFICER, team)
    client = signed_in(manager)
    work = client.get(reverse("casework:my_work")).content.decode()
    assert "Plans per FTE" not in work and "?scope=caseloads" in work
    loads = client.get(reverse("casework:my_work"), {"scope": "caseloads"}).content.decode()
    assert "Plans per FTE" in loads and "Officer" in loads
    # An officer asking for the tab gets their own work instead.
    officer = signed_in(User.objects.get(username="officer"))
    assert "Plans per FTE" not in officer.get(reverse("casework:my_work"),
                                              {"scope": "caseloads"}).content.decode()


def test_an_advisers_queue_shows_their_own_advice_deadline(db: None) -> None:
    ep = make_staff("ep", Role.EDUCATIONAL_PSYCHOLOGIST, None)
    actor = services.Actor(name="test")
    today = timezone.localdate()
    child = services.child_create(person_ref="P1", date_of_birth=date(2015, 1, 1), by=actor)
    case = services.request_register(child=child, case_ref="EHC-001", by=actor,
                                     received_date=today - timedelta(days=100))
    case = services.request_record_decision(request=case, decision="assess",
                                            on=today - timedelta(days=90), by=actor)
    # Health advice is long overdue; the EP was asked only 10 days ago.
    services.advice_request(request=case, adviser_type="health", by=actor,
                            requested_on=today - timedelta(days=89))
    mine = services.advice_request(request=case, adviser_type="educational_psychology",
                                   by=actor, requested_on=today - timedelta(days=10),
                                   adviser=ep.staff)  # type: ignore[attr-defined]
    html = signed_in(ep).get(reverse("casework:my_work")).content.decode()
    assert "Your advice due" in html
    assert mine.due_on.strftime("%-d %b %Y") in html
    assert "Overdue" not in html
