"""The plan document: one outline drawn as an accessible tagged PDF and as a Word file.

The PDF is read back with pikepdf (its structure tree, language and marking: PDF/UA-1) and
pypdf (its words); the Word file with python-docx (heading styles, repeated header rows).
The plan is a real one: drafted, sent for consultation and made final through the plan's
services, with the demo's phrase bank writing its sections.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date, timedelta

import pikepdf
import pytest
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from ehcflow.plans import content as pc
from ehcflow.plans import demo_content, selectors, services
from ehcflow.plans.models import PlanVersion
from ehcflow.plans.output import render
from ehcflow.plans.output.outline import NOTHING, Heading, outline
from ehcflow.plans.output.pdf import css_string, html
from tests.plans.conftest import PlanWorld

pytestmark = pytest.mark.django_db

AUTHORITY = "Northshire Borough Council"


def ada_content() -> pc.PlanContent:
    """A full plan for the fixture's child (Ada, born 1 May 2016), written by the demo's bank."""
    facts = demo_content.PlanFacts(
        case_ref="EHC-2026-00001", forename="Ada", sex="F", date_of_birth=date(2016, 5, 1),
        issued_on=timezone.localdate(), needs=("ASD", "SPLD"),
        setting_type="Mainstream primary school", personal_budget=True,
        advice=(demo_content.AdviceFact("health", "Northshire NHS Trust", None),))
    return demo_content.plan_content(facts, demo_content.demo_rng(7, facts.case_ref))


@pytest.fixture
def final_version(ready: PlanWorld, settings: object) -> PlanVersion:
    """Version 1 of Ada's plan: the bank's sections saved, sent 20 days ago, made final today."""
    settings.EHCFLOW_AUTHORITY_NAME = AUTHORITY  # type: ignore[attr-defined]
    version = PlanVersion.objects.get(document__request=ready.case, number=1)
    written = ada_content()
    version = services.version_edit(
        version=version, expected_revision=version.revision, by=ready.actor(),
        change=lambda c: replace(written, appendices=c.appendices),
        description="Plan written", section="")
    today = timezone.localdate()
    version = services.consultation_start(version=version, expected_revision=version.revision,
                                          on=today - timedelta(days=20), by=ready.actor())
    return services.version_make_final(version=version, expected_revision=version.revision,
                                       on=today, by=ready.actor())


def struct_tags(pdf: pikepdf.Pdf) -> list[str]:
    """Every structure element's tag, in reading order."""
    tags: list[str] = []

    def walk(node: pikepdf.Object) -> None:
        tag = node.get("/S")
        if tag is not None:
            tags.append(str(tag))
        kids = node.get("/K")
        if isinstance(kids, pikepdf.Array):
            for kid in kids:
                if isinstance(kid, pikepdf.Dictionary):
                    walk(kid)
        elif isinstance(kids, pikepdf.Dictionary):
            walk(kids)

    walk(pdf.Root.StructTreeRoot)
    return tags


def pdf_text(data: bytes) -> str:
    """The words of the PDF with line breaks and runs of spaces as single spaces."""
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_the_pdf_is_tagged_for_screen_readers_pdf_ua(final_version: PlanVersion) -> None:
    data = render(selectors.plan_content(final_version), "pdf")
    pdf = pikepdf.open(io.BytesIO(data))
    root = pdf.Root
    assert "/StructTreeRoot" in root
    assert str(root.Lang) == "en-GB"
    assert bool(root.MarkInfo.Marked) is True
    assert bool(root.ViewerPreferences.DisplayDocTitle) is True
    with pdf.open_metadata() as meta:
        assert meta.get("pdfuaid:part") == "1"
        assert meta.get("dc:title") == "Education, health and care plan for Ada Example"
    tags = struct_tags(pdf)
    assert tags[0] == "/Document"
    assert tags.count("/H1") == 1
    assert tags.count("/H2") == len(pc.ALL_SECTIONS)
    assert "/H3" in tags
    assert {"/Table", "/THead", "/TH", "/TD", "/Caption", "/L", "/LI"} <= set(tags)
    # Reading order: the title, the front table, then section A's heading.
    assert tags.index("/H1") < tags.index("/Table") < tags.index("/H2")


