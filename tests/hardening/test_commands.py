"""The command line refuses absurd dates and hostile files with a message and an exit status,
never a traceback (issue 9, findings 6 and 9).

The first tests run the real `ehcflow` program, as a council's scheduler would, so that the
exit status and stderr are exactly what a person sees; the rest call the commands in-process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.register.conftest import register_row, table_counts, write_csv, write_xlsx

EHCFLOW = Path(sys.executable).parent / "ehcflow"
OUTSIDE = "is outside the dates ehcflow works with (1 January 2000 to 31 December 2099)."


@pytest.fixture
def run(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `ehcflow ARGS` in a process of its own, on a database of its own."""
    env = {**os.environ, "EHCFLOW_VAR_DIR": str(tmp_path / "var"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}

    def go(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(EHCFLOW), *args], capture_output=True, text=True, env=env,
                              timeout=120, check=False)

    return go


@pytest.mark.parametrize(("args", "message"), [
    (["kpis", "--as-of", "0001-01-01"], f"--as-of: 0001-01-01 {OUTSIDE}"),
    (["kpis", "--as-of", "9999-12-31"], f"--as-of: 9999-12-31 {OUTSIDE}"),
    (["kpis", "--as-of", "2023-07-31", "--from", "0001-01-01", "--to", "9999-12-31"],
     f"--from: 0001-01-01 {OUTSIDE}"),
    (["kpis", "--as-of", "99999-01-01"], "--as-of: '99999-01-01' is not a date in the form "
     "YYYY-MM-DD."),
    (["kpis", "--as-of", "20230731"], "--as-of: '20230731' is not a date in the form "
     "YYYY-MM-DD."),
    (["report", "board-pack", "--as-of", "0001-01-01", "--out", "x.pdf"],
     f"--as-of: 0001-01-01 {OUTSIDE}"),
])
def test_an_absurd_date_is_refused_with_status_2_and_no_traceback(
        run: Callable[..., subprocess.CompletedProcess[str]], args: list[str],
        message: str) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [f"CommandError: {message}"]


def damaged_sheet(path: Path) -> Path:
    """A workbook whose sheet XML breaks half way: the XML parser fails mid-read."""
    write_xlsx(path, [register_row(case_ref=f"EHC-{n}", person_id=f"P{n}",
                                   date_of_birth="2015-01-01", request_date="2023-01-09")
                      for n in range(1, 4)])
    with zipfile.ZipFile(path) as source:
        parts = [(info.filename, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts:
            if name == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<row r="3"', b'<row r="3"<<', 1)
            target.writestr(name, data)
    return path


def test_a_damaged_sheet_is_refused_and_the_program_exits_cleanly(
        run: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path) -> None:
    """CPython 3.12.1 crashed (signal 11, after the message) when a failed XML parser was
    still alive at exit; the reader collects it first."""
    path = damaged_sheet(tmp_path / "damaged.xlsx")
    done = run("import-requests", str(path))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"{path}:1:-: the workbook could not be read to the end (ParseError): save it again "
        "from Excel as .xlsx",
        f"CommandError: {path}: 1 problem found; nothing was changed."]


def test_a_zip_bomb_is_refused_by_the_program(
        run: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("xl/sharedStrings.xml", "w") as stream:
            for _ in range(200):
                stream.write(b"\0" * (1 << 20))
    done = run("import-requests", str(path))
    assert done.returncode == 1
    assert "as a zip bomb does, not a spreadsheet" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["report", "insight", "plan", "kpis"])
def test_every_date_option_refuses_year_one(name: str, tmp_path: Path) -> None:
    args = {"report": ["board-pack", "--as-of", "0001-01-01", "--out", str(tmp_path / "x.pdf")],
            "insight": ["snapshot", "--as-of", "0001-01-01"],
            "plan": ["from-caseload", "--as-of", "0001-01-01", "--out",
                     str(tmp_path / "x.toml")],
            "kpis": ["--as-of", "2023-07-31", "--from", "2023-01-01", "--to", "9999-12-31"]}
    before = table_counts()
    with pytest.raises(CommandError, match="outside the dates ehcflow works with") as refused:
        call_command(name, *args[name])
    assert refused.value.returncode == 2
    assert table_counts() == before
    assert not list(tmp_path.iterdir())


@pytest.mark.django_db
def test_demo_data_refuses_an_absurd_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EHCFLOW_DEMO", "1")
    before = table_counts()
    with pytest.raises(CommandError, match="--today: 0001-01-01 is outside"):
        call_command("demo_data", "--today", "0001-01-01")
    assert table_counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("content", "message"), [
    (b"", "the file is empty"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "the file contains"),
    ("case_ref,person_id\nEHC-1,Zoë\n".encode("cp1252"), "the file is not UTF-8"),
    (b"PK\x03\x04" + b"\0" * 100, "the file is named .csv but is a zip archive"),
])
def test_hostile_csv_files_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "register.csv"
    path.write_bytes(content)
    before = table_counts()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_requests", str(path))
    assert table_counts() == before


@pytest.mark.django_db
def test_a_register_row_dated_year_one_is_refused(tmp_path: Path) -> None:
    from io import StringIO

    path = write_csv(tmp_path / "old.csv", [
        register_row(case_ref="EHC-1", person_id="P1", date_of_birth="2015-01-01",
                     request_date="0001-01-01"),
        register_row(case_ref="EHC-2", person_id="P2", date_of_birth="1960-01-01",
                     request_date="2023-01-09"),
        register_row(case_ref="EHC-3", person_id="P3", date_of_birth="1997-01-09",
                     request_date="2023-01-09"),
        # 24 on the day of the request: accepted
        register_row(case_ref="EHC-4", person_id="P4", date_of_birth="1998-01-10",
                     request_date="2023-01-09"),
    ])
    err = StringIO()
    before = table_counts()
    with pytest.raises(CommandError):
        call_command("import_requests", str(path), stderr=err)
    assert table_counts() == before
    assert err.getvalue().splitlines() == [
        f"{path}:2:request_date: 0001-01-01 is before 2000-01-01, the earliest date ehcflow "
        "records",
        f"{path}:3:date_of_birth: 1960-01-01 is before 1998-01-10: the person must be under 25 "
        "on request_date",
        f"{path}:4:date_of_birth: 1997-01-09 is before 1998-01-10: the person must be under 25 "
        "on request_date",
    ]
