"""Reading a request register file, CSV or XLSX, into numbered rows of raw cells.

docs/domain/request-register.md: "CSV (UTF-8, comma, header row) and Excel (.xlsx, first sheet,
header in row 1) carry the same columns." This module knows about bytes, encodings, quoting and
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

A workbook is a zip of XML parts, and its sizes are only claims, so it is checked before
openpyxl reads any of it (`inspect_workbook`): the number of parts, each part's uncompressed
size and compression ratio, and the total, against the `MAX_WORKBOOK_*` limits below. Python's
zip reader never inflates a part beyond the size its directory declares (it stops there and
reports a checksum error), so checking the declared sizes bounds what reading can cost: a
1.5 MB file that inflates to a 1.5 GiB shared string is refused in milliseconds.

The sheet's rows are then read straight from its XML, not through openpyxl's row iterator,
which trusts the sheet's `<dimension>` (a sheet claiming `A1:O2` would stop after one row of
data) and pads every missing row and cell (a single value at XFD1048576 means a million rows
of 16,384 cells). Cells holding nothing (formatting only) are skipped; a value beyond
`MAX_XLSX_COLUMNS` or below row `schema.MAX_ROWS + 1` stops the reading at once.

Longer than 500 lines on purpose: the CSV reader and the streaming XLSX reader share the row
numbering, the problems and the workbook limits of decision 0015; the XLSX half could become its
own module.
"""

from __future__ import annotations

import codecs
import csv
import gc
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

_MB = 1 << 20
#: At most this many parts (files) in a workbook: a register saved by Excel has about 10, a
#: workbook with many sheets, charts and images a few hundred.
MAX_WORKBOOK_PARTS = 1000
#: Uncompressed size of all parts together.
MAX_WORKBOOK_BYTES = 1024 * _MB
#: Uncompressed size of one worksheet's XML. A register row is about 600 bytes of sheet XML,
#: so `schema.MAX_ROWS` rows need about 300 MB; the sheet is streamed, never held whole.
MAX_WORKBOOK_SHEET_BYTES = 512 * _MB
#: Uncompressed size of any other part. openpyxl holds these in memory whole: the shared
#: strings (every distinct text of the workbook; `schema.MAX_ROWS` rows with their two
#: references each need about 30 MB), the styles, the workbook's own description.
MAX_WORKBOOK_PART_BYTES = 64 * _MB
#: Largest compression ratio of a part over 1 MB. Sheet XML compresses 10 to 20 times; a
#: zip bomb a thousand times or more. 100 is Apache POI's default limit (ZipSecureFile).
MAX_WORKBOOK_RATIO = 100
_RATIO_FROM_BYTES = _MB
#: Columns read from a sheet: the register has 15; a tracker may carry more, which
#: --ignore-unknown-columns leaves out. A value further right is refused.
MAX_XLSX_COLUMNS = 200
_WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_RESAVE_HINT = ("copy the register's columns into a new workbook, or save it as CSV UTF-8, "
                "and import that")


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


