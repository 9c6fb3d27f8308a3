"""Reading DfE's files without a database: values, periods, headers, the trimmed copy."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from ehcflow.insight import dfe
from ehcflow.insight.data import trim
from tests.insight.conftest import BROKEN, SAMPLE_2025, SHIPPED

RAW_2025 = Path("/work/shared/data/dfe-ehcp-2025")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("46.4", (Decimal("46.4"), "")),
        ("0", (Decimal(0), "")),
        ("638745", (Decimal(638745), "")),
        ("x", (None, "x")),
        ("z", (None, "z")),
        ("c", (None, "c")),
        ("low", (None, "low")),
        ("LOW", (None, "low")),
        ("u", (None, "u")),
        (":", (None, ":")),
        ("", (None, "blank")),
    ],
)
def test_values_and_ees_symbols(cell: str, expected: tuple[Decimal | None, str]) -> None:
    assert dfe.parse_value(cell) == expected


@pytest.mark.parametrize("cell", ["1O34", "1,034", "12a", "nan", "1e3", "46.43219"])
def test_anything_else_is_not_a_number(cell: str) -> None:
    with pytest.raises(ValueError, match=repr(cell).strip("'")):
        dfe.parse_value(cell)


def test_calendar_years_and_january_of_an_academic_year() -> None:
    assert dfe.parse_time_period("2024") == 2024
    assert dfe.parse_time_period("202425") == 2025  # caseload: plans in January 2025
    assert dfe.parse_time_period("199900") == 2000
    for bad in ("202426", "2024/25", "24"):
        with pytest.raises(ValueError):
            dfe.parse_time_period(bad)


def test_every_measure_names_a_column_of_the_shipped_files() -> None:
    for spec in dfe.FILES:
        header = dfe.read_header(SHIPPED / spec.name)
        assert dfe.header_problems(spec.name, header, spec) == []
        assert list(dfe.KEY_COLUMNS) == header[: len(dfe.KEY_COLUMNS)]


def test_a_renamed_column_is_named_with_its_close_match() -> None:
    spec = next(s for s in dfe.FILES if s.name == dfe.TIMELINESS)
    header = dfe.read_header(BROKEN / "timeliness_20_week.renamed-column.csv")
    [problem] = dfe.header_problems(spec.name, header, spec)
    assert problem.startswith(
        "timeliness_20_week.csv: missing column PC_plans_issued_20_weeks_ex "
        "(closest: PC_plans_issued_20_weeks_excl, "
    )


def test_a_change_of_case_only_is_accepted() -> None:
    header = [*dfe.KEY_COLUMNS, "ehcplans"]
    columns, missing = dfe.resolve_columns([c.upper() for c in header], header)
    assert missing == [] and columns["ehcplans"] == len(dfe.KEY_COLUMNS)


def test_a_folder_missing_a_file_is_refused_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "release"
    shutil.copytree(SAMPLE_2025, folder)
    (folder / "caseload.csv").rename(folder / "caseloads.csv")
    with pytest.raises(dfe.ReleaseError) as error:
        dfe.read_release(folder)
    assert error.value.problems == [f"{folder}: missing file caseload.csv (closest: caseloads.csv)"]


def test_the_reporting_year_comes_from_the_guidance_or_else_the_data() -> None:
    assert dfe.read_release(SAMPLE_2025).reporting_year == 2025
    assert dfe.reporting_year_from_guidance(SHIPPED) == 2025


def test_only_headline_rows_are_read_from_the_raw_layout() -> None:
    release = dfe.read_release(SAMPLE_2025)
    timeliness = release.files[dfe.TIMELINESS]
    # England, South West and 4 LAs in 2 years; the 2 "Sex" rows are skipped.
    assert timeliness.rows_read == 14
    assert len(timeliness.rows) == 12
    assert timeliness.years == [2023, 2024]
    assert release.files[dfe.CASELOAD].years == [2024, 2025]


def test_trimming_the_trimmed_copy_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "again"
    trimmed = trim.trim_release(SHIPPED, out)
    for t in trimmed:
        assert t.rows_kept == t.rows_read
        assert (out / t.name).read_bytes() == (SHIPPED / t.name).read_bytes(), t.name


def test_trimming_the_raw_sample_keeps_headline_rows_and_used_columns(tmp_path: Path) -> None:
    out = tmp_path / "trimmed"
    assert trim.main([str(SAMPLE_2025), str(out)]) == 0
    header = dfe.read_header(out / dfe.TIMELINESS)
    assert "avg_weeks_issue_plan" not in header  # a column ehcflow does not use
    assert header == list(dfe.read_header(SHIPPED / dfe.TIMELINESS))
    assert dfe.read_release(out).files[dfe.TIMELINESS].rows_read == 12
    assert (out / "data-guidance.txt").read_text().startswith("Education, health and care")


def test_trimming_refuses_a_release_with_a_renamed_column(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    folder = tmp_path / "release"
    shutil.copytree(SAMPLE_2025, folder)
    shutil.copyfile(BROKEN / "timeliness_20_week.renamed-column.csv", folder / dfe.TIMELINESS)
    assert trim.main([str(folder), str(tmp_path / "out")]) == 1
    assert "PC_plans_issued_20_weeks_ex" in capsys.readouterr().err


@pytest.mark.skipif(not RAW_2025.is_dir(), reason="DfE's raw release is not on this machine")
def test_trimming_the_raw_release_reproduces_the_shipped_copy(tmp_path: Path) -> None:
    out = tmp_path / "dfe-ehcp-2025"
    trim.trim_release(RAW_2025, out)
    for name in (*dfe.FILE_NAMES, dfe.GUIDANCE, "trim-manifest.json"):
        assert (out / name).read_bytes() == (SHIPPED / name).read_bytes(), name
