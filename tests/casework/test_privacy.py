"""Children's details reach only the roles and teams that may read them.

Each test here failed before the fix it guards (the security probe's findings): the register
form's duplicate check named other teams' children, lists and search showed names and notes to
roles that may not read them, and several pages wrote nothing to the access log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ehcflow.casework import services
from ehcflow.casework.models import (
    AdviceRequest,
    AssessmentRequest,
    Child,
    EHCPlan,
    RecordAccess,
)
from ehcflow.people.access import ALL_CHILD_FIELDS, ChildField, child_fields
from ehcflow.people.models import Role, StaffMember, Team, User

pytestmark = pytest.mark.django_db

NAME = "Ada Example"
BORN = "1 May 2016"
UPN = "X820200101003"
POSTCODE = "ZZ99 3AB"
NOTE = "mother in hospital (mental health crisis)"


def make_staff(username: str, role: str, team: Team | None, **extra: object) -> User:
    user = User.objects.create_user(username=username, password="correct horse battery")
    StaffMember.objects.create(user=user, staff_ref=username.upper(), name=username.title(),
                               role=role, team=team, start_date=date(2020, 1, 1), **extra)
    return user


@dataclass
class World:
    users: dict[str, User]
    child: Child
    case: AssessmentRequest
    plan: EHCPlan

    def client(self, who: str) -> Client:
        client = Client()
        client.force_login(self.users[who])
        return client


@pytest.fixture
def world(db: None) -> World:
    north, south = Team.objects.create(name="North"), Team.objects.create(name="South")
    users = {
        "officer": make_staff("officer", Role.CASE_OFFICER, north),
        "south_officer": make_staff("southofficer", Role.CASE_OFFICER, south),
        "manager": make_staff("manager", Role.TEAM_MANAGER, north),
        "south_manager": make_staff("southmanager", Role.TEAM_MANAGER, south),
        "head": make_staff("head", Role.HEAD_OF_SERVICE, None),
        "analyst": make_staff("analyst", Role.ANALYST, None),
        "ep": make_staff("ep", Role.EDUCATIONAL_PSYCHOLOGIST, None),
        "support": make_staff("support", Role.BUSINESS_SUPPORT, None),
        "admin": make_staff("admin", Role.ADMINISTRATOR, None),
    }
    actor = services.Actor(name="test")
    child = services.child_create(person_ref="P1", date_of_birth=date(2016, 5, 1),
                                  forename="Ada", surname="Example", upn=UPN,
                                  postcode=POSTCODE, by=actor)
    received = timezone.localdate() - timedelta(days=60)
    case = services.request_register(child=child, case_ref="EHC-1", received_date=received,
                                     officer=users["officer"].staff,  # type: ignore[attr-defined]
                                     by=actor)
    case = services.request_record_decision(request=case, decision="assess",
                                            on=received + timedelta(days=20), by=actor)
    services.advice_request(request=case, adviser_type="educational_psychology",
                            requested_on=received + timedelta(days=21), by=actor,
                            adviser=users["ep"].staff)  # type: ignore[attr-defined]
    services.exception_apply(request=case, reason="personal_circumstances",
                             start=received + timedelta(days=22),
                             end=received + timedelta(days=30), note=NOTE, by=actor)
    plan = EHCPlan.objects.create(child=child, start_date=date(2021, 3, 1),
                                  first_issued_date=date(2021, 3, 1),
                                  officer=users["officer"].staff)  # type: ignore[attr-defined]
    case.refresh_from_db()
    return World(users=users, child=child, case=case, plan=plan)


# --- the policy, in one place -----------------------------------------------------------------

def test_the_policy_names_every_role() -> None:
    """Every role has a decided set of fields; a new role cannot fall through to 'all'."""
    from ehcflow.people import access

    assert set(access.ROLE_FIELDS) == set(Role.values)
    assert access.ROLE_FIELDS[Role.CASE_OFFICER] == ALL_CHILD_FIELDS
    assert access.ROLE_FIELDS[Role.ANALYST] == frozenset()
    assert access.ROLE_FIELDS[Role.BUSINESS_SUPPORT] == frozenset()
    assert access.ROLE_FIELDS[Role.EDUCATIONAL_PSYCHOLOGIST] == {ChildField.NAME,
                                                                   ChildField.DATE_OF_BIRTH}


def test_a_leaver_has_no_fields_and_no_pages(world: World) -> None:
    staff = world.users["officer"].staff  # type: ignore[attr-defined]
    staff.end_date = timezone.localdate() - timedelta(days=1)
    staff.save()
    user = User.objects.get(pk=world.users["officer"].pk)
    assert child_fields(user) == frozenset()
    client = world.client("officer")
    for url in (reverse("casework:my_work"),
                reverse("casework:request", args=[world.case.public_id])):
        response = client.get(url)
        # Signed out at the next request (people's middleware), or refused: never shown.
        assert response.status_code in {302, 403, 404}
        assert "EHC-1" not in response.content.decode()


def test_no_template_reads_a_childs_details_directly() -> None:
    """Templates go through the privacy tags, which ask people.access.child_fields."""
    raw = re.compile(r"\.(full_name|forename|surname|upn|uln|postcode|date_of_birth|note)\b"
                     r"|\b(e|event)\.reason\b")
    offenders = []
    for path in (Path(__file__).parents[2] / "ehcflow" / "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for match in raw.finditer(line):
                before = line[max(0, match.start() - 30):match.start() + 1]
                if "form." in before or "{% note " in before:
                    continue  # a form's own input box, filled by the user; the note tag
                offenders.append(f"{path}:{number}: {match.group(0)}")
    assert offenders == []


# --- what each role reads on each page ----------------------------------------------------------

# role: (name, date of birth, UPN, postcode, note) on the request page
REQUEST_PAGE = {
    "officer": (True, True, True, False, True),
    "manager": (True, True, True, False, True),
    "head": (True, True, True, False, True),
    "ep": (True, True, False, False, False),
    "analyst": (False, False, False, False, False),
    "support": (False, False, False, False, False),
}


@pytest.mark.parametrize(("who", "expected"), sorted(REQUEST_PAGE.items()))
def test_the_request_page_shows_each_role_its_fields(world: World, who: str,
                                                     expected: tuple[bool, ...]) -> None:
    html = world.client(who).get(
        reverse("casework:request", args=[world.case.public_id])).content.decode()
    shown = tuple(value in html for value in (NAME, BORN, UPN, POSTCODE, NOTE))
    assert shown == expected
    assert "EHC-1" in html


CHILD_PAGE = {
    # name, date of birth, UPN, postcode, plans
    "officer": (True, True, True, True, True),
    "head": (True, True, True, True, True),
    "analyst": (False, False, False, False, False),
    "support": (False, False, False, False, False),
}


@pytest.mark.parametrize(("who", "expected"), sorted(CHILD_PAGE.items()))
def test_the_childs_page_shows_each_role_its_fields(world: World, who: str,
                                                    expected: tuple[bool, ...]) -> None:
    response = world.client(who).get(reverse("casework:child", args=[world.child.public_id]))
    html = response.content.decode()
    shown = tuple(v in html for v in (NAME, BORN, UPN, POSTCODE, "Plan issued 1 March 2021"))
    assert shown == expected


@pytest.mark.parametrize(("who", "name_shown"), [
    ("officer", True), ("manager", True), ("head", True), ("ep", True),
    ("analyst", False), ("support", False)])
def test_my_work_lists_names_only_to_those_who_may_read_them(world: World, who: str,
                                                             name_shown: bool) -> None:
    html = world.client(who).get(reverse("casework:my_work"), {"scope": "team"}).content.decode()
    assert "EHC-1" in html
    assert (NAME in html) is name_shown
    assert UPN not in html


def test_the_drilldown_lists_names_only_to_those_who_may_read_them(world: World) -> None:
    query = {"measure": "open", "as_of": timezone.localdate().isoformat()}
    head = world.client("head").get(reverse("insight:cases"), query).content.decode()
    analyst = world.client("analyst").get(reverse("insight:cases"), query).content.decode()
    assert "EHC-1" in head and NAME in head
    assert "EHC-1" in analyst and NAME not in analyst


# --- search ------------------------------------------------------------------------------------

def search(world: World, who: str, query: str) -> str:
    return world.client(who).post(reverse("casework:search"), {"q": query}).content.decode()


def test_search_is_posted_so_nothing_personal_reaches_a_url(world: World) -> None:
    page = world.client("officer").get(reverse("casework:search"), {"q": "Example"})
    assert page.status_code == 200
    assert "EHC-1" not in page.content.decode()  # a GET never searches
    assert 'method="post"' in page.content.decode()
    assert "EHC-1" in search(world, "officer", "Example")
    assert "EHC-1" in search(world, "officer", UPN)


@pytest.mark.parametrize(("who", "by_name", "by_upn"), [
    ("officer", True, True), ("head", True, True), ("ep", True, False),
    ("analyst", False, False), ("support", False, False)])
def test_search_finds_by_a_detail_only_who_may_read_it(world: World, who: str, by_name: bool,
                                                       by_upn: bool) -> None:
    assert ("EHC-1" in search(world, who, "Example")) is by_name
    assert ("EHC-1" in search(world, who, UPN)) is by_upn
    assert "EHC-1" in search(world, who, "EHC-1")  # the case reference always


def test_a_search_is_logged(world: World) -> None:
    search(world, "officer", "Example")
    pages = list(RecordAccess.objects.filter(user=world.users["officer"], page="search")
                 .values_list("request_id", flat=True))
    assert sorted(pages, key=lambda v: v or 0) == [None, world.case.pk]


# --- the register form's duplicate check -------------------------------------------------------

def register_post(**extra: str) -> dict[str, str]:
    received = timezone.localdate() - timedelta(days=1)
    return {"forename": "Ada", "surname": "Example", "date_of_birth_0": "1",
            "date_of_birth_1": "5", "date_of_birth_2": "2016", "upn": "", "postcode": "",
            "received_date_0": str(received.day), "received_date_1": str(received.month),
            "received_date_2": str(received.year), "source": "parent", **extra}


@pytest.mark.parametrize("who", ["south_officer", "south_manager"])
def test_another_teams_child_is_not_named_on_the_register_form(world: World, who: str) -> None:
    client = world.client(who)
    for post in (register_post(), register_post(forename="Zed", surname="Other", upn=UPN)):
        response = client.post(reverse("casework:request_new"), post)
        html = response.content.decode()
        assert response.status_code == 200
        assert "may already be recorded by another team" in html
        assert str(world.child.public_id) not in html
        assert BORN not in html and UPN not in html.replace(f'value="{UPN}"', "")
    refused = RecordAccess.objects.filter(user=world.users[who], page="register:match",
                                          kind="refused", child=world.child)
    assert refused.count() == 2


def test_another_teams_child_cannot_be_chosen_by_a_forged_post(world: World) -> None:
    client = world.client("south_officer")
    before = AssessmentRequest.objects.count()
    response = client.post(reverse("casework:request_new"),
                           register_post(existing_child=str(world.child.public_id)))
    assert response.status_code == 200
    assert AssessmentRequest.objects.count() == before
    # Even confirming "a different child" never attaches the request to the other team's child.
    client.post(reverse("casework:request_new"),
                register_post(existing_child=str(world.child.public_id), confirm_new_child="on"))
    assert world.child.requests.count() == 1
    assert AssessmentRequest.objects.count() == before + 1


def test_a_child_in_scope_is_offered_to_choose(world: World) -> None:
    html = world.client("officer").post(reverse("casework:request_new"),
                                        register_post()).content.decode()
    assert str(world.child.public_id) in html and f"{NAME}, born {BORN}" in html


def test_business_support_is_told_a_match_exists_but_not_who(world: World) -> None:
    html = world.client("support").post(reverse("casework:request_new"),
                                        register_post()).content.decode()
    assert str(world.child.public_id) in html  # may attach: their scope is the authority
    assert "A child already on record" in html
    assert "Example, born" not in html and UPN not in html


def test_the_child_page_does_not_show_another_teams_plan(world: World) -> None:
    """A request of the South team on the same child opens the child page to South, but not
    the plan North maintains."""
    services.request_register(child=world.child, case_ref="EHC-2",
                              received_date=timezone.localdate() - timedelta(days=3),
                              officer=world.users["south_officer"].staff,  # type: ignore[attr-defined]
                              by=services.Actor(name="test"))
    html = world.client("south_officer").get(
        reverse("casework:child", args=[world.child.public_id])).content.decode()
    assert "EHC-2" in html and "EHC-1" not in html
    assert "Plan issued 1 March 2021" not in html
    assert "No EHC plan" in html


# --- the access log's gaps ---------------------------------------------------------------------

def test_my_work_and_refused_child_pages_are_logged(world: World) -> None:
    world.client("analyst").get(reverse("casework:my_work"))
    assert RecordAccess.objects.filter(user=world.users["analyst"], page="my_work").count() == 1
    response = world.client("south_officer").get(
        reverse("casework:child", args=[world.child.public_id]))
    assert response.status_code == 404
    assert RecordAccess.objects.filter(user=world.users["south_officer"], page="child",
                                       kind="refused", child=world.child).count() == 1


# --- caching -----------------------------------------------------------------------------------

def test_pages_with_personal_data_are_not_stored(world: World) -> None:
    client = world.client("officer")
    for url in (reverse("casework:request", args=[world.case.public_id]),
                reverse("casework:my_work"), reverse("casework:search"), reverse("home")):
        control = client.get(url)["Cache-Control"]
        assert "no-store" in control and "private" in control


# --- double submits ----------------------------------------------------------------------------

def test_a_double_submitted_advice_request_asks_once(world: World) -> None:
    client = world.client("officer")
    url = reverse("casework:step", args=[world.case.public_id, "request-advice"])
    today = timezone.localdate()
    post = {"version": str(world.case.version), "adviser_types": ["health"], "organisation": "",
            "on_0": str(today.day), "on_1": str(today.month), "on_2": str(today.year)}
    first, second = client.post(url, post), client.post(url, post)
    assert first.status_code == second.status_code == 302
    assert AdviceRequest.objects.filter(request=world.case, adviser_type="health").count() == 1


def test_a_double_submitted_registration_records_once(world: World) -> None:
    client = world.client("south_officer")
    post = register_post(forename="Bea", surname="Sample")
    first, second = client.post(reverse("casework:request_new"), post), client.post(
        reverse("casework:request_new"), {**post, "confirm_new_child": "on"})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Child.objects.filter(surname="Sample").count() == 1
