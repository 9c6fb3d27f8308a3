"""The EHC plan document in the two formats a council sends: an accessible PDF and Word.

`render(content, fmt)` is the one entry point for the view, the command and the benchmark:
`PlanContent` → `outline.outline` (what the document says, once) → `pdf.render_pdf` (one HTML
template through WeasyPrint, PDF/UA-1) or `word.render_docx` (python-docx).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings

from ehcflow.plans.content import PlanContent
from ehcflow.plans.output.outline import Outline, outline

if TYPE_CHECKING:
    from ehcflow.plans.models import PlanVersion


@dataclass(frozen=True)
class Format:
    extension: str
    content_type: str
    label: str


FORMATS: dict[str, Format] = {
    "pdf": Format("pdf", "application/pdf", "PDF"),
    "docx": Format(
        "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word"),
}


def authority_name() -> str:
    """The council named on every plan (settings.EHCFLOW_AUTHORITY_NAME)."""
    return str(settings.EHCFLOW_AUTHORITY_NAME)


def document_outline(content: PlanContent, *, authority: str | None = None) -> Outline:
    return outline(content, authority=authority or authority_name())


def render(content: PlanContent, fmt: str, *, authority: str | None = None) -> bytes:
    """The plan as the bytes of a PDF (`fmt="pdf"`) or Word file (`fmt="docx"`)."""
    doc = document_outline(content, authority=authority)
    if fmt == "pdf":
        from ehcflow.plans.output.pdf import render_pdf

        return render_pdf(doc)
    if fmt == "docx":
        from ehcflow.plans.output.word import render_docx

        return render_docx(doc)
    raise ValueError(f"Unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")


def download_name(version: PlanVersion, fmt: str) -> str:
    """e.g. `ehc-plan-DM-2024-00123-version-2.pdf`: opaque to anyone without the case."""
    request = version.document.request
    ref = re.sub(r"[^A-Za-z0-9-]+", "-", request.case_ref).strip("-") if request else ""
    stem = f"ehc-plan-{ref}" if ref else "ehc-plan"
    return f"{stem}-version-{version.number}.{FORMATS[fmt].extension}"
