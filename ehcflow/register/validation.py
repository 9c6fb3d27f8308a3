"""Checking a request register against docs/domain/request-register.md, without the database.

`validate()` reads every row of a `RegisterSource`, and returns the rows that are well formed
as typed `RegisterRow`s together with every `Problem` found, in the file and between its rows
("each broken rule is an error naming file, row and column"; "reports every error it found,
not just the first"). Nothing here touches the database: the checks against what ehcflow
already holds (a person's date of birth, a changed request's history) are the importer's.

Interpretations of the spec made here (see also the importer):

- Header names are compared ignoring case and surrounding spaces; a column may appear once.
  An optional column may be left out of the file altogether: for a new request its values
  are empty, for an existing one they are left as they are (`RegisterRow.supplied`).
- A row whose cells are all empty is skipped (spreadsheets leave them at the end).
- Dates: `YYYY-MM-DD` or `DD/MM/YYYY`, both with every digit written, or an Excel date cell
  (its time of day, if any, is dropped). Nothing else: `3/4/2023` and `03/04/23` are refused.
- Codes are exact (`parent`, not `Parent`); the message suggests the code meant.
- Free text (`case_ref`, `person_id`, `officer`) may not start with `=`, `+`, `-` or `@`: in
  a spreadsheet such a cell is a formula, and the exporter writes these values back out to
  files people open in Excel.
- The rules say what a row may not hold and nothing more, and no more is checked: an outcome
  with no decision recorded, or a final plan without a draft date, is accepted as the
  tracker had it.

Longer than 500 lines on purpose: every rule of docs/domain/request-register.md for one row and
across rows, each a small function, in the spec's order; the date and text parsing could move
out next.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from ehcflow.register import schema
from ehcflow.register.formats import Cell, Problem, RawRow
from ehcflow.statutory import dates as calendar_rules

_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_UK = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")
_SHORT_YEAR = re.compile(r"[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2}")
_LOOSE_UK = re.compile(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}")
_FORMULA_START = ("=", "+", "-", "@")
_DATE_HINT = "write dates as YYYY-MM-DD (e.g. 2023-03-13) or DD/MM/YYYY (e.g. 13/03/2023)"

#: A checked value: text ("" when empty) for text and code columns, a date or None for dates.
Value = str | date | None


@dataclass(slots=True)
class RegisterRow:
    """One valid row of the register, typed. Empty text is "", an empty date is None."""

    row: int
    case_ref: str
    person_id: str
    date_of_birth: date
    request_date: date
    request_source: str = ""
    decision_date: date | None = None
    decision: str = ""
    outcome_date: date | None = None
    outcome: str = ""
    draft_date: date | None = None
    final_date: date | None = None
    exception: str = ""
    closed_date: date | None = None
    closed_reason: str = ""
    officer: str = ""
    #: the columns the file has (an absent optional column leaves a stored value alone)
    supplied: frozenset[str] = field(default_factory=lambda: frozenset(schema.COLUMNS))

    def value(self, column: str) -> Value:
        result: Value = getattr(self, column)
        return result


_DATE, _CODE, _TEXT = 0, 1, 2


@dataclass(frozen=True)
class Header:
    """Where each known column is in the file, and the columns to ignore."""

    positions: dict[str, int]
    ignored: tuple[str, ...] = ()
    #: positions (0-based) of header cells left empty: data under them is an error
    unnamed: frozenset[int] = frozenset()
    width: int = 0

    @cached_property
    def supplied(self) -> frozenset[str]:
        """The known columns the file has (one set, shared by every row)."""
        return frozenset(self.positions)

    @cached_property
    def plan(self) -> tuple[tuple[str, int, int], ...]:
        """(column, position, kind) for each column in the file, in spec order."""
        return tuple(
            (column, self.positions[column],
             _DATE if column in schema.DATE_COLUMNS else _CODE if column in schema.CODES
             else _TEXT)
            for column in schema.COLUMNS if column in self.positions)


@dataclass
class ValidationResult:
    """The valid rows and every problem; the file may be imported only if `problems` is empty."""

    rows: list[RegisterRow]
    problems: list[Problem]
    header: Header | None
    rows_read: int


def validate(source: Iterable[RawRow], *, today: date, ignore_unknown_columns: bool = False,
             problems: list[Problem] | None = None) -> ValidationResult:
    """Read and check every row; `problems` may already hold the reader's own (a list that
    the reader keeps appending to, as `RegisterSource.problems` is)."""
    found: list[Problem] = [] if problems is None else problems
    rows: list[RegisterRow] = []
    header: Header | None = None
    checker = _AcrossRows()
    dates: dict[str, date] = {}
    rows_read = 0
    for raw in source:
        if header is None:
            header, header_problems = read_header(raw.cells, ignore_unknown_columns)
            found.extend(header_problems)
            if not header.positions:
                break  # no known column at all: the rows cannot be read as a register
            continue
        if _blank(raw.cells):
            continue
        rows_read += 1
        parsed, row_problems, values = parse_row(raw, header, today=today, dates=dates)
        found.extend(row_problems)
        found.extend(checker.check(raw.number, values))
        if parsed is not None:
            rows.append(parsed)
    if header is None and not found:
        found.append(Problem(1, "-", "the file has no header row: row 1 must name the columns "
                             f"({', '.join(schema.COLUMNS[:4])}, …)"))
    elif header is not None and rows_read == 0 and not found:
        found.append(Problem(2, "-", "the file has a header but no rows of data"))
    return ValidationResult(rows=rows, problems=found, header=header, rows_read=rows_read)


def sort_problems(problems: Iterable[Problem], header: Header | None) -> list[Problem]:
    """Problems in the order of the file: by row, then by the column's place in the row."""
    positions = header.positions if header else {}

    def key(problem: Problem) -> tuple[int, int]:
        return problem.row, positions.get(problem.column, -1)

    return sorted(problems, key=key)


