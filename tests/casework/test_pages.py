"""The request's life in the browser, page by page, and the role × page × case matrix."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ehcflow.casework import services
from ehcflow.casework.models import AssessmentRequest, CaseEvent, Child, RecordAccess
from ehcflow.people.models import Role, StaffMember, Team, User

pytestmark = pytest.mark.django_db


def make_staff(username: str, role: str, team: Team | None) -> User:
    user = User.objects.create_user(username=username, password="correct horse battery")
    StaffMember.objects.create(user=user, staff_ref=username.upper(), name=username.title(),
                               role=role, team=team, start_date=date(2020, 1, 1))
    return user


@pytest.fixture
def world(db: None) -> dict[str, object]:
    north, south = Team.objects.create(name="North"), Team.objects.create(name="South")
    users = {
        "officer": make_staff("officer", Role.CASE_OFFICER, north),
        "teammate": make_staff("teammate", Role.CASE_OFFICER, north),
        "other_officer": make_staff("other", Role.CASE_OFFICER, south),
        "manager": make_staff("manager", Role.TEAM_MANAGER, north),
        "other_manager": make_staff("othermanager", Role.TEAM_MANAGER, south),
        "head": make_staff("head", Role.HEAD_OF_SERVICE, None),
        "analyst": make_staff("analyst", Role.ANALYST, None),
        "ep": make_staff("ep", Role.EDUCATIONAL_PSYCHOLOGIST, None),
        "other_ep": make_staff("otherep", Role.EDUCATIONAL_PSYCHOLOGIST, None),
        "support": make_staff("support", Role.BUSINESS_SUPPORT, None),
        "admin": make_staff("admin", Role.ADMINISTRATOR, None),
        "parent": User.objects.create_user(username="parent", password="correct horse battery"),
    }
    actor = services.Actor(name="test")
    child = services.child_create(person_ref="P1", date_of_birth=date(2016, 5, 1),
                                  forename="Ada", surname="Example", by=actor)
    received = timezone.localdate() - timedelta(days=60)
    case = services.request_register(child=child, case_ref="EHC-1", received_date=received,
                                     officer=users["officer"].staff, by=actor)  # type: ignore[attr-defined]
    case = services.request_record_decision(request=case, decision="assess",
                                            on=received + timedelta(days=20), by=actor)
    services.advice_request(request=case, adviser_type="educational_psychology",
                            requested_on=received + timedelta(days=21), by=actor,
                            adviser=users["ep"].staff)  # type: ignore[attr-defined]
    case.refresh_from_db()  # requesting advice moves the request's version on
    return {"users": users, "case": case, "child": child}


VIEW_EXPECTED = {
    "officer": 200, "teammate": 200, "other_officer": 404, "manager": 200,
    "other_manager": 404, "head": 200, "analyst": 200, "ep": 200, "other_ep": 404,
    "support": 200, "admin": 404, "parent": 404,
}


@pytest.mark.parametrize(("who", "status"), sorted(VIEW_EXPECTED.items()))
def test_who_may_open_the_request_page(world: dict, who: str, status: int) -> None:
    client = Client()
    client.force_login(world["users"][who])
    case: AssessmentRequest = world["case"]
    response = client.get(reverse("casework:request", args=[case.public_id]))
    assert response.status_code == status
    if status == 200:
        assert RecordAccess.objects.filter(request=case, user=world["users"][who],
                                           kind="view").count() == 1
    else:
        # A guessed URL is refused and the attempt is logged; nothing about the case leaks.
        assert b"Ada" not in response.content
        if world["users"][who].is_authenticated:
            assert RecordAccess.objects.filter(request=case, kind="refused").count() == 1


def test_an_ep_sees_only_what_they_need(world: dict) -> None:
    client = Client()
    client.force_login(world["users"]["ep"])
    response = client.get(reverse("casework:request", args=[world["case"].public_id]))
    # An adviser reads the name and date of birth of the child they assess, nothing more
    # (people/access.py, ChildField); tests/casework/test_privacy.py covers every field.
    assert b"Ada Example" in response.content
    assert b"UPN" not in response.content
    assert b"Record advice received" in response.content
    assert b"Record the decision whether to issue a plan" not in response.content


def test_an_analyst_cannot_change_a_case_even_by_a_forged_post(world: dict) -> None:
    client = Client()
    client.force_login(world["users"]["analyst"])
    case: AssessmentRequest = world["case"]
    url = reverse("casework:step", args=[case.public_id, "close"])
    response = client.post(url, {"version": case.version, "closed_reason": "withdrawn",
                                 "on_0": "1", "on_1": "1", "on_2": "2025"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.closed_date is None
    assert RecordAccess.objects.filter(request=case, kind="refused", page="step:close").exists()


def test_a_step_not_allowed_yet_is_not_offered_and_refused_if_forced(world: dict) -> None:
    client = Client()
    client.force_login(world["users"]["officer"])
    case: AssessmentRequest = world["case"]
    page = client.get(reverse("casework:request", args=[case.public_id]))
    assert b"Issue the final plan" not in page.content
    today = timezone.localdate()
    response = client.post(reverse("casework:step", args=[case.public_id, "final"]),
                           {"version": case.version, "on_0": today.day, "on_1": today.month,
                            "on_2": today.year, "primary_need": "ASD"})
    assert response.status_code == 200
    assert b"This step is not available now" in response.content
    case.refresh_from_db()
    assert case.final_date is None


def test_bad_dates_get_a_govuk_error_summary(world: dict) -> None:
    client = Client()
    client.force_login(world["users"]["officer"])
    case: AssessmentRequest = world["case"]
    url = reverse("casework:step", args=[case.public_id, "close"])
    response = client.post(url, {"version": case.version, "closed_reason": "withdrawn",
                                 "on_0": "31", "on_1": "2", "on_2": "2024"})
    assert b"There is a problem" in response.content
    assert b"The date the request closed must be a real date" in response.content
    future = timezone.localdate() + timedelta(days=3)
    response = client.post(url, {"version": case.version, "closed_reason": "withdrawn",
                                 "on_0": future.day, "on_1": future.month, "on_2": future.year})
    assert b"must be today or in the past" in response.content
    case.refresh_from_db()
    assert case.closed_date is None


def test_two_officers_at_once_the_second_is_told(world: dict) -> None:
    case: AssessmentRequest = world["case"]
    first, second = Client(), Client()
    first.force_login(world["users"]["officer"])
    second.force_login(world["users"]["teammate"])
    stale_version = case.version
    today = timezone.localdate()
    first.post(reverse("casework:step", args=[case.public_id, "exception"]),
               {"version": stale_version, "reason": "personal_circumstances",
                "start_0": today.day, "start_1": today.month, "start_2": today.year})
    response = second.post(reverse("casework:step", args=[case.public_id, "close"]),
                           {"version": stale_version, "closed_reason": "withdrawn",
                            "on_0": today.day, "on_1": today.month, "on_2": today.year})
    assert b"Someone else changed this request" in response.content
    case.refresh_from_db()
    assert case.week20_exception is True and case.closed_date is None


def test_my_work_lists_the_officers_requests_with_badges(world: dict) -> None:
    client = Client()
    client.force_login(world["users"]["officer"])
    response = client.get(reverse("casework:my_work"))
    assert response.status_code == 200
    assert b"EHC-1" in response.content
    assert b"Due within 7 days" in response.content or b"Overdue" in response.content
    other = Client()
    other.force_login(world["users"]["other_officer"])
    assert b"EHC-1" not in other.get(reverse("casework:my_work")).content


def test_manager_sees_caseloads(world: dict) -> None:
    client = Client()
    client.force_login(world["users"]["manager"])
    response = client.get(reverse("casework:my_work"))
    assert b"Caseloads" in response.content
    assert b"Officer" in response.content


def test_registering_detects_a_possible_duplicate_child(world: dict) -> None:
    client = Client()
    client.force_login(world["users"]["support"])
    data = {"forename": "Ada", "surname": "Example", "date_of_birth_0": "1",
            "date_of_birth_1": "5", "date_of_birth_2": "2016", "received_date_0": "1",
            "received_date_1": "9", "received_date_2": "2025", "source": "parent"}
    response = client.post(reverse("casework:request_new"), data)
    assert b"This child may already be recorded" in response.content
    assert Child.objects.count() == 1
    child: Child = world["child"]
    response = client.post(reverse("casework:request_new"),
                           {**data, "existing_child": str(child.public_id)})
    assert response.status_code == 302
    assert child.requests.count() == 2
    assert CaseEvent.objects.filter(child=child, action="request_received").count() == 2


PAGES = ("request", "child", "step:close", "access_log")
# Expected status per role for each page of the case in `world` (the request belongs to the
# officer's team, North; the EP was asked for advice).
MATRIX = {
    "officer": (200, 200, 200, 403),
    "teammate": (200, 200, 200, 403),
    "other_officer": (404, 404, 404, 404),
    "manager": (200, 200, 200, 200),
    "other_manager": (404, 404, 404, 404),
    "head": (200, 200, 200, 200),
    "analyst": (200, 200, 403, 403),
    "ep": (200, 200, 403, 403),
    "other_ep": (404, 404, 404, 404),
    "support": (200, 200, 403, 403),
    "admin": (404, 404, 404, 404),
    "parent": (404, 404, 404, 404),
}


def page_url(page: str, case: AssessmentRequest) -> str:
    if page == "request":
        return reverse("casework:request", args=[case.public_id])
    if page == "child":
        return reverse("casework:child", args=[case.child.public_id])
    if page == "access_log":
        return reverse("casework:access_log", args=[case.public_id])
    return reverse("casework:step", args=[case.public_id, page.split(":")[1]])


@pytest.mark.parametrize(("who", "expected"), sorted(MATRIX.items()))
def test_role_by_page_by_case(world: dict, who: str, expected: tuple[int, ...]) -> None:
    client = Client()
    client.force_login(world["users"][who])
    case: AssessmentRequest = world["case"]
    got = tuple(client.get(page_url(page, case)).status_code for page in PAGES)
    assert got == expected, dict(zip(PAGES, got, strict=True))


def test_a_double_submit_records_the_step_once(world: dict) -> None:
    client = Client()
    client.force_login(world["users"]["officer"])
    case: AssessmentRequest = world["case"]
    today = timezone.localdate()
    data = {"version": case.version, "closed_reason": "withdrawn", "on_0": today.day,
            "on_1": today.month, "on_2": today.year}
    url = reverse("casework:step", args=[case.public_id, "close"])
    first = client.post(url, data)
    second = client.post(url, data, follow=True)
    assert first.status_code == 302
    assert b"That was already recorded" in second.content
    assert case.events.filter(action="request_closed").count() == 1


def test_home_shows_service_figures_only_to_casework_roles(world: dict) -> None:
    for who, sees in (("officer", True), ("admin", False), ("parent", False)):
        client = Client()
        client.force_login(world["users"][who])
        content = client.get(reverse("home")).content
        assert (b"Open over 20 weeks" in content) is sees