def test_the_pdf_says_every_section_and_the_childs_details(final_version: PlanVersion) -> None:
    content = selectors.plan_content(final_version)
    text = pdf_text(render(content, "pdf"))
    for section in pc.ALL_SECTIONS:
        assert pc.SECTION_TITLES[section] in text
    assert text.index("Section A:") < text.index("Section F:") < text.index("Section K:")
    for detail in ("Education, health and care plan for Ada Example", "1 May 2016",
                   "EHC-2026-00001", "Final, Version 1", AUTHORITY,
                   f"Date of this plan {timezone.localdate().day} "):
        assert detail in text
    first_need = content.needs_in("B")[0]
    assert re.sub(r"\s+", " ", first_need.text)[:60] in text
    assert "Provision How often How much Who provides it" in text
    assert content.personal_budget is not None and content.personal_budget.amount in text
    assert "Page 1 of" in text


def test_the_word_file_has_heading_styles_and_repeated_header_rows(
        final_version: PlanVersion) -> None:
    content = selectors.plan_content(final_version)
    word = Document(io.BytesIO(render(content, "docx")))
    headings = [(p.style.name, p.text) for p in word.paragraphs
                if p.style is not None and p.style.name.startswith("Heading")]
    assert headings[0] == ("Heading 1", "Education, health and care plan for Ada Example")
    assert [t for s, t in headings if s == "Heading 2"] == [
        pc.SECTION_TITLES[s] for s in pc.ALL_SECTIONS]
    assert any(s == "Heading 3" for s, _ in headings)
    assert word.core_properties.title == "Education, health and care plan for Ada Example"
    assert word.core_properties.language == "en-GB"
    lang = word.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(
        qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "en-GB"
    with_header = [t for t in word.tables if t.rows[0].cells[0].text == "Provision"]
    assert with_header, "section F's table"
    for table in with_header:
        first = table.rows[0]._tr
        assert first.trPr is not None and first.trPr.find(qn("w:tblHeader")) is not None
        assert [c.text for c in table.rows[0].cells] == [
            "Provision", "How often", "How much", "Who provides it", "From", "Needs met"]
        assert table.rows[0].cells[0].paragraphs[0].runs[0].bold
    f_rows = sum(len(t.rows) - 1 for t in with_header)
    assert f_rows == len(content.provision)
    body = "\n".join(p.text for p in word.paragraphs)
    assert content.needs_in("B")[0].text in body
    assert AUTHORITY in word.sections[0].footer.paragraphs[0].text
    assert any(p.style is not None and p.style.name == "List Bullet" for p in word.paragraphs)


def test_the_two_formats_come_from_one_outline_in_the_regulations_order() -> None:
    doc = outline(ada_content(), authority=AUTHORITY)
    assert doc.headings(2) == [pc.SECTION_TITLES[s] for s in pc.ALL_SECTIONS]
    assert [b.section for b in doc.blocks if isinstance(b, Heading) and b.level == 2] == list(
        pc.ALL_SECTIONS)
    page = html(doc)
    assert '<html lang="en-GB">' in page
    assert page.count("<h2 ") == len(pc.ALL_SECTIONS)
    assert '<th scope="col">Provision</th>' in page and '<th scope="row">' in page


def test_an_empty_draft_says_what_each_section_holds() -> None:
    doc = outline(pc.PlanContent(), authority=AUTHORITY)
    text = " ".join(getattr(b, "text", "") for b in doc.blocks)
    for section in pc.ALL_SECTIONS:
        assert NOTHING[section] in text
    data = render(pc.PlanContent(), "pdf", authority=AUTHORITY)
    assert NOTHING["I"] in pdf_text(data)


def test_text_is_printed_as_written_never_as_markup() -> None:
    hostile = pc.PlanContent(
        needs=(pc.Need("N1", "B", 'Finds <b>bold</b> & "quoted" text hard </style>'),),
        header=pc.PlanHeader(child_name="Zoë O'Neill"))
    text = pdf_text(render(hostile, "pdf", authority='Council "A" </style> & Sons'))
    assert 'Finds <b>bold</b> & "quoted" text hard </style>' in text
    assert "Zoë O'Neill" in text
    assert 'Council "A" </style> & Sons' in text
    assert css_string('a"b\\c') == "a\\000022b\\00005cc"