# --- the header ---------------------------------------------------------------------------


def read_header(cells: tuple[Cell, ...], ignore_unknown: bool) -> tuple[Header, list[Problem]]:
    """The header row: every required column present, no column twice, no unknown column."""
    problems: list[Problem] = []
    positions: dict[str, int] = {}
    ignored: list[str] = []
    unnamed: set[int] = set()
    known = set(schema.COLUMNS)
    for index, cell in enumerate(cells):
        name = "" if cell is None else str(cell).strip()
        key = name.lower()
        if not name:
            unnamed.add(index)
        elif key in positions:
            problems.append(Problem(1, key, f"the column appears twice (columns "
                                    f"{positions[key] + 1} and {index + 1})"))
        elif key in known:
            positions[key] = index
        elif ignore_unknown:
            ignored.append(name)
        else:
            hint = _separator_hint(name)
            problems.append(Problem(
                1, name, f"unknown column{hint}: the register's columns are "
                f"{', '.join(schema.COLUMNS)}; to import the file anyway, leaving this column "
                "out, use --ignore-unknown-columns"))
    if not positions and not problems and not ignored:
        problems.append(Problem(1, "-", "row 1 is empty: it must be the header naming the "
                                f"columns ({', '.join(schema.COLUMNS[:4])}, …)"))
        return Header(positions={}, width=len(cells)), problems
    for name in schema.COLUMNS:
        if name in schema.REQUIRED and name not in positions:
            problems.append(Problem(1, name, "this required column is missing from the header"))
    width = len(cells)
    return Header(positions=positions, ignored=tuple(ignored), unnamed=frozenset(unnamed),
                  width=width), problems


def _separator_hint(name: str) -> str:
    for separator, label in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
        if separator in name and any(c in name for c in schema.COLUMNS):
            return (f" (the columns seem to be separated by {label}; the register is "
                    "comma-separated)")
    return ""


# --- one row ------------------------------------------------------------------------------


def _blank(cells: tuple[Cell, ...]) -> bool:
    for cell in cells:
        if cell is None:
            continue
        if isinstance(cell, str):
            if cell.strip():
                return False
            continue
        return False
    return True


#: A row's values before its cells are read: every column empty.
_EMPTY: dict[str, Value] = {column: None if column in schema.DATE_COLUMNS else ""
                            for column in schema.COLUMNS}
_ALLOWED = {column: frozenset(codes) for column, codes in schema.CODES.items()}


