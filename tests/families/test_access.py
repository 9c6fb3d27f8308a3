"""Role × page × case for families (the matrix of tests/casework/test_privacy.py, extended).

A family sees only its own children's requests; from 16 the young person holds the rights and
a parent sees their case only with the young person's consent (Code of Practice 8.13); staff
pages refuse every family user; guessed addresses answer 404.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from ehcflow.casework.models import CaseEvent, RecordAccess
from ehcflow.families import services
from ehcflow.families.access import family_requests
from ehcflow.families.models import Consent
from tests.families.builders import World, build_world

pytestmark = pytest.mark.django_db

FAMILY_PAGES = ("case", "views", "document", "draft_response", "meeting")
FAMILY_USERS = ("parent", "other_parent", "young_person", "cal_parent")
# who: the requests whose family pages they reach (by case); every other one is 404
REACHES = {
    "parent": {"ada"},
    "other_parent": {"ben"},
    "young_person": {"cal"},
    "cal_parent": set(),  # Cal is 17 and has not agreed
    # staff: the assisted route, on requests within their scope, for roles that may record
    # correspondence (case officer, manager, head of service, business support)
    "officer": {"ada", "cal"},
    "manager": {"ada", "cal"},
    "south_officer": {"ben"},
    "head": {"ada", "ben", "cal"},
    "support": {"ada", "ben", "cal"},
    "analyst": set(),
    "ep": set(),
    "admin": set(),
}


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.mark.parametrize("who", sorted(REACHES))
def test_who_reaches_which_familys_pages(world: World, who: str) -> None:
    client = world.client(who)
    for case_name, case in world.cases.items():
        for page in FAMILY_PAGES:
            response = client.get(reverse(f"families:{page}", args=[case.public_id]))
            expected = 200 if case_name in REACHES[who] else 404
            assert response.status_code == expected, (who, case_name, page)
            if expected == 404:
                assert case.case_ref not in response.content.decode()


@pytest.mark.parametrize("who", FAMILY_USERS)
def test_staff_pages_refuse_every_family_user(world: World, who: str) -> None:
    client = world.client(who)
    case = world.cases["ada"]
    for name, args in (("casework:my_work", []), ("casework:search", []),
                       ("casework:request_new", []), ("insight:overview", []),
                       ("planning:list", []), ("people:accounts", []),
                       ("casework:request", [case.public_id]),
                       ("casework:child", [case.child.public_id]),
                       ("casework:access_log", [case.public_id]),
                       ("casework:step", [case.public_id, "decision"]),
                       ("families:invite", [case.public_id])):
        response = client.get(reverse(name, args=args))
        assert response.status_code in {403, 404}, (who, name, response.status_code)
        assert "EHC-ADA" not in response.content.decode()


def test_a_guessed_address_is_404_and_the_attempt_logged(world: World) -> None:
    client = world.client("other_parent")
    response = client.get(reverse("families:case", args=[world.cases["ada"].public_id]))
    assert response.status_code == 404
    refused = RecordAccess.objects.get(kind="refused")
    assert refused.user == world.families["other_parent"].user
    assert refused.request == world.cases["ada"] and refused.page == "family:request"
    response = client.get(reverse("families:case",
                                  args=["00000000-0000-0000-0000-000000000000"]))
    assert response.status_code == 404


def test_the_young_person_lets_their_parent_follow_and_can_stop_it(world: World) -> None:
    cal, parent = world.families["young_person"], world.families["cal_parent"]
    case_url = reverse("families:case", args=[world.cases["cal"].public_id])
    parent_client = world.client("cal_parent")
    assert parent_client.get(case_url).status_code == 404
    young = world.client("young_person")
    page = young.get(reverse("families:sharing")).content.decode()
    assert "Pat Family" in page and "Let them see it" in page
    young.post(reverse("families:sharing"), {"member": str(parent.public_id), "allow": "yes"})
    consent = Consent.objects.get()
    assert consent.member == parent and consent.withdrawn_at is None
    assert CaseEvent.objects.filter(action="family_consent_given").count() == 1
    assert parent_client.get(case_url).status_code == 200
    young.post(reverse("families:sharing"), {"member": str(parent.public_id), "allow": "no"})
    assert parent_client.get(case_url).status_code == 404
    assert CaseEvent.objects.filter(action="family_consent_withdrawn").count() == 1
    assert list(family_requests(cal.user)) == [world.cases["cal"]]


def test_a_parent_cannot_give_consent_for_the_young_person(world: World) -> None:
    parent, cal = world.families["cal_parent"], world.families["young_person"]
    with pytest.raises(services.FamilyError, match="Only the young person"):
        services.consent_give(young_person=parent, child=world.cases["cal"].child, to=parent)
    assert world.client("cal_parent").get(reverse("families:sharing")).status_code == 404
    assert not Consent.objects.exists()
    assert cal is not None


def test_at_16_the_rights_move_to_the_young_person(world: World) -> None:
    """Ada's parent sees her case until her 16th birthday; from that day, only with consent."""
    from ehcflow.families.access import children_ids
    from ehcflow.statutory.dates import add_years

    parent = world.families["parent"].user
    child = world.cases["ada"].child
    sixteenth = add_years(child.date_of_birth, 16)
    day_before = sixteenth.fromordinal(sixteenth.toordinal() - 1)
    assert children_ids(parent, today=day_before) == [child.pk]
    assert children_ids(parent, today=sixteenth) == []


def test_the_access_log_names_the_family_pages_in_words() -> None:
    from ehcflow.casework.selectors import access_page_label

    assert access_page_label("family:request") == "Family's page of the request"
    assert access_page_label("file:download") == "Document opened"
