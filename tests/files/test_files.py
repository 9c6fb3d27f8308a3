"""Files: kinds told by their contents, a real clamd, storage, and the permission-checked
download. Every refusal keeps nothing and says why."""

from __future__ import annotations

import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse

from ehcflow.casework.models import CaseEvent, RecordAccess
from ehcflow.files import access, clamd, kinds, services
from ehcflow.files.models import FileKind, ScanStatus, StoredFile
from tests.families.builders import (
    ACTOR,
    World,
    build_world,
    docx_bytes,
    infected_pdf,
    pdf_bytes,
    png_bytes,
    signed_in,
)

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def keep(world: World, data: bytes, name: str = "report.pdf", **extra: object) -> StoredFile:
    case = world.cases["ada"]
    stored = services.store_file(
        upload=ContentFile(data, name=name), name=name, child=case.child, request=case,
        by=ACTOR, kind=extra.pop("kind", FileKind.FAMILY_UPLOAD),  # type: ignore[arg-type]
        title=extra.pop("title", "Speech therapy report"),  # type: ignore[arg-type]
        shared_with_family=True, **extra)  # type: ignore[arg-type]
    return stored.file


def stored_names(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- what kind of file it is -------------------------------------------------------------------


@pytest.mark.parametrize(("name", "make", "label"), [
    ("report.pdf", pdf_bytes, "PDF"), ("photo.png", png_bytes, "PNG image"),
    ("letter.docx", docx_bytes, "Word document"), ("scan.JPG", lambda: JPEG, "JPEG image"),
])
def test_the_four_kinds_are_told_by_their_contents(name: str, make: object, label: str) -> None:
    data = make()  # type: ignore[operator]
    assert kinds.problem(name, data) is None
    found = kinds.kind_of(data[:16], data)
    assert found is not None and found.label == label


def test_a_program_named_pdf_is_refused() -> None:
    assert kinds.problem("letter.pdf", b"MZ\x90\x00" + b"\x00" * 200) == (
        "The selected file must be a PDF, Word document (DOCX), JPEG or PNG.")


def test_a_pdf_named_png_is_refused_with_the_reason() -> None:
    assert kinds.problem("photo.png", pdf_bytes()) == (
        "The selected file is a PDF but its name does not end in .pdf. Rename it or choose "
        "another file.")


def test_a_zip_that_is_not_a_word_document_is_refused() -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert kinds.problem("notes.docx", buffer.getvalue()) is not None


# --- clamd -------------------------------------------------------------------------------------


def test_clamd_finds_the_test_signature_and_passes_a_clean_file(scanner: str) -> None:
    daemon = clamd.Daemon(socket_path=scanner)
    assert clamd.ping(daemon)
    infected = clamd.scan_bytes(daemon, clamd.eicar())
    assert infected.verdict is clamd.Verdict.INFECTED
    assert infected.detail.startswith(clamd.TEST_SIGNATURE_NAME)
    assert clamd.scan_bytes(daemon, pdf_bytes()).verdict is clamd.Verdict.CLEAN
    # Larger than one chunk: the stream is sent in pieces and still answered.
    big = pdf_bytes() + b"\n%" + b"x" * (3 * clamd.CHUNK_SIZE)
    assert clamd.scan_bytes(daemon, big).verdict is clamd.Verdict.CLEAN


def test_no_daemon_is_could_not_scan_never_clean(tmp_path: Path) -> None:
    result = clamd.scan_bytes(clamd.Daemon(socket_path=str(tmp_path / "none.sock")), b"x")
    assert result.verdict is clamd.Verdict.UNAVAILABLE
    assert clamd.parse_answer("INSTREAM size limit exceeded. ERROR").verdict is (
        clamd.Verdict.UNAVAILABLE)
    assert clamd.parse_answer("stream: OK").verdict is clamd.Verdict.CLEAN


def test_no_file_of_the_project_holds_the_test_virus() -> None:
    """The EICAR string is built at run time; a scanner on a developer's machine or the
    council's server would otherwise quarantine the repository's own files."""
    root = Path(__file__).resolve().parents[2]
    tracked = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=root,
                             capture_output=True, text=True, check=True).stdout.split()
    needle = clamd.eicar()
    offenders = [name for name in tracked
                 if (root / name).is_file() and needle in (root / name).read_bytes()]
    assert offenders == []


def test_the_test_scanner_command_writes_a_config_and_database(tmp_path: Path) -> None:
    out = StringIO()
    call_command("files", "test-scanner", str(tmp_path / "clam"), stdout=out)
    config = Path(out.getvalue().strip())
    assert config.read_text().startswith(f"LocalSocket {tmp_path / 'clam' / 'clamd.sock'}")
    database = (tmp_path / "clam" / "db" / "ehcflow-test.hdb").read_text()
    assert database == "44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n"
    assert (tmp_path / "clam" / "db" / "ehcflow-test.ndb").read_text().startswith(
        "Eicar-Test-Signature-Inside:0:*:58354f")


# --- keeping a file ----------------------------------------------------------------------------


def test_a_clean_file_is_kept_checked_and_recorded(world: World, scanner: str,
                                                   settings: object) -> None:
    data = pdf_bytes()
    stored = keep(world, data)
    assert stored.scan_status == ScanStatus.CLEAN and stored.openable
    assert stored.size == len(data) and stored.content_type == "application/pdf"
    assert "report" not in stored.storage_name  # an opaque name, not the person's
    with services.storage().open(stored.storage_name, "rb") as handle:
        assert handle.read() == data
    event = CaseEvent.objects.get(action="file_added")
    assert event.request == world.cases["ada"]
    assert event.changes == {"file": str(stored.public_id), "kind": "family_upload",
                             "size": len(data), "scan": "clean"}