def parse_row(raw: RawRow, header: Header, *, today: date, dates: dict[str, date] | None = None
              ) -> tuple[RegisterRow | None, list[Problem], dict[str, Value]]:
    """Type every cell and check the row's own rules.

    Returns the row (None when it has any problem), its problems, and the values of the
    cells that were valid (for the rules across rows). Problems in cells come first; the
    consistency rules are then checked over the cells that were valid, so that one bad date
    is reported once, not again by every rule it touches. `dates` caches parsed date text
    across rows (a register repeats its dates many times).
    """
    problems: list[Problem] = []
    number, cells = raw
    width = len(cells)
    values = dict(_EMPTY)
    invalid: set[str] = set()
    cache = {} if dates is None else dates
    for column, index, kind in header.plan:
        cell = cells[index] if index < width else None
        value, message = _typed_cell(column, kind, cell, cache)
        if message is not None:
            problems.append(Problem(number, column, message))
            if message is not _MISSING_VALUE:  # an empty cell is no value to leave out
                invalid.add(column)
        elif value is not None:
            values[column] = value
    problems += _stray_cells(number, cells, header)
    for column, message in consistency_problems(values, today=today, skip=invalid):
        problems.append(Problem(number, column, message))
    if problems:
        return None, problems, {k: v for k, v in values.items() if k not in invalid}
    return _register_row(number, values, header.supplied), problems, values


#: The message for an empty required text cell (the one problem that leaves the cell's empty
#: value in the row's values for the rules across rows).
_MISSING_VALUE = "a value is required"


def _typed_cell(column: str, kind: int, cell: Cell, dates: dict[str, date]
                ) -> tuple[Value, str | None]:
    """One cell as its column's type (None: empty), or the message saying why it is not.

    `dates` caches parsed date text across rows (a register repeats its dates many times).
    """
    if kind == _DATE:
        if isinstance(cell, str) and (known := dates.get(cell)) is not None:
            return known, None
        day, message = parse_date(cell)
        if message is None and day is None and column in schema.REQUIRED:
            message = "a date is required"
        if message is None and day is not None and isinstance(cell, str):
            dates[cell] = day
        return day, message
    if isinstance(cell, str):
        text = cell.strip()
    else:
        text, message = _text(cell)
        if message is not None:
            return None, message
    if not text:
        return None, _MISSING_VALUE if column in schema.REQUIRED else None
    if kind == _CODE:
        return (text, None) if text in _ALLOWED[column] else (None, _code_message(column, text))
    message = _text_message(column, text)
    return (text, None) if message is None else (None, message)


def _stray_cells(number: int, cells: tuple[Cell, ...], header: Header) -> list[Problem]:
    """A value beyond the header's last column or under a column with no name."""
    if len(cells) <= header.width and not header.unnamed:
        return []
    out = []
    for index, cell in enumerate(cells):
        if (index >= header.width or index in header.unnamed) and not _blank((cell,)):
            where = ("beyond the last column of the header" if index >= header.width
                     else "under a column with no name in the header")
            out.append(Problem(number, "-", f"cell {index + 1} of this row has a value {where}"))
    return out


def _register_row(number: int, values: dict[str, Value], supplied: frozenset[str]
                  ) -> RegisterRow:
    """A `RegisterRow` from values that `parse_row` has checked have the right types."""
    row = RegisterRow(number, *(values[column] for column in schema.COLUMNS))  # type: ignore[arg-type]
    row.supplied = supplied
    return row


def _text_message(column: str, text: str) -> str | None:
    limit = schema.MAX_LENGTH[column]
    if len(text) > limit:
        return f"is {len(text)} characters long; at most {limit} are allowed"
    if text.startswith(_FORMULA_START):
        return (f"'{text[:20]}' starts with '{text[0]}', which spreadsheets read as a "
                "formula: references and names may not start with = + - or @")
    return None


def _text(cell: Cell) -> tuple[str, str | None]:
    if cell is None:
        return "", None
    if isinstance(cell, str):
        return cell.strip(), None
    if isinstance(cell, bool):
        return "", f"is {str(cell).upper()}, a true/false cell: text was expected"
    if isinstance(cell, int):
        return str(cell), None
    if isinstance(cell, float):
        return (str(int(cell)) if cell.is_integer() else repr(cell)), None
    return "", f"is a date or time cell ({cell}): text was expected"


def _code_message(column: str, text: str) -> str:
    allowed = schema.CODES[column]
    meant = text.lower().replace(" ", "_").replace("-", "_")
    hint = f" (did you mean '{meant}'? codes are written exactly as listed)" if meant in allowed \
        else ""
    return f"'{text[:40]}' is not one of: {', '.join(allowed)}{hint}"


