"""Writing the request register out of ehcflow (docs/domain/request-register.md).

The export is the import's inverse: the same columns in the spec's order, ISO dates, only
initial requests, so that importing an export changes nothing and exporting again gives the
same bytes. Rows are in order of request date, then case reference.

- CSV is UTF-8 with a byte order mark (what Excel's "CSV UTF-8" writes, so that Excel shows
  names with accents correctly; the importer accepts it), comma-separated, CRLF line ends.
- XLSX has one sheet, "requests", with the header in row 1 and dates as real date cells
  shown as YYYY-MM-DD; text cells are always text, never formulas.

`exception` is the request's first exception (by start date), as the importer reads it.
`officer` is the staff member's name, or their staff id where the name would not find them
again (two staff members share it, or it is someone else's staff id).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from django.db.models import OuterRef, Subquery

from ehcflow.casework import choices as c
from ehcflow.casework.models import AssessmentRequest, StatutoryException
from ehcflow.people.models import StaffMember
from ehcflow.register import schema

#: One exported row: text, or a date for the date columns; None when empty.
ExportRow = tuple[str | date | None, ...]


class ExportError(Exception):
    """The export cannot be written (a file name the register has no format for)."""


def officer_labels() -> dict[int, str]:
    """How each staff member is written in the `officer` column (see the module docstring)."""
    staff = list(StaffMember.objects.values_list("id", "staff_ref", "name"))
    names = Counter(name for _, _, name in staff)
    refs = {ref for _, ref, _ in staff}
    return {pk: name if names[name] == 1 and name not in refs and name else ref
            for pk, ref, name in staff}


def register_rows() -> Iterator[ExportRow]:
    """Every initial request as a register row, in spec column order."""
    labels = officer_labels()
    first_exception = (StatutoryException.objects.filter(request=OuterRef("pk"))
                       .order_by("start_date", "id").values("reason")[:1])
    query = (AssessmentRequest.objects.filter(kind=c.RequestKind.INITIAL)
             .annotate(first_exception=Subquery(first_exception))
             .order_by("received_date", "case_ref")
             .values_list("case_ref", "child__person_ref", "child__date_of_birth",
                          "received_date", "source", "decision_date", "decision",
                          "outcome_date", "outcome", "draft_date", "final_date",
                          "first_exception", "closed_date", "closed_reason", "officer_id"))
    for record in query.iterator(chunk_size=5000):
        *values, officer_id = record
        officer = labels.get(officer_id) if officer_id is not None else None
        yield tuple(value if value != "" else None for value in (*values, officer))


def export_register(path: Path) -> int:
    """Write the register to `path` (.csv or .xlsx); returns the number of requests written."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _write_csv(path)
    if suffix == ".xlsx":
        return _write_xlsx(path)
    raise ExportError(f"{path}: the register is written as .csv or .xlsx, not "
                      f"{suffix or 'a file without an extension'}")


def _write_csv(path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(schema.COLUMNS)
        for row in register_rows():
            writer.writerow(["" if v is None else v.isoformat() if isinstance(v, date) else v
                             for v in row])
            count += 1
    return count


def _write_xlsx(path: Path) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("requests")
    sheet.append(list(schema.COLUMNS))
    count = 0
    for row in register_rows():
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cells.append(cell)
        sheet.append(cells)
        count += 1
    workbook.save(path)
    return count
