"""A projection as an Excel workbook: the monthly figures, the cost table and the scenario."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

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


def workbook(name: str, scenario: Scenario, summary: dict[str, Any], toml: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Projection"
    sheet.append([name])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"{summary['replications']} replications, seed {summary['seed']}, "
                  f"from {summary['start']}"])
    header = ["Month"]
    for _, label in MEASURES:
        header += [f"{label} p10", f"{label} median", f"{label} p90"]
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for month in summary["months"]:
        row: list[Any] = [month["month"]]
        for key, _ in MEASURES:
            row += [month[key]["p10"], month[key]["p50"], month[key]["p90"]]
        sheet.append(row)

    costs = book.create_sheet("Cost")
    costs.append(["Role", "Group", "Duration (months)", "Cost (£)"])
    for cell in costs[1]:
        cell.font = Font(bold=True)
    lines, total = cost_table(scenario)
    for line in lines:
        costs.append([line.role_label, line.name, line.months_in_post, line.cost])
    costs.append(["Total", "", "", total])
    clearing = summary["clearing_month"]
    costs.append([])
    costs.append(["Backlog cleared (months after the start)", "p10", "median", "p90",
                  "share never cleared"])
    costs.append(["", clearing["p10"], clearing["p50"], clearing["p90"], clearing["never"]])

    source = book.create_sheet("Scenario")
    for text in toml.splitlines():
        source.append([text])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
