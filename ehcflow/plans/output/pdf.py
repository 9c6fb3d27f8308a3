"""The plan as an accessible PDF: the outline drawn by one HTML template, then WeasyPrint.

WeasyPrint's `pdf/ua-1` variant writes a tagged PDF (PDF/UA-1, ISO 14289-1): a structure tree
in reading order (H1, H2, H3, P, L/LI, Table with TH and TD, Caption), the document language
from `<html lang="en-GB">`, `/MarkInfo /Marked true`, the title shown in the window bar, fonts
embedded, and the running footer (council, page numbers) marked as an artefact so that screen
readers skip it. Decision 0020 says why this route rather than ReportLab.
"""

from __future__ import annotations

from pathlib import Path

from django.template import Context, Engine

from ehcflow.plans.output.outline import Outline

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "plan_document.html"
PDF_VARIANT = "pdf/ua-1"

# A standalone engine: the document needs no request, context processors or site templates,
# and keeping its template beside this module keeps the two formats' drawing code together.
_engine = Engine(dirs=[str(TEMPLATE_DIR)], autoescape=True)


def css_string(text: str) -> str:
    """Text escaped for a CSS string literal (the footer's `content:`), safe in `<style>`.

    Every character that is not a plain letter, digit or space becomes a six-digit CSS escape,
    so quotes, backslashes and `</style>` cannot end the string or the element.
    """
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch == " ") else f"\\{ord(ch):06x}"
                   for ch in text.replace("\n", " "))


def html(doc: Outline) -> str:
    """The outline as the HTML page WeasyPrint lays out (also handy to look at in a browser)."""
    template = _engine.get_template(TEMPLATE_NAME)
    return template.render(Context({"outline": doc, "css_authority": css_string(doc.authority)}))


def render_pdf(doc: Outline) -> bytes:
    """The outline as PDF/UA-1 bytes."""
    # Imported here: WeasyPrint loads Pango through cffi, which only the document needs.
    from weasyprint import HTML

    result: bytes = HTML(string=html(doc), base_url=str(TEMPLATE_DIR)).write_pdf(
        pdf_variant=PDF_VARIANT, uncompressed_pdf=False)
    return result
