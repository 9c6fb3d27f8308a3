"""The case officer invites a family: an e-mail with a link, or a letter with a code."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ehcflow.casework.models import CaseEvent
from ehcflow.families.models import ChildLink, FamilyMember, Invitation, Relationship
from ehcflow.notify.models import Message
from tests.families.builders import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def invite(world: World, who: str = "officer", case: str = "ada", **data: str) -> str:
    response = world.client(who).post(
        reverse("families:invite", args=[world.cases[case].public_id]), data, follow=True)
    return response.content.decode()


def test_the_request_page_offers_the_invitation_to_those_who_may(world: World) -> None:
    url = reverse("casework:request", args=[world.cases["ada"].public_id])
    page = world.client("officer").get(url).content.decode()
    assert "Invite the family to follow the request online" in page
    assert "See what the family sees, and act for them" in page
    page = world.client("head").get(url).content.decode()
    assert "Invite the family" in page
    analyst = world.client("analyst").get(url).content.decode()
    assert "Invite the family" not in analyst


def test_an_email_invitation_sets_up_the_account_and_signs_in(world: World) -> None:
    page = invite(world, relationship="carer", name="Jo Carer", email="jo@example.com")
    assert "Invitation sent by email" in page
    message = Message.objects.get(template="family_invitation")
    assert message.recipient == "jo@example.com"
    assert message.personalisation["child_first_name"] == "Ada"
    link = str(message.personalisation["link"])
    assert link.startswith("http://") and "/family/join/" in link
    event = CaseEvent.objects.get(action="family_invited")
    assert event.description == "Carer invited to follow the request online (by email)"
    assert "jo@example.com" not in str(event.changes) and "Jo Carer" not in event.description
    code = link.rstrip("/").rsplit("/", 1)[1]
    assert Invitation.objects.get().code_hash != code  # kept hashed

    client = Client()
    form = client.get(link.split("8000", 1)[-1]).content.decode()
    assert code in form  # the code is filled in
    response = client.post(reverse("families:join"), {"code": code, "contact": ""},
                           follow=True)
    assert "Your account is set up. We have sent you a code to sign in." in (
        response.content.decode())
    member = FamilyMember.objects.get(user__email="jo@example.com")
    assert member.user.get_full_name() == "Jo Carer" and not member.user.has_usable_password()
    assert ChildLink.objects.get(member=member).relationship == Relationship.CARER
    sign_in = Message.objects.get(template="sign_in_code_email")
    client.post(reverse("families:sign_in_code"), {"code": sign_in.personalisation["code"]})
    page = client.get(reverse("families:home")).content.decode()
    assert "Ada: request received" in page
    assert CaseEvent.objects.filter(action="family_joined").count() == 1


def test_a_family_without_email_gets_a_letter_with_a_code(world: World) -> None:
    page = invite(world, relationship="parent", name="Sam Parent", email="",
                  address="Sam Parent\n1 High Street\nDunmore\nDN1 1AA")
    assert "Invitation sent by letter" in page
    letter = Message.objects.get(template="invitation_letter_code")
    assert letter.recipient.splitlines()[-1] == "DN1 1AA"
    code = str(letter.personalisation["code"])
    assert len(code) == 14 and code.count("-") == 2
    client = Client()
    response = client.post(reverse("families:join"), {
        "code": code.lower().replace("-", " "), "contact": "07700 900456"}, follow=True)
    assert "We have sent you a code" in response.content.decode()
    member = FamilyMember.objects.get(mobile="+447700900456")
    sms = Message.objects.get(template="sign_in_code_sms")
    assert sms.recipient == "+447700900456"
    client.post(reverse("families:sign_in_code"), {"code": sms.personalisation["code"]})
    assert client.session["_auth_user_id"] == str(member.user.pk)


def test_a_wrong_used_or_expired_invitation_code_is_refused(world: World) -> None:
    invite(world, relationship="parent", name="Sam Parent",
           address="Sam Parent\n1 High Street\nDN1 1AA")
    code = str(Message.objects.get(template="invitation_letter_code").personalisation["code"])
    message = "The code is not right, has been used or has expired."
    for wrong in ("ABCD-EFGH-JKLM", "short"):
        page = Client().post(reverse("families:join"), {"code": wrong,
                                                        "contact": "a@example.com"}
                             ).content.decode()
        assert message in page
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    page = Client().post(reverse("families:join"), {"code": code, "contact": "a@example.com"}
                         ).content.decode()
    assert message in page
    assert not FamilyMember.objects.filter(user__email="a@example.com").exists()


def test_an_invitation_needs_an_email_or_an_address(world: World) -> None:
    page = invite(world, relationship="parent", name="Sam Parent")
    assert "Enter an email address, or a postal address for a letter." in page
    page = invite(world, relationship="parent", name="Sam Parent", email="not-an-email")
    assert "Enter an email address in the correct format" in page
    assert not Invitation.objects.exists() and not Message.objects.exists()


def test_only_a_young_person_of_16_or_over_is_invited_in_their_own_right(world: World) -> None:
    page = invite(world, relationship="young_person", name="Ada Example", email="a@example.com")
    assert "Only a young person aged 16 or over can have their own account." in page
    page = invite(world, case="cal", relationship="young_person", name="Cal Example",
                  email="cal@example.com")
    assert "Invitation sent by email" in page


def test_staff_outside_the_case_cannot_invite(world: World) -> None:
    for who in ("south_officer", "analyst", "ep", "admin"):
        response = world.client(who).post(
            reverse("families:invite", args=[world.cases["ada"].public_id]),
            {"relationship": "parent", "name": "X", "email": "x@example.com"})
        assert response.status_code == 404, who
    assert not Invitation.objects.exists()


def test_demo_family_accounts_are_listed_with_their_roles(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`ehcflow demo-users --json` lists the parent, carer and young person, each reaching a
    demo case (the small demo authority of tests/demo)."""
    import json

    from ehcflow.demo import loader
    from ehcflow.families.access import family_requests
    from ehcflow.people.models import User
    from tests.demo.conftest import SMALL, SMALL_SEED, TODAY

    monkeypatch.setenv("EHCFLOW_DEMO", "1")
    loader.load(seed=SMALL_SEED, today=TODAY, scale=SMALL)
    out = StringIO()
    call_command("demo_users", "--json", stdout=out)
    accounts = {a["role"]: a for a in json.loads(out.getvalue())}
    for role in ("parent", "carer", "young_person"):
        user = User.objects.get(username=accounts[role]["username"])
        assert family_requests(user).exists(), role
        client = Client()
        response = client.post(reverse("families:demo_sign_in"), {
            "username": user.username, "password": accounts[role]["password"]})
        assert response.status_code == 302, role
        assert client.get(reverse("families:home")).status_code == 200
    # The family asked to comment on a draft has the draft plan to open: its document, out
    # for consultation, and the PDF of it shared with them.
    from ehcflow.casework import choices as c
    from ehcflow.files.models import FileKind, StoredFile
    from ehcflow.plans.models import PlanVersion

    parent = User.objects.get(username=accounts["parent"]["username"])
    for case in [r for r in family_requests(parent) if r.stage == c.Stage.DRAFT_ISSUED]:
        version = PlanVersion.objects.get(document__request=case)
        assert (version.status, version.consultation_started_on) == ("consultation",
                                                                      case.draft_date)
        assert StoredFile.objects.filter(request=case, kind=FileKind.DRAFT_PLAN,
                                         shared_with_family=True).count() == 1


