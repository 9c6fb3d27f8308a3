"""Reading a request register file, CSV or XLSX, into numbered rows of raw cells.

request-register.md: "CSV (UTF-8, comma, header row) and Excel (.xlsx, first sheet, header in
row 1) carry the same columns." This module knows about bytes, encodings, quoting and
workbooks, and nothing about what the columns mean; `validation` turns the raw cells into
checked rows. Both formats are streamed, so a 100 MB file never sits in memory whole.

Every problem with the file itself becomes a `Problem` (never an exception), numbered with
the spreadsheet row it is on (the header is row 1) so that the user can find it in Excel:

- The extension says the format (`.csv` or `.xlsx`) and the first bytes must agree with it:
  a workbook renamed `.csv`, or a CSV renamed `.xlsx`, is refused with a message saying so.
- CSV must be UTF-8, with or without a byte order mark. A file in another encoding is refused
  rather than guessed: a byte such as 0xE9 is "é" in Windows-1252 and Latin-1 but "Ú" in Mac
  Roman and "й" in Windows-1251, and the file cannot say which, so no guess can be proved
  right, and a wrong guess would silently corrupt names. Excel's "CSV UTF-8" option fixes it.
- XLSX is read from its first sheet with openpyxl in read-only mode, formulas as their saved
  values. Merged cells are refused, naming the range; so is a formula with no saved value
  (a workbook written by a program and never opened in Excel), which would otherwise read as
  an empty cell.
- More than `schema.MAX_ROWS` data rows is refused (the importer holds them all to validate
  before it writes anything).
"""

from __future__ import annotations

import codecs
import csv
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, NamedTuple

from ehcflow.register import schema