def inspect_workbook(path: Path) -> str | None:
    """Why a workbook is refused before it is read, or None: its zip directory checked
    against the `MAX_WORKBOOK_*` limits. Reads only the directory and `[Content_Types].xml`.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_WORKBOOK_PARTS:
                return (f"the workbook has {len(parts):,} parts, more than the "
                        f"{MAX_WORKBOOK_PARTS:,} a register could need: {_RESAVE_HINT}")
            total = sum(part.file_size for part in parts)
            if total > MAX_WORKBOOK_BYTES:
                return (f"the workbook unpacks to {_size(total)}, more than the "
                        f"{_size(MAX_WORKBOOK_BYTES)} a register could need: "
                        f"{_RESAVE_HINT}")
            sheets = _worksheet_parts(archive)
            for part in parts:
                name, size = part.filename, part.file_size
                if size > _RATIO_FROM_BYTES and size > MAX_WORKBOOK_RATIO * max(
                        part.compress_size, 1):
                    return (f"a part of the workbook ({name}) unpacks to "
                            f"{size // max(part.compress_size, 1):,} times its packed size, "
                            "as a zip bomb does, not a spreadsheet: "
                            f"{_RESAVE_HINT}")
                limit = (MAX_WORKBOOK_SHEET_BYTES if name in sheets
                         else MAX_WORKBOOK_PART_BYTES)
                if size > limit:
                    what = ("a worksheet" if name in sheets else "the shared text of its cells"
                            if "sharedstrings" in name.lower() else "a part of the workbook")
                    return (f"{what} ({name}) unpacks to {_size(size)}, more than "
                            f"the {_size(limit)} a register could need: {_RESAVE_HINT}")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            NotImplementedError, ET.ParseError) as error:
        return (f"the file is not a readable Excel workbook ({type(error).__name__}): save it "
                "again from Excel as .xlsx")
    return None


def _size(count: int) -> str:
    """A size in bytes as people read it: 64 MB, 1.5 MB, 900 KB."""
    if count >= 10 * _MB:
        return f"{count / _MB:,.0f} MB"
    if count >= _MB:
        return f"{count / _MB:.1f} MB"
    return f"{max(count, 1024) // 1024:,} KB"


def _worksheet_parts(archive: zipfile.ZipFile) -> frozenset[str]:
    """The names of the worksheet parts, from `[Content_Types].xml` (and their usual folder)."""
    names = {info.filename for info in archive.infolist()
             if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")}
    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError:
        return frozenset(names)
    if info.file_size > MAX_WORKBOOK_PART_BYTES or info.file_size > MAX_WORKBOOK_RATIO * max(
            info.compress_size, 1) + _RATIO_FROM_BYTES:
        return frozenset(names)  # refused by the size checks that follow
    root = ET.fromstring(archive.read(info))  # expat refuses entity expansion bombs
    for override in root:
        if override.get("ContentType") == _WORKSHEET_TYPE:
            names.add(override.get("PartName", "").lstrip("/"))
    return frozenset(names)


def _xlsx_rows(source: RegisterSource) -> Iterator[RawRow]:
    """The first sheet's rows as values (dates as `datetime`, formulas as saved values)."""
    if (problem := inspect_workbook(source.path)) is not None:
        source.stop(1, problem)
        return
    try:
        workbook = _load_workbook(source.path)
    except _Refused as refused:
        source.stop(1, str(refused))
        del refused
        gc.collect()  # see below: a part-read XML parser must not outlive this
        return
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        source.stop(1, f"the file is not a readable Excel workbook ({type(error).__name__}): "
                    "save it again from Excel as .xlsx")
        del error
        gc.collect()  # see below: a failed XML parser must not outlive this
        return
    try:
        sheets = workbook.worksheets
        if not sheets:
            source.stop(1, "the workbook has no worksheet")
            return
        sheet = sheets[0]
        first = True
        for raw in _sheet_rows(sheet, source):
            if first and raw.number != 1:
                yield RawRow(1, ())  # row 1 is empty: validation says it must be the header
            if raw.number == 1:
                source.problems.extend(_sheet_structure_problems(sheet, raw.cells))
            first = False
            yield raw
    except Exception as error:
        source.stop(1, f"the workbook could not be read to the end ({type(error).__name__}): "
                    "save it again from Excel as .xlsx")
        failed = True
    else:
        failed = False
    finally:
        workbook.close()
    if failed:
        # An XML parser left in an error state (a damaged or hostile sheet) sits in a
        # reference cycle with the traceback; CPython 3.12.1 crashes if the cycle is still
        # there when the interpreter shuts down (python/cpython#111784, fixed in 3.12.2).
        # Collect it now, while the modules it needs are alive.
        gc.collect()


class _Refused(Exception):  # not a ValueError: openpyxl rewords those
    """A workbook refused while it was being opened; the message says why."""


