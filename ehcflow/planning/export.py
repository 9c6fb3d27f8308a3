"""A projection as an Excel workbook: the monthly figures, the cost table and the scenario.

Every text cell is written as text: openpyxl takes a string beginning with "=" for a formula,
so a scenario or group named ``=HYPERLINK("http://…","Click")`` became a live formula in the
council's spreadsheet (formula injection, OWASP "CSV injection").  ``_append`` marks each text
cell as a string and sets Excel's quote prefix, so Excel shows the text and does not turn it
into a formula even when the cell is edited.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from ehcflow.planner.scenario import Scenario
from ehcflow.planning.selectors import cost_table

MEASURES = [
    ("open", "Open requests"),
    ("over_20_weeks", "Open over 20 weeks"),
    ("over_30_weeks", "Open over 30 weeks"),
    ("over_50_weeks", "Open over 50 weeks"),
    ("plans_issued", "Plans issued"),
    ("pct_within_20_weeks", "% within 20 weeks"),
    ("avg_weeks_to_issue", "Average weeks to issue"),
    ("cost", "Cost (£)"),
]


def _append(sheet: Worksheet, values: list[Any]) -> None:
    """Append a row, every text cell as text (never a formula)."""
    sheet.append(values)
    if not values:
        return
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if cell.value[:1] in ("=", "+", "-", "@"):
                cell.quotePrefix = True


def workbook(name: str, scenario: Scenario, summary: dict[str, Any], toml: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Projection"
    _append(sheet, [name])
    sheet["A1"].font = Font(bold=True, size=14)
    _append(sheet, [f"{summary['replications']} replications, seed {summary['seed']}, "
                  f"from {summary['start']}"])
    header = ["Month"]
    for _, label in MEASURES:
        header += [f"{label} p10", f"{label} median", f"{label} p90"]
    _append(sheet, header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for month in summary["months"]:
        row: list[Any] = [month["month"]]
        for key, _ in MEASURES:
            row += [month[key]["p10"], month[key]["p50"], month[key]["p90"]]
        _append(sheet, row)

    costs = book.create_sheet("Cost")
    _append(costs, ["Role", "Group", "Duration (months)", "Cost (£)"])
    for cell in costs[1]:
        cell.font = Font(bold=True)
    lines, total = cost_table(scenario)
    for line in lines:
        _append(costs, [line.role_label, line.name, line.months_in_post, line.cost])
    _append(costs, ["Total", "", "", total])
    clearing = summary["clearing_month"]
    _append(costs, [])
    _append(costs, ["Backlog cleared (months after the start)", "p10", "median", "p90",
                  "share never cleared"])
    _append(costs, ["", clearing["p10"], clearing["p50"], clearing["p90"], clearing["never"]])

    source = book.create_sheet("Scenario")
    for text in toml.splitlines():
        _append(source, [text])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
