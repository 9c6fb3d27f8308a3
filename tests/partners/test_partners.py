"""Partners: the inbox and its scoping, advice back to the officer, consultations, staff,
reminders, timeliness and the measures page, tested by what each page shows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ehcflow.casework import services as casework
from ehcflow.casework.models import AdviceRequest, CaseEvent, RecordAccess
from ehcflow.partners import schedule, services
from ehcflow.partners.models import AdviceAttachment, Chaser, Consultation, Membership
from ehcflow.plans.models import AdviceContent
from tests.partners.conftest import World

pytestmark = pytest.mark.django_db


def client_for(user: object | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)  # type: ignore[arg-type]
    return client


def page(world: World, name: str) -> str:
    consultation = Consultation.objects.first()
    if name == "advice":
        return reverse("partners:advice", args=[world.health.public_id])
    if name == "consultation":
        assert consultation is not None
        return reverse("partners:consultation", args=[consultation.public_id])
    return reverse(f"partners:{name}")


@pytest.fixture
def consulted(world: World) -> World:
    services.consultation_send(request=world.draft_case, organisation=world.orgs["school"],
                               on=timezone.localdate(), by=casework.Actor(name="test"))
    return world


# --- role x page ---------------------------------------------------------------------------

MATRIX = {
    #            inbox advice consultation timeliness staff measures
    "dco":       (200, 200, 404, 200, 200, 403),
    "clinician": (200, 200, 404, 200, 404, 403),
    "other_dco": (200, 404, 404, 200, 200, 403),
    "senco":     (200, 404, 200, 200, 200, 403),
    "ep_staff":  (200, 404, 404, 200, 404, 403),
    "officer":   (404, 404, 404, 404, 404, 403),
    "manager":   (404, 404, 404, 404, 404, 200),
    "analyst":   (404, 404, 404, 404, 404, 200),
    "parent":    (404, 404, 404, 404, 404, 403),
}
PAGES = ("inbox", "advice", "consultation", "timeliness", "staff", "measures")


@pytest.mark.parametrize("who", sorted(MATRIX))
def test_role_by_page_matrix(consulted: World, who: str) -> None:
    client = client_for(consulted.users[who])
    got = tuple(client.get(page(consulted, name)).status_code for name in PAGES)
    assert got == MATRIX[who]


def test_signed_out_people_are_sent_to_sign_in(consulted: World) -> None:
    for name in PAGES:
        response = Client().get(page(consulted, name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# --- inbox -----------------------------------------------------------------------------------


def test_inbox_shows_only_what_was_asked_with_due_dates(world: World) -> None:
    due = world.health.due_on
    html = client_for(world.users["dco"]).get(reverse("partners:inbox")).content.decode()
    assert "1 advice request waiting" in html
    assert "Ada Example" in html and "Age " in html
    assert f"{due.day} {due:%B %Y}" in html
    assert "Due in 3 days" in html
    assert "EHC-1" in html
    assert "Ben Sample" not in html
    # The other health body sees nothing of it.
    other = client_for(world.users["other_dco"]).get(reverse("partners:inbox")).content.decode()
    assert "No advice is waiting from you." in other and "Ada" not in other
    # The council's own educational psychologist sees what was asked of them by name.
    ep = client_for(world.users["ep_staff"]).get(reverse("partners:inbox")).content.decode()
    assert "Educational psychology" in ep and "Ada Example" in ep
    assert RecordAccess.objects.filter(user=world.users["dco"], page="partner_inbox").count() == 1


def test_a_guessed_advice_address_is_404_and_logged(world: World) -> None:
    url = reverse("partners:advice", args=[world.health.public_id])
    response = client_for(world.users["other_dco"]).get(url)
    assert response.status_code == 404
    assert b"Ada" not in response.content
    assert RecordAccess.objects.filter(user=world.users["other_dco"], kind="refused",
                                       request=world.case).count() == 1
    # An address that exists nowhere is the same 404.
    import uuid

    missing = reverse("partners:advice", args=[uuid.uuid4()])
    assert client_for(world.users["dco"]).get(missing).status_code == 404


def test_partners_cannot_open_casework_pages(world: World) -> None:
    url = reverse("casework:request", args=[world.case.public_id])
    assert client_for(world.users["dco"]).get(url).status_code == 404


# --- advice ----------------------------------------------------------------------------------


def test_advice_by_section_returns_to_the_officer(world: World) -> None:
    url = reverse("partners:advice", args=[world.health.public_id])
    client = client_for(world.users["clinician"])
    form = client.get(url).content.decode()
    assert "Special educational needs (section B)" in form
    assert "Health provision (section G)" in form
    response = client.post(url, {"section_C": "Asthma, well controlled.",
                                 "section_G": "Inhaler in school.\n\nAnnual asthma review."})
    assert response.status_code == 302
    advice = AdviceRequest.objects.get(pk=world.health.pk)
    assert advice.received_on == timezone.localdate()
    content = AdviceContent.objects.get(advice=advice)
    assert content.sections == {"C": "Asthma, well controlled.",
                                "G": "Inhaler in school.\n\nAnnual asthma review."}
    actions = list(CaseEvent.objects.filter(request=world.case).values_list("action", flat=True))
    assert "advice_received" in actions and "advice_submitted" in actions
    shown = client.get(url).content.decode()
    assert "Advice sent to the case officer" in shown
    assert "(within 6 weeks)" in shown
    assert "Inhaler in school." in shown
    # Off the inbox, and received on the officer's request page.
    inbox = client.get(reverse("partners:inbox")).content.decode()
    assert "No advice is waiting from you." in inbox
    officer = client_for(world.users["officer"]).get(
        reverse("casework:request", args=[world.case.public_id])).content.decode()
    today = timezone.localdate()
    assert f"{today.day} {today:%b %Y}" in officer
    assert "Health: sent to North ICB" in officer


def test_a_second_submission_is_refused_and_changes_nothing(world: World) -> None:
    url = reverse("partners:advice", args=[world.health.public_id])
    client = client_for(world.users["dco"])
    client.post(url, {"section_C": "First."})
    events = CaseEvent.objects.count()
    with pytest.raises(services.PartnerError, match="already been sent"):
        services.advice_submit(advice=world.health, sections={"C": "Second."},
                               by=casework.Actor(user=world.users["dco"]))
    assert AdviceContent.objects.get(advice=world.health).sections == {"C": "First."}
    assert CaseEvent.objects.count() == events


def test_empty_advice_is_refused_with_a_message(world: World) -> None:
    url = reverse("partners:advice", args=[world.health.public_id])
    html = client_for(world.users["dco"]).post(url, {"section_B": "  "}).content.decode()
    assert "There is a problem" in html
    assert "Enter your advice in at least one section" in html
    assert AdviceRequest.objects.get(pk=world.health.pk).received_on is None


def test_advice_after_the_assessment_finished_is_refused(world: World) -> None:
    actor = casework.Actor(name="test")
    casework.request_record_outcome(request=world.case, outcome="no_plan",
                                    on=timezone.localdate(), by=actor)
    url = reverse("partners:advice", args=[world.health.public_id])
    html = client_for(world.users["dco"]).post(url, {"section_C": "Late."}).content.decode()
    assert "The assessment has finished" in html
    assert AdviceRequest.objects.get(pk=world.health.pk).received_on is None
    # And it has left the inbox.
    inbox = client_for(world.users["dco"]).get(reverse("partners:inbox")).content.decode()
    assert "No advice is waiting from you." in inbox


def test_late_advice_is_accepted_and_shown_late(world: World) -> None:
    AdviceRequest.objects.filter(pk=world.health.pk).update(
        requested_on=timezone.localdate() - timedelta(days=50),
        due_on=timezone.localdate() - timedelta(days=8))
    url = reverse("partners:advice", args=[world.health.public_id])
    client = client_for(world.users["dco"])
    assert "8 days late" in client.get(url).content.decode()
    client.post(url, {"section_B": "Needs."})
    assert "(after the due date)" in client.get(url).content.decode()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_an_oversized_attachment_is_refused_and_no_advice_is_kept(world: World,
                                                                   settings: object) -> None:
    settings.EHCFLOW_UPLOAD_MAX_BYTES = 100  # type: ignore[attr-defined]
    big = SimpleUploadedFile("report.pdf", PDF + b"x" * 200, content_type="application/pdf")
    url = reverse("partners:advice", args=[world.health.public_id])
    html = client_for(world.users["dco"]).post(
        url, {"section_C": "Needs.", "files": [big]}).content.decode()
    assert "The selected file must be smaller than" in html
    assert AdviceRequest.objects.get(pk=world.health.pk).received_on is None
    assert not AdviceContent.objects.filter(advice=world.health).exists()
    assert not AdviceAttachment.objects.exists()


def test_an_attachment_is_kept_with_the_advice(world: World) -> None:
    report = SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")
    url = reverse("partners:advice", args=[world.health.public_id])
    client = client_for(world.users["dco"])
    response = client.post(url, {"section_C": "Needs.", "files": [report]})
    assert response.status_code == 302
    attachment = AdviceAttachment.objects.get()
    assert attachment.file.request_id == world.case.pk
    assert attachment.file.kind == "advice"
    assert "Health advice: document" in client.get(url).content.decode()
    officer = client_for(world.users["officer"]).get(
        reverse("casework:request", args=[world.case.public_id])).content.decode()
    assert "Documents sent with advice" in officer


# --- consultations ---------------------------------------------------------------------------


def test_consultation_is_due_in_15_days_counting_the_day_sent() -> None:
    assert schedule.consultation_due(date(2026, 3, 2)) == date(2026, 3, 16)


def test_school_answers_a_consultation(consulted: World) -> None:
    consultation = Consultation.objects.get()
    assert consultation.due_on == timezone.localdate() + timedelta(days=14)
    client = client_for(consulted.users["senco"])
    inbox = client.get(reverse("partners:inbox")).content.decode()
    assert "Consultations on naming your school" in inbox and "Ben Sample" in inbox
    url = reverse("partners:consultation", args=[consultation.public_id])
    refused = client.post(url, {"answer": "cannot_meet", "reasons": ""}).content.decode()
    assert "Enter why the school cannot meet the needs" in refused
    assert Consultation.objects.get().answered_on is None
    client.post(url, {"answer": "cannot_meet", "reasons": "No places in year 6."})
    answered = Consultation.objects.get()
    assert answered.answer == "cannot_meet" and answered.reasons == "No places in year 6."
    assert answered.answered_by == consulted.users["senco"]
    assert CaseEvent.objects.filter(request=consulted.draft_case,
                                    action="school_answered").count() == 1
    shown = client.get(url).content.decode()
    assert "The school cannot meet the needs, sent" in shown
    officer = client_for(consulted.users["officer"]).get(
        reverse("casework:request", args=[consulted.draft_case.public_id])).content.decode()
    assert "Consultations with schools" in officer
    assert "The school cannot meet the needs" in officer
    with pytest.raises(services.PartnerError, match="already been answered"):
        services.consultation_answer(consultation=answered, answer="can_meet", reasons="",
                                     by=casework.Actor(name="x"))


def test_a_consultation_closes_when_the_request_ends(consulted: World) -> None:
    casework.request_close(request=consulted.draft_case, on=timezone.localdate(),
                           closed_reason="withdrawn", by=casework.Actor(name="test"))
    url = reverse("partners:consultation", args=[Consultation.objects.get().public_id])
    html = client_for(consulted.users["senco"]).post(
        url, {"answer": "can_meet"}).content.decode()
    assert "the consultation is closed" in html
    assert Consultation.objects.get().answered_on is None


def test_officer_consults_a_school_from_the_request(world: World) -> None:
    client = client_for(world.users["officer"])
    url = reverse("partners:consult", args=[world.draft_case.public_id])
    assert "Hillside Primary School" in client.get(url).content.decode()
    response = client.post(url, {"organisation": str(world.orgs["school"].public_id)})
    assert response.status_code == 302
    assert Consultation.objects.filter(request=world.draft_case).count() == 1
    assert mail.outbox[-1].to == ["senco@hillside.example.org"]
    assert "answer by" in mail.outbox[-1].body
    # Twice is refused.
    html = client.post(url, {"organisation": str(world.orgs["school"].public_id)}).content
    assert b"already being consulted" in html
    # Another team's officer, or a partner, cannot.
    assert client_for(world.users["dco"]).get(url).status_code == 404


# --- staff -----------------------------------------------------------------------------------


def test_a_manager_adds_and_removes_their_own_staff(world: World) -> None:
    client = client_for(world.users["dco"])
    url = reverse("partners:staff")
    response = client.post(url, {"first_name": "Nia", "last_name": "Nurse",
                                 "email": "Nia.Nurse@nhs.example.org", "job_title": "Nurse"})
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="nia.nurse@nhs.example.org")
    assert membership.organisation == world.orgs["health"]
    assert not membership.user.has_usable_password()
    # The new member is e-mailed a one-use link to set a password, which works.
    invite = mail.outbox[-1]
    assert invite.to == ["nia.nurse@nhs.example.org"]
    assert "Dco Partner has given you an account with North ICB" in invite.body
    link = next(w for w in invite.body.split() if "/accounts/set-password/" in w)
    path = link.split("127.0.0.1:8000", 1)[-1]
    assert Client().get(path, follow=True).status_code == 200
    html = client.get(url).content.decode()
    assert "Nia Nurse" in html and "Clinician Partner" in html
    # Someone already with another organisation is refused.
    taken = client.post(url, {"first_name": "O", "last_name": "D",
                              "email": "otherdco@partner.example.org"}).content.decode()
    assert "already has an account with South ICB" in taken
    client.post(reverse("partners:staff_remove", args=[membership.public_id]))
    membership.refresh_from_db()
    assert membership.ended_at is not None
    # A member of another organisation cannot be removed from here.
    other = Membership.objects.get(user=world.users["other_dco"])
    assert client.post(reverse("partners:staff_remove",
                               args=[other.public_id])).status_code == 404


# --- reminders -------------------------------------------------------------------------------


def test_chaser_schedule() -> None:
    asked = date(2026, 1, 5)  # due 16 February 2026
    assert [(d.kind, d.week, d.on) for d in schedule.chaser_dates(asked, date(2026, 3, 3))] == [
        ("due_soon", 0, date(2026, 2, 9)), ("due_today", 0, date(2026, 2, 16)),
        ("overdue", 1, date(2026, 2, 23)), ("overdue", 2, date(2026, 3, 2)),
    ]
    owed = schedule.chasers_due(requested_on=asked, received_on=None, excused=False,
                                today=date(2026, 3, 3))
    assert [(d.kind, d.week, d.escalate) for d in owed] == [("overdue", 2, True)]
    assert schedule.chasers_due(requested_on=asked, received_on=None, excused=False,
                                today=date(2026, 2, 8)) == []
    assert [d.kind for d in schedule.chasers_due(requested_on=asked, received_on=None,
                                                 excused=False, today=date(2026, 2, 9))] == [
        "due_soon"]
    assert schedule.chasers_due(requested_on=asked, received_on=date(2026, 2, 1),
                                excused=False, today=date(2026, 3, 3)) == []
    assert schedule.chasers_due(requested_on=asked, received_on=None, excused=True,
                                today=date(2026, 3, 3)) == []


def due_in(world: World, days: int) -> None:
    """Move the advice's dates so that it falls due `days` from today (chasing is never
    recorded on a future day, so time moves the advice rather than the clock)."""
    today = timezone.localdate()
    AdviceRequest.objects.filter(request=world.case).update(
        requested_on=today + timedelta(days=days - 42), due_on=today + timedelta(days=days))


def test_daily_chasers_send_each_reminder_once_and_escalate(world: World) -> None:
    mail.outbox.clear()
    due_in(world, 7)
    first = services.chase_advice()
    again = services.chase_advice()
    assert first["due_soon"] == 3 and again["due_soon"] == 0
    to = sorted(m.to[0] for m in mail.outbox)
    assert to == ["dco@nhs.example.org", "ep@council.example.org",
                  "senco@hillside.example.org"]
    assert "is due in 7 days" in mail.outbox[0].body
    due_in(world, 0)
    services.chase_advice()
    due_in(world, -7)
    services.chase_advice()
    services.chase_advice()
    health = Chaser.objects.filter(advice=world.health)
    assert sorted(health.values_list("kind", "week")) == [
        ("due_soon", 0), ("due_today", 0), ("escalated", 1), ("overdue", 1)]
    escalations = [m for m in mail.outbox if m.to == ["manager@council.example.org"]]
    assert len(escalations) == 3
    assert "7 days late" in escalations[0].body
    advice = AdviceRequest.objects.get(pk=world.health.pk)
    assert advice.chase_count == 3
    assert CaseEvent.objects.filter(request=world.case, action="advice_chased").count() == 9
    assert CaseEvent.objects.filter(request=world.case, action="advice_escalated").count() == 3
    # Received advice is not chased.
    casework.advice_record_received(advice=advice, received_on=timezone.localdate(),
                                    by=casework.Actor(name="t"))
    before = Chaser.objects.filter(advice=world.health).count()
    due_in(world, -14)
    AdviceRequest.objects.filter(pk=world.health.pk).update(received_on=timezone.localdate())
    services.chase_advice()
    assert Chaser.objects.filter(advice=world.health).count() == before


def test_the_daily_task_runs_and_records(world: World) -> None:
    from ehcflow.partners.tasks import daily_chasers

    mail.outbox.clear()
    result = daily_chasers.enqueue()
    # Due in 3 days: the reminder due 4 days ago was never sent, so it goes now, saying so.
    assert result.return_value["due_soon"] == 3
    assert result.return_value["due_today"] == 0
    assert "is due in 3 days" in mail.outbox[0].body
    assert daily_chasers.enqueue().return_value["due_soon"] == 0
    assert Chaser.objects.count() == 3


# --- timeliness and measures -----------------------------------------------------------------


def test_timeliness_and_measures_show_the_figures(world: World) -> None:
    actor = casework.Actor(name="t")
    AdviceRequest.objects.filter(pk=world.health.pk).update(
        requested_on=timezone.localdate() - timedelta(days=50),
        due_on=timezone.localdate() - timedelta(days=8))
    casework.advice_record_received(advice=AdviceRequest.objects.get(pk=world.health.pk),
                                    received_on=timezone.localdate(), by=actor)
    casework.advice_record_received(advice=world.education, received_on=timezone.localdate(),
                                    by=actor)
    own = client_for(world.users["dco"]).get(reverse("partners:timeliness")).content.decode()
    assert "North ICB" in own
    assert "50.0 days" in own
    assert "0 (0%)" in own
    measures = client_for(world.users["manager"]).get(reverse("partners:measures"))
    html = measures.content.decode()
    assert "North ICB" in html and "Hillside Primary School" in html
    assert "39.0" in html  # the school: asked 39 days ago, sent today
    assert "100%" in html
    assert "Raised with the officer's manager" in html
    dashboard = client_for(world.users["manager"]).get(reverse("insight:advice")).content
    assert reverse("partners:measures").encode() in dashboard


def test_a_long_inbox_is_paged_soonest_due_first(world: World) -> None:
    from ehcflow.partners.models import AdviceAssignment

    today = timezone.localdate()
    extra = AdviceRequest.objects.bulk_create([
        AdviceRequest(request=world.case, adviser_type="health",
                      requested_on=today - timedelta(days=n),
                      due_on=today - timedelta(days=n) + timedelta(days=42))
        for n in range(55)])
    AdviceAssignment.objects.bulk_create([
        AdviceAssignment(advice=a, organisation=world.orgs["health"]) for a in extra])
    client = client_for(world.users["dco"])
    first = client.get(reverse("partners:inbox")).content.decode()
    assert "56 advice requests waiting, soonest due first (1 to 50 shown)" in first
    assert "Page 1 of 2" in first
    assert "12 days late" in first  # asked 54 days ago, due 12 days ago: the first row
    second = client.get(reverse("partners:inbox") + "?page=2").content.decode()
    assert "(51 to 56 shown)" in second
