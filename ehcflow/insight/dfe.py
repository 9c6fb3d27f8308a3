"""DfE's published EHC plan statistics: which files, rows and columns ehcflow reads, and how.

Source: Department for Education, *Education, health and care plans*, England, on
explore-education-statistics (EES), reporting year 2025, Open Government Licence v3.0. The
release's `data-guidance.txt` describes every file; docs/domain/sen2.md §3 summarises it.

Every EES file starts with the same geography and filter columns (`KEY_COLUMNS`), then one column
per published figure. Each file repeats its figures for many breakdowns (age, sex, ethnicity,
placement...); ehcflow uses only the *headline* row of each authority and year, the one whose
`breakdown_topic` and `breakdown` both carry the file's "all" label (e.g. "All EHC plans issued").

Pure Python, no Django: `ehcflow.insight.data.trim` and the `national load` command share it, so
the shipped trimmed copy and a raw release are read by exactly the same rules.

Longer than 500 lines on purpose: the description of every DfE file ehcflow reads (its columns
and measures) and the one reader they share.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

#: The leading columns of every EES data file (docs/domain/sen2.md §3.3). Kept, with these names,
#: in the trimmed copy so that the loader reads a raw release and the trimmed copy alike.
KEY_COLUMNS: tuple[str, ...] = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "new_la_code",
    "old_la_code",
    "la_name",
    "breakdown_topic",
    "breakdown",
)

NATIONAL = "National"
REGIONAL = "Regional"
LOCAL_AUTHORITY = "Local authority"
GEOGRAPHIC_LEVELS: tuple[str, ...] = (NATIONAL, REGIONAL, LOCAL_AUTHORITY)

#: EES symbols that stand in for a number: `x` unavailable, `z` not applicable, `c`
#: confidential, `low` rounds to zero, `u` low reliability, and the older `:`, `~`, `.`, `..`.
#: The 2025 release uses only `x` and `z`. Such a cell loads as no value, keeping the marker.
SUPPRESSION_MARKERS: frozenset[str] = frozenset({"x", "z", "c", "u", "low", ":", "~", "..", "."})
BLANK = "blank"  # the marker kept for an empty cell

MAX_DECIMAL_PLACES = 4
MAX_DIGITS = 14


@dataclass(frozen=True)
class Measure:
    """One published figure: its ehcflow name and the DfE file and column it comes from."""

    key: str
    file: str
    column: str
    label: str
    kind: str = "count"  # "count" or "percent"

    @property
    def is_percent(self) -> bool:
        return self.kind == "percent"


@dataclass(frozen=True)
class FileSpec:
    """One EES data file and the label of its headline ("all") breakdown."""

    name: str
    headline: tuple[str, ...]
    period: str  # "calendar year" or "January" (academic-year codes such as 202425)
    measures: tuple[Measure, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(m.column for m in self.measures)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return KEY_COLUMNS + self.columns


def _measures(file: str, kind_rows: Iterable[tuple[str, str, str, str]]) -> tuple[Measure, ...]:
    return tuple(Measure(key, file, column, label, kind) for key, column, label, kind in kind_rows)


TIMELINESS = "timeliness_20_week.csv"
REQUESTS = "requests.csv"
ASSESSMENTS = "assessments.csv"
NEW_PLANS = "newplans.csv"
CASELOAD = "caseload.csv"
ANNUAL_REVIEWS = "annual_reviews.csv"
GUIDANCE = "data-guidance.txt"

FILES: tuple[FileSpec, ...] = (
    FileSpec(
        TIMELINESS,
        ("All EHC plans issued",),
        "calendar year",
        _measures(TIMELINESS, (
            ("plans_issued", "plans_issued_den",
             "EHC plans issued (timeliness denominator, including exceptions)", "count"),
            ("plans_issued_excl_exceptions", "plans_issued_den_ex",
             "EHC plans issued (timeliness denominator, excluding exceptions)", "count"),
            ("issued_within_20_weeks", "plans_issued_within_20_weeks",
             "EHC plans issued within 20 weeks, including exceptions", "count"),
            ("issued_within_20_weeks_excl_exceptions", "plans_issued_20_weeks_ex",
             "EHC plans issued within 20 weeks, excluding exceptions", "count"),
            ("pct_within_20_weeks", "pc_plans_issued_within_20_weeks",
             "% of EHC plans issued within 20 weeks, including exceptions", "percent"),
            ("pct_within_20_weeks_excl_exceptions", "PC_plans_issued_20_weeks_ex",
             "% of EHC plans issued within 20 weeks, excluding exceptions", "percent"),
            ("issued_20_to_52_weeks", "plans_issued_gt20weeks_ltYear",
             "EHC plans issued between 20 and 52 weeks, including exceptions", "count"),
            ("issued_20_to_52_weeks_excl_exceptions", "plans_issued_gt20weeks_ltYear_ex",
             "EHC plans issued between 20 and 52 weeks, excluding exceptions", "count"),
            ("issued_over_52_weeks", "plans_issued_gt_1_year",
             "EHC plans issued after 52 weeks, including exceptions", "count"),
            ("issued_over_52_weeks_excl_exceptions", "plans_issued_gt_1_year_ex",
             "EHC plans issued after 52 weeks, excluding exceptions", "count"),
            ("pct_over_52_weeks", "pc_plans_issued_gt_1_year",
             "% of EHC plans issued after 52 weeks, including exceptions", "percent"),
            ("pct_over_52_weeks_excl_exceptions", "PC_plans_issued_gt_1_year_ex",
             "% of EHC plans issued after 52 weeks, excluding exceptions", "percent"),
        )),
    ),
    FileSpec(
        REQUESTS,
        ("All requests for EHC needs assessments",),
        "calendar year",
        _measures(REQUESTS, (
            ("requests_received", "requests_received_in_year",
             "Requests for an EHC needs assessment received", "count"),
            ("requests_decided_to_assess", "requests_decided_to_assess",
             "Requests where the LA decided to assess", "count"),
            ("requests_decided_not_to_assess", "requests_decided_not_to_assess",
             "Requests where the LA decided not to assess", "count"),
            ("requests_ongoing", "requests_decision_not_made",
             "Requests with the decision not yet made", "count"),
            ("requests_withdrawn", "requests_withdrawn", "Requests withdrawn", "count"),
            ("pct_requests_decided_to_assess", "request_assess_pc",
             "% of requests where the LA decided to assess", "percent"),
            ("decisions_within_6_weeks", "request_outcome_six_weeks",
             "Requests decided within 6 weeks", "count"),
            ("decisions_over_6_weeks", "request_outcome_over_6_weeks",
             "Requests decided after 6 weeks", "count"),
            ("pct_decisions_within_6_weeks", "request_outcome_six_weeks_pc",
             "% of requests decided within 6 weeks", "percent"),
        )),
    ),
    FileSpec(
        ASSESSMENTS,
        ("All EHC needs assessments",),
        "calendar year",
        _measures(ASSESSMENTS, (
            ("assessments", "assess_in_year", "EHC needs assessments", "count"),
            ("assessments_plan_issued", "assess_issued",
             "Assessments where a plan was issued", "count"),
            ("assessments_plan_not_issued", "assess_not_issued",
             "Assessments where a plan was not issued", "count"),
            ("not_issued_within_16_weeks", "outcome_decision_within_time",
             "Decisions not to issue a plan made within 16 weeks", "count"),
            ("not_issued_over_16_weeks", "outcome_decision_over_time",
             "Decisions not to issue a plan made after 16 weeks", "count"),
            ("pct_not_issued_within_16_weeks", "outcome_decision_within_time_pc",
             "% of decisions not to issue a plan made within 16 weeks", "percent"),
        )),
    ),
    FileSpec(
        NEW_PLANS,
        ("New EHC plans",),
        "calendar year",
        _measures(NEW_PLANS, (
            ("new_plans", "new_ehc_plans", "New EHC plans", "count"),
        )),
    ),
    FileSpec(
        CASELOAD,
        ("All EHC plans",),
        "January",
        _measures(CASELOAD, (
            ("plans_maintained", "ehcplans", "EHC plans maintained in January", "count"),
        )),
    ),
    FileSpec(
        ANNUAL_REVIEWS,
        ("All annual reviews",),
        "calendar year",
        _measures(ANNUAL_REVIEWS, (
            ("review_plans", "total_ehc_plans", "EHC plans (annual reviews cohort)", "count"),
            ("reviews_expected", "review_expected", "Annual reviews expected", "count"),
            ("review_meetings_held", "total_review_meeting",
             "Annual review meetings recorded", "count"),
            ("review_outcome_maintain", "outcome_maintan",
             "Annual review decisions to maintain the plan", "count"),
            ("review_outcome_amend", "outcome_amend",
             "Annual review decisions to amend the plan", "count"),
            ("review_outcome_cease", "outcome_cease",
             "Annual review decisions to cease the plan", "count"),
            ("review_decisions_within_4_weeks", "number_decsion_4weeks",
             "Annual review decisions communicated within 4 weeks", "count"),
            ("review_decisions_over_4_weeks", "number_decision_gt_4weeks",
             "Annual review decisions communicated after 4 weeks", "count"),
            ("pct_review_decisions_within_4_weeks", "pc_decsion_4weeks",
             "% of annual review decisions communicated within 4 weeks", "percent"),
        )),
    ),
)

FILE_NAMES: tuple[str, ...] = tuple(spec.name for spec in FILES)
MEASURES: dict[str, Measure] = {m.key: m for spec in FILES for m in spec.measures}


class ReleaseError(Exception):
    """A release folder that cannot be read; `problems` says every reason found, one a line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class HeadlineRow:
    """The headline row of one geography and period in one file."""

    line: int
    period_code: str  # as published: "2024", or "202425" for January 2025
    year: int  # the calendar year, or the January's year for academic-year codes
    level: str
    code: str  # country_code, region_code or new_la_code, by level
    name: str
    new_la_code: str
    old_la_code: str
    region_code: str
    region_name: str
    values: dict[str, tuple[Decimal | None, str]]  # measure key -> (value, marker)


