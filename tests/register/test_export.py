"""Exporting the register: the import's format, so import → export → import changes nothing."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest

from ehcflow.casework import choices as c
from ehcflow.casework import services
from ehcflow.casework.models import CaseEvent, Child
from ehcflow.people.models import Role, StaffMember
from ehcflow.register import schema
from tests.register.conftest import (
    HEADER,
    csv_rows,
    export_file,
    import_file,
    register_row,
    table_counts,
    write_csv,
)

pytestmark = pytest.mark.django_db


def test_import_export_import_is_exact(fixture: Callable[[str], Path], tmp_path: Path) -> None:
    assert import_file(fixture("good.csv")).status == 0
    first = tmp_path / "first.csv"
    run = export_file(first)
    assert run.stdout == f"Wrote 6 requests to {first}\n"
    # the export holds exactly the imported rows, in request date order
    by_date = sorted(csv_rows(fixture("good.csv")), key=lambda row: (row[3], row[0]))
    assert csv_rows(first) == by_date
    before = table_counts()
    again = import_file(first)
    assert "Requests unchanged: 6" in again.stdout
    assert table_counts() == before
    second = tmp_path / "second.csv"
    assert export_file(second).status == 0
    assert second.read_bytes() == first.read_bytes()


def test_the_csv_is_utf8_with_a_bom_crlf_and_the_spec_columns(
    fixture: Callable[[str], Path], tmp_path: Path,
) -> None:
    assert import_file(fixture("good.csv")).status == 0
    path = tmp_path / "out.csv"
    export_file(path)
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8 + b"case_ref,person_id,date_of_birth,request_date,")
    lines = data[len(codecs.BOM_UTF8):].split(b"\r\n")
    assert lines[0].decode() == ",".join(schema.COLUMNS)
    assert lines[1] == (b"EHC-0001,P001,2015-03-14,2023-01-09,parent,2023-02-13,assess,"
                        b"2023-04-24,plan,2023-05-02,2023-05-26,,,,Alex Officer")
    assert lines[-1] == b""


def test_an_xlsx_export_imports_back_unchanged(fixture: Callable[[str], Path],
                                              tmp_path: Path) -> None:
    from openpyxl import load_workbook

    assert import_file(fixture("good.csv")).status == 0
    path = tmp_path / "out.xlsx"
    assert export_file(path).stdout == f"Wrote 6 requests to {path}\n"
    sheet = load_workbook(path).worksheets[0]
    assert sheet.title == "requests"
    assert [cell.value for cell in sheet[1]] == HEADER
    received = sheet.cell(row=2, column=HEADER.index("request_date") + 1)
    assert (received.value, received.number_format, received.is_date) == (
        datetime(2023, 1, 9), "yyyy-mm-dd", True)
    assert sheet.cell(row=2, column=HEADER.index("exception") + 1).value is None
    before = table_counts()
    assert "Requests unchanged: 6" in import_file(path).stdout
    assert table_counts() == before


def test_only_initial_requests_are_exported(tmp_path: Path, child: Child,
                                           system_actor: services.Actor) -> None:
    services.request_register(child=child, case_ref="EHC-1", received_date=date(2023, 1, 9),
                              by=system_actor)
    services.request_register(child=child, case_ref="RA-1", received_date=date(2024, 1, 9),
                              by=system_actor, kind=c.RequestKind.REASSESSMENT)
    path = tmp_path / "out.csv"
    assert export_file(path).stdout == f"Wrote 1 request to {path}\n"
    assert [row[0] for row in csv_rows(path)] == ["EHC-1"]


def test_casework_history_exports_and_reimports_unchanged(
    tmp_path: Path, child: Child, officer: StaffMember, system_actor: services.Actor,
) -> None:
    """A request made step by step in ehcflow, with two exceptions, survives the round trip."""
    case = services.request_register(child=child, case_ref="EHC-1", officer=officer,
                                     received_date=date(2023, 1, 9), by=system_actor,
                                     source="school")
    services.exception_apply(request=case, reason="school_closure", start=date(2023, 3, 1),
                             end=date(2023, 4, 20), by=system_actor)
    services.exception_apply(request=case, reason="personal_circumstances",
                             start=date(2023, 1, 20), end=None, by=system_actor)
    case = services.request_record_decision(request=case, decision="assess",
                                            on=date(2023, 2, 13), by=system_actor)
    path = tmp_path / "out.csv"
    export_file(path)
    assert csv_rows(path) == [register_row(
        case_ref="EHC-1", person_id="P0001", date_of_birth="2015-03-14",
        request_date="2023-01-09", request_source="school", decision_date="2023-02-13",
        decision="assess", exception="personal_circumstances", officer="Alex Officer")]
    events = CaseEvent.objects.count()
    assert "Requests unchanged: 1" in import_file(path).stdout
    assert CaseEvent.objects.count() == events


def test_an_officer_is_written_by_staff_id_where_the_name_would_not_find_them(
    tmp_path: Path,
) -> None:
    for ref, name in (("S1", "Chris Jones"), ("S2", "Chris Jones"), ("S3", "S4"),
                      ("S4", "Dana Lee")):
        StaffMember.objects.create(staff_ref=ref, name=name, role=Role.CASE_OFFICER,
                                   start_date=date(2020, 1, 1))
    rows = [register_row(case_ref=f"EHC-{n}", person_id=f"P{n}", date_of_birth="2015-01-01",
                         request_date=f"2023-01-0{n}", officer=officer)
            for n, officer in enumerate(("S1", "S2", "S3", "S4"), start=1)]
    assert import_file(write_csv(tmp_path / "in.csv", rows)).status == 0
    path = tmp_path / "out.csv"
    export_file(path)
    assert [row[-1] for row in csv_rows(path)] == ["S1", "S2", "S3", "Dana Lee"]
    assert "Requests unchanged: 4" in import_file(path).stdout


def test_it_refuses_a_file_name_it_has_no_format_for(tmp_path: Path) -> None:
    run = export_file(tmp_path / "out.txt")
    assert run.status == 1
    assert run.stderr == (f"CommandError: {tmp_path / 'out.txt'}: the register is written as "
                          ".csv or .xlsx, not .txt\n")