def test_a_demo_family_with_a_draft_out_gets_the_draft_plan_to_open(
        world: World, scanner: str) -> None:
    """The demo's draft plan (families.demo): a real plan document, out for consultation,
    sent to the family as a scanned PDF they can open from their page."""
    from ehcflow.families import demo
    from ehcflow.files.models import FileKind, ScanStatus, StoredFile
    from ehcflow.plans import content as pc
    from ehcflow.plans.models import PlanVersion
    from tests.families.builders import to_draft

    case = to_draft(world.cases["ada"], draft_days_ago=3)
    demo.draft_plan(case)
    demo.draft_plan(case)  # running the demo again adds nothing
    version = PlanVersion.objects.get(document__request=case)
    assert version.status == "consultation" and version.consultation_started_on == case.draft_date
    content = pc.from_dict(version.body)
    assert pc.empty_mandatory_sections(content) == []
    assert content.placement is None or not content.placement.name  # a draft names no school
    stored = StoredFile.objects.get(request=case, kind=FileKind.DRAFT_PLAN)
    assert stored.shared_with_family and stored.scan_status == ScanStatus.CLEAN
    page = world.client("parent").get(reverse("families:case", args=[case.public_id]))
    assert "Draft EHC plan" in page.content.decode()
    assert world.client("parent").get(
        reverse("files:download", args=[stored.public_id])).status_code == 200
