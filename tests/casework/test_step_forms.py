"""The step forms save effort and catch slips: several advisers at once, today's date to
start from, no need chosen for the officer, a setting checked against the child's age."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ehcflow.casework import services
from ehcflow.casework.models import AdviceRequest, AssessmentRequest, Institution
from ehcflow.people.models import Role, StaffMember, Team, User

pytestmark = pytest.mark.django_db
ACTOR = services.Actor(name="test")


@pytest.fixture
def officer(db: None) -> StaffMember:
    user = User.objects.create_user(username="officer", password="correct horse battery")
    return StaffMember.objects.create(user=user, staff_ref="O", name="Officer",
                                      role=Role.CASE_OFFICER,
                                      team=Team.objects.create(name="North"),
                                      start_date=date(2020, 1, 1))


def client_of(staff: StaffMember) -> Client:
    client = Client()
    client.force_login(staff.user)  # type: ignore[arg-type]
    return client


def case_for(officer: StaffMember, *, born: date, received: date) -> AssessmentRequest:
    child = services.child_create(person_ref=f"P{born}", date_of_birth=born, by=ACTOR)
    case = services.request_register(child=child, case_ref=f"EHC-{born}", by=ACTOR,
                                     received_date=received, officer=officer)
    return services.request_record_decision(request=case, decision="assess",
                                            on=received + timedelta(days=20), by=ACTOR)


def today_parts() -> dict[str, str]:
    today = timezone.localdate()
    return {"on_0": str(today.day), "on_1": str(today.month), "on_2": str(today.year)}


def test_four_kinds_of_advice_are_asked_in_one_go(officer: StaffMember) -> None:
    ep_user = User.objects.create_user(username="ep", password="correct horse battery")
    ep = StaffMember.objects.create(user=ep_user, staff_ref="EP", name="Eva Psych",
                                    role=Role.EDUCATIONAL_PSYCHOLOGIST,
                                    start_date=date(2020, 1, 1))
    case = case_for(officer, born=date(2016, 1, 1),
                    received=timezone.localdate() - timedelta(days=40))
    url = reverse("casework:step", args=[case.public_id, "request-advice"])
    response = client_of(officer).post(url, {
        "version": case.version, "adviser": ep.pk, "organisation": "",
        "adviser_types": ["educational_psychology", "health", "social_care", "education"],
        **today_parts()})
    assert response.status_code == 302
    asked = AdviceRequest.objects.filter(request=case).order_by("id")
    assert [(a.adviser_type, a.adviser_id) for a in asked] == [
        ("educational_psychology", ep.pk), ("health", None), ("social_care", None),
        ("education", None)]
    assert case.events.filter(action="advice_requested").count() == 4


def test_an_adviser_of_another_kind_is_refused_beside_the_field(officer: StaffMember) -> None:
    ep = StaffMember.objects.create(staff_ref="EP2", name="Eva Psych", start_date=date(2020, 1, 1),
                                    role=Role.EDUCATIONAL_PSYCHOLOGIST)
    case = case_for(officer, born=date(2016, 1, 1),
                    received=timezone.localdate() - timedelta(days=40))
    url = reverse("casework:step", args=[case.public_id, "request-advice"])
    html = client_of(officer).post(url, {"version": case.version, "adviser": ep.pk,
                                         "adviser_types": ["health"], **today_parts()}
                                   ).content.decode()
    assert "Eva Psych gives educational psychology advice" in html
    assert not AdviceRequest.objects.filter(request=case).exists()


def test_the_date_starts_as_today_and_no_need_is_chosen(officer: StaffMember) -> None:
    case = case_for(officer, born=date(2016, 1, 1),
                    received=timezone.localdate() - timedelta(days=40))
    html = client_of(officer).get(reverse("casework:step", args=[
        case.public_id, "request-advice"])).content.decode()
    today = timezone.localdate()
    assert f'name="on_2" type="text" inputmode="numeric" value="{today.year}"' in html
    # The final plan's need has no answer chosen for the officer.
    final = services.request_record_outcome(request=case, outcome="plan",
                                            on=timezone.localdate() - timedelta(days=5), by=ACTOR)
    final = services.request_issue_draft(request=final, on=timezone.localdate() - timedelta(
        days=4), by=ACTOR)
    html = client_of(officer).get(reverse("casework:step", args=[
        final.public_id, "final"])).content.decode()
    need = html.split('name="primary_need"')[1].split("</select>")[0]
    assert re.findall(r"<option[^>]*selected[^>]*>([^<]*)<", need) == []
    assert "Choose the primary need" in need


def test_a_preschool_for_a_ten_year_old_must_be_confirmed(officer: StaffMember) -> None:
    nursery = Institution.objects.create(urn="200001", name="Little Acorns Nursery",
                                         kind="early_years")
    received = timezone.localdate() - timedelta(days=120)
    case = case_for(officer, born=timezone.localdate() - timedelta(days=int(10.5 * 365)),
                    received=received)
    case = services.request_record_outcome(request=case, outcome="plan",
                                           on=received + timedelta(days=80), by=ACTOR)
    case = services.request_issue_draft(request=case, on=received + timedelta(days=90),
                                        by=ACTOR)
    url = reverse("casework:step", args=[case.public_id, "final"])
    post = {"version": case.version, "setting": nursery.pk, "primary_need": "MLD",
            "secondary_need": "", **today_parts()}
    html = client_of(officer).post(url, post).content.decode()
    assert "Little Acorns Nursery is an early years setting, and the child is 10" in html
    case.refresh_from_db()
    assert case.final_date is None
    response = client_of(officer).post(url, {**post, "confirm_setting": "on"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.final_date == timezone.localdate()


def test_the_coronavirus_exception_is_offered_only_where_it_could_apply(
        officer: StaffMember) -> None:
    recent = case_for(officer, born=date(2016, 1, 1),
                      received=timezone.localdate() - timedelta(days=40))
    html = client_of(officer).get(reverse("casework:step", args=[
        recent.public_id, "exception"])).content.decode()
    assert "Coronavirus" not in html
    old = case_for(officer, born=date(2012, 1, 1), received=date(2020, 6, 1))
    html = client_of(officer).get(reverse("casework:step", args=[
        old.public_id, "exception"])).content.decode()
    assert "Coronavirus (1 May to 25 September 2020)" in html