#: Excel's own limit on the text of one cell ("Total number of characters that a cell can
#: contain: 32,767", Excel specifications and limits).
MAX_CELL_CHARACTERS = 32_767
_SST = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _load_workbook(path: Path) -> Any:
    """`openpyxl.load_workbook(path, read_only=True, data_only=True)`, with the shared
    strings read by `_shared_strings` instead of openpyxl's own reader."""
    from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader

    class Reader(ExcelReader):  # type: ignore[misc]
        def read_strings(self) -> None:
            part = self.package.find(SHARED_STRINGS)
            if part is not None:
                with self.archive.open(part.PartName[1:]) as stream:
                    self.shared_strings = _shared_strings(stream)

    reader = Reader(path, read_only=True, data_only=True)
    reader.read()
    return reader.wb


def _shared_strings(stream: Any) -> list[str]:
    """The workbook's shared strings, as openpyxl reads them (a cell's text, or its runs'
    texts joined, phonetic guides left out), in about a tenth of the time and half the
    memory: each `<si>` is dropped from the tree once read. A string longer than Excel's
    `MAX_CELL_CHARACTERS` is refused: no spreadsheet program wrote it.
    """
    text_tag, item_tag, phonetic_tag = f"{_SST}t", f"{_SST}si", f"{_SST}rPh"
    strings: list[str] = []
    root: ET.Element | None = None
    for event, element in ET.iterparse(stream, events=("start", "end")):
        if event == "start":
            if root is None:
                root = element
            continue
        if element.tag != item_tag:
            continue
        text = element.findtext(text_tag)
        if text is None:
            text = "".join(t.text or "" for run in element if run.tag != phonetic_tag
                           for t in run.iter(text_tag))
        if len(text) > MAX_CELL_CHARACTERS:
            raise _Refused(
                f"a cell's text is {len(text):,} characters long, more than the "
                f"{MAX_CELL_CHARACTERS:,} Excel allows in a cell: {_RESAVE_HINT}")
        strings.append(text.replace("x005F_", "") if "x005F_" in text else text)
        element.clear()
        if root is not None and len(root) > 1000:
            root.clear()  # the items read so far: nothing refers to them any more
    return strings


def _sheet_rows(sheet: Any, source: RegisterSource) -> Iterator[RawRow]:
    """The rows of a read-only sheet that hold a value, each up to its last value, straight
    from the sheet's XML: the `<dimension>` is ignored and missing rows are not made up.

    Stops the reading (a problem on `source`) at a value right of `MAX_XLSX_COLUMNS` or
    below row `schema.MAX_ROWS + 1`, before any row beyond is made.
    """
    from openpyxl.utils.cell import get_column_letter
    from openpyxl.worksheet._reader import WorkSheetParser

    workbook = sheet.parent
    last_row = schema.MAX_ROWS + 1
    with sheet._get_source() as stream:  # openpyxl's read-only API: the sheet's XML part
        parser = WorkSheetParser(stream, sheet._shared_strings, data_only=workbook.data_only,
                                 epoch=workbook.epoch, date_formats=workbook._date_formats,
                                 timedelta_formats=workbook._timedelta_formats)
        for number, cells in parser.parse():
            values: dict[int, Cell] = {}
            for cell in cells:
                value = cell["value"]
                if value is None:
                    continue  # formatting only
                column = cell["column"]
                if column > MAX_XLSX_COLUMNS:
                    source.stop(number, (
                        f"cell {get_column_letter(min(column, 16384))}{number} holds a value "
                        f"in column {column:,}, far beyond the register's columns (ehcflow "
                        f"reads the first {MAX_XLSX_COLUMNS}): delete it, or "
                        f"{_RESAVE_HINT}"))
                    return
                values[column] = value
            if not values:
                continue
            if number > last_row:
                source.stop(number, (
                    f"row {number:,} holds a value, below the {schema.MAX_ROWS:,} rows of data "
                    "one import takes: delete everything below the register's last row, or "
                    "split it into smaller files and import each"))
                return
            yield RawRow(number, tuple(values.get(i) for i in range(1, max(values) + 1)))


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
