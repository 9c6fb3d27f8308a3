"""Workbooks built to mislead or exhaust the reader are refused, fast, and change nothing.

Issue 9 finding 6: openpyxl's read-only mode trusted a sheet's `<dimension>` (a 5-row sheet
claiming A1:O2 imported 1 row and exited 0), a 1.5 MB workbook holding a 1.5 GiB shared string
took 3.4 GB of memory, and one value at XFD1048576 took 34 s to refuse. Every file here is
built for real with openpyxl and zipfile.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from ehcflow.casework.models import AssessmentRequest
from ehcflow.register import formats
from tests.register.conftest import import_file, register_row, table_counts, write_xlsx

pytestmark = pytest.mark.django_db

RESAVE = ("copy the register's columns into a new workbook, or save it as CSV UTF-8, and "
          "import that")


def refused(path: Path) -> list[str]:
    """Import a workbook that must be refused; its problem lines, after checking nothing
    changed."""
    before = table_counts()
    run = import_file(path)
    assert run.status == 1, run.stdout
    assert run.stdout == ""
    assert table_counts() == before
    return run.problems


def five_rows() -> list[list[str]]:
    return [register_row(case_ref=f"EHC-{n}", person_id=f"P{n}", date_of_birth="2015-01-01",
                         request_date="2023-01-09", request_source="parent")
            for n in range(1, 6)]


def rewrite_part(path: Path, name: str, edit: object) -> Path:
    """Rewrite one part of a workbook in place (`edit` maps its bytes to new bytes)."""
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            target.writestr(info.filename, edit(data) if info.filename == name else data)  # type: ignore[operator]
    return path


def test_a_sheet_whose_dimension_claims_fewer_rows_is_read_to_its_end(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "short-dimension.xlsx", five_rows())

    def lie(xml: bytes) -> bytes:
        claimed, count = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:O2"', xml)
        assert count == 1
        return claimed

    rewrite_part(path, "xl/worksheets/sheet1.xml", lie)
    run = import_file(path)
    assert run.status == 0, run.stderr
    assert "Rows read from" in run.stdout and ": 5\n" in run.stdout
    assert sorted(AssessmentRequest.objects.values_list("case_ref", flat=True)) == [
        "EHC-1", "EHC-2", "EHC-3", "EHC-4", "EHC-5"]


def test_a_sheet_with_no_dimension_and_gaps_keeps_spreadsheet_row_numbers(
        tmp_path: Path) -> None:
    rows: list[list[str]] = [*five_rows()[:2], [""] * 15, [""] * 15, five_rows()[2]]
    rows[4][3] = "2099-01-01"
    path = write_xlsx(tmp_path / "gaps.xlsx", rows)
    rewrite_part(path, "xl/worksheets/sheet1.xml",
                 lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', b"", xml))
    assert refused(path) == [f"{path}:6:request_date: 2099-01-01 is in the future"]


def test_a_value_at_xfd1048576_is_refused_at_once(tmp_path: Path) -> None:
    def far(sheet: object) -> None:
        sheet["XFD1048576"] = "x"  # type: ignore[index]

    path = write_xlsx(tmp_path / "far.xlsx", five_rows(), edit=far)
    with zipfile.ZipFile(path) as archive:
        assert b'<dimension ref="A1:XFD1048576"' in archive.read("xl/worksheets/sheet1.xml")
    assert refused(path) == [
        f"{path}:1048576:-: cell XFD1048576 holds a value in column 16,384, far beyond the "
        f"register's columns (ehcflow reads the first 200): delete it, or {RESAVE}"]


def test_a_value_in_the_last_row_of_a_sheet_is_refused_at_once(tmp_path: Path) -> None:
    def low(sheet: object) -> None:
        sheet["A1048576"] = "x"  # type: ignore[index]

    path = write_xlsx(tmp_path / "low.xlsx", five_rows(), edit=low)
    assert refused(path) == [
        f"{path}:1048576:-: row 1,048,576 holds a value, below the 500,000 rows of data one "
        "import takes: delete everything below the register's last row, or split it into "
        "smaller files and import each"]


def test_a_value_far_to_the_right_is_refused_naming_its_cell(tmp_path: Path) -> None:
    def far(sheet: object) -> None:
        sheet["XFD3"] = "x"  # type: ignore[index]

    path = write_xlsx(tmp_path / "wide.xlsx", five_rows(), edit=far)
    assert refused(path) == [
        f"{path}:3:-: cell XFD3 holds a value in column 16,384, far beyond the register's "
        f"columns (ehcflow reads the first 200): delete it, or {RESAVE}"]


def test_formatting_far_away_without_a_value_is_ignored(tmp_path: Path) -> None:
    from openpyxl.styles import Font

    def styled(sheet: object) -> None:
        sheet["XFD1048576"].font = Font(bold=True)  # type: ignore[index]

    path = write_xlsx(tmp_path / "styled.xlsx", five_rows(), edit=styled)
    with zipfile.ZipFile(path) as archive:
        assert b'r="XFD1048576"' in archive.read("xl/worksheets/sheet1.xml")
    run = import_file(path)
    assert run.status == 0, run.stderr
    assert AssessmentRequest.objects.count() == 5


def test_an_empty_first_row_is_still_reported_as_a_missing_header(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A3"] = "case_ref"
    path = tmp_path / "low-header.xlsx"
    workbook.save(path)
    assert refused(path)[0] == (
        f"{path}:1:-: row 1 is empty: it must be the header naming the columns (case_ref, "
        "person_id, date_of_birth, request_date, …)")


def shared_string_bomb(path: Path, megabytes: int) -> Path:
    """A real workbook whose shared-string table holds one string of `megabytes` MB."""
    write_xlsx(path, five_rows())
    with zipfile.ZipFile(path) as source:
        parts = [(info.filename, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name, data in parts:
            target.writestr(name, data)
        with target.open("xl/sharedStrings.xml", "w") as stream:
            stream.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
                         b'openxmlformats.org/spreadsheetml/2006/main" count="1" '
                         b'uniqueCount="1"><si><t>')
            block = b"A" * (1 << 20)
            for _ in range(megabytes):
                stream.write(block)
            stream.write(b"</t></si></sst>")
    return path


def test_a_shared_string_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    path = shared_string_bomb(tmp_path / "bomb.xlsx", 80)
    assert path.stat().st_size < 1 << 20  # under 1 MB on disk, 80 MB unpacked
    [problem] = refused(path)
    assert problem.startswith(f"{path}:1:-: a part of the workbook (xl/sharedStrings.xml) "
                              "unpacks to ")
    assert problem.endswith(" times its packed size, as a zip bomb does, not a spreadsheet: "
                            f"{RESAVE}")


def test_a_shared_string_table_over_the_limit_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = shared_string_bomb(tmp_path / "strings.xlsx", 3)
    monkeypatch.setattr(formats, "MAX_WORKBOOK_RATIO", 10_000)
    monkeypatch.setattr(formats, "MAX_WORKBOOK_PART_BYTES", 2 << 20)
    assert refused(path) == [
        f"{path}:1:-: the shared text of its cells (xl/sharedStrings.xml) unpacks to 3.0 MB, "
        f"more than the 2.0 MB a register could need: {RESAVE}"]


def test_a_worksheet_over_the_limit_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_xlsx(tmp_path / "sheet.xlsx", five_rows() * 400)
    size = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").file_size
    assert 1 << 20 < size < 2 << 20
    monkeypatch.setattr(formats, "MAX_WORKBOOK_SHEET_BYTES", 1 << 20)
    assert refused(path) == [
        f"{path}:1:-: a worksheet (xl/worksheets/sheet1.xml) unpacks to {size / (1 << 20):.1f} "
        f"MB, more than the 1.0 MB a register could need: {RESAVE}"]


def test_a_workbook_of_too_many_parts_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "parts.xlsx", five_rows())
    with zipfile.ZipFile(path, "a") as archive:
        for n in range(formats.MAX_WORKBOOK_PARTS):
            archive.writestr(f"customXml/item{n}.xml", b"<a/>")
    [problem] = refused(path)
    assert problem == (f"{path}:1:-: the workbook has 1,009 parts, more than the 1,000 a "
                       f"register could need: {RESAVE}")


def test_a_workbook_too_big_unpacked_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_xlsx(tmp_path / "total.xlsx", five_rows())
    monkeypatch.setattr(formats, "MAX_WORKBOOK_BYTES", 1 << 10)
    [problem] = refused(path)
    assert re.fullmatch(rf"{re.escape(str(path))}:1:-: the workbook unpacks to [0-9]+ KB, more "
                        rf"than the 1 KB a register could need: {re.escape(RESAVE)}", problem)


def test_a_damaged_zip_named_xlsx_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "cut.xlsx", five_rows())
    path.write_bytes(path.read_bytes()[:2000])
    assert refused(path) == [f"{path}:1:-: the file is not a readable Excel workbook "
                             "(BadZipFile): save it again from Excel as .xlsx"]


def test_an_entity_expansion_bomb_in_a_sheet_is_refused(tmp_path: Path) -> None:
    """'Billion laughs': expat (2.4 and later) refuses the expansion; nothing is imported."""
    path = write_xlsx(tmp_path / "laughs.xlsx", five_rows())
    entities = b"".join(
        b'<!ENTITY l%d "' % n + (b"&l%d;" % (n - 1)) * 10 + b'">' for n in range(1, 10))
    doctype = b'<!DOCTYPE worksheet [<!ENTITY l0 "ha">' + entities + b"]>"
    rewrite_part(path, "xl/worksheets/sheet1.xml",
                 lambda xml: doctype + xml.replace(b"<t>", b"<t>&l9;", 1))
    [problem] = refused(path)
    assert problem.startswith(f"{path}:1:-: ")
    assert "save it again from Excel as .xlsx" in problem


SST_TYPE = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml")


def with_shared_strings(path: Path, extra: bytes = b"", rich_first: bool = False) -> Path:
    """Rewrite a workbook openpyxl wrote (inline strings) the way Excel writes it: every text
    cell a reference into xl/sharedStrings.xml. `rich_first` writes the first data row's
    case_ref as formatted runs with a phonetic guide; `extra` adds an item at the end."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    strings: list[bytes] = []

    def shared(match: re.Match[bytes]) -> bytes:
        strings.append(match.group(1))
        return b't="s"><v>%d</v></c>' % (len(strings) - 1)

    sheet = re.sub(rb't="inlineStr"><is><t>([^<]*)</t></is></c>', shared,
                   parts["xl/worksheets/sheet1.xml"])
    items = [b"<si><t>%s</t></si>" % text for text in strings]
    if rich_first:
        first = strings.index(b"EHC-1")
        items[first] = (b'<si><r><t>EHC-</t></r><r><rPr><b/></rPr><t>1</t></r>'
                        b"<rPh sb=\"0\" eb=\"1\"><t>ignored</t></rPh></si>")
    parts["xl/worksheets/sheet1.xml"] = sheet
    parts["xl/sharedStrings.xml"] = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b"".join(items) + extra + b"</sst>")
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="'
        + SST_TYPE.encode() + b'"/></Types>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def test_shared_strings_are_read_as_excel_writes_them(tmp_path: Path) -> None:
    path = with_shared_strings(write_xlsx(tmp_path / "shared.xlsx", five_rows()),
                               rich_first=True)
    run = import_file(path)
    assert run.status == 0, run.stderr
    assert sorted(AssessmentRequest.objects.values_list("case_ref", "source")) == [
        (f"EHC-{n}", "parent") for n in range(1, 6)]


def test_a_cell_text_longer_than_excel_allows_is_refused(tmp_path: Path) -> None:
    path = with_shared_strings(write_xlsx(tmp_path / "long.xlsx", five_rows()),
                               extra=b"<si><t>" + b"x" * 40_000 + b"</t></si>")
    assert refused(path) == [
        f"{path}:1:-: a cell's text is 40,000 characters long, more than the 32,767 Excel "
        f"allows in a cell: {RESAVE}"]