@dataclass
class ParsedFile:
    spec: FileSpec
    rows: list[HeadlineRow] = field(default_factory=list)
    rows_read: int = 0
    skipped_levels: dict[str, int] = field(default_factory=dict)
    sha256: str = ""

    @property
    def years(self) -> list[int]:
        return sorted({row.year for row in self.rows})


@dataclass
class ParsedRelease:
    folder: Path
    files: dict[str, ParsedFile]
    reporting_year: int


def parse_value(text: str) -> tuple[Decimal | None, str]:
    """A published cell as (value, marker): `("46.4", "")` or `(None, "x")`.

    Raises ValueError for anything that is neither a plain decimal number nor an EES symbol.
    """
    cell = text.strip()
    if cell == "":
        return None, BLANK
    if cell.lower() in SUPPRESSION_MARKERS:
        return None, cell.lower()
    if not re.fullmatch(r"-?\d+(\.\d+)?", cell):
        raise ValueError(f"{text!r} is not a number or an EES symbol (x, z, c, low, u, :)")
    try:
        value = Decimal(cell)
    except InvalidOperation as error:  # pragma: no cover - the pattern above rules it out
        raise ValueError(f"{text!r} is not a number") from error
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DECIMAL_PLACES:
        raise ValueError(f"{text!r} has more than {MAX_DECIMAL_PLACES} decimal places")
    if abs(value) >= Decimal(10) ** (MAX_DIGITS - MAX_DECIMAL_PLACES):
        raise ValueError(f"{text!r} is too large")
    return value, ""


