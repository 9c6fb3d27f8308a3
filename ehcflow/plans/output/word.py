"""The plan as a Word document, for those who edit in Word: the same outline as the PDF.

Drawn with python-docx in Word's own structure, so that Word's accessibility checker and a
screen reader find what the PDF has: the document title in Heading 1, sections in Heading 2,
parts of a section in Heading 3 (the navigation pane lists them), bulleted lists in the List
Bullet style, tables with a caption, alternative-text title and a header row that Word repeats
at the top of each page, and the language set to English (United Kingdom) throughout.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table as WordTable

from ehcflow.plans.output.outline import Bullets, Heading, Outline, Para, Table

FONT = "Arial"
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGIN_MM = 18
TEXT_WIDTH_MM = PAGE_WIDTH_MM - 2 * MARGIN_MM


def render_docx(doc: Outline) -> bytes:
    """The outline as the bytes of a .docx file."""
    word = Document()
    _setup(word, doc)
    for block in doc.blocks:
        if isinstance(block, Heading):
            word.add_heading(block.text, level=block.level)
        elif isinstance(block, Para):
            paragraph = word.add_paragraph()
            if block.label:
                paragraph.add_run(f"{block.label}: ").bold = True
            paragraph.add_run(block.text)
        elif isinstance(block, Bullets):
            for item in block.items:
                word.add_paragraph(item, style="List Bullet")
        elif isinstance(block, Table):
            _table(word, block)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _setup(word: WordDocument, doc: Outline) -> None:
    props = word.core_properties
    props.title = doc.title
    props.author = doc.authority
    props.subject = "Education, health and care plan"
    props.language = doc.language
    section = word.sections[0]
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(MARGIN_MM))
    normal = word.styles["Normal"]
    normal.font.name = FONT  # type: ignore[attr-defined]
    normal.font.size = Pt(11)  # type: ignore[attr-defined]
    # The language of every run, and the East Asian font name Word otherwise substitutes.
    defaults = word.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")) if defaults is not None else None
    if rpr is not None:
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        for attr in ("w:val", "w:eastAsia", "w:bidi"):
            lang.set(qn(attr), doc.language)
    for name in ("Heading 1", "Heading 2", "Heading 3", "Caption", "List Bullet"):
        style = word.styles[name]
        style.font.name = FONT  # type: ignore[attr-defined]
    footer = section.footer.paragraphs[0]
    footer.text = f"{doc.authority}\t"
    footer.add_run("Page ")
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")


def _field(paragraph: object, code: str) -> None:
    """A Word field (page number, page count) appended to a paragraph."""
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), f" {code} ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)  # type: ignore[attr-defined]


def _table(word: WordDocument, block: Table) -> None:
    caption = word.add_paragraph(block.caption, style="Caption")
    caption.alignment = WD_ALIGN_PARAGRAPH.LEFT
    columns = len(block.header) or max((len(r) for r in block.rows), default=1)
    header_rows = 1 if block.header else 0
    table = word.add_table(rows=header_rows + len(block.rows), cols=columns)
    table.style = word.styles["Table Grid"]
    _describe(table, block.caption)
    if block.header:
        cells = table.rows[0].cells
        for cell, text in zip(cells, block.header, strict=True):
            # A new cell holds one empty paragraph: the text goes in as one run.
            cell.paragraphs[0].add_run(text).bold = True
        _repeat_as_header(table)
    for r, row in enumerate(block.rows, start=header_rows):
        cells = table.rows[r].cells
        for c, text in enumerate(row):
            run = cells[c].paragraphs[0].add_run(text)
            if c == 0 and block.row_headers:
                run.bold = True
    if block.widths:
        for row in table.rows:
            for cell, width in zip(row.cells, block.widths, strict=False):
                cell.width = Mm(TEXT_WIDTH_MM * width / 100)
    word.add_paragraph()


def _describe(table: WordTable, caption: str) -> None:
    """Alternative text (title) for the table, as Word's accessibility checker asks."""
    tbl_pr = table._tbl.tblPr
    title = OxmlElement("w:tblCaption")
    title.set(qn("w:val"), caption)
    tbl_pr.append(title)


def _repeat_as_header(table: WordTable) -> None:
    """Mark the first row as the header row, repeated at the top of each page."""
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)