def parse_date(cell: Cell) -> tuple[date | None, str | None]:
    """A register date: `YYYY-MM-DD`, `DD/MM/YYYY` or an Excel date cell
    (docs/domain/request-register.md).

    Every other form is refused with a message, including the ambiguous `03/04/23` and dates
    that do not exist, such as 2023-02-30 and 31/31/2023.
    """
    if cell is None:
        return None, None
    if isinstance(cell, datetime):
        return cell.date(), None
    if isinstance(cell, date):
        return cell, None
    if not isinstance(cell, str):
        if isinstance(cell, bool):
            kind = f"{str(cell).upper()}, a true/false cell"
        elif isinstance(cell, int | float):
            kind = f"a number ({cell})"
        else:
            kind = f"a time of day ({cell})"
        return None, f"is {kind}, not a date: format the cell as a date, or {_DATE_HINT}"
    text = cell.strip()
    if not text:
        return None, None
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.isascii():
        try:
            return date.fromisoformat(text), None
        except ValueError:
            pass  # explained below
    if match := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
        return _real_date(text, year, month, day)
    if match := _UK.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
        return _real_date(text, year, month, day)
    shown = text[:30]
    if _SHORT_YEAR.fullmatch(text):
        return None, f"'{shown}' has a two-digit year, which is ambiguous: {_DATE_HINT}"
    if _LOOSE_UK.fullmatch(text):
        return None, f"'{shown}' is not in a register date form (write the day and month with " \
            f"two digits): {_DATE_HINT}"
    return None, f"'{shown}' is not a date: {_DATE_HINT}"


def _real_date(text: str, year: int, month: int, day: int) -> tuple[date | None, str | None]:
    if not 1 <= month <= 12:
        return None, f"'{text}' is not a real date: there is no month {month}"
    if year < 1:
        return None, f"'{text}' is not a real date: there is no year 0"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return None, (f"'{text}' is not a real date: {calendar.month_name[month]} {year} has "
                      f"{days} days")
    return date(year, month, day), None


# --- the consistency rules ----------------------------------------------------------------


_DATES_IN_ORDER = tuple(column for column in schema.COLUMNS if column in schema.DATE_COLUMNS)
_EXCLUDED_BY_NOT_ASSESS = ("outcome", "draft_date", "final_date")
_EXCLUDED_BY_NO_PLAN = ("draft_date", "final_date")


def consistency_problems(values: Mapping[str, Value], *, today: date,
                         skip: Collection[str] = ()) -> list[tuple[str, str]]:
    """The consistency rules of docs/domain/request-register.md over one request's values.

    Returns (column, message) pairs. Used for each file row, and by the importer for a
    changed request's values merged with what is stored. Columns in `skip` (already reported
    as malformed) are left out of every rule. One function below per rule of the spec.
    """
    v = dict(values) if not skip else {k: x for k, x in values.items() if k not in skip}
    days: dict[str, date] = {name: day for name in _DATES_IN_ORDER
                             if isinstance(day := v.get(name), date)}
    return [*_dates_in_range(days, today), *_birth_in_range(days, today),
            *_steps_in_order(days), *_codes_with_dates(v, skip), *_exclusions(v, skip)]


def _dates_in_range(days: Mapping[str, date], today: date) -> list[tuple[str, str]]:
    """Dates are not in the future, nor before date_of_birth, nor before the earliest date
    the service records (statutory.dates: year 0023 for 2023, Excel's 1900 placeholder)."""
    out: list[tuple[str, str]] = []
    born = days.get("date_of_birth")
    for name, day in days.items():
        if day > today:
            out.append((name, f"{day.isoformat()} is in the future"))
        elif name != "date_of_birth" and day < calendar_rules.EARLIEST_RECORD:
            out.append((name, f"{day.isoformat()} is before "
                        f"{calendar_rules.EARLIEST_RECORD.isoformat()}, the earliest date "
                        "ehcflow records"))
        elif born is not None and day < born:
            out.append((name, f"{day.isoformat()} is before date_of_birth ({born.isoformat()})"))
    return out