def parse_time_period(code: str) -> int:
    """The year a `time_period` code stands for.

    Calendar-year files publish `2024` (activity in calendar 2024). January files (caseload.csv)
    publish the academic year, `202425`, for plans maintained in January 2025: that maps to 2025,
    the year of the January census.
    """
    cell = code.strip()
    if re.fullmatch(r"\d{4}", cell):
        return int(cell)
    match = re.fullmatch(r"(\d{4})(\d{2})", cell)
    if match and (int(match.group(1)) + 1) % 100 == int(match.group(2)):
        return int(match.group(1)) + 1
    raise ValueError(f"{code!r} is not a year (2024) or an academic year (202425)")


def read_header(path: Path) -> list[str]:
    """The column names of a CSV file (EES files start with a UTF-8 byte order mark)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle), [])


def resolve_columns(header: list[str], wanted: Iterable[str]) -> tuple[dict[str, int], list[str]]:
    """Map each wanted column to its index in `header`; return the map and the missing names.

    Names match exactly, or else ignoring case (DfE's own names mix `PC_` and `pc_`), and the
    first occurrence wins (annual_reviews.csv 2025 repeats `review_meeting_prior_24`).
    """
    exact: dict[str, int] = {}
    folded: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        exact.setdefault(name.strip(), index)
        folded.setdefault(name.strip().lower(), []).append(index)
    found: dict[str, int] = {}
    missing: list[str] = []
    for name in wanted:
        if name in exact:
            found[name] = exact[name]
        elif len(folded.get(name.lower(), [])) == 1:
            found[name] = folded[name.lower()][0]
        else:
            missing.append(name)
    return found, missing


def header_problems(file_name: str, header: list[str], spec: FileSpec) -> list[str]:
    """Why `header` cannot be read as `spec`: each missing or renamed column, with near names."""
    _, missing = resolve_columns(header, spec.required_columns)
    if not missing:
        return []
    expected = {name.lower() for name in spec.required_columns}
    unexpected = [name for name in header if name.strip().lower() not in expected]
    problems = []
    for name in missing:
        by_folded = {u.lower(): u for u in reversed(unexpected)}
        close = difflib.get_close_matches(name.lower(), list(by_folded), n=3, cutoff=0.6)
        hint = f" (closest: {', '.join(by_folded[c] for c in close)})" if close else ""
        problems.append(f"{file_name}: missing column {name}{hint}")
    return problems


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        for row in reader:
            if row:
                yield reader.line_num, row


def is_headline(row: list[str], columns: dict[str, int], spec: FileSpec) -> bool:
    """Whether a row is the file's "all" breakdown (see the module docstring)."""
    topic = row[columns["breakdown_topic"]].strip()
    breakdown = row[columns["breakdown"]].strip()
    return topic in spec.headline and breakdown in spec.headline


MAX_REPORTED = 25


def parse_file(path: Path, spec: FileSpec) -> tuple[ParsedFile, list[str]]:
    """Read the headline rows of one file; return them and any problems (file:line:column)."""
    parsed = ParsedFile(spec=spec, sha256=sha256(path))
    problems: list[str] = []
    columns, missing = resolve_columns(read_header(path), spec.required_columns)
    if missing:  # the caller checks headers first; this keeps parse_file safe on its own
        return parsed, [f"{spec.name}: missing column {name}" for name in missing]
    width = max(columns.values()) + 1
    topics: set[str] = set()
    seen: dict[tuple[str, str, str], int] = {}
    for line, row in _rows(path):
        parsed.rows_read += 1
        if len(row) < width:
            problems.append(f"{spec.name}:{line}: {len(row)} cells, expected at least {width}")
            continue
        topics.add(row[columns["breakdown_topic"]].strip())
        if not is_headline(row, columns, spec):
            continue
        level = row[columns["geographic_level"]].strip()
        if level not in GEOGRAPHIC_LEVELS:
            parsed.skipped_levels[level] = parsed.skipped_levels.get(level, 0) + 1
            continue
        code_column, name_column = {
            NATIONAL: ("country_code", "country_name"),
            REGIONAL: ("region_code", "region_name"),
            LOCAL_AUTHORITY: ("new_la_code", "la_name"),
        }[level]
        code = row[columns[code_column]].strip()
        if not code:
            problems.append(f"{spec.name}:{line}:{code_column}: empty for a {level} row")
            continue
        period_code = row[columns["time_period"]].strip()
        try:
            year = parse_time_period(period_code)
        except ValueError as error:
            problems.append(f"{spec.name}:{line}:time_period: {error}")
            continue
        key = (level, code, period_code)
        if key in seen:
            problems.append(
                f"{spec.name}:{line}: a second headline row for {code} {period_code} "
                f"(first on line {seen[key]})"
            )
            continue
        seen[key] = line
        values: dict[str, tuple[Decimal | None, str]] = {}
        for measure in spec.measures:
            cell = row[columns[measure.column]]
            try:
                values[measure.key] = parse_value(cell)
            except ValueError as error:
                problems.append(f"{spec.name}:{line}:{measure.column}: {error}")
        parsed.rows.append(
            HeadlineRow(
                line=line,
                period_code=period_code,
                year=year,
                level=level,
                code=code,
                name=row[columns[name_column]].strip(),
                new_la_code=row[columns["new_la_code"]].strip(),
                old_la_code=row[columns["old_la_code"]].strip(),
                region_code=row[columns["region_code"]].strip(),
                region_name=row[columns["region_name"]].strip(),
                values=values,
            )
        )
    if not parsed.rows and not problems:
        found = ", ".join(sorted(topics)) or "none"
        problems.append(
            f"{spec.name}: no headline rows (breakdown_topic and breakdown "
            f"{' or '.join(repr(h) for h in spec.headline)}); breakdown_topic values found: {found}"
        )
    return parsed, problems


def missing_file_problems(folder: Path) -> list[str]:
    """A problem for each expected data file that is not in `folder`, with near file names."""
    present = sorted(p.name for p in folder.glob("*.csv")) if folder.is_dir() else []
    problems = []
    for name in FILE_NAMES:
        if not (folder / name).is_file():
            close = difflib.get_close_matches(name, present, n=2, cutoff=0.6)
            hint = f" (closest: {', '.join(close)})" if close else ""
            problems.append(f"{folder}: missing file {name}{hint}")
    return problems


def check_release(folder: Path) -> list[str]:
    """Every reason the folder is not a readable release: missing files, missing columns."""
    if not folder.is_dir():
        return [f"{folder}: not a folder"]
    problems = missing_file_problems(folder)
    for spec in FILES:
        path = folder / spec.name
        if path.is_file():
            try:
                problems += header_problems(spec.name, read_header(path), spec)
            except UnicodeDecodeError:
                problems.append(f"{spec.name}: not UTF-8 text")
    return problems


def reporting_year_from_guidance(folder: Path) -> int | None:
    """The "Reporting year 2025" line near the top of the release's data-guidance.txt."""
    path = folder / GUIDANCE
    if not path.is_file():
        return None
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        for _, line in zip(range(20), handle, strict=False):
            match = re.search(r"reporting year\s+(\d{4})", line, re.IGNORECASE)
            if match:
                return int(match.group(1))
    return None


def reporting_year_from_data(files: Iterable[ParsedFile]) -> int:
    """The release's reporting year implied by its data: calendar year + 1, or the January year.

    The 2025 release covers calendar years to 2024 and the January 2025 caseload.
    """
    years = [0]
    for parsed in files:
        offset = 0 if parsed.spec.period == "January" else 1
        years += [row.year + offset for row in parsed.rows]
    return max(years)


def read_release(folder: Path, *, reporting_year: int | None = None) -> ParsedRelease:
    """Check and read a whole release folder (raw or trimmed); raise ReleaseError on any problem.

    Headers of every file are checked before any row is read, so a renamed column is reported
    for all files at once; then every value is parsed. Nothing here touches a database.
    """
    problems = check_release(folder)
    if problems:
        raise ReleaseError(problems)
    files: dict[str, ParsedFile] = {}
    for spec in FILES:
        try:
            parsed, file_problems = parse_file(folder / spec.name, spec)
        except UnicodeDecodeError:
            parsed, file_problems = ParsedFile(spec=spec), [f"{spec.name}: not UTF-8 text"]
        files[spec.name] = parsed
        problems += file_problems
    if problems:
        shown = problems[:MAX_REPORTED]
        if len(problems) > MAX_REPORTED:
            shown.append(f"... and {len(problems) - MAX_REPORTED} more problems")
        raise ReleaseError(shown)
    year = (
        reporting_year
        or reporting_year_from_guidance(folder)
        or reporting_year_from_data(files.values())
    )
    return ParsedRelease(folder=folder, files=files, reporting_year=year)
