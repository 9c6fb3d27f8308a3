"""The board pack: `ehcflow report board-pack` and the download, as PDF and Excel."""

from __future__ import annotations

import io
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from ehcflow.casework import selectors
from ehcflow.casework.models import RecordAccess
from ehcflow.insight import boardpack
from tests.insight.builders import AS_OF, World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_pdf_opens_and_says_what_moved(world: World, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    stdout = StringIO()
    call_command("report", "board-pack", "--as-of", "2023-07-31", "--out", str(out),
                 stdout=stdout)
    assert "Wrote the board pack for 31 July 2023" in stdout.getvalue()
    content = out.read_bytes()
    assert content.startswith(b"%PDF")
    text = " ".join(pdf_text(content).split())
    assert "What moved" in text
    assert "The number of requests open more than 20 weeks" in text
    assert "Timeliness of new EHC plans" in text
    assert "The backlog on 31 July 2023" in text
    assert "Caseloads" in text and "Annual reviews" in text
    assert not list(tmp_path.glob(".*part"))  # the temporary file was renamed, not left


def test_the_workbook_has_a_sheet_per_table_with_the_figures(world: World,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "pack.xlsx"
    call_command("report", "board-pack", "--as-of", "2023-07-31", "--out", str(out),
                 stdout=StringIO())
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "Commentary"
    assert book.sheetnames[1:4] == ["Timeliness by year", "Timeliness by month",
                                    "Backlog"]
    assert str(book["Commentary"]["A5"].value).startswith("The number of requests open")
    sheet = book["Backlog"]
    assert sheet["A1"].value == "The backlog on 31 July 2023"
    rows = {row[0]: row[1] for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]}
    kpis = selectors.kpis(as_of=AS_OF)
    assert rows["Requests open over 20 weeks"] == kpis.backlog.over_20_weeks
    assert rows["Requests open over 30 weeks"] == kpis.backlog.over_30_weeks
    years = book["Timeliness by year"]
    header = [c.value for c in years[4]]
    by_year = {row[0]: dict(zip(header, row, strict=False))
               for row in years.iter_rows(min_row=5, values_only=True) if row[0]}
    assert by_year[2022]["New plans issued"] == 3
    assert years._images  # the chart is in the sheet


def test_the_commentary_says_what_moved_in_plain_words(world: World) -> None:
    pack = boardpack.build(as_of=AS_OF)
    text = " ".join(pack.commentary)
    assert ("The number of requests open more than 20 weeks rose from 2 to 3 between 30 April "
            "2023 and 31 July 2023") in text
    assert "No new plans were issued in July 2023." in text
    assert ("In 2022, 33.3% of new plans (leaving out those with an exception) were issued "
            "within 20 weeks.") in text  # c in time; d and j late
    assert "4 requests for an assessment were received in the 12 months to 31 July 2023, " \
        "20% fewer than in the 12 months before." in text
    assert "Educational psychology advice was the slowest to come back: 0% was returned" in text
    assert "1 annual review was past the due date" in text


@pytest.mark.parametrize(("args", "message"), [
    (["--as-of", "2019-06-30"], "the first request on record was received on 1 March 2021"),
    (["--as-of", "2023-07-32"], "'2023-07-32' is not a date"),
])
def test_bad_dates_write_nothing(world: World, tmp_path: Path, args: list[str],
                                 message: str) -> None:
    out = tmp_path / "pack.pdf"
    with pytest.raises(CommandError, match=message):
        call_command("report", "board-pack", *args, "--out", str(out))
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_extension_or_folder_is_explained(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"must end in \.pdf or \.xlsx"):
        call_command("report", "board-pack", "--as-of", "2023-07-31",
                     "--out", str(tmp_path / "pack.docx"))
    with pytest.raises(CommandError, match="no such folder"):
        call_command("report", "board-pack", "--as-of", "2023-07-31",
                     "--out", str(tmp_path / "missing" / "pack.pdf"))
    assert list(tmp_path.iterdir()) == []


def test_no_data_at_all_is_explained(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no requests on record yet"):
        call_command("report", "board-pack", "--as-of", "2023-07-31",
                     "--out", str(tmp_path / "pack.pdf"))


@pytest.mark.parametrize(("who", "status"), [("head", 200), ("analyst", 200),
                                             ("manager", 200), ("officer", 403), ("ep", 403)])
def test_the_download_needs_the_dashboards_and_export(world: World, who: str,
                                                     status: int) -> None:
    client = Client()
    client.force_login(world.users[who])
    response = client.get(reverse("insight:board_pack", args=["xlsx"]),
                          {"as_of": "2023-07-31"})
    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"] == (
            'attachment; filename="board-pack-2023-07-31.xlsx"')
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        assert "Commentary" in book.sheetnames
        assert RecordAccess.objects.filter(kind="export",
                                           page="insight:board-pack.xlsx").count() == 1


def test_the_pdf_download(world: World) -> None:
    client = Client()
    client.force_login(world.users["analyst"])
    response = client.get(reverse("insight:board_pack", args=["pdf"]), {"as_of": "2023-07-31"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    bad = client.get(reverse("insight:board_pack", args=["pdf"]), {"as_of": "2019-01-01"})
    assert bad.status_code == 400
    assert b"the first request on record" in bad.content
    assert client.get(reverse("insight:board_pack", args=["docx"])).status_code == 404


def test_the_pdf_speaks_to_a_board_not_to_developers(world: World, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    call_command("report", "board-pack", "--as-of", "2023-07-31", "--out", str(out),
                 stdout=StringIO())
    text = " ".join(pdf_text(out.read_bytes()).split()).lower()
    for jargon in ("measures.md", "report 000", "report 004", "table 4", "ehcflow kpis"):
        assert jargon not in text
    assert "dfe, education, health and care plans, 2025" in text


def test_no_heading_ends_a_page_of_the_pdf(world: World, tmp_path: Path) -> None:
    """A heading travels with what it heads (keepWithNext): none sits in the last 4 cm of a
    page, where only a stranded heading could be."""
    out = tmp_path / "pack.pdf"
    call_command("report", "board-pack", "--as-of", "2023-07-31", "--out", str(out),
                 stdout=StringIO())
    headings = {"By year", "By month", "By age band over time", "By adviser", "By team",
                "Over time", "Requests by source", "Decisions within 6 weeks"}
    low: list[tuple[int, str, float]] = []
    for number, page in enumerate(PdfReader(io.BytesIO(out.read_bytes())).pages, 1):
        def visit(text: str, cm: list[float], tm: list[float], *_: object,
                  number: int = number) -> None:
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]  # page y of the text, in points
            if text.strip() in headings and y < 4 * 28.35:
                low.append((number, text.strip(), y))
        page.extract_text(visitor_text=visit)
    assert low == []