#: A cell as read: text from CSV; text, number, date or nothing from XLSX.
Cell = str | int | float | bool | date | datetime | time | None

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, or an encrypted workbook
_UTF8_BOM = codecs.BOM_UTF8
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_CSV_UTF8_HINT = "save it from Excel as \"CSV UTF-8 (Comma delimited) (*.csv)\" and import it again"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a register file: where it is and what to do about it.

    `row` is the spreadsheet row (the header is row 1); `column` is the column's name, or
    "-" when the problem is with a whole row or the whole file.
    """

    row: int
    column: str
    message: str

    def line(self, file: str) -> str:
        """The problem as the importer prints it: `FILE:ROW:COLUMN: message`."""
        return f"{file}:{self.row}:{self.column}: {self.message}"


class RawRow(NamedTuple):
    """One row of the file as read: its spreadsheet row number and its cells, in file order."""

    number: int
    cells: tuple[Cell, ...]


@dataclass
class RegisterSource:
    """A register file being read. Iterate it for its rows, the header (row 1) first.

    Problems met while reading are appended to `problems`; a problem that makes the rest of
    the file unreadable ends the iteration early.
    """

    path: Path
    kind: str  # "csv" or "xlsx"; "none" when the file was refused before reading
    problems: list[Problem] = field(default_factory=list)
    #: True when reading stopped before the end of the file (the rows read are not all of it)
    stopped: bool = False

    def stop(self, row: int, message: str) -> None:
        """Record a problem that ends the reading."""
        self.problems.append(Problem(row, "-", message))
        self.stopped = True

    def __iter__(self) -> Iterator[RawRow]:
        if self.kind not in ("csv", "xlsx"):
            return
        reader = _csv_rows if self.kind == "csv" else _xlsx_rows
        for raw in reader(self):
            if raw.number > schema.MAX_ROWS + 1:
                self.stop(raw.number,
                          f"the file has more than {schema.MAX_ROWS:,} rows of data, the most "
                          "one import takes: split it into smaller files and import each")
                return
            yield raw


def open_register(path: Path) -> RegisterSource:
    """Decide the file's format from its extension, checking its first bytes agree.

    A mismatch, an empty file or a format the register does not use gives a source whose
    `problems` say so and which yields no rows.
    """
    suffix = path.suffix.lower()
    kind = {".csv": "csv", ".xlsx": "xlsx"}.get(suffix, "")
    source = RegisterSource(path=path, kind=kind or "csv")
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as error:
        source.stop(1, f"cannot read the file: {error.strerror}")
        return _refused(source)
    problem = _format_problem(suffix, kind, head)
    if problem:
        source.stop(1, problem)
        return _refused(source)
    return source


def _refused(source: RegisterSource) -> RegisterSource:
    source.kind = "none"
    return source


def _format_problem(suffix: str, kind: str, head: bytes) -> str | None:
    if not head:
        return ("the file is empty: row 1 must be the header naming the columns "
                f"({', '.join(schema.COLUMNS[:4])}, …)")
    if head.startswith(_OLE_MAGIC):
        return ("this is an old-style Excel .xls workbook or a password-protected one: "
                "remove any password and save it as .xlsx, or as CSV UTF-8")
    is_zip = head.startswith(_ZIP_MAGIC)
    if kind == "xlsx" and not is_zip:
        looks = "CSV text" if _looks_like_text(head) else "something else"
        return (f"the file is named {suffix} but is not an Excel workbook (it looks like "
                f"{looks}): if it is CSV, rename it to .csv")
    if kind == "csv" and is_zip:
        return ("the file is named .csv but is a zip archive, probably an Excel workbook: "
                "rename it to .xlsx, or save it from Excel as CSV UTF-8")
    if not kind:
        return (f"the register must be a .csv or .xlsx file, not {suffix or 'a file without an '
                'extension'}")
    return None


def _looks_like_text(head: bytes) -> bool:
    return b"\x00" not in head and all(b >= 0x20 or b in b"\t\r\n" for b in head[:8])


# --- CSV ----------------------------------------------------------------------------------


def _csv_rows(source: RegisterSource) -> Iterator[RawRow]:
    """The CSV's records, numbered as spreadsheet rows (a quoted line break stays in its cell).

    The bytes are checked first, in one fast pass (`_scan_csv_bytes`), so that the parse
    itself can run at C speed. Blank records are counted and yielded (a spreadsheet shows a
    blank row), so that row numbers match what the user sees in Excel.
    """
    number = 0
    try:
        if not _scan_csv_bytes(source):
            return
        with source.path.open("r", encoding="utf-8-sig", newline="") as text:
            for number, record in enumerate(csv.reader(text, strict=True), start=1):
                yield RawRow(number, tuple(record))
    except csv.Error as error:
        source.stop(number + 1, f"the CSV is malformed here ({error}): a cell that contains "
                    "a comma, a quote or a line break must be wrapped in double quotes, with "
                    "any quote inside it doubled")
    except (OSError, UnicodeError) as error:
        source.stop(number + 1, f"cannot read the file: {error}")


_CHUNK = 1 << 20
_BAD_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _scan_csv_bytes(source: RegisterSource) -> bool:
    """True when the file is UTF-8 text with no control characters and no overlong line.

    Otherwise records one problem, at the line where the first fault is, and returns False:
    text in the wrong encoding, or not text at all, cannot be read any further with meaning.
    """
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    line = 1  # the line the start of the current chunk is on
    carry = 0  # bytes since the last line break, from earlier chunks
    first = True
    with source.path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            if first:
                first = False
                if chunk.startswith(_UTF16_BOMS):
                    return _fail(source, 1, "the file is UTF-16 text (Excel's \"Unicode Text\"), "
                                 f"not UTF-8: {_CSV_UTF8_HINT}")
            if (bad := _BAD_BYTES.search(chunk)) is not None:
                where = line + chunk.count(b"\n", 0, bad.start())
                what = ("binary data (NUL bytes)" if bad.group() == b"\x00"
                        else f"a control character (byte 0x{bad.group()[0]:02X})")
                return _fail(source, where, f"the file contains {what}: it is not a CSV text "
                             "file")
            lengths = [len(part) for part in chunk.split(b"\n")]
            lengths[0] += carry
            if max(lengths) > schema.MAX_LINE_BYTES:
                where = line + next(i for i, n in enumerate(lengths)
                                    if n > schema.MAX_LINE_BYTES)
                return _fail(source, where, "a line is longer than "
                             f"{schema.MAX_LINE_BYTES // 1024} KB: this is not a request "
                             "register")
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                # error.object is the chunk after any bytes held back from the one before
                where = line + error.object.count(b"\n", 0, error.start)
                return _fail(source, where, _encoding_message(error.object[error.start]))
            carry = lengths[-1]
            line += len(lengths) - 1
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return _fail(source, line, _encoding_message(None))
    return True


def _fail(source: RegisterSource, row: int, message: str) -> bool:
    source.stop(row, message)
    return False


def _encoding_message(byte: int | None) -> str:
    what = ""
    if byte is not None:
        try:
            what = f" (the byte 0x{byte:02X}, which is \"{bytes([byte]).decode('cp1252')}\" in " \
                "Windows-1252)"
        except UnicodeDecodeError:
            what = f" (the byte 0x{byte:02X})"
    return (f"the file is not UTF-8: this row has a character that is not UTF-8{what}. It "
            "looks like a Windows-1252 (\"ANSI\") or Latin-1 export; ehcflow does not guess "
            "encodings, because a wrong guess corrupts names without a trace: "
            f"{_CSV_UTF8_HINT}")


# --- XLSX ---------------------------------------------------------------------------------


def _xlsx_rows(source: RegisterSource) -> Iterator[RawRow]:
    """The first sheet's rows as values (dates as `datetime`, formulas as saved values)."""
    import openpyxl  # a large import, only paid for workbooks

    try:
        workbook = openpyxl.load_workbook(source.path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        source.stop(1, f"the file is not a readable Excel workbook ({type(error).__name__}): "
                    "save it again from Excel as .xlsx")
        return
    try:
        sheets = workbook.worksheets
        if not sheets:
            source.stop(1, "the workbook has no worksheet")
            return
        sheet = sheets[0]
        header: tuple[Cell, ...] = ()
        rows = sheet.iter_rows(values_only=True)
        for number, cells in enumerate(rows, start=1):
            if number == 1:
                header = tuple(cells)
                source.problems.extend(_sheet_structure_problems(sheet, header))
            yield RawRow(number, tuple(cells))
    except Exception as error:
        source.stop(1, f"the workbook could not be read to the end ({type(error).__name__}): "
                    "save it again from Excel as .xlsx")
    finally:
        workbook.close()


def _column_name(header: tuple[Cell, ...], column: int) -> str:
    if 1 <= column <= len(header):
        value = header[column - 1]
        if value is not None and str(value).strip():
            return str(value).strip()
    return "-"


def _sheet_structure_problems(sheet: Any, header: tuple[Cell, ...]) -> list[Problem]:
    """Merged cells and formulas without saved values, found in the sheet's XML.

    openpyxl's read-only mode reads neither, so the sheet's XML is streamed once more; its
    elements are discarded as they are read, so memory stays flat whatever the sheet's size.
    """
    from openpyxl.utils.cell import column_index_from_string as column_index
    from openpyxl.utils.cell import coordinate_from_string, range_boundaries

    problems: list[Problem] = []
    try:
        # `_get_source` opens the sheet's part in the workbook's zip (openpyxl read-only API).
        stream = sheet._get_source()
    except (AttributeError, KeyError, zipfile.BadZipFile):
        return problems
    with stream:
        parent: ET.Element | None = None
        for event, element in ET.iterparse(stream, events=("start", "end")):
            tag = element.tag.rpartition("}")[2]
            if event == "start":
                if tag == "sheetData":
                    parent = element
                continue
            if tag == "c":
                children = {child.tag.rpartition("}")[2]: child for child in element}
                saved = children.get("v")
                if "f" in children and (saved is None or not (saved.text or "").strip()):
                    ref = element.get("r", "")
                    letters, row = coordinate_from_string(ref)
                    problems.append(Problem(
                        row, _column_name(header, column_index(letters)),
                        f"cell {ref} holds a formula with no saved value (the workbook was "
                        "written by a program and never opened in Excel): open it in Excel "
                        "and save it, or paste the values"))
            elif tag == "row" and parent is not None:
                element.clear()
                parent.remove(element)
            elif tag == "mergeCell":
                ref = element.get("ref", "")
                min_col, min_row, _max_col, _max_row = range_boundaries(ref)
                problems.append(Problem(
                    min_row or 1, _column_name(header, min_col or 1),
                    f"cells {ref} are merged: unmerge them so that every cell holds its own "
                    "value (a merged cell hides the values of the cells it covers)"))
    return problems