def test_an_infected_file_is_refused_and_nothing_is_kept(world: World, scanner: str,
                                                         tmp_path: Path) -> None:
    events = CaseEvent.objects.count()
    data = infected_pdf()
    assert kinds.problem("letter.pdf", data) is None  # a PDF by its contents
    with pytest.raises(services.FileRefused) as refused:
        keep(world, data, name="letter.pdf")
    assert refused.value.message == (
        "The selected file contains a virus, so it has not been kept. Do not open it again "
        "on your device. Choose another file.")
    assert StoredFile.objects.count() == 0 and CaseEvent.objects.count() == events
    assert stored_names(tmp_path / "files") == []


def test_an_oversized_file_is_refused_before_scanning(world: World, scanner: str,
                                                      settings: object) -> None:
    settings.EHCFLOW_UPLOAD_MAX_BYTES = 1024  # type: ignore[attr-defined]
    with pytest.raises(services.FileRefused, match="The selected file must be smaller than"):
        keep(world, pdf_bytes() + b"%" + b"x" * 2048)
    assert StoredFile.objects.count() == 0


def test_the_default_limit_is_10_mb(world: World, scanner: str) -> None:
    assert services.max_bytes() == 10 * 1024 * 1024
    with pytest.raises(services.FileRefused) as refused:
        keep(world, pdf_bytes() + b"%" + b"x" * (10 * 1024 * 1024))
    assert refused.value.message == "The selected file must be smaller than 10 MB."


def test_without_clamd_the_file_waits_and_opens_once_checked(
        world: World, no_scanner: None, settings: object, clamd_socket: str) -> None:
    data = pdf_bytes()
    stored = keep(world, data)
    assert stored.scan_status == ScanStatus.PENDING and not stored.openable
    officer = signed_in(world.staff["officer"])
    url = reverse("files:download", args=[stored.public_id])
    response = officer.get(url)
    assert response.status_code == 409
    assert "This document is being checked" in response.content.decode()
    # clamd is back: the next attempt to open it scans it first.
    settings.EHCFLOW_CLAMD_SOCKET = clamd_socket  # type: ignore[attr-defined]
    response = officer.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data  # type: ignore[attr-defined]
    stored.refresh_from_db()
    assert stored.scan_status == ScanStatus.CLEAN


def test_a_waiting_file_found_infected_is_removed_and_never_opens(
        world: World, no_scanner: None, settings: object, clamd_socket: str,
        tmp_path: Path) -> None:
    stored = keep(world, infected_pdf(), name="letter.pdf")
    assert len(stored_names(tmp_path / "files")) == 1
    settings.EHCFLOW_CLAMD_SOCKET = clamd_socket  # type: ignore[attr-defined]
    out = StringIO()
    call_command("files", "scan", stdout=out)
    assert out.getvalue().strip() == ("Checked: 0 clean, 1 with a virus (removed), "
                                      "0 still waiting.")
    stored.refresh_from_db()
    assert stored.scan_status == ScanStatus.INFECTED
    assert stored_names(tmp_path / "files") == []
    response = signed_in(world.staff["officer"]).get(
        reverse("files:download", args=[stored.public_id]))
    assert response.status_code == 409
    assert "found a virus" in response.content.decode()


# --- opening a file ----------------------------------------------------------------------------


def test_staff_in_scope_download_and_it_is_audited(world: World, scanner: str) -> None:
    stored = keep(world, pdf_bytes())
    response = signed_in(world.staff["officer"]).get(
        reverse("files:download", args=[stored.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    entry = RecordAccess.objects.get(page="file:download")
    assert (entry.user, entry.kind, entry.request) == (
        world.staff["officer"], RecordAccess.Kind.VIEW, world.cases["ada"])


@pytest.mark.parametrize("who", ["south_officer", "analyst", "support", "ep", "admin"])
def test_others_are_told_there_is_no_such_file(world: World, scanner: str, who: str) -> None:
    stored = keep(world, pdf_bytes())
    response = signed_in(world.staff[who]).get(reverse("files:download",
                                                       args=[stored.public_id]))
    assert response.status_code == 404
    assert RecordAccess.objects.filter(page="file:download", kind="refused",
                                       user=world.staff[who]).count() == 1


def test_a_registered_checker_lets_a_partner_open_what_was_asked(world: World,
                                                                  scanner: str) -> None:
    stored = keep(world, pdf_bytes())
    ep = world.staff["ep"]
    assert not access.may_open(ep, stored)

    def asked_of(user: object, file: StoredFile) -> bool:
        return user == ep and file.pk == stored.pk

    access.register_checker(asked_of)
    try:
        assert access.may_open(ep, stored)
        assert signed_in(ep).get(reverse("files:download", args=[stored.public_id])
                                 ).status_code == 200
    finally:
        access.unregister_checker(asked_of)


def test_a_guessed_file_address_is_404(world: World) -> None:
    response = signed_in(world.staff["head"]).get(
        reverse("files:download", args=["00000000-0000-0000-0000-000000000000"]))
    assert response.status_code == 404
