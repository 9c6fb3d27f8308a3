"""A bad register is refused whole: every problem reported as FILE:ROW:COLUMN, nothing written.

docs/domain/request-register.md: "An import is all or nothing: a file with any error changes
nothing and reports every error it found, not just the first."
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from pathlib import Path

import pytest

from ehcflow.casework.models import AssessmentRequest
from ehcflow.register import formats, schema
from tests.register.conftest import (
    import_file,
    register_row,
    table_counts,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db

DATE_HINT = "write dates as YYYY-MM-DD (e.g. 2023-03-13) or DD/MM/YYYY (e.g. 13/03/2023)"
COLUMN_LIST = ", ".join(schema.COLUMNS)
UTF8_HINT = 'save it from Excel as "CSV UTF-8 (Comma delimited) (*.csv)" and import it again'


def refused(path: Path | str, *flags: str) -> list[str]:
    """Import a file that must be refused; its problem lines, after checking nothing changed."""
    before = table_counts()
    run = import_file(path, *flags)
    assert run.status == 1
    assert run.stdout == ""
    assert table_counts() == before
    count = len(run.problems)
    assert run.stderr.splitlines()[-1] == (
        f"CommandError: {path}: {count} problem{'s' if count != 1 else ''} found; nothing was "
        "changed.")
    return run.problems


def test_it_reports_every_problem_in_a_file_with_many(fixture: Callable[[str], Path]) -> None:
    path = fixture("many-errors.csv")
    assert refused(path) == [f"{path}:{line}" for line in [
        "2:request_date: '2023-02-30' is not a real date: February 2023 has 28 days",
        "3:request_date: '31/31/2023' is not a real date: there is no month 31",
        f"4:request_date: '03/04/23' has a two-digit year, which is ambiguous: {DATE_HINT}",
        "5:request_date: 2099-01-01 is in the future",
        "6:request_date: 2014-12-31 is before date_of_birth (2015-03-14)",
        "7:decision_date: 2023-02-01 is before request_date (2023-03-01)",
        "8:request_source: 'Parent' is not one of: parent, young_person, school, health, "
        "social_care, other (did you mean 'parent'? codes are written exactly as listed)",
        "9:decision_date: a date is required when decision is given",
        "10:outcome: must be empty when decision is not_assess",
        "11:final_date: a final plan needs outcome = plan (outcome is empty)",
        "12:closed_date: must be empty when final_date is given: a request that ended in a "
        "final plan is not closed",
        "13:case_ref: 'EHC-0101' already appears in row 2: a case_ref appears once per file",
        "14:date_of_birth: person_id 'P101' has date_of_birth 2015-03-14 in row 2: a person "
        "keeps one date of birth",
        "15:case_ref: is 41 characters long; at most 40 are allowed",
        "16:officer: '=HYPERLINK(\"http://e' starts with '=', which spreadsheets read as a "
        "formula: references and names may not start with = + - or @",
        "17:-: cell 16 of this row has a value beyond the last column of the header",
        "18:person_id: a value is required",
        "18:request_date: a date is required",
        "19:decision_date: '2023-13-01' is not a real date: there is no month 13",
        # row 20 is blank and skipped, as a spreadsheet's empty rows are
        "21:exception: 'covid' is not one of: school_closure, personal_circumstances, "
        "absent_from_area, missed_appointment, early_years_closure, coronavirus",
        "21:closed_date: a date is required when closed_reason is given",
    ]]


def test_it_refuses_a_windows_1252_export_naming_the_row(fixture: Callable[[str], Path]) -> None:
    path = fixture("windows-1252.csv")
    assert refused(path) == [
        f"{path}:3:-: the file is not UTF-8: this row has a character that is not UTF-8 (the "
        'byte 0xE9, which is "é" in Windows-1252). It looks like a Windows-1252 ("ANSI") or '
        "Latin-1 export; ehcflow does not guess encodings, because a wrong guess corrupts "
        f"names without a trace: {UTF8_HINT}"]


def test_it_refuses_utf_16_text(fixture: Callable[[str], Path]) -> None:
    path = fixture("utf-16.csv")
    assert refused(path) == [f"{path}:1:-: the file is UTF-16 text (Excel's \"Unicode Text\"), "
                             f"not UTF-8: {UTF8_HINT}"]


def test_it_refuses_binary_garbage(fixture: Callable[[str], Path]) -> None:
    path = fixture("binary.csv")
    assert refused(path) == [f"{path}:1:-: the file contains a control character (byte 0x18): "
                             "it is not a CSV text file"]


def test_it_refuses_nul_bytes_at_their_line(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b",".join(s.encode() for s in schema.COLUMNS) + b"\nEHC-1,P1\x00\n")
    assert refused(path) == [f"{path}:2:-: the file contains binary data (NUL bytes): it is not a "
                             "CSV text file"]


def test_it_refuses_an_empty_file(fixture: Callable[[str], Path]) -> None:
    path = fixture("empty.csv")
    assert refused(path) == [f"{path}:1:-: the file is empty: row 1 must be the header naming "
                             "the columns (case_ref, person_id, date_of_birth, request_date, …)"]


def test_it_refuses_a_header_without_rows(fixture: Callable[[str], Path]) -> None:
    path = fixture("header-only.csv")
    assert refused(path) == [f"{path}:2:-: the file has a header but no rows of data"]


def test_it_refuses_a_blank_first_row(tmp_path: Path) -> None:
    path = tmp_path / "blank-header.csv"
    path.write_text("\nEHC-1,P1,2015-01-01,2023-01-01\n", encoding="utf-8")
    assert refused(path) == [f"{path}:1:-: row 1 is empty: it must be the header naming the "
                             "columns (case_ref, person_id, date_of_birth, request_date, …)"]


def test_it_names_missing_required_columns_and_still_checks_the_rows(
    fixture: Callable[[str], Path],
) -> None:
    path = fixture("missing-columns.csv")
    assert refused(path) == [
        f"{path}:1:person_id: this required column is missing from the header",
        f"{path}:1:request_date: this required column is missing from the header",
        f"{path}:2:decision_date: a date is required when decision is given",
    ]


def test_it_refuses_unknown_columns_unless_told_to_ignore_them(
    fixture: Callable[[str], Path],
) -> None:
    path = fixture("unknown-column.csv")
    hint = (f"the register's columns are {COLUMN_LIST}; to import the file anyway, leaving this "
            "column out, use --ignore-unknown-columns")
    assert refused(path) == [f"{path}:1:Notes: unknown column: {hint}",
                             f"{path}:1:Team: unknown column: {hint}"]
    run = import_file(path, "--ignore-unknown-columns")
    assert run.status == 0
    assert "Columns ignored: Notes, Team" in run.stdout.splitlines()
    assert AssessmentRequest.objects.get().case_ref == "EHC-0001"


def test_it_says_when_columns_are_separated_by_semicolons(fixture: Callable[[str], Path]) -> None:
    path = fixture("semicolons.csv")
    problems = refused(path)
    assert problems[0] == (
        f"{path}:1:case_ref;person_id;date_of_birth;request_date: unknown column (the columns "
        "seem to be separated by semicolons; the register is comma-separated): "
        f"the register's columns are {COLUMN_LIST}; to import the file anyway, leaving this "
        "column out, use --ignore-unknown-columns")


def test_it_refuses_a_column_given_twice(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "twice.csv", [[*register_row(case_ref="EHC-1", person_id="P1",
                                                             date_of_birth="2015-01-01",
                                                             request_date="2023-01-01"), "X"]],
                     header=[*schema.COLUMNS, " Case_Ref "])
    assert refused(path) == [f"{path}:1:case_ref: the column appears twice (columns 1 and 16)"]


def test_it_refuses_data_under_a_column_with_no_name(tmp_path: Path) -> None:
    path = tmp_path / "unnamed.csv"
    path.write_text("case_ref,person_id,,date_of_birth,request_date\n"
                    "EHC-1,P1,oops,2015-01-01,2023-01-01\n"
                    "EHC-2,P2,,2015-01-01,2023-01-01\n", encoding="utf-8")
    assert refused(path) == [f"{path}:2:-: cell 3 of this row has a value under a column with no "
                             "name in the header"]


def test_it_refuses_malformed_quoting(tmp_path: Path) -> None:
    path = tmp_path / "quotes.csv"
    path.write_text("case_ref,person_id,date_of_birth,request_date\n"
                    "EHC-1,P1,2015-01-01,2023-01-01\n"
                    'EHC-2,"P2"x,2015-01-01,2023-01-01\n', encoding="utf-8")
    assert refused(path) == [
        f"{path}:3:-: the CSV is malformed here (',' expected after '\"'): a cell that contains "
        "a comma, a quote or a line break must be wrapped in double quotes, with any quote "
        "inside it doubled"]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("register.txt", b"case_ref\n", "the register must be a .csv or .xlsx file, not .txt"),
    ("register.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
     "this is an old-style Excel .xls workbook or a password-protected one: remove any "
     "password and save it as .xlsx, or as CSV UTF-8"),
    ("register.csv", b"PK\x03\x04rest-of-a-zip",
     "the file is named .csv but is a zip archive, probably an Excel workbook: rename it to "
     ".xlsx, or save it from Excel as CSV UTF-8"),
    ("register.xlsx", b"PK\x03\x04not-really-a-workbook",
     "the file is not a readable Excel workbook (BadZipFile): save it again from Excel as .xlsx"),
])
def test_it_refuses_files_that_are_not_what_their_name_says(
    tmp_path: Path, name: str, content: bytes, message: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert refused(path) == [f"{path}:1:-: {message}"]


def test_it_refuses_an_xlsx_that_is_really_a_csv(fixture: Callable[[str], Path]) -> None:
    path = fixture("not-really.xlsx")
    assert refused(path) == [f"{path}:1:-: the file is named .xlsx but is not an Excel workbook "
                             "(it looks like CSV text): if it is CSV, rename it to .csv"]


def test_it_reports_a_missing_file_as_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    assert refused(path) == [f"{path}:1:-: cannot read the file: No such file or directory"]


def test_it_names_the_range_of_merged_cells(tmp_path: Path) -> None:
    def merge(sheet: object) -> None:
        sheet.merge_cells("E2:E3")  # type: ignore[attr-defined]

    rows = [register_row(case_ref="EHC-1", person_id="P1", date_of_birth="2015-01-01",
                         request_date="2023-01-09", request_source="parent"),
            register_row(case_ref="EHC-2", person_id="P2", date_of_birth="2015-01-01",
                         request_date="2023-01-09")]
    path = write_xlsx(tmp_path / "merged.xlsx", rows, edit=merge)
    assert refused(path) == [f"{path}:2:request_source: cells E2:E3 are merged: unmerge them so "
                             "that every cell holds its own value (a merged cell hides the values "
                             "of the cells it covers)"]


def test_it_refuses_a_formula_with_no_saved_value(tmp_path: Path) -> None:
    rows = [register_row(case_ref="EHC-1", person_id="P1", date_of_birth="2015-01-01",
                         request_date="2023-01-09")]
    rows[0][4] = '=IF(TRUE,"parent","school")'
    path = write_xlsx(tmp_path / "formula.xlsx", rows)
    assert refused(path) == [f"{path}:2:request_source: cell E2 holds a formula with no saved "
                             "value (the workbook was written by a program and never opened in "
                             "Excel): open it in Excel and save it, or paste the values"]


@pytest.mark.parametrize(("cell", "message"), [
    (45000, "is a number (45000), not a date: format the cell as a date, or " + DATE_HINT),
    (time(9, 30), "is a time of day (09:30:00), not a date: format the cell as a date, or "
     + DATE_HINT),
    ("13/3/2023", "'13/3/2023' is not in a register date form (write the day and month with two "
     f"digits): {DATE_HINT}"),
    ("March 13th", f"'March 13th' is not a date: {DATE_HINT}"),
    (True, "is TRUE, a true/false cell, not a date: format the cell as a date, or "
     + DATE_HINT),
])
def test_it_refuses_xlsx_cells_that_are_not_dates(tmp_path: Path, cell: object,
                                                  message: str) -> None:
    row: list[object] = list(register_row(case_ref="EHC-1", person_id="P1",
                                          date_of_birth="2015-01-01"))
    row[3] = cell
    path = write_xlsx(tmp_path / "dates.xlsx", [row])
    assert refused(path) == [f"{path}:2:request_date: {message}"]


def test_it_refuses_a_line_too_long_to_be_a_register(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    with path.open("wb") as handle:
        handle.write(",".join(schema.COLUMNS).encode() + b"\n")
        handle.write(b"EHC-1,P1,2015-01-01,2023-01-01\n")
        handle.write(b"x" * (3 * 1024 * 1024) + b"\n")
    assert refused(path) == [f"{path}:3:-: a line is longer than 64 KB: this is not a request "
                             "register"]


def test_it_stops_at_the_row_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schema, "MAX_ROWS", 3)
    rows = [register_row(case_ref=f"EHC-{n}", person_id=f"P{n}", date_of_birth="2015-01-01",
                         request_date="2023-01-09") for n in range(5)]
    path = write_csv(tmp_path / "five.csv", rows)
    assert refused(path) == [f"{path}:5:-: the file has more than 3 rows of data, the most one "
                             "import takes: split it into smaller files and import each"]


@pytest.mark.slow
def test_a_100_mb_file_is_streamed_and_refused_at_the_row_limit(tmp_path: Path) -> None:
    """A 100 MB register is read as a stream; past 500,000 rows it is refused, not loaded."""
    path = tmp_path / "huge.csv"
    line = b"EHC-%07d,P%07d,2015-01-01,2023-01-09," + b"parent," + b"," * 9 + b"x" * 90 + b"\n"
    with path.open("wb") as handle:
        handle.write(",".join(schema.COLUMNS).encode() + b"\n")
        block = b"".join(line % (n, n) for n in range(10_000))
        while handle.tell() < 100 * 1024 * 1024:
            handle.write(block)
    assert path.stat().st_size >= 100 * 1024 * 1024
    source = formats.open_register(path)
    count = sum(1 for _ in source)
    assert count == schema.MAX_ROWS + 1  # the header and 500,000 rows, then it stops
    assert source.problems == [formats.Problem(
        500_002, "-", "the file has more than 500,000 rows of data, the most one import takes: "
        "split it into smaller files and import each")]
