"""What a family does: views, documents, the response to the draft, a meeting; each one a case
event. Bad input (an infected or oversized file, a response after the 15 days) gets a clear
message and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ehcflow.casework.models import AssessmentRequest, CaseEvent, RecordAccess
from ehcflow.families.models import DraftResponse, MeetingRequest
from ehcflow.files.models import StoredFile
from ehcflow.plans.models import FamilyViews
from ehcflow.statutory import clock
from tests.families.builders import World, build_world, infected_pdf, pdf_bytes, to_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def url(world: World, name: str, case: str = "ada") -> str:
    return reverse(f"families:{name}", args=[world.cases[case].public_id])


def long(d: object) -> str:
    return f"{d.day} {d:%B} {d.year}"  # type: ignore[attr-defined]


# --- views (section A) -------------------------------------------------------------------------


def test_the_parent_sends_views_before_the_assessment(world: World) -> None:
    client = world.client("parent")
    response = client.post(url(world, "views"), {"text": "Ada loves drawing and horses."},
                           follow=True)
    assert "Your views have been sent" in response.content.decode()
    assert FamilyViews.objects.get(request=world.cases["ada"]).text == (
        "Ada loves drawing and horses.")
    event = CaseEvent.objects.filter(request=world.cases["ada"]).latest("seq")
    assert event.action == "family_views_submitted"
    assert event.actor == world.families["parent"].user
    assert "We received your views" in response.content.decode()
    assert RecordAccess.objects.filter(page="family:views", kind="change").count() == 1


def test_empty_views_are_refused(world: World) -> None:
    page = world.client("parent").post(url(world, "views"), {"text": "  "}).content.decode()
    assert "Enter your views" in page
    assert not FamilyViews.objects.exists()


def test_views_after_the_assessment_are_refused_with_the_reason(world: World) -> None:
    to_draft(world.cases["ada"], draft_days_ago=3)
    client = world.client("parent")
    page = client.get(url(world, "views")).content.decode()
    assert "Views are taken before the assessment is finished" in page
    events = CaseEvent.objects.count()
    client.post(url(world, "views"), {"text": "Late views"})
    assert not FamilyViews.objects.exists() and CaseEvent.objects.count() == events


# --- documents ---------------------------------------------------------------------------------


def upload(world: World, data: bytes, name: str = "report.pdf", title: str = "OT report",
           who: str = "parent") -> str:
    response = world.client(who).post(url(world, "document"), {
        "title": title, "document": SimpleUploadedFile(name, data)}, follow=True)
    return response.content.decode()


def test_the_parent_sends_a_document_and_can_open_it(world: World, scanner: str) -> None:
    page = upload(world, pdf_bytes())
    assert "Your document has been sent" in page and "OT report" in page
    stored = StoredFile.objects.get()
    assert stored.kind == "family_upload" and stored.shared_with_family
    event = CaseEvent.objects.get(action="file_added")
    assert event.description == "The family sent a document: OT report"
    assert "You sent us a document" in page
    response = world.client("parent").get(reverse("files:download", args=[stored.public_id]))
    assert response.status_code == 200
    # Another family cannot, even with the address.
    response = world.client("other_parent").get(reverse("files:download",
                                                        args=[stored.public_id]))
    assert response.status_code == 404


def test_an_infected_document_is_refused_and_nothing_changes(world: World, scanner: str) -> None:
    events = CaseEvent.objects.count()
    page = upload(world, infected_pdf())
    assert "The selected file contains a virus, so it has not been kept." in page
    assert "There is a problem" in page
    assert StoredFile.objects.count() == 0 and CaseEvent.objects.count() == events


def test_an_oversized_document_is_refused_and_nothing_changes(world: World, scanner: str,
                                                              settings: object) -> None:
    settings.EHCFLOW_UPLOAD_MAX_BYTES = 2 * 1024 * 1024  # type: ignore[attr-defined]
    events = CaseEvent.objects.count()
    page = upload(world, pdf_bytes() + b"%" + b"x" * (3 * 1024 * 1024))
    assert "The selected file must be smaller than 2 MB." in page
    assert StoredFile.objects.count() == 0 and CaseEvent.objects.count() == events


def test_a_file_of_the_wrong_kind_is_refused(world: World, scanner: str) -> None:
    page = upload(world, b"#!/bin/sh\necho hello\n", name="script.pdf")
    assert "The selected file must be a PDF, Word document (DOCX), JPEG or PNG." in page
    assert StoredFile.objects.count() == 0


def test_a_missing_file_is_asked_for(world: World, scanner: str) -> None:
    page = world.client("parent").post(url(world, "document"), {"title": "Report"}
                                       ).content.decode()
    assert "Select a document to send" in page


# --- the draft plan ----------------------------------------------------------------------------


def test_the_parent_responds_to_the_draft_within_15_days(world: World) -> None:
    case = to_draft(world.cases["ada"], draft_days_ago=14)  # the 15th day, the last
    client = world.client("parent")
    response = client.post(url(world, "draft_response"), {
        "comments": "Section F should include weekly speech therapy.",
        "preferred_setting": "Hillside Primary School"}, follow=True)
    assert "Your response to the draft plan has been sent" in response.content.decode()
    saved = DraftResponse.objects.get(request=case)
    assert saved.preferred_setting == "Hillside Primary School" and not saved.on_behalf
    case.refresh_from_db()
    assert case.comments_received_date == timezone.localdate()
    event = CaseEvent.objects.filter(request=case).latest("seq")
    assert event.action == "comments_received"
    assert "We received your comments on the draft plan" in response.content.decode()
    assert "You have responded to the draft plan." in response.content.decode()


def test_a_response_after_15_days_is_refused_and_nothing_changes(world: World) -> None:
    case = to_draft(world.cases["ada"], draft_days_ago=15)  # the day after the last
    ends = clock.comment_period_ends(case.draft_date)  # type: ignore[arg-type]
    client = world.client("parent")
    message = (f"The 15 days to comment on the draft plan ended on {long(ends)}, so comments "
               "can no longer be sent here.")
    assert message in client.get(url(world, "draft_response")).content.decode()
    events, version = CaseEvent.objects.count(), case.version
    page = client.post(url(world, "draft_response"), {"comments": "Too late?"}).content.decode()
    assert message in page
    case = AssessmentRequest.objects.get(pk=case.pk)
    assert case.comments_received_date is None and case.version == version
    assert not DraftResponse.objects.exists() and CaseEvent.objects.count() == events


def test_the_service_refuses_a_late_response_too(world: World) -> None:
    from ehcflow.casework.services import Actor
    from ehcflow.families import services

    case = to_draft(world.cases["ada"], draft_days_ago=20)
    with pytest.raises(services.FamilyError, match="ended on"):
        services.draft_respond(request=case, comments="x", preferred_setting="",
                               by=Actor(user=world.families["parent"].user))
    assert not DraftResponse.objects.exists()


def test_a_second_response_is_refused(world: World) -> None:
    to_draft(world.cases["ada"], draft_days_ago=2)
    client = world.client("parent")
    client.post(url(world, "draft_response"), {"comments": "First"})
    page = client.post(url(world, "draft_response"), {"comments": "Second"}).content.decode()
    assert "Your response to the draft plan has been sent." in page
    assert DraftResponse.objects.count() == 1


# --- a meeting ---------------------------------------------------------------------------------


def test_the_parent_asks_for_a_meeting(world: World) -> None:
    response = world.client("parent").post(url(world, "meeting"), {
        "about": "How the school will support Ada at lunchtime", "availability": "Mornings"},
        follow=True)
    assert "Your case officer will contact you to arrange it." in response.content.decode()
    meeting = MeetingRequest.objects.get()
    assert meeting.availability == "Mornings"
    event = CaseEvent.objects.get(action="family_meeting_asked")
    assert event.description == "The family asked for a meeting"
    assert "You asked for a meeting" in response.content.decode()


# --- the assisted route ------------------------------------------------------------------------


def test_an_officer_enters_the_familys_views_for_them(world: World) -> None:
    officer = world.client("officer")
    page = officer.get(url(world, "case")).content.decode()
    assert "This is what the family sees." in page
    officer.post(url(world, "meeting"), {"about": "Phoned in: wants to discuss transport"})
    event = CaseEvent.objects.get(action="family_meeting_asked")
    assert event.actor == world.staff["officer"]
    assert event.description == ("The family asked for a meeting (entered by staff for the "
                                 "family)")
    assert MeetingRequest.objects.get().on_behalf


@pytest.mark.parametrize("who", ["south_officer", "analyst", "ep", "admin"])
def test_staff_without_the_case_or_the_role_cannot_act_for_the_family(world: World,
                                                                      who: str) -> None:
    client = world.client(who)
    assert client.get(url(world, "case")).status_code == 404
    assert client.post(url(world, "meeting"), {"about": "x"}).status_code == 404
    assert not MeetingRequest.objects.exists()


def test_a_request_that_has_ended_takes_no_documents(world: World, scanner: str) -> None:
    from ehcflow.casework import services as casework
    from tests.families.builders import ACTOR

    case = world.cases["ada"]
    casework.request_close(request=case, on=case.received_date + timedelta(days=2),
                           closed_reason="withdrawn", by=ACTOR)
    page = upload(world, pdf_bytes())
    assert "This request has ended, so documents can no longer be sent here." in page
    assert StoredFile.objects.count() == 0


def test_the_officer_reads_what_the_family_sent_and_business_support_does_not(
        world: World) -> None:
    to_draft(world.cases["ada"], draft_days_ago=2)
    world.client("parent").post(url(world, "draft_response"), {
        "comments": "Please add speech therapy.", "preferred_setting": "Hillside Primary"})
    world.client("parent").post(url(world, "meeting"), {"about": "Lunchtimes",
                                                        "availability": "Mornings"})
    page = world.client("officer").get(url(world, "case")).content.decode()
    assert "What the family sent" in page
    assert "Please add speech therapy." in page and "Hillside Primary" in page
    assert "Lunchtimes" in page and "When they can meet: Mornings" in page
    support = world.client("support").get(url(world, "case")).content.decode()
    assert "Please add speech therapy." not in support and "Lunchtimes" not in support
    parent = world.client("parent").get(url(world, "case")).content.decode()
    assert "What the family sent" not in parent
