"""Downloading a plan as PDF or Word: who may, what the file is, and the access log."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from ehcflow.casework.models import RecordAccess
from ehcflow.plans.models import PlanVersion
from tests.plans.conftest import PlanWorld
from tests.plans.test_output_document import AUTHORITY, final_version  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

# Casework roles with the case in scope may download; everyone else gets "not found".
EXPECTED = {
    "officer": 200, "teammate": 200, "manager": 200, "head": 200,
    "other_officer": 404, "analyst": 404, "ep": 404, "health": 404, "support": 404,
}


def url(version: PlanVersion, fmt: str, number: int | None = None) -> str:
    return reverse("plans:download", args=[
        version.document.public_id, number if number is not None else version.number, fmt])


def client_for(world: PlanWorld, who: str) -> Client:
    client = Client()
    client.force_login(world.users[who])
    return client


@pytest.mark.parametrize(("who", "status"), sorted(EXPECTED.items()))
def test_who_may_download_the_plan(ready: PlanWorld, final_version: PlanVersion,  # noqa: F811
                                   who: str, status: int) -> None:
    response = client_for(ready, who).get(url(final_version, "pdf"))
    assert response.status_code == status
    kinds = list(RecordAccess.objects.filter(user=ready.users[who]).values_list("kind", "page"))
    if status == 200:
        assert kinds == [("export", "plan:download:pdf")]
    else:
        assert kinds == [("refused", "plan:download:pdf")]
        assert b"%PDF" not in response.content


def test_the_pdf_download_is_the_childs_plan(ready: PlanWorld,
                                             final_version: PlanVersion) -> None:  # noqa: F811
    response = client_for(ready, "officer").get(url(final_version, "pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="ehc-plan-EHC-2026-00001-version-1.pdf"')
    assert "no-store" in response["Cache-Control"]  # the site's middleware: never cached
    text = " ".join(" ".join(p.extract_text().split())
                    for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Education, health and care plan for Ada Example" in text
    assert AUTHORITY in text
    access = RecordAccess.objects.get(user=ready.users["officer"])
    assert (access.child, access.request) == (ready.child, ready.case)


def test_the_word_download(ready: PlanWorld, final_version: PlanVersion) -> None:  # noqa: F811
    response = client_for(ready, "manager").get(url(final_version, "docx"))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert response["Content-Disposition"].endswith('-version-1.docx"')
    word = Document(io.BytesIO(response.content))
    assert word.paragraphs[0].text == "Education, health and care plan for Ada Example"
    assert RecordAccess.objects.filter(user=ready.users["manager"], kind="export",
                                       page="plan:download:docx").count() == 1


def test_guessed_addresses_answer_not_found(ready: PlanWorld,
                                            final_version: PlanVersion) -> None:  # noqa: F811
    client = client_for(ready, "officer")
    assert client.get(url(final_version, "html")).status_code == 404
    assert client.get(url(final_version, "pdf", number=9)).status_code == 404
    assert client.get(reverse("plans:download", args=[ready.case.public_id, 1, "pdf"])
                      ).status_code == 404
    assert client.post(url(final_version, "pdf")).status_code == 405
    assert not RecordAccess.objects.filter(kind="export").exists()


def test_signed_out_visitors_are_sent_to_sign_in(final_version: PlanVersion) -> None:  # noqa: F811
    response = Client().get(url(final_version, "pdf"))
    assert response.status_code == 302
    assert b"%PDF" not in response.content
