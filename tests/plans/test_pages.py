"""The plan pages as each role sees them: words shown, writes made, refusals logged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ehcflow.casework.models import CaseEvent, RecordAccess
from ehcflow.plans import content as pc
from ehcflow.plans import services
from ehcflow.plans.models import PlanDocument, PlanVersion
from tests.plans.conftest import PlanWorld
from tests.plans.test_services import build_good_plan

pytestmark = pytest.mark.django_db


def client_for(world: PlanWorld, who: str) -> Client:
    client = Client()
    client.force_login(world.users[who])
    return client


def doc_of(world: PlanWorld) -> PlanDocument:
    return PlanDocument.objects.get(request=world.case)


PLAN_EXPECTED = {"officer": 200, "teammate": 200, "manager": 200, "head": 200,
                 "other_officer": 404, "analyst": 404, "ep": 404, "health": 404,
                 "support": 404}


@pytest.mark.parametrize(("who", "status"), sorted(PLAN_EXPECTED.items()))
def test_who_may_open_the_plan(ready: PlanWorld, who: str, status: int) -> None:
    response = client_for(ready, who).get(reverse("plans:document",
                                                  args=[doc_of(ready).public_id]))
    assert response.status_code == status
    if status == 200:
        assert "Section A: The views, interests and aspirations" in response.text
        assert "Ada loves drawing and swimming." in response.text
        assert RecordAccess.objects.filter(user=ready.users[who], page="plan",
                                           kind="view").count() == 1
    else:
        assert "Ada" not in response.text
        assert RecordAccess.objects.filter(user=ready.users[who], kind="refused").count() == 1


def test_the_request_page_links_to_the_plan_for_casework_roles_only(ready: PlanWorld) -> None:
    url = reverse("casework:request", args=[ready.case.public_id])
    page = client_for(ready, "officer").get(url)
    assert "Open the EHC plan" in page.text
    assert reverse("plans:document", args=[doc_of(ready).public_id]) in page.text
    ep_page = client_for(ready, "ep").get(url)
    assert ep_page.status_code == 200
    assert "Open the EHC plan" not in ep_page.text
    analyst_page = client_for(ready, "analyst").get(url)
    assert "EHC plan</h2>" not in analyst_page.text


def test_starting_the_plan_from_the_request(world: PlanWorld) -> None:
    client = client_for(world, "officer")
    request_page = client.get(reverse("casework:request", args=[world.case.public_id]))
    assert "Start drafting the EHC plan" in request_page.text
    url = reverse("plans:for_request", args=[world.case.public_id])
    assert "Drafting of the plan has not started." in client.get(url).text
    response = client.post(url)
    document = doc_of(world)
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:document", args=[document.public_id])
    assert client_for(world, "ep").post(url).status_code == 404
    assert PlanDocument.objects.count() == 1


def test_the_section_page_shows_advice_beside_it_and_pulls_a_paragraph(
        ready: PlanWorld) -> None:
    client = client_for(ready, "officer")
    doc = doc_of(ready)
    url = reverse("plans:section", args=[doc.public_id, "B"])
    page = client.get(url)
    assert "Advice for this section" in page.text
    assert "Educational psychology advice" in page.text
    assert "Ada finds it hard to follow spoken instructions in class." in page.text
    stored = ready.ep_advice.content
    response = client.post(reverse("plans:pull", args=[doc.public_id, "B"]),
                           {"revision": 1, "advice": str(stored.public_id), "from": "B",
                            "index": 0})
    assert response.status_code == 302
    page = client.get(url)
    assert "Added to the plan, with its source." in page.text
    assert "Source: Educational psychology advice" in page.text
    assert "Need N1 in section B has no provision to meet it." in page.text


def test_section_k_lists_every_advice_with_its_date(ready: PlanWorld) -> None:
    page = client_for(ready, "officer").get(
        reverse("plans:section", args=[doc_of(ready).public_id, "K"]))
    today = timezone.localdate().isoformat()
    assert f"Educational psychology advice, Ep, {today}" in page.text
    assert f"Health advice, Northshire NHS Trust, {today}" in page.text
    assert "kept up to date automatically" in page.text


def test_adding_provision_with_its_links(ready: PlanWorld) -> None:
    client = client_for(ready, "officer")
    doc = doc_of(ready)
    client.post(reverse("plans:section", args=[doc.public_id, "B"]),
                {"revision": 1, "section": "B", "text": "Reading behind", "area": ""})
    response = client.post(reverse("plans:section", args=[doc.public_id, "F"]), {
        "revision": 2, "section": "F", "what": "Phonics group", "how_often": "Daily",
        "amount": "20 minutes", "by_whom": "Teaching assistant", "need_keys": ["N1"]})
    assert response.status_code == 302
    page = client.get(reverse("plans:section", args=[doc.public_id, "F"]))
    assert "Phonics group" in page.text and "20 minutes" in page.text
    assert "The date of the plan" in page.text
    content = pc.from_dict(PlanVersion.objects.get(document=doc).body)
    assert content.provision[0].need_keys == ("N1",)


def test_two_people_editing_at_once_the_second_is_refused_and_keeps_their_text(
        ready: PlanWorld) -> None:
    doc = doc_of(ready)
    url = reverse("plans:section", args=[doc.public_id, "B"])
    first = client_for(ready, "officer").post(
        url, {"revision": 1, "section": "B", "text": "First officer's need"})
    assert first.status_code == 302
    second = client_for(ready, "teammate").post(
        url, {"revision": 1, "section": "B", "text": "Second officer's need"})
    assert second.status_code == 200
    assert "Someone else changed this plan while you were working on it." in second.text
    assert "Second officer&#x27;s need</textarea>" in second.text  # their text is kept
    assert "First officer&#x27;s need" in second.text  # and the saved change is shown
    version = PlanVersion.objects.get(document=doc)
    assert [n.text for n in pc.from_dict(version.body).needs] == ["First officer's need"]


def test_consultation_final_and_diff_pages(ready: PlanWorld) -> None:
    client = client_for(ready, "officer")
    v = build_good_plan(ready)
    doc = doc_of(ready)
    sent = timezone.localdate() - timedelta(days=20)
    response = client.post(reverse("plans:consultation", args=[doc.public_id]), {
        "revision": v.revision, "on_0": sent.day, "on_1": sent.month, "on_2": sent.year})
    assert response.status_code == 302
    page = client.get(reverse("plans:document", args=[doc.public_id]))
    assert "Draft out for consultation" in page.text
    assert f"comments due by {(sent + timedelta(days=14)):%-d %B %Y}" in page.text
    client.post(reverse("plans:response", args=[doc.public_id]), {
        "kind": "school", "from_whom": "Hill School", "school_agrees": "yes",
        "received_on_0": sent.day + 0, "received_on_1": sent.month, "received_on_2": sent.year,
        "text": "We can meet her needs."})
    page = client.get(reverse("plans:document", args=[doc.public_id]))
    assert "Hill School" in page.text and "Agrees to be named" in page.text
    client.post(reverse("plans:revise", args=[doc.public_id]))
    v2 = PlanVersion.objects.get(document=doc, number=2)
    client.post(reverse("plans:section", args=[doc.public_id, "I"]), {
        "revision": v2.revision, "setting_type": "Mainstream primary school",
        "name": "Hill School"})
    v2.refresh_from_db()
    today = timezone.localdate()
    response = client.post(reverse("plans:final", args=[doc.public_id]), {
        "revision": v2.revision, "on_0": today.day, "on_1": today.month, "on_2": today.year})
    assert response.status_code == 302
    page = client.get(reverse("plans:document", args=[doc.public_id]))
    assert "The plan is final. This version is now locked." in page.text
    assert f"Made final on {today:%-d %B %Y}." in page.text
    diff = client.get(reverse("plans:diff", args=[doc.public_id]))
    assert "Changes from version 1 to version 2" in diff.text
    assert "Added:</strong> Mainstream primary school: Hill School" in diff.text
    assert "Removed:</strong> Mainstream primary school</del>" in diff.text
    locked = client.post(reverse("plans:section", args=[doc.public_id, "B"]),
                         {"revision": 99, "section": "B", "text": "x"})
    assert locked.status_code == 403
    assert CaseEvent.objects.filter(action="plan_made_final").count() == 1


def test_final_page_lists_the_gaps_and_refuses_without_a_reason(ready: PlanWorld) -> None:
    client = client_for(ready, "officer")
    v = build_good_plan(ready)
    v = services.provision_save(version=v, expected_revision=v.revision, by=ready.actor(),
                                key="P1", section="F", what="Phonics group", how_often="",
                                amount="20 minutes", by_whom="TA", from_when=None,
                                need_keys=["N1"])
    v = services.consultation_start(version=v, expected_revision=v.revision,
                                    on=timezone.localdate() - timedelta(days=20),
                                    by=ready.actor())
    doc = doc_of(ready)
    page = client.get(reverse("plans:final", args=[doc.public_id]))
    assert "Provision P1 in section F does not say how often." in page.text
    today = timezone.localdate()
    refused = client.post(reverse("plans:final", args=[doc.public_id]), {
        "revision": v.revision, "on_0": today.day, "on_1": today.month, "on_2": today.year})
    assert refused.status_code == 200
    assert "The plan cannot be made final yet" in refused.text
    v.refresh_from_db()
    assert v.status == "consultation"


@pytest.mark.parametrize("letter", pc.ALL_SECTIONS)
def test_every_section_page_opens_with_its_title(ready: PlanWorld, letter: str) -> None:
    page = client_for(ready, "officer").get(
        reverse("plans:section", args=[doc_of(ready).public_id, letter]))
    assert page.status_code == 200
    assert f"<h1 class=\"govuk-heading-l\">{pc.SECTION_TITLES[letter]}</h1>" in page.text


def test_section_a_edits_keep_the_familys_source(ready: PlanWorld) -> None:
    client = client_for(ready, "officer")
    doc = doc_of(ready)
    url = reverse("plans:section", args=[doc.public_id, "A"])
    page = client.get(url)
    assert "Put the family's views in section A" in page.text
    response = client.post(url, {"revision": 1, "para_0": "Ada loves drawing.",
                                 "para_1": "", "para_2": "Ada's teacher says she is kind."})
    assert response.status_code == 302
    views = pc.from_dict(PlanVersion.objects.get(document=doc).body).views
    assert [(p.text, p.source.kind if p.source else None) for p in views] == [
        ("Ada loves drawing.", "family"), ("Ada's teacher says she is kind.", "officer")]
    client.post(reverse("plans:pull", args=[doc.public_id, "A"]), {"revision": 2,
                                                                  "family": "1"})
    views = pc.from_dict(PlanVersion.objects.get(document=doc).body).views
    assert [p.text for p in views] == ["Ada loves drawing and swimming.",
                                       "She wants to be a vet.",
                                       "Ada's teacher says she is kind."]


def test_a_guessed_plan_address_answers_404(ready: PlanWorld) -> None:
    import uuid

    client = client_for(ready, "officer")
    assert client.get(reverse("plans:document", args=[uuid.uuid4()])).status_code == 404
    assert client.get(reverse("plans:section", args=[doc_of(ready).public_id, "Z"])
                      ).status_code == 404
    assert client.get(reverse("plans:version", args=[doc_of(ready).public_id, 9])
                      ).status_code == 404


def test_a_version_offers_its_downloads(ready: PlanWorld) -> None:
    doc = doc_of(ready)
    page = client_for(ready, "officer").get(reverse("plans:version", args=[doc.public_id, 1]))
    assert "Download version 1 as a PDF" in page.text
    assert f"/plans/{doc.public_id}/version/1/docx/" in page.text
    pdf = client_for(ready, "officer").get(reverse("plans:download",
                                                   args=[doc.public_id, 1, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
