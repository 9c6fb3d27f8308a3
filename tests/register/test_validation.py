"""The register's cell and consistency rules, checked without a database
(docs/domain/request-register.md)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from ehcflow.register import formats, validation
from ehcflow.register.formats import Problem, RawRow
from ehcflow.register.validation import consistency_problems, parse_date
from tests.register.conftest import HEADER, register_row, write_csv

TODAY = date(2026, 11, 23)
HINT = "write dates as YYYY-MM-DD (e.g. 2023-03-13) or DD/MM/YYYY (e.g. 13/03/2023)"


@pytest.mark.parametrize(("cell", "expected"), [
    ("2023-03-13", date(2023, 3, 13)),
    (" 2023-03-13 ", date(2023, 3, 13)),
    ("13/03/2023", date(2023, 3, 13)),
    ("29/02/2024", date(2024, 2, 29)),
    (datetime(2023, 3, 13), date(2023, 3, 13)),
    (datetime(2023, 3, 13, 9, 30), date(2023, 3, 13)),
    (date(2023, 3, 13), date(2023, 3, 13)),
    ("", None),
    (None, None),
])
def test_it_reads_the_register_date_forms(cell: formats.Cell, expected: date | None) -> None:
    assert parse_date(cell) == (expected, None)


@pytest.mark.parametrize(("cell", "message"), [
    ("2023-02-30", "'2023-02-30' is not a real date: February 2023 has 28 days"),
    ("29/02/2023", "'29/02/2023' is not a real date: February 2023 has 28 days"),
    ("31/31/2023", "'31/31/2023' is not a real date: there is no month 31"),
    ("0000-01-01", "'0000-01-01' is not a real date: there is no year 0"),
    ("03/04/23", f"'03/04/23' has a two-digit year, which is ambiguous: {HINT}"),
    ("3-4-23", f"'3-4-23' has a two-digit year, which is ambiguous: {HINT}"),
    ("3/4/2023", "'3/4/2023' is not in a register date form (write the day and month with two "
     f"digits): {HINT}"),
    ("2023/03/13", f"'2023/03/13' is not a date: {HINT}"),
    ("20230313", f"'20230313' is not a date: {HINT}"),
    ("2023-03-13T00:00", f"'2023-03-13T00:00' is not a date: {HINT}"),
    ("١٢/٠٣/٢٠٢٣", f"'١٢/٠٣/٢٠٢٣' is not a date: {HINT}"),
    ("tomorrow", f"'tomorrow' is not a date: {HINT}"),
])
def test_it_refuses_every_other_date(cell: str, message: str) -> None:
    assert parse_date(cell) == (None, message)


def full(**values: object) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(HEADER, "")
    for column in ("date_of_birth", "request_date", "decision_date", "outcome_date",
                   "draft_date", "final_date", "closed_date"):
        row[column] = None
    row.update(case_ref="EHC-1", person_id="P1", date_of_birth=date(2015, 1, 1),
               request_date=date(2023, 1, 9))
    row.update(values)
    return row


@pytest.mark.parametrize(("values", "problems"), [
    ({}, []),
    ({"decision": "assess", "decision_date": date(2023, 2, 1), "outcome": "plan",
      "outcome_date": date(2023, 4, 1), "draft_date": date(2023, 4, 1),
      "final_date": date(2023, 5, 1)}, []),  # the outcome date may equal the draft date
    ({"outcome": "plan", "outcome_date": date(2023, 4, 1), "decision": "assess",
      "decision_date": date(2023, 4, 2)},
     [("outcome_date", "2023-04-01 is before decision_date (2023-04-02)")]),
    ({"decision": "assess", "decision_date": date(2023, 2, 1), "outcome": "plan",
      "outcome_date": date(2023, 4, 1), "draft_date": date(2023, 3, 1),
      "final_date": date(2023, 3, 20)},
     [("draft_date", "2023-03-01 is before outcome_date (2023-04-01)")]),
    ({"closed_date": date(2023, 2, 1), "closed_reason": "withdrawn", "decision": "not_assess",
      "decision_date": date(2023, 3, 1)},
     [("closed_date", "2023-02-01 is before decision_date (2023-03-01)")]),
    ({"decision": "assess", "decision_date": date(2023, 2, 1), "outcome": "no_plan",
      "outcome_date": date(2023, 4, 1), "draft_date": date(2023, 4, 5),
      "final_date": date(2023, 5, 1)},
     [("draft_date", "must be empty when outcome is no_plan"),
      ("final_date", "must be empty when outcome is no_plan")]),
    ({"decision": "not_assess", "decision_date": date(2023, 2, 1),
      "final_date": date(2023, 5, 1)},
     [("final_date", "must be empty when decision is not_assess")]),
    ({"final_date": date(2023, 5, 1)},
     [("final_date", "a final plan needs decision = assess (decision is empty)"),
      ("final_date", "a final plan needs outcome = plan (outcome is empty)")]),
    ({"closed_reason": "other"}, [("closed_date", "a date is required when closed_reason is "
                                   "given")]),
    ({"outcome_date": date(2023, 4, 1)}, [("outcome", "a value is required when outcome_date "
                                           "is given")]),
    ({"date_of_birth": date(2027, 1, 1)},
     [("date_of_birth", "2027-01-01 is in the future"),
      ("request_date", "2023-01-09 is before date_of_birth (2027-01-01)")]),
    ({"decision": "assess", "decision_date": date(2026, 11, 23)}, []),  # today is not future
    ({"decision": "assess", "decision_date": date(2026, 11, 24)},
     [("decision_date", "2026-11-24 is in the future")]),
])
def test_the_consistency_rules(values: dict[str, object],
                               problems: list[tuple[str, str]]) -> None:
    assert consistency_problems(full(**values), today=TODAY) == problems  # type: ignore[arg-type]


def test_a_malformed_cell_is_reported_once_not_by_every_rule_it_touches(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [register_row(
        case_ref="EHC-1", person_id="P1", date_of_birth="2015-01-01", request_date="2023-01-09",
        decision="assess", decision_date="2023-02-31", outcome="plan",
        outcome_date="2023-04-01")])
    source = formats.open_register(path)
    result = validation.validate(source, today=TODAY, problems=source.problems)
    assert result.problems == [Problem(2, "decision_date", "'2023-02-31' is not a real date: "
                                       "February 2023 has 28 days")]
    assert result.rows == []


def test_rows_are_numbered_as_a_spreadsheet_shows_them(tmp_path: Path) -> None:
    """A quoted line break stays in its cell; blank rows count; the header is row 1."""
    path = tmp_path / "r.csv"
    path.write_text(
        "case_ref,person_id,date_of_birth,request_date,officer\n"
        '"EHC-1",P1,2015-01-01,2023-01-09,"Alex\nOfficer"\n'
        "\n"
        "EHC-2,P2,2015-01-01,2023-02-30,\n", encoding="utf-8")
    source = formats.open_register(path)
    assert [raw.number for raw in source] == [1, 2, 3, 4]
    source = formats.open_register(path)
    result = validation.validate(source, today=TODAY, problems=source.problems)
    assert result.problems == [Problem(4, "request_date", "'2023-02-30' is not a real date: "
                                       "February 2023 has 28 days")]
    assert result.rows_read == 2
    assert result.rows[0].officer == "Alex\nOfficer"


def test_headers_are_matched_ignoring_case_and_spaces() -> None:
    header, problems = validation.read_header((" Case_Ref", "PERSON_ID ", "date_of_birth",
                                               "Request_Date", None), ignore_unknown=False)
    assert problems == []
    assert header.positions == {"case_ref": 0, "person_id": 1, "date_of_birth": 2,
                                "request_date": 3}
    assert header.unnamed == frozenset({4})


def test_text_cells_from_a_workbook_are_read_as_text() -> None:
    header, _ = validation.read_header(tuple(HEADER), ignore_unknown=False)
    cells: list[formats.Cell] = [None] * len(HEADER)
    cells[:4] = [12345, 678.0, datetime(2015, 1, 1), datetime(2023, 1, 9)]
    row, problems, _values = validation.parse_row(RawRow(2, tuple(cells)), header, today=TODAY)
    assert problems == []
    assert row is not None
    assert (row.case_ref, row.person_id) == ("12345", "678")


def test_a_utf8_character_split_across_read_blocks_is_fine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(formats, "_CHUNK", 7)
    path = write_csv(tmp_path / "r.csv", [register_row(
        case_ref="EHC-1", person_id="P1", date_of_birth="2015-01-01", request_date="2023-01-09",
        officer="Zoë Brontë")])
    source = formats.open_register(path)
    result = validation.validate(source, today=TODAY, problems=source.problems)
    assert result.problems == []
    assert result.rows[0].officer == "Zoë Brontë"


def test_a_bad_byte_late_in_a_big_file_is_found_at_its_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(formats, "_CHUNK", 64)
    rows = [register_row(case_ref=f"EHC-{n}", person_id=f"P{n}", date_of_birth="2015-01-01",
                         request_date="2023-01-09") for n in range(40)]
    path = write_csv(tmp_path / "r.csv", rows)
    data = path.read_bytes().replace(b"EHC-37,", "EHC-37é,".encode("latin-1"))
    path.write_bytes(data)
    source = formats.open_register(path)
    assert list(source) == []
    assert [(p.row, p.column) for p in source.problems] == [(39, "-")]
    assert "0xE9" in source.problems[0].message
