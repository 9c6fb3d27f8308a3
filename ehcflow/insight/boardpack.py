"""The board pack: the tables and charts a SEND improvement board or a DfE monitoring meeting
is shown, with a short plain-English commentary of what moved, as PDF (reportlab) or Excel
(openpyxl). The same `dashboards` pages build it, so the pack and the screens agree.

    pack = build(as_of=date(2023, 7, 31))
    write(pack, Path("board-pack.pdf"))   # or .xlsx: the extension chooses

`write` writes to a temporary file beside the target and renames it, so a failure never
leaves half a file; `build` raises `snapshots.NoData` for a date before any request.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from ehcflow.casework import selectors as casework
from ehcflow.insight import dashboards, figures, selectors, snapshots
from ehcflow.insight.charts import Chart
from ehcflow.insight.dashboards import Page, Query
from ehcflow.insight.tables import Table, long_date
from ehcflow.statutory import measures
from ehcflow.statutory.periods import calendar_month, calendar_year

FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PAGES = ("timeliness", "backlog", "demand", "advice", "caseloads", "reviews")


class BoardPackError(ValueError):
    """A board pack that cannot be made; the message says why."""


@dataclass
class BoardPack:
    as_of: date
    authority: str
    made_on: date
    commentary: list[str]
    pages: list[Page]

    @property
    def title(self) -> str:
        return "EHC needs assessments and plans: board pack"


def build(*, as_of: date) -> BoardPack:
    """Every dashboard page at `as_of` (period: the 12 months to it) and the commentary."""
    first = snapshots.check_as_of(as_of)
    query = Query(as_of=as_of, period_key="12m", first=first)
    ours = selectors.our_authority()
    pages = [dashboards.BUILDERS[key][1](query, ours) for key in PAGES]
    return BoardPack(as_of=as_of, authority=settings.EHCFLOW_AUTHORITY_NAME,
                     made_on=timezone.localdate(), commentary=commentary(query),
                     pages=pages)


# --- the commentary -----------------------------------------------------------------------


def _moved(before: float | int | None, after: float | int | None, unit: str = "") -> str:
    if before is None or after is None:
        return f"was {_n(after)}{unit}"
    if after > before:
        return f"rose from {_n(before)}{unit} to {_n(after)}{unit}"
    if after < before:
        return f"fell from {_n(before)}{unit} to {_n(after)}{unit}"
    return f"stayed at {_n(after)}{unit}"


def _n(value: float | int | None) -> str:
    if value is None:
        return "none"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.1f}".removesuffix(".0") if float(value).is_integer() else f"{value:,.1f}"


def _months_back(day: date, months: int) -> date:
    """The last day of the month `months` before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months
    return calendar_month(index // 12, index % 12 + 1).end


def commentary(q: Query) -> list[str]:
    """What moved, in plain English, from the same figures as the tables."""
    as_of = q.as_of
    lines: list[str] = []
    earlier = max(_months_back(as_of, 3), q.first)
    then, now = figures.backlog_series([earlier, as_of])
    moved = _moved(then.over_20_weeks, now.over_20_weeks)
    lines.append(
        f"The number of requests open more than 20 weeks {moved} "
        f"between {long_date(earlier)} and {long_date(as_of)}. Of these, {_n(now.over_30_weeks)} "
        f"have been open more than 30 weeks and {_n(now.over_50_weeks)} more than 50 weeks.")
    month = calendar_month(as_of.year, as_of.month)
    this_month = casework.kpis(as_of=as_of, period=month)
    so_far = "so far in" if as_of < month.end else "in"
    if this_month.plans_issued:
        lines.append(
            f"{_n(this_month.pct_within_20_weeks)}% of the {_n(this_month.plans_issued)} new "
            f"plans issued {so_far} {as_of:%B %Y} were issued within 20 weeks. The "
            f"average time from request to final plan was {_n(this_month.avg_weeks_to_issue)} "
            f"weeks{_against_limit(this_month.avg_weeks_to_issue)}.")
    else:
        lines.append(f"No new plans were issued {so_far} {as_of:%B %Y}.")
    year = as_of.year - 1
    last_year = casework.kpis(as_of=as_of, period=calendar_year(year))
    england = selectors.england_series(measure="pct_within_20_weeks_excl_exceptions",
                                       years=[year]).get(year)
    if last_year.plans_issued:
        sentence = (f"In {year}, {_n(last_year.pct_within_20_weeks_excl_exceptions)}% of new "
                    f"plans (leaving out those with an exception) were issued within 20 weeks")
        if england is not None and england.value is not None:
            sentence += f", against {_n(float(england.value))}% across England"
        lines.append(sentence + ".")
    twelve = casework.kpis(as_of=as_of)
    before_end = twelve.period.start - timedelta(days=1)
    before = casework.kpis(as_of=before_end)
    growth = measures.growth_pct(before.requests_received, twelve.requests_received)
    if growth is not None:
        direction = "more" if growth >= 0 else "fewer"
        lines.append(
            f"{_n(twelve.requests_received)} requests for an assessment were received in the 12 "
            f"months to {long_date(as_of)}, {_n(abs(growth))}% {direction} than in the 12 "
            f"months before.")
    (advice,) = figures.advice_by_period([twelve.period], as_of=as_of,
                                         adviser_types=figures.DASHBOARD_ADVISERS)
    rates = [(dashboards.ADVICE_LABELS[k], advice[k].pct_within_6_weeks)
             for k in figures.DASHBOARD_ADVISERS if k in advice
             and advice[k].pct_within_6_weeks is not None]
    if rates:
        slowest = min(rates, key=lambda r: r[1] or 0)
        others = ", ".join(f"{name.lower()} {_n(v)}%" for name, v in rates if name != slowest[0])
        lines.append(
            f"{slowest[0]} advice was the slowest to come back: {_n(slowest[1])}% was returned "
            f"within 6 weeks in the 12 months" + (f" ({others})." if others else "."))
    total, _ = figures.caseloads_at(as_of)
    if total.fte:
        low, high = figures.PLANS_PER_FTE_BENCHMARK
        lines.append(
            f"Each full-time case officer held {_n(total.plans_per_fte)} plans (DfE suggests "
            f"{low} to {high}) and {_n(total.assessments_per_fte)} open assessments (DfE "
            f"suggests {figures.ASSESSMENTS_PER_FTE_BENCHMARK}).")
    overdue = figures.overdue_reviews_query(as_of).count()
    were = "annual review was" if overdue == 1 else "annual reviews were"
    lines.append(f"{_n(overdue)} {were} past the due date without a meeting on "
                 f"{long_date(as_of)}.")
    return lines


def _against_limit(weeks: float | None) -> str:
    if weeks is None:
        return ""
    if weeks >= 40:
        return ", more than double the 20-week limit"
    if weeks > 20:
        return ", longer than the 20-week limit"
    return ", within the 20-week limit"


# --- files --------------------------------------------------------------------------------


def render(pack: BoardPack, fmt: str) -> bytes:
    """The pack as the bytes of a PDF or an Excel workbook."""
    if fmt == "pdf":
        return _pdf(pack)
    if fmt == "xlsx":
        return _xlsx(pack)
    raise BoardPackError(f"Unknown format '{fmt}': the board pack is made as .pdf or .xlsx.")


def format_for(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise BoardPackError(
            f"{path.name}: the file name must end in .pdf or .xlsx (it chooses the format).")
    return fmt


def write(pack: BoardPack, path: Path) -> int:
    """Write the pack to `path` (format by extension) through a temporary file; the size."""
    fmt = format_for(path)
    if not path.parent.is_dir():
        raise BoardPackError(f"{path.parent}: no such folder.")
    content = render(pack, fmt)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(content)


def _charts(page: Page) -> list[Chart]:
    return page.all_charts()


def _tables(page: Page) -> list[Table]:
    return [t for section in page.sections for t in section.tables]


def _pdf(pack: BoardPack) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        Image,
        KeepTogether,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        TableStyle,
    )
    from reportlab.platypus import Table as PdfTable

    buffer = io.BytesIO()
    page_size = landscape(A4)
    doc = SimpleDocTemplate(buffer, pagesize=page_size, leftMargin=1.5 * cm,
                            rightMargin=1.5 * cm, topMargin=1.5 * cm, bottomMargin=1.5 * cm,
                            title=f"{pack.title}, {long_date(pack.as_of)}",
                            author=pack.authority, subject="SEND service performance")
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=10, leading=13)
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=9)
    head_style = ParagraphStyle("head", parent=body, fontSize=7.5, leading=9,
                                fontName="Helvetica-Bold")
    # A figure's heading sits right-aligned over its right-aligned figures, so each value is
    # read under its own heading.
    head_right = ParagraphStyle("head_right", parent=head_style, alignment=TA_RIGHT)
    # A heading never ends a page: it travels with what follows it.
    for name in ("Heading1", "Heading2", "Heading3"):
        styles[name].keepWithNext = 1
    width = page_size[0] - 3 * cm
    story: list[object] = [
        Paragraph(pack.title, styles["Title"]),
        Paragraph(f"{pack.authority}. Figures as of {long_date(pack.as_of)}; made on "
                  f"{long_date(pack.made_on)}.", body),
        Spacer(1, 0.4 * cm),
        Paragraph("What moved", styles["Heading2"]),
        *(Paragraph(f"• {_xml(line)}", body) for line in pack.commentary),
        Spacer(1, 0.3 * cm),
        Paragraph("Figures are counted from the case records as the DfE counts them. "
                  "England's figures: DfE, Education, health and care plans, 2025 (Open "
                  "Government Licence v3.0).", small),
    ]
    for page in pack.pages:
        story += [PageBreak(), Paragraph(_xml(page.title), styles["Heading1"]),
                  Paragraph(_xml(page.summary), body), Spacer(1, 0.3 * cm)]
        for section in page.sections:
            if section.heading:
                story.append(Paragraph(_xml(section.heading), styles["Heading2"]))
            for chart in section.charts:
                png = chart.png(width=10, height=3.6, dpi=110)
                story.append(Image(io.BytesIO(png), width=width * 0.85,
                                   height=width * 0.85 * 3.6 / 10))
            for table in (t.without_empty_columns() for t in section.tables):
                # Paragraphs (which wrap) for the headings only: plain strings for the figures
                # keep a long table quick to lay out.
                data: list[list[object]] = [
                    [Paragraph(_xml(c.label), head_right if c.numeric and i else head_style)
                     for i, c in enumerate(table.columns)]]
                data += [[Paragraph(_xml(cell.text), head_style) if cell.header else cell.text
                          for cell in row] for row in table.rows]
                widths = _widths(len(table.columns), width)
                grid = PdfTable(data, colWidths=widths, repeatRows=1)
                grid.setStyle(TableStyle([
                    ("FONTSIZE", (0, 1), (-1, -1), 7.5),
                    ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                    *[("ALIGN", (i, 1), (i, -1), "LEFT")
                      for i, column in enumerate(table.columns) if not column.numeric],
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#b1b4b6")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]))
                story.append(KeepTogether([Paragraph(_xml(table.title), styles["Heading3"]),
                                           grid]))
                story += [Paragraph(_xml(note), small) for note in table.notes]
                story.append(Spacer(1, 0.3 * cm))
    doc.build(story)
    return buffer.getvalue()


def _widths(count: int, total: float) -> list[float]:
    first = min(total * 0.22, total / max(count, 1) * 2)
    rest = (total - first) / max(count - 1, 1)
    return [first, *([rest] * (count - 1))]


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


SHEETS = {
    "timeliness_by_year": "Timeliness by year",
    "timeliness_by_month": "Timeliness by month",
    "table_4": "Backlog",
    "backlog_bands": "Backlog by age",
    "requests_by_source": "Requests by source",
    "growth_by_source": "Growth by source",
    "decisions": "Decisions within 6 weeks",
    "funnel": "Requests to plans",
    "advice": "Advice by adviser",
    "advice_by_month": "Advice by month",
    "caseloads": "Caseloads",
    "caseloads_over_time": "Caseloads over time",
    "reviews": "Annual reviews",
    "reviews_overdue": "Reviews overdue",
    "phase_transfers": "Phase transfers",
}
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, used: set[str]) -> str:
    name = _BAD_SHEET.sub(" ", title)[:31].strip()
    base, n = name, 2
    while name.lower() in used:
        suffix = f" {n}"
        name = base[:31 - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


def _xlsx(pack: BoardPack) -> bytes:
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image as SheetImage
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "Commentary"
    cover["A1"] = pack.title
    cover["A1"].font = Font(bold=True, size=14)
    cover["A2"] = f"{pack.authority}. Figures as of {long_date(pack.as_of)}."
    cover["A4"] = "What moved"
    cover["A4"].font = Font(bold=True)
    for n, line in enumerate(pack.commentary, start=5):
        cover.cell(row=n, column=1, value=line).alignment = Alignment(wrap_text=True)
    cover.column_dimensions["A"].width = 120
    used = {"commentary"}
    for page in pack.pages:
        page_charts = _charts(page)
        for index, table in enumerate(_tables(page)):
            sheet = book.create_sheet(_sheet_name(SHEETS.get(table.key, table.title), used))
            sheet["A1"] = table.title
            sheet["A1"].font = Font(bold=True, size=12)
            sheet["A2"] = f"As of {long_date(pack.as_of)}"
            for col, column in enumerate(table.columns, start=1):
                header = sheet.cell(row=4, column=col, value=column.label)
                header.font = Font(bold=True)
                header.alignment = Alignment(wrap_text=True, vertical="top")
                sheet.column_dimensions[get_column_letter(col)].width = 26 if col == 1 else 14
            for r, row in enumerate(table.rows, start=5):
                for col, cell in enumerate(row, start=1):
                    value = cell.excel_value
                    if col == 1 and not isinstance(value, int | float | date):
                        value = cell.text
                    target = sheet.cell(row=r, column=col, value=_excel(value))
                    if isinstance(value, float):
                        target.number_format = "0.0"
                    elif isinstance(value, date):
                        target.number_format = "d mmm yyyy"
            last = 5 + len(table.rows)
            for n, note in enumerate(table.notes):
                sheet.cell(row=last + 1 + n, column=1, value=note)
            sheet.freeze_panes = "B5"
            if index == 0:
                anchor_row = last + 2 + len(table.notes)
                for chart in page_charts:
                    image = SheetImage(io.BytesIO(chart.png(width=9, height=3.4, dpi=90)))
                    sheet.add_image(image, f"A{anchor_row}")
                    anchor_row += 18
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _excel(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, str) and value.startswith("="):
        return " " + value  # text, never a formula
    return value


def describe(pack: BoardPack) -> Sequence[str]:
    """The tables in the pack, for the command's summary."""
    return [t.title for page in pack.pages for t in _tables(page)]
