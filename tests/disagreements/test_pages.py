"""The disagreement pages per role: what they show (words, dates, met and missed), who may
record, guessed ids, bad dates and double submits."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from ehcflow.casework.models import CaseEvent, RecordAccess
from ehcflow.casework.services import Actor
from ehcflow.disagreements import services
from ehcflow.disagreements.models import Disagreement, TribunalOrder
from ehcflow.people.models import User
from tests.disagreements.conftest import Case

pytestmark = pytest.mark.django_db
BY = Actor(name="test")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def history(case: Case) -> Disagreement:
    """A mediation with a late certificate, and an appeal: response in time, order complied late."""
    mediation = services.disagreement_open(
        child=case.child, kind="mediation", decision="refuse_assess",
        decision_notice_date=date(2025, 2, 3), started_on=date(2025, 2, 20), by=BY,
        request=case.refused)
    services.mediation_update(mediation=mediation, by=BY, certificate_on=date(2025, 2, 28),
                              mediation_on=None, outcome="declined")
    appeal = services.disagreement_open(
        child=case.child, kind="appeal", decision="refuse_assess", grounds="Needs not met",
        decision_notice_date=date(2025, 2, 3), started_on=date(2025, 3, 20), by=BY,
        request=case.refused, notice_sent_on=date(2025, 3, 31))
    services.appeal_update(appeal=appeal, by=BY, notice_sent_on=date(2025, 3, 31),
                           response_sent_on=date(2025, 5, 15), unopposed_on=None,
                           hearing_on=date(2025, 9, 15), outcome="upheld",
                           concluded_on=date(2025, 9, 22), cost=Decimal("4250"))
    order = services.order_record(appeal=appeal, kind="assessment_notice",
                                  made_on=date(2025, 9, 22), by=BY)
    services.order_comply(order=order, complied_on=date(2025, 10, 8), by=BY)
    services.order_record(appeal=appeal, kind="final_after_assessment",
                          made_on=date(2025, 9, 22), by=BY)
    return appeal


CHILD_PAGE = {"officer": 200, "manager": 200, "head": 200, "analyst": 200, "support": 200,
              "other_officer": 404, "ep": 403, "admin": 403}


@pytest.mark.parametrize(("who", "status"), sorted(CHILD_PAGE.items()))
def test_who_may_open_a_childs_disagreements(case: Case, history: Disagreement,
                                             users: dict[str, User], who: str,
                                             status: int) -> None:
    response = _client(users[who]).get(reverse("disagreements:child",
                                               args=[case.child.public_id]))
    assert response.status_code == status
    if status == 200:
        text = response.content.decode()
        assert "Mediation and appeals" in text
        assert RecordAccess.objects.filter(child=case.child, user=users[who], kind="view",
                                           page="disagreements").count() == 1
    else:
        assert b"Needs not met" not in response.content
    if status == 404:
        assert RecordAccess.objects.filter(child=case.child, user=users[who],
                                           kind="refused").count() == 1


def test_the_timeline_shows_dates_met_and_missed(case: Case, history: Disagreement,
                                                 users: dict[str, User]) -> None:
    text = _client(users["officer"]).get(
        reverse("disagreements:child", args=[case.child.public_id])).content.decode()
    assert "Ada Example" in text
    # Mediation asked for 20 February: certificate due 25 February, issued 28 February.
    assert "Mediation certificate issued (3 working days)" in text
    assert "25 February 2025" in text and "28 February 2025" in text
    # Response due 15 May 2025 (30 working days after 31 March) and sent that day: met.
    assert "Council&#x27;s response to the Tribunal (30 working days)" in text
    assert "15 May 2025" in text
    # The assessment notice was due 6 October and given 8 October: missed; the final plan is
    # due 29 December 2025 (14 weeks) and not issued: overdue today.
    assert "6 October 2025" in text and "8 October 2025" in text
    assert "29 December 2025" in text
    # In time: contacting the adviser, the appeal itself (by 3 April), the response.
    assert text.count(">Met<") == 3
    assert text.count(">Missed<") == 2  # the certificate, the assessment notice
    assert text.count(">Overdue<") == 1
    assert "Appeal allowed (22 September 2025)" in text
    assert "£4250.00" in text
    assert "Needs not met" in text
    assert "Record an appeal" in text


def test_an_analyst_sees_no_names_grounds_or_buttons(case: Case, history: Disagreement,
                                                     users: dict[str, User]) -> None:
    text = _client(users["analyst"]).get(
        reverse("disagreements:child", args=[case.child.public_id])).content.decode()
    assert "Ada" not in text
    assert "Needs not met" not in text  # free text: notes are for casework roles
    assert "Record an appeal" not in text
    assert "Record D0001" in text


def test_recording_mediation_through_the_form(case: Case, users: dict[str, User]) -> None:
    client = _client(users["officer"])
    url = reverse("disagreements:start", args=[case.child.public_id, "mediation"])
    form = client.get(url).content.decode()
    assert "Request EHC-D1" in form
    post = {"decision": "refuse_assess", "about": f"r:{case.refused.public_id}",
            "decision_notice_date_0": "3", "decision_notice_date_1": "2",
            "decision_notice_date_2": "2025", "started_on_0": "20", "started_on_1": "2",
            "started_on_2": "2025"}
    response = client.post(url, post)
    assert response.status_code == 302
    item = Disagreement.objects.get()
    assert item.request == case.refused and item.started_on == date(2025, 2, 20)
    # A second press: told it was already recorded, nothing added.
    response = client.post(url, post, follow=True)
    assert "That was already recorded." in response.content.decode()
    assert Disagreement.objects.count() == 1
    assert CaseEvent.objects.filter(action="mediation_started").count() == 1


def test_an_absurd_date_gets_an_error_and_changes_nothing(case: Case,
                                                          users: dict[str, User]) -> None:
    client = _client(users["officer"])
    url = reverse("disagreements:start", args=[case.child.public_id, "appeal"])
    response = client.post(url, {
        "decision": "refuse_assess", "decision_notice_date_0": "3",
        "decision_notice_date_1": "2", "decision_notice_date_2": "0025",
        "started_on_0": "31", "started_on_1": "2", "started_on_2": "2025"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "must be the same as or after 1 January 2000" in text
    assert "must be a real date" in text  # 31 February
    assert Disagreement.objects.count() == 0


def test_only_casework_roles_may_record(case: Case, history: Disagreement,
                                        users: dict[str, User]) -> None:
    for who in ("analyst", "support"):
        response = _client(users[who]).post(
            reverse("disagreements:appeal", args=[history.public_id]),
            {"outcome": "dismissed", "concluded_on_0": "1", "concluded_on_1": "10",
             "concluded_on_2": "2025"})
        assert response.status_code == 403
    history.refresh_from_db()
    assert history.appeal_outcome == "upheld"


def test_guessed_and_other_teams_ids_answer_404(case: Case, history: Disagreement,
                                                users: dict[str, User]) -> None:
    client = _client(users["officer"])
    for name in ("disagreements:child", "disagreements:mediation", "disagreements:appeal",
                 "disagreements:order_new", "disagreements:order_comply"):
        assert client.get(reverse(name, args=[uuid.uuid4()])).status_code == 404
    # A mediation's id on the appeal page is a guess too.
    mediation = Disagreement.objects.get(kind="mediation")
    assert client.get(reverse("disagreements:appeal",
                              args=[mediation.public_id])).status_code == 404
    other = _client(users["other_officer"])
    assert other.get(reverse("disagreements:appeal", args=[history.public_id])).status_code \
        == 404
    order = TribunalOrder.objects.first()
    assert order is not None
    assert other.get(reverse("disagreements:order_comply",
                             args=[order.public_id])).status_code == 404
    assert client.get(reverse("disagreements:start", args=[case.child.public_id,
                                                           "nonsense"])).status_code == 404


def test_recording_compliance_through_the_form(case: Case, history: Disagreement,
                                               users: dict[str, User]) -> None:
    order = TribunalOrder.objects.get(kind="final_after_assessment")
    client = _client(users["manager"])
    url = reverse("disagreements:order_comply", args=[order.public_id])
    post = {"complied_on_0": "15", "complied_on_1": "12", "complied_on_2": "2025"}
    assert client.post(url, post).status_code == 302
    assert client.post(url, post).status_code == 302  # double submit: no second event
    order.refresh_from_db()
    assert order.complied_on == date(2025, 12, 15)
    assert CaseEvent.objects.filter(action="tribunal_order_complied").count() == 2


def test_the_open_appeals_list(case: Case, history: Disagreement,
                               users: dict[str, User]) -> None:
    text = _client(users["manager"]).get(reverse("disagreements:open_appeals")).content.decode()
    # Ended, but the order to issue the final plan is still outstanding.
    assert "D0001" in text
    assert "Order: Issue the final plan after the ordered assessment" in text
    assert "29 Dec 2025" in text and ">Overdue<" in text
    text = _client(users["other_officer"]).get(
        reverse("disagreements:open_appeals")).content.decode()
    assert "D0001" not in text and "No open appeals." in text
    assert _client(users["ep"]).get(reverse("disagreements:open_appeals")).status_code == 403


def test_the_dashboard_counts(case: Case, history: Disagreement,
                              users: dict[str, User]) -> None:
    response = _client(users["head"]).get(reverse("disagreements:dashboard"), {"year": "2025"})
    text = response.content.decode()
    assert "Mediation and appeals in 2025" in text
    # 1 appeal over: 1 refusal to assess + 0 refusals to issue + 1 plan on 15 January 2026
    # + 0 ceased = 2 appealable decisions: 50%.
    assert '<p class="govuk-body-l" id="appeal-rate">50.0%</p>' in text
    assert "Plans in place on 15 January 2026" in text
    assert "1 of 1" in text  # found for the family; responses in time
    assert "£4,250.00" in text
    assert _client(users["officer"]).get(reverse("disagreements:dashboard")).status_code == 403
    bad = _client(users["head"]).get(reverse("disagreements:dashboard"), {"year": "1066"})
    assert "Choose a year from 2000 to" in bad.content.decode()


@pytest.mark.parametrize("who", ["officer", "head", "analyst", "support", "ep"])
def test_the_childs_page_links_to_mediation_and_appeals_only_for_those_who_may_open_them(
        case: Case, history: Disagreement, users: dict[str, User], who: str) -> None:
    from ehcflow.casework.models import AdviceRequest

    if who == "ep":  # an adviser sees the child once asked for advice on the request
        asked = case.planned.decision_date
        assert asked is not None
        AdviceRequest.objects.create(
            request=case.planned, adviser_type="educational_psychologist",
            adviser=users["ep"].staff,  # type: ignore[attr-defined]
            requested_on=asked, due_on=asked + timedelta(days=42))
    response = _client(users[who]).get(reverse("casework:child", args=[case.child.public_id]))
    assert response.status_code == 200
    link = reverse("disagreements:child", args=[case.child.public_id])
    assert (link in response.content.decode()) is (CHILD_PAGE[who] == 200)
