"""Helpers for the request register tests: fixture files, running the commands, counting rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from ehcflow.register import schema

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "register"
HEADER = list(schema.COLUMNS)


@dataclass
class Run:
    """The outcome of one `import-requests` or `export-requests` run."""

    status: int
    stdout: str
    stderr: str

    @property
    def problems(self) -> list[str]:
        """The `FILE:ROW:COLUMN: message` lines (everything on stderr but the last line)."""
        return [line for line in self.stderr.splitlines() if not line.startswith("CommandError")]


def run_command(name: str, *args: str) -> Run:
    """Run a management command as the console script would, catching its exit status."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err)
    except CommandError as error:
        err.write(f"CommandError: {error}\n")
        return Run(error.returncode, out.getvalue(), err.getvalue())
    return Run(0, out.getvalue(), err.getvalue())


def import_file(path: Path | str, *flags: str) -> Run:
    return run_command("import_requests", str(path), *flags)


def export_file(path: Path | str) -> Run:
    return run_command("export_requests", str(path))


def table_counts() -> dict[str, int]:
    """How many rows every table of the project holds (to prove a failed import wrote none)."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def register_row(**values: str) -> list[str]:
    return [values.get(column, "") for column in HEADER]


def write_csv(path: Path, rows: Sequence[Sequence[str]], header: Sequence[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER,
               *, edit: Callable[[object], None] | None = None) -> Path:
    """A workbook made with openpyxl: header in row 1 of the first sheet, then `rows`."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "requests"
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    if edit is not None:
        edit(sheet)
    workbook.save(path)
    return path


def csv_rows(path: Path) -> list[list[str]]:
    """The data rows of a register CSV (header dropped)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))[1:]


@pytest.fixture
def fixture() -> Callable[[str], Path]:
    return lambda name: FIXTURES / name


@pytest.fixture
def today() -> date:
    from django.utils import timezone

    return timezone.localdate()
