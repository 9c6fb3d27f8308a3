"""Tables as the dashboards, the board pack's PDF and its workbook all show them.

A `Table` holds each cell's value (for Excel), its text (for the page and the PDF) and, where
the figure counts cases, the query string of the list of those cases (`insight:cases`). Links
carry only opaque parameters (a measure name, dates, a code), never a name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode


def long_date(day: date) -> str:
    """31 July 2023."""
    return f"{day.day} {day:%B %Y}"


def short_date(day: date) -> str:
    """31 Jul 2023."""
    return f"{day.day} {day:%b %Y}"


def month_label(day: date) -> str:
    """Jul 2023."""
    return f"{day:%b %Y}"


def show(value: object, *, suffix: str = "") -> str:
    """A figure as text: thousands separated, one decimal for percentages, – for none."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return f"{value:,}{suffix}"
    if isinstance(value, float | Decimal):
        return f"{float(value):,.1f}{suffix}"
    if isinstance(value, date):
        return short_date(value)
    return f"{value}{suffix}"


@dataclass(frozen=True)
class Cell:
    value: object
    text: str
    query: str = ""  # the drill-down's query string, when the figure counts cases
    numeric: bool = True
    header: bool = False
    flag: str = ""  # a short warning shown beside the figure ("Over 200")

    @property
    def excel_value(self) -> object:
        if isinstance(self.value, Decimal):
            return float(self.value)
        return self.value


def cell(value: object, *, suffix: str = "", link: dict[str, object] | None = None,
         flag: str = "") -> Cell:
    query = urlencode({k: v for k, v in link.items() if v is not None}) if link else ""
    return Cell(value=value, text=show(value, suffix=suffix), query=query, flag=flag)


def head(text: str, value: object | None = None) -> Cell:
    """A row header."""
    return Cell(value=text if value is None else value, text=text, numeric=False, header=True)


def text(value: str) -> Cell:
    return Cell(value=value, text=value, numeric=False)


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = True


@dataclass
class Table:
    key: str
    title: str
    columns: Sequence[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def column(self, label: str) -> list[Cell]:
        """The cells of one column, for tests and commentary."""
        index = [c.label for c in self.columns].index(label)
        return [row[index] for row in self.rows]

    def without_empty_columns(self) -> Table:
        """The table as a page or the PDF shows it: a column with no figure in any row (all
        "–": no snapshots yet, no national figures loaded) is left out, and a note says so."""
        if not self.rows:
            return self
        keep = [i for i in range(len(self.columns))
                if i == 0 or any(row[i].value is not None for row in self.rows)]
        if len(keep) == len(self.columns):
            return self
        dropped = [self.columns[i].label for i in range(len(self.columns)) if i not in keep]
        note = ("Left out, having no figures yet: " + "; ".join(dropped) + ".")
        return Table(key=self.key, title=self.title,
                     columns=[self.columns[i] for i in keep],
                     rows=[[row[i] for i in keep] for row in self.rows],
                     notes=[*self.notes, note])

    def value(self, row_label: str, column_label: str) -> object:
        index = [c.label for c in self.columns].index(column_label)
        for row in self.rows:
            # A row is found by its text or by the value behind it (a year shown as
            # "2023 (to 31 July)" is still row "2023").
            if row_label in (row[0].text, str(row[0].value)):
                return row[index].value
        raise KeyError(row_label)


def columns(*labels: str, first: str | None = None) -> list[Column]:
    """A header column, then numeric columns."""
    head_label = first if first is not None else labels[0]
    rest = labels[1:] if first is None else labels
    return [Column(head_label, numeric=False), *(Column(label) for label in rest)]
