"""`ehcflow plan-document export`: the plan to a file from the command line, or a clear refusal
with exit code 1 and no file at all."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document
from pypdf import PdfReader

from ehcflow.casework.models import RecordAccess
from ehcflow.plans.models import PlanVersion
from tests.plans.conftest import PlanWorld
from tests.plans.test_output_document import final_version  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("plan_document", "export", *args, stdout=out)
    return out.getvalue()


def refused(*args: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        export(*args)
    return caught.value


def test_it_writes_the_final_plan_as_pdf(final_version: PlanVersion,  # noqa: F811
                                         tmp_path: Path) -> None:
    target = tmp_path / "plan.pdf"
    said = export("--request", "EHC-2026-00001", "--out", str(target))
    assert said.strip() == f"Wrote version 1 (Final) of the plan for EHC-2026-00001 to {target}."
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(target).pages)
    assert "Education, health and care plan for Ada Example" in text
    assert "Section K: Advice and information" in text
    assert [p.name for p in tmp_path.iterdir()] == ["plan.pdf"]
    assert target.stat().st_mode & 0o777 == 0o600
    assert not RecordAccess.objects.exists()


def test_it_writes_word_and_logs_the_export_under_a_user(ready: PlanWorld,
                                                         final_version: PlanVersion,  # noqa: F811
                                                         tmp_path: Path) -> None:
    target = tmp_path / "plan.DOCX"
    export("--request", "EHC-2026-00001", "--version", "1", "--out", str(target),
           "--by", "officer")
    word = Document(str(target))
    assert word.paragraphs[0].text == "Education, health and care plan for Ada Example"
    access = RecordAccess.objects.get()
    assert (access.user, access.kind, access.page, access.request) == (
        ready.users["officer"], "export", "plan:export:docx", ready.case)


def test_an_unknown_case_reference_is_refused(final_version: PlanVersion,  # noqa: F811
                                              tmp_path: Path) -> None:
    error = refused("--request", "EHC-1999-99999", "--out", str(tmp_path / "plan.pdf"))
    assert str(error) == "There is no request with case reference 'EHC-1999-99999'."
    assert error.returncode == 1
    assert list(tmp_path.iterdir()) == []


def test_a_request_with_no_plan_is_refused(world: PlanWorld, tmp_path: Path) -> None:
    error = refused("--request", "EHC-2026-00001", "--out", str(tmp_path / "plan.pdf"))
    assert str(error) == "Request EHC-2026-00001 has no EHC plan document."
    assert error.returncode == 1
    assert list(tmp_path.iterdir()) == []


def test_a_draft_is_not_taken_for_the_final_plan(ready: PlanWorld, tmp_path: Path) -> None:
    error = refused("--request", "EHC-2026-00001", "--out", str(tmp_path / "plan.pdf"))
    assert "has no final version yet" in str(error) and error.returncode == 1
    assert list(tmp_path.iterdir()) == []
    assert "version 1 (Draft)" in export("--request", "EHC-2026-00001", "--version", "latest",
                                         "--out", str(tmp_path / "draft.pdf"))
    assert refused("--request", "EHC-2026-00001", "--version", "7",
                   "--out", str(tmp_path / "x.pdf")).returncode == 1
    assert [p.name for p in tmp_path.iterdir()] == ["draft.pdf"]


def test_bad_arguments_are_refused_and_nothing_is_written(final_version: PlanVersion,  # noqa: F811
                                                          tmp_path: Path) -> None:
    assert refused("--request", "EHC-2026-00001",
                   "--out", str(tmp_path / "plan.html")).returncode == 2
    assert refused("--request", "EHC-2026-00001", "--version", "newest",
                   "--out", str(tmp_path / "plan.pdf")).returncode == 2
    assert "no folder" in str(refused("--request", "EHC-2026-00001",
                                      "--out", str(tmp_path / "missing" / "plan.pdf")))
    assert "no user" in str(refused("--request", "EHC-2026-00001", "--by", "nobody",
                                    "--out", str(tmp_path / "plan.pdf")))
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_is_replaced_whole(final_version: PlanVersion,  # noqa: F811
                                            tmp_path: Path) -> None:
    target = tmp_path / "plan.pdf"
    target.write_bytes(b"old")
    export("--request", "EHC-2026-00001", "--out", str(target))
    assert target.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in tmp_path.iterdir()] == ["plan.pdf"]
