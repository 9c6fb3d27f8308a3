"""The request page's timeline and headline say what is due, what was done and by when."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ehcflow.casework import selectors, services
from ehcflow.casework.models import AssessmentRequest
from ehcflow.people.models import Role, StaffMember, Team, User

pytestmark = pytest.mark.django_db
ACTOR = services.Actor(name="test")


@pytest.fixture
def officer_client(db: None) -> Client:
    user = User.objects.create_user(username="officer", password="correct horse battery")
    StaffMember.objects.create(user=user, staff_ref="O", name="Officer", role=Role.CASE_OFFICER,
                               team=Team.objects.create(name="North"),
                               start_date=date(2020, 1, 1))
    client = Client()
    client.force_login(user)
    return client


def assessed(received: date, *, ref: str = "EHC-1") -> AssessmentRequest:
    child = services.child_create(person_ref=ref, date_of_birth=date(2015, 1, 1), by=ACTOR)
    case = services.request_register(child=child, case_ref=ref, received_date=received,
                                     officer=StaffMember.objects.get(staff_ref="O"), by=ACTOR)
    return services.request_record_decision(request=case, decision="assess",
                                            on=received + timedelta(days=30), by=ACTOR)


def rows(html: str) -> dict[str, list[str]]:
    """The timeline table as {step label: [due, done, status]}, in plain text."""
    table = html.split("Each statutory deadline and whether it was met")[1].split("</table>")[0]
    found = {}
    for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table, re.S):
        raw = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in raw]
        if cells and cells[0] != "Step":
            label = re.sub(r"<[^>]+>", "", raw[0].split("<br>")[0]).strip()
            found[label] = cells[1:]
    return found


def test_a_finished_request_says_when_its_plan_was_issued(officer_client: Client) -> None:
    received = date(2026, 3, 2)
    case = assessed(received)
    case = services.request_record_outcome(request=case, outcome="plan", on=date(2026, 5, 1),
                                           by=ACTOR)
    case = services.request_issue_draft(request=case, on=date(2026, 5, 4), by=ACTOR)
    services.request_issue_final(request=case, on=date(2026, 6, 1), by=ACTOR, needs=["MLD"])
    html = officer_client.get(reverse("casework:request", args=[case.public_id])).content.decode()
    assert ("Final plan issued 1 June 2026, 13 weeks after the request (within the 20 weeks)."
            in html)
    assert " of 20." not in html and "Final plan due" not in html
    timeline = rows(html)
    # The comment period's row does not claim the final plan's date as its own.
    assert timeline["15 days for comments on the draft"][1:] == ["Ended", "Respected"]
    # The decision to issue and the draft have rows of their own, with their dates.
    assert timeline["Decision whether to issue a plan"][1:] == ["1 May 2026", "Met"]
    assert timeline["Draft EHC plan"][1:] == ["4 May 2026", "Met"]
    assert timeline["Final EHC plan"][1:] == ["1 Jun 2026", "Met"]


def test_an_exception_moves_the_date_the_headline_gives(officer_client: Client) -> None:
    today = timezone.localdate()
    received = today - timedelta(days=150)
    case = assessed(received, ref="EHC-2")
    services.exception_apply(request=case, reason="personal_circumstances",
                             start=received + timedelta(days=100),
                             end=received + timedelta(days=130), by=ACTOR, note="")
    html = officer_client.get(reverse("casework:request", args=[case.public_id])).content.decode()
    due = received + timedelta(days=140)
    adjusted = due + timedelta(days=31)
    assert (f"21 weeks since the request. The final plan was due by {due:%-d %B %Y}. "
            f"With the exception to the time limit, {adjusted:%-d %B %Y}.") in html


def test_the_week_count_is_a_whole_week(officer_client: Client) -> None:
    received = timezone.localdate() - timedelta(days=31)
    child = services.child_create(person_ref="P3", date_of_birth=date(2015, 1, 1), by=ACTOR)
    case = services.request_register(child=child, case_ref="EHC-3", received_date=received,
                                     by=ACTOR)
    page = selectors.request_page(case, today=timezone.localdate())
    assert page.headline.startswith("Week 5 of 20. Final plan due ")


def test_while_assessing_the_16_week_decision_is_on_the_timeline(officer_client: Client) -> None:
    received = timezone.localdate() - timedelta(days=60)
    case = assessed(received, ref="EHC-4")
    html = officer_client.get(reverse("casework:request", args=[case.public_id])).content.decode()
    timeline = rows(html)
    assert "Decision whether to issue a plan" in timeline
    assert "Draft EHC plan" in timeline
    assert timeline["Draft EHC plan"][0].startswith(
        f"{received + timedelta(days=125):%-d %b %Y}")


def test_the_childs_page_names_the_setting_and_the_needs(officer_client: Client) -> None:
    from ehcflow.casework.models import Institution

    school = Institution.objects.create(urn="100001", name="Hillside Primary School",
                                        kind="primary")
    case = assessed(date(2026, 3, 2), ref="EHC-5")
    case = services.request_record_outcome(request=case, outcome="plan", on=date(2026, 5, 1),
                                           by=ACTOR)
    case = services.request_issue_draft(request=case, on=date(2026, 5, 4), by=ACTOR)
    services.request_issue_final(request=case, on=date(2026, 6, 1), by=ACTOR,
                                 needs=["MLD", "SLCN"],
                                 settings=[services.NamedSetting(institution=school)])
    html = officer_client.get(reverse("casework:child", args=[case.child.public_id])
                              ).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Named setting Hillside Primary School" in text
    assert "Primary need Moderate learning difficulty" in text
    assert "Secondary need Speech, language and communication needs" in text
