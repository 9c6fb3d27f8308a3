"""What a family reads on their page: the stage in plain words, their officer, the dates, the
letters and the history, and nothing internal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from ehcflow.casework import services as casework
from ehcflow.casework.models import RecordAccess
from ehcflow.files import services as files
from ehcflow.files.models import FileKind
from ehcflow.planning.models import LikelyFinalPlan
from ehcflow.statutory import clock
from tests.families.builders import ACTOR, World, build_world, pdf_bytes, to_draft

pytestmark = pytest.mark.django_db

NOTE = "mother in hospital (mental health crisis)"


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def long(d: object) -> str:
    return f"{d.day} {d:%B} {d.year}"  # type: ignore[attr-defined]


def page_of(world: World, who: str, case: str) -> str:
    response = world.client(who).get(reverse("families:case",
                                             args=[world.cases[case].public_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_parent_sees_the_stage_officer_and_next_date(world: World) -> None:
    case = world.cases["ada"]
    page = page_of(world, "parent", "ada")
    assert "Ada: we are deciding whether to assess" in page
    assert "Your case officer is Officer Staff." in page
    assert "officer@council.example" in page
    due = clock.decision_to_assess_due(case.received_date)
    assert f"We must tell you whether we will assess by {long(due)}" in page
    assert "We received the request for an EHC needs assessment" in page
    assert "EHC-ADA" in page
    # Their page is in the access log, as any view of a child's record.
    assert RecordAccess.objects.filter(user=world.families["parent"].user, kind="view",
                                       page="family:request", request=case).count() == 1


def test_a_statutory_date_that_has_passed_is_called_late(world: World) -> None:
    case = world.cases["ada"]
    case.received_date = timezone.localdate() - timedelta(days=60)  # 6 weeks have passed
    case.save(update_fields=["received_date"])
    import re

    page = " ".join(re.sub(r"<[^>]+>", " ", page_of(world, "parent", "ada")).split())
    due = clock.decision_to_assess_due(case.received_date)
    assert f"We must tell you whether we will assess by {long(due)} Late" in page
    assert "This date has passed and we have not done this yet." in page
    # a date still to come carries no such word (Ben's request arrived 30 days ago)
    assert "This date has passed" not in page_of(world, "other_parent", "ben")


def test_the_likely_final_plan_date_and_its_range(world: World) -> None:
    case = world.cases["ada"]
    today = timezone.localdate()
    LikelyFinalPlan.objects.create(request=case, as_of=today, p_plan=0.8,
                                   final_p10=today + timedelta(days=60),
                                   final_p50=today + timedelta(days=75),
                                   final_p90=today + timedelta(days=90))
    page = page_of(world, "parent", "ada")
    from ehcflow.planning.forecasts import span

    assert span(today + timedelta(days=60), today + timedelta(days=90)) in page
    assert f"most likely around {long(today + timedelta(days=75))}" in page
    assert "not a promise" in page


def test_the_history_is_in_plain_words_with_no_internal_notes(world: World) -> None:
    case = world.cases["ada"]
    received = case.received_date
    case = casework.request_record_decision(request=case, decision="assess",
                                            on=received + timedelta(days=3), by=ACTOR,
                                            reason="internal: budget pressure")
    advice = casework.advice_request(request=case, adviser_type="educational_psychology",
                                     requested_on=received + timedelta(days=4), by=ACTOR)
    casework.advice_record_chase(advice=advice, on=received + timedelta(days=20), by=ACTOR)
    casework.exception_apply(request=case, reason="personal_circumstances",
                             start=received + timedelta(days=5),
                             end=received + timedelta(days=9), note=NOTE, by=ACTOR)
    page = page_of(world, "parent", "ada")
    assert "We decided to carry out an EHC needs assessment" in page
    assert "We asked for advice: educational psychology" in page
    assert "The 20-week time limit does not apply for a while" in page
    for internal in (NOTE, "budget pressure", "Advice chased", "by test", "test"):
        assert internal not in page.split('id="history"')[1].split("</ol>")[0]
    assert NOTE not in page and "budget pressure" not in page
    assert "Ada: we are carrying out the assessment" in page


def test_letters_are_listed_and_staff_only_documents_are_not(world: World, scanner: str) -> None:
    case = world.cases["ada"]
    for title, shared in (("Letter: we will assess", True), ("Officer's working notes", False)):
        files.store_file(upload=ContentFile(pdf_bytes()), name="x.pdf", child=case.child,
                         request=case, by=ACTOR, kind=FileKind.LETTER, title=title,
                         shared_with_family=shared)
    page = page_of(world, "parent", "ada")
    assert "Letter: we will assess" in page
    assert "Officer's working notes" not in page
    assert page.count("We added a document for you to read") == 1


def test_the_draft_plan_page_shows_the_15_days(world: World) -> None:
    case = to_draft(world.cases["ada"], draft_days_ago=3)
    ends = clock.comment_period_ends(case.draft_date)  # type: ignore[arg-type]
    page = page_of(world, "parent", "ada")
    assert "Ada: the draft plan is ready for your comments" in page
    assert f"You can send your comments on the draft plan until {long(ends)}" in page
    assert f"Respond to the draft plan</a> by {long(ends)}" in page
    assert f"We sent you the draft EHC plan. You had until {long(ends)} to comment." in page


def test_after_the_15_days_the_page_says_so(world: World) -> None:
    case = to_draft(world.cases["ada"], draft_days_ago=20)
    ends = clock.comment_period_ends(case.draft_date)  # type: ignore[arg-type]
    page = page_of(world, "parent", "ada")
    assert f"The 15 days to comment on the draft plan ended on {long(ends)}." in page
    assert "Respond to the draft plan</a>" not in page
    assert f"The final plan is due by {long(clock.final_plan_due(case.received_date))}" in page


def test_the_home_page_lists_only_their_children(world: World) -> None:
    page = world.client("parent").get(reverse("families:home")).content.decode()
    assert "Ada: request received" in page
    assert "Ben" not in page and "Cal" not in page
    assert "We are deciding whether to assess" in page


def test_the_service_home_page_takes_a_family_to_their_own(world: World) -> None:
    response = world.client("parent").get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("families:home")