def _birth_in_range(days: Mapping[str, date], today: date) -> list[tuple[str, str]]:
    """The person is under 25 on request_date (CFA 2014 s.83(2)), and born no earlier than
    the oldest date of birth ehcflow records."""
    born, requested = days.get("date_of_birth"), days.get("request_date")
    if born is None or born > today:
        return []
    accepted = calendar_rules.accepted_range(
        calendar_rules.DateKind.BIRTH, today=today,
        start=requested if requested is not None and born <= requested <= today else None)
    if born >= accepted.earliest:
        return []
    why = ("the person must be under 25 on request_date" if requested is not None
           and accepted.earliest > calendar_rules.add_years(
               calendar_rules.EARLIEST_RECORD, -calendar_rules.YOUNG_PERSON_AGE_LIMIT)
           else "the oldest date of birth ehcflow records")
    return [("date_of_birth", f"{born.isoformat()} is before "
             f"{accepted.earliest.isoformat()}: {why}")]


def _steps_in_order(days: Mapping[str, date]) -> list[tuple[str, str]]:
    """The steps are on or after request_date, and in that order where present."""
    out: list[tuple[str, str]] = []
    previous: tuple[str, date] | None = None
    for name in schema.ORDERED_DATES:
        day = days.get(name)
        if day is None:
            continue
        if previous is not None and day < previous[1]:
            out.append((name, f"{day.isoformat()} is before {previous[0]} "
                        f"({previous[1].isoformat()})"))
        previous = (name, day)
    return out


def _codes_with_dates(v: Mapping[str, Value], skip: Collection[str]) -> list[tuple[str, str]]:
    """A code goes with its date, and a date with its code."""
    out: list[tuple[str, str]] = []
    for code, date_column in schema.PAIRED.items():
        if code in skip or date_column in skip:
            continue
        has_code, has_date = bool(v.get(code)), v.get(date_column) is not None
        if has_date and not has_code:
            out.append((code, f"a value is required when {date_column} is given"))
        elif has_code and not has_date:
            out.append((date_column, f"a date is required when {code} is given"))
    return out


def _exclusions(v: Mapping[str, Value], skip: Collection[str]) -> list[tuple[str, str]]:
    """not_assess and no_plan exclude the later steps; a final plan needs assess and plan,
    and excludes a closure."""
    out: list[tuple[str, str]] = []
    decision, outcome = v.get("decision"), v.get("outcome")
    if decision == "not_assess":
        out += [(excluded, "must be empty when decision is not_assess")
                for excluded in _EXCLUDED_BY_NOT_ASSESS if v.get(excluded)]
    if outcome == "no_plan":
        out += [(excluded, "must be empty when outcome is no_plan")
                for excluded in _EXCLUDED_BY_NO_PLAN if v.get(excluded)]
    if v.get("final_date"):
        if not decision and "decision" not in skip:
            out.append(("final_date", "a final plan needs decision = assess (decision is "
                        "empty)"))
        if not outcome and "outcome" not in skip and decision != "not_assess":
            out.append(("final_date", "a final plan needs outcome = plan (outcome is empty)"))
        if v.get("closed_date"):
            out.append(("closed_date", "must be empty when final_date is given: a request "
                        "that ended in a final plan is not closed"))
    return out


# --- rules across rows --------------------------------------------------------------------


class _AcrossRows:
    """`case_ref` appears once per file; a `person_id` keeps one `date_of_birth`."""

    def __init__(self) -> None:
        self.case_rows: dict[str, int] = {}
        self.births: dict[str, tuple[date, int]] = {}

    def check(self, number: int, values: Mapping[str, Value]) -> list[Problem]:
        problems: list[Problem] = []
        case_ref = values.get("case_ref")
        if isinstance(case_ref, str) and case_ref:
            first = self.case_rows.setdefault(case_ref, number)
            if first != number:
                problems.append(Problem(number, "case_ref", f"'{case_ref}' already appears in "
                                        f"row {first}: a case_ref appears once per file"))
        person, born = values.get("person_id"), values.get("date_of_birth")
        if isinstance(person, str) and person and isinstance(born, date):
            known = self.births.setdefault(person, (born, number))
            if known[0] != born:
                problems.append(Problem(
                    number, "date_of_birth",
                    f"person_id '{person}' has date_of_birth {known[0].isoformat()} in row "
                    f"{known[1]}: a person keeps one date of birth"))
        return problems
