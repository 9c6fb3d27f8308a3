"""Staff put documents on a request (a letter sent, advice, anything else) and see them there.

The request page lists the documents to those who may open them; a case officer adds one,
choosing whether the family can open it; bad files, double submits, other teams' requests and
roles that may not add are each refused with nothing kept.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ehcflow.casework.models import CaseEvent, RecordAccess
from ehcflow.files.models import FileKind, ScanStatus, StoredFile
from tests.families.builders import World, build_world, infected_pdf, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def _post(world: World, who: str, data: bytes, *, name: str = "letter.pdf",
          shared: str = "yes", case: str = "ada") -> object:
    return world.client(who).post(
        reverse("files:add", args=[world.cases[case].public_id]),
        {"kind": FileKind.LETTER, "title": "Letter: we will carry out an assessment",
         "shared_with_family": shared, "document": SimpleUploadedFile(name, data)})


def test_an_officer_adds_a_letter_the_family_can_open(world: World, scanner: str) -> None:
    response = _post(world, "officer", pdf_bytes("Dear parent"))
    case = world.cases["ada"]
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response["Location"] == reverse("casework:request", args=[case.public_id])  # type: ignore[index]
    stored = StoredFile.objects.get()
    assert (stored.kind, stored.title, stored.shared_with_family, stored.scan_status) == (
        FileKind.LETTER, "Letter: we will carry out an assessment", True, ScanStatus.CLEAN)
    assert CaseEvent.objects.filter(
        request=case, action="file_added",
        description="Document added: letter (shared with the family)").count() == 1

    page = world.client("officer").get(reverse("casework:request", args=[case.public_id]))
    html = page.content.decode()
    assert "Documents" in html and "Letter: we will carry out an assessment" in html
    assert reverse("files:download", args=[stored.public_id]) in html
    assert "No virus found" in html and "Add a document" in html
    # the family sees it on their own page, and may open it
    family = world.client("parent")
    assert "Letter: we will carry out an assessment" in family.get(
        reverse("families:case", args=[case.public_id])).content.decode()
    assert family.get(reverse("files:download", args=[stored.public_id])).status_code == 200


def test_a_document_kept_from_the_family_is_not_theirs_to_open(world: World,
                                                               scanner: str) -> None:
    _post(world, "officer", pdf_bytes("Notes for the panel"), shared="no")
    stored = StoredFile.objects.get()
    assert not stored.shared_with_family
    assert world.client("parent").get(
        reverse("files:download", args=[stored.public_id])).status_code == 404


def test_a_second_press_keeps_one_document(world: World, scanner: str) -> None:
    data = pdf_bytes("Dear parent")
    _post(world, "officer", data)
    again = _post(world, "officer", data)
    assert again.status_code == 302  # type: ignore[attr-defined]
    assert StoredFile.objects.count() == 1
    assert CaseEvent.objects.filter(action="file_added").count() == 1


def test_an_infected_or_wrong_file_is_refused_in_words_and_nothing_kept(world: World,
                                                                         scanner: str) -> None:
    refused = _post(world, "officer", infected_pdf())
    assert refused.status_code == 200  # type: ignore[attr-defined]
    html = refused.content.decode()  # type: ignore[attr-defined]
    assert "<title>Error: Add a document" in html and "There is a problem" in html
    assert "contains a virus, so it has not been kept" in html
    wrong = _post(world, "officer", b"MZ\x90\x00 not a document", name="letter.pdf")
    assert "must be a PDF, Word document (DOCX), JPEG or PNG" in wrong.content.decode()  # type: ignore[attr-defined]
    empty = world.client("officer").post(
        reverse("files:add", args=[world.cases["ada"].public_id]), {})
    text = empty.content.decode()
    assert "Select a document" in text and "Enter what the document is" in text
    assert not StoredFile.objects.exists()
    assert not CaseEvent.objects.filter(action="file_added").exists()


@pytest.mark.parametrize(("who", "status"), [
    ("officer", 200), ("manager", 200), ("head", 200), ("south_officer", 404),
    ("analyst", 403), ("support", 403), ("admin", 404), ("parent", 404)])
def test_who_may_add_a_document(world: World, who: str, status: int) -> None:
    response = world.client(who).get(reverse("files:add",
                                             args=[world.cases["ada"].public_id]))
    assert response.status_code == status
    if status == 403:
        assert RecordAccess.objects.filter(kind="refused", page="file:add").count() == 1
        assert "Add a document" not in world.client(who).get(reverse(
            "casework:request", args=[world.cases["ada"].public_id])).content.decode()


def test_the_list_is_shown_only_to_those_who_may_open_the_documents(world: World,
                                                                    scanner: str) -> None:
    _post(world, "officer", pdf_bytes("Dear parent"))
    case = world.cases["ada"]
    url = reverse("casework:request", args=[case.public_id])
    support = world.client("support").get(url)
    assert support.status_code == 200
    assert "Letter: we will carry out an assessment" not in support.content.decode()


def test_a_guessed_request_answers_404(world: World) -> None:
    response = world.client("officer").get(
        reverse("files:add", args=["00000000-0000-0000-0000-000000000000"]))
    assert response.status_code == 404


def test_an_oversized_document_is_refused_with_the_limit(world: World, scanner: str) -> None:
    big = pdf_bytes("Dear parent") + b"0" * (10 * 1024 * 1024)
    response = _post(world, "officer", big)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "The selected file must be smaller than 10 MB." in response.content.decode()  # type: ignore[attr-defined]
    assert not StoredFile.objects.exists()
