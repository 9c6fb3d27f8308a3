"""Which files the service accepts: PDF, Word (DOCX), JPEG and PNG, told by their contents.

A file's name can say anything; its first bytes ("magic numbers") say what it is. A file is
accepted only when its contents are one of these kinds AND its name ends as that kind's does,
so a program renamed `letter.pdf` and a PDF renamed `photo.png` are both refused. A DOCX is a
zip archive: it must hold `[Content_Types].xml` and `word/document.xml`, which a zip of
anything else does not.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = Kind("PDF", "application/pdf", (".pdf",))
DOCX = Kind("Word document", "application/vnd.openxmlformats-officedocument."
            "wordprocessingml.document", (".docx",))
JPEG = Kind("JPEG image", "image/jpeg", (".jpg", ".jpeg"))
PNG = Kind("PNG image", "image/png", (".png",))
ACCEPTED = (PDF, DOCX, JPEG, PNG)
#: what the upload page says it takes
ACCEPTED_TEXT = "a PDF, Word document (DOCX), JPEG or PNG"


def kind_of(head: bytes, data: bytes | None = None) -> Kind | None:
    """The accepted kind these contents are, or None. `head` is at least the first 8 bytes;
    `data` (the whole file) is needed to look inside a zip for a DOCX."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04") and data is not None and _is_docx(data):
        return DOCX
    return None


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return {"[Content_Types].xml", "word/document.xml"} <= names


def problem(name: str, data: bytes) -> str | None:
    """Why this file is refused, in words for the person uploading it; None if accepted."""
    kind = kind_of(data[:16], data)
    if kind is None:
        return f"The selected file must be {ACCEPTED_TEXT}."
    if not name.lower().endswith(kind.extensions):
        return (f"The selected file is a {kind.label} but its name does not end in "
                f"{' or '.join(kind.extensions)}. Rename it or choose another file.")
    return None
