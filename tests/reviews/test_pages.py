"""The pages after a plan is issued, as each role sees them: words, dates, met or missed."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse

from ehcflow.casework.models import CaseEvent, RecordAccess
from ehcflow.statutory.dates import long_date
from tests.reviews.conftest import World

pytestmark = pytest.mark.django_db

PLAN_PAGE = {"officer": 200, "manager": 200, "head": 200, "other_officer": 404,
             "analyst": 404, "ep": 404, "support": 404, "admin": 404}


@pytest.mark.parametrize(("who", "status"), PLAN_PAGE.items())
def test_who_may_open_a_plans_reviews(world: World, who: str, status: int) -> None:
    response = world.client(who).get(reverse("reviews:plan", args=[world.plan.public_id]))
    assert response.status_code == status
    kind = RecordAccess.Kind.VIEW if status == 200 else RecordAccess.Kind.REFUSED
    assert RecordAccess.objects.filter(user=world.users[who], kind=kind,
                                       child=world.plan.child).exists()


def test_a_guessed_address_answers_404(world: World) -> None:
    response = world.client("head").get(reverse("reviews:plan", args=[uuid.uuid4()]))
    assert response.status_code == 404


def test_the_timeline_shows_dates_and_met_or_missed(world: World) -> None:
    html = world.client("officer").get(
        reverse("reviews:plan", args=[world.plan.public_id])).content.decode()
    t = world.today
    meeting = t - timedelta(days=3)
    assert "Ada Example" in html
    assert f"Review due {long_date(t + timedelta(days=5))}" in html
    # invitations were sent 20 days before... the meeting 3 days ago: 17 days' notice, met
    assert f"By {long_date(meeting - timedelta(days=14))}" in html
    assert "Invitations sent" in html and "Met" in html
    # advice was never circulated and its day has passed: missed
    assert "Advice and information circulated" in html and "Missed" in html
    assert f"{long_date(meeting + timedelta(days=28))}" in html  # the decision's last day
    assert "Within 4 weeks of the meeting" in html
    assert "Record the decision after the review" in html


def test_recording_the_decision_and_a_second_press(world: World) -> None:
    client = world.client("officer")
    url = reverse("reviews:step", args=[world.plan.public_id, "decision"])
    on = world.today - timedelta(days=1)
    form = {"outcome": "amend", "on_0": on.day, "on_1": on.month, "on_2": on.year,
            "proposed_amendments": ""}
    html = client.post(url, form).content.decode()
    assert "Enter the proposed amendments" in html
    assert not CaseEvent.objects.filter(plan=world.plan, action="review_decision").exists()
    form["proposed_amendments"] = "Section F: weekly speech and language therapy"
    response = client.post(url, form)
    assert response.status_code == 302
    event = CaseEvent.objects.get(plan=world.plan, action="review_decision")
    assert event.changes["met"] is True
    again = client.post(url, form, follow=True).content.decode()
    assert "That was already recorded." in again
    assert CaseEvent.objects.filter(plan=world.plan, action="review_decision").count() == 1
    page = client.get(reverse("reviews:plan", args=[world.plan.public_id])).content.decode()
    assert "weekly speech and language therapy" in page
    assert "Amended plan issued" in page
    # 8 weeks from the notice with the proposed amendments, 12 from the meeting at most
    assert world.review.meeting_date is not None
    assert long_date(min(on + timedelta(weeks=8),
                         world.review.meeting_date + timedelta(weeks=12))) in page


def test_a_date_in_the_future_is_refused_in_words(world: World) -> None:
    url = reverse("reviews:step", args=[world.plan.public_id, "report"])
    on = world.today + timedelta(days=3)
    html = world.client("officer").post(url, {"on_0": on.day, "on_1": on.month,
                                              "on_2": on.year}).content.decode()
    assert "must be today or in the past" in html
    assert not CaseEvent.objects.filter(plan=world.plan, action="review_report").exists()


def test_only_casework_roles_may_record(world: World) -> None:
    url = reverse("reviews:step", args=[world.plan.public_id, "report"])
    assert world.client("analyst").get(url).status_code == 404
    assert world.client("other_officer").get(url).status_code == 404
    assert world.client("officer").get(url).status_code == 200


def test_the_team_view_lists_for_casework_and_counts_for_analysts(world: World) -> None:
    html = world.client("officer").get(reverse("reviews:team")).content.decode()
    assert "Bo Overdue" in html and "Overdue" in html
    assert "Cy Elsewhere" not in html  # another team's plan
    soon = world.client("officer").get(reverse("reviews:team"), {"status": "soon"})
    assert "Eve Soon" in soon.content.decode()
    assert "Due within 7 days" in soon.content.decode()
    decisions = world.client("manager").get(reverse("reviews:team"),
                                            {"status": "decisions"}).content.decode()
    assert "Ada Example" in decisions
    analyst = world.client("analyst").get(reverse("reviews:team")).content.decode()
    assert "Reviews overdue" in analyst
    assert "Bo Overdue" not in analyst and "Record P2" not in analyst
    assert world.client("ep").get(reverse("reviews:team")).status_code == 403
    assert world.client("support").get(reverse("reviews:team")).status_code == 403


def test_phase_transfer_cohorts_name_the_children_at_risk(world: World) -> None:
    # Ada (born 1 October 2014) and Eve (5 February 2015) start secondary school in 2026
    url = reverse("reviews:phase_transfers")
    html = world.client("officer").get(url, {"year": "2026", "kind": "secondary"}
                                       ).content.decode()
    assert "Ada Example" in html
    assert "15 February 2026" in html
    analyst = world.client("analyst").get(url, {"year": "2026", "kind": "secondary"}
                                          ).content.decode()
    assert "Ada Example" not in analyst and "2 children" in analyst  # Ada and Eve


def test_taking_on_a_plan_from_another_council(world: World) -> None:
    client = world.client("officer")
    moved = world.today - timedelta(days=10)
    form = {"forename": "Di", "surname": "Newcomer", "date_of_birth_0": 3,
            "date_of_birth_1": 4, "date_of_birth_2": 2016, "transferred_from": "Dorset Council",
            "transferred_on_0": moved.day, "transferred_on_1": moved.month,
            "transferred_on_2": moved.year}
    response = client.post(reverse("reviews:transfer_in"), form, follow=True)
    html = response.content.decode()
    assert "Plan transferred in" in html
    assert "from Dorset Council" in html
    assert long_date(moved + timedelta(weeks=6)) in html
    again = client.post(reverse("reviews:transfer_in"), form, follow=True).content.decode()
    assert "That was already recorded." in again


def test_my_work_shows_reviews_with_the_assessment_badges(world: World) -> None:
    html = world.client("officer").get(reverse("casework:my_work")).content.decode()
    assert "Annual reviews" in html
    assert "1 overdue, 1 due in the next 8 weeks" in html
    assert "Bo Overdue" in html and "Overdue" in html
    assert "Eve Soon" in html and "Due within 7 days" in html
    assert "Annual reviews" not in world.client("analyst").get(
        reverse("casework:my_work")).content.decode()


def test_a_child_under_five_has_an_earlier_review_suggested(world: World) -> None:
    from ehcflow.casework import services as casework
    from ehcflow.casework.models import EHCPlan

    t = world.today
    tiny = casework.child_create(person_ref="P9", date_of_birth=t - timedelta(days=3 * 365),
                                 forename="Tia", surname="Small", by=casework.Actor(name="t"))
    started = t - timedelta(days=30)
    plan = EHCPlan.objects.create(child=tiny, start_date=started, first_issued_date=started,
                                  officer=world.plan.officer,
                                  next_review_due=t + timedelta(days=335))
    html = world.client("officer").get(reverse("reviews:plan", args=[plan.public_id])
                                       ).content.decode()
    from ehcflow.statutory.dates import add_months

    assert "Earlier review suggested" in html
    assert f"By {long_date(add_months(started, 3))}" in html
    assert "paragraph 9.178" in html
    # the older children's plans carry no such line
    html = world.client("officer").get(reverse("reviews:plan", args=[world.plan.public_id])
                                       ).content.decode()
    assert "Earlier review suggested" not in html
