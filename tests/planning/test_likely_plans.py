"""Every open request's likely final plan: worked out in the background, kept, and shown on
the request page and in My work (issue 10, item 4)."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ehcflow.casework import services
from ehcflow.casework.models import AssessmentRequest, Child
from ehcflow.people.models import Role, StaffMember, Team, User
from ehcflow.planning import forecasts
from ehcflow.planning.models import LikelyFinalPlan
from tests.planning.test_forecast import AS_OF, register_only

pytestmark = pytest.mark.django_db


def test_refresh_keeps_one_set_for_the_open_requests(system_actor: services.Actor) -> None:
    register_only(system_actor)
    done = forecasts.refresh(today=AS_OF, replications=30)
    kept = LikelyFinalPlan.objects.select_related("request").order_by("request__case_ref")
    assert done.requests == kept.count() == 7
    assert sorted(k.request.case_ref for k in kept) == sorted(f"F{i}" for i in range(9, 16))
    for k in kept:
        assert k.as_of == AS_OF and 0 <= k.p_plan <= 1
        if k.final_p10 and k.final_p90:
            assert AS_OF <= k.final_p10 <= k.final_p50 <= k.final_p90  # type: ignore[operator]
    # A second run replaces the set rather than adding to it.
    forecasts.refresh(today=AS_OF + timedelta(days=1), replications=30)
    assert LikelyFinalPlan.objects.count() == 7
    assert set(LikelyFinalPlan.objects.values_list("as_of", flat=True)) == {
        AS_OF + timedelta(days=1)}


def test_the_command_says_what_it_did(system_actor: services.Actor) -> None:
    register_only(system_actor)
    out = StringIO()
    call_command("likely_plans", "--today", AS_OF.isoformat(), stdout=out)
    assert out.getvalue().strip() == (
        "Likely final-plan dates worked out for 7 open requests on 31 July 2023.")


@pytest.mark.parametrize(("first", "last", "text"), [
    (date(2027, 3, 3), date(2027, 3, 17), "3 to 17 March 2027"),
    (date(2027, 2, 28), date(2027, 3, 17), "28 February to 17 March 2027"),
    (date(2026, 12, 20), date(2027, 1, 9), "20 December 2026 to 9 January 2027"),
    (date(2027, 3, 3), date(2027, 3, 3), "3 March 2027"),
])
def test_a_span_of_dates_reads_naturally(first: date, last: date, text: str) -> None:
    assert forecasts.span(first, last) == text


@pytest.fixture
def officer_and_case(db: None) -> tuple[Client, AssessmentRequest]:
    user = User.objects.create_user(username="officer", password="correct horse battery")
    staff = StaffMember.objects.create(user=user, staff_ref="O", name="Officer",
                                       role=Role.CASE_OFFICER,
                                       team=Team.objects.create(name="North"),
                                       start_date=date(2020, 1, 1))
    child = Child.objects.create(person_ref="P1", date_of_birth=date(2015, 1, 1))
    case = services.request_register(child=child, case_ref="EHC-1", officer=staff,
                                     received_date=timezone.localdate() - timedelta(days=30),
                                     by=services.Actor(name="test"))
    client = Client()
    client.force_login(user)
    return client, case


def keep(case: AssessmentRequest, *, made: date, p10: date, p50: date, p90: date) -> None:
    LikelyFinalPlan.objects.create(request=case, as_of=made, p_plan=0.83, final_p10=p10,
                                   final_p50=p50, final_p90=p90)


def test_the_request_page_and_my_work_show_the_likely_dates(
        officer_and_case: tuple[Client, AssessmentRequest]) -> None:
    client, case = officer_and_case
    today = timezone.localdate()
    p10, p50, p90 = (today + timedelta(days=d) for d in (60, 70, 80))
    keep(case, made=today, p10=p10, p50=p50, p90=p90)
    page = " ".join(client.get(reverse("casework:request", args=[case.public_id]))
                    .content.decode().split())
    assert f"Likely final plan: {forecasts.span(p10, p90)}" in page
    assert f"most likely around {p50:%-d %B %Y}" in page
    assert "The chance this request ends in a plan is 83%." in page
    work = " ".join(client.get(reverse("casework:my_work")).content.decode().split())
    assert forecasts.span(p10, p90) in work


def test_a_stale_forecast_is_not_shown(officer_and_case: tuple[Client, AssessmentRequest]
                                       ) -> None:
    client, case = officer_and_case
    made = timezone.localdate() - timedelta(days=forecasts.SHOWN_FOR_DAYS + 1)
    keep(case, made=made, p10=made + timedelta(days=60), p50=made + timedelta(days=70),
         p90=made + timedelta(days=80))
    page = client.get(reverse("casework:request", args=[case.public_id])).content.decode()
    assert "Likely final plan" not in page
    assert "Not yet worked out" in client.get(reverse("casework:my_work")).content.decode()
