"""`national_load`: DfE's release into the database, all or nothing, again and again."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from ehcflow.insight import dfe, selectors, services
from ehcflow.insight.models import Authority, NationalFigure, Release
from tests.insight.conftest import BROKEN, SAMPLE_2025, SAMPLE_2026, SHIPPED, counts

BCP = "E06000058"


def figure(code: str, measure: str, year: int, reporting_year: int = 2025) -> NationalFigure:
    return NationalFigure.objects.get(
        authority__code=code, measure=measure, time_period=year,
        release__reporting_year=reporting_year,
    )


def test_the_shipped_release_loads_every_headline_figure(national: Release) -> None:
    assert national.files[dfe.TIMELINESS]["headline_rows"] == 970
    # 5,180 headline rows × their file's measures
    expected = sum(len(dfe.read_release(SHIPPED).files[s.name].rows) * len(s.measures)
                   for s in dfe.FILES)
    assert NationalFigure.objects.filter(release=national).count() == expected == 29790
    assert Authority.objects.filter(geographic_level="National").count() == 1
    assert Authority.objects.filter(geographic_level="Regional").count() == 9


def test_bcp_timeliness_as_published(national: Release) -> None:
    values = {y: figure(BCP, "pct_within_20_weeks_excl_exceptions", y).value
              for y in (2019, 2020, 2021, 2022, 2023, 2024)}
    # Report 000 table 1 (2019–2022) and docs/domain/sen2.md §3.2 (2023, 2024).
    assert values == {2019: Decimal("91.3"), 2020: Decimal("21.9"), 2021: Decimal("31.2"),
                      2022: Decimal("7.3"), 2023: Decimal("4.8"), 2024: Decimal("77.6")}
    assert figure(BCP, "plans_issued_excl_exceptions", 2022).value == 356
    assert figure(BCP, "issued_within_20_weeks_excl_exceptions", 2022).value == 26
    assert figure(BCP, "pct_within_20_weeks", 2022).value == Decimal("6.7")
    assert figure(BCP, "issued_over_52_weeks", 2024).value == 42


def test_bcp_demand_caseload_and_reviews_as_published(national: Release) -> None:
    requests = [figure(BCP, "requests_received", y).value for y in (2019, 2020, 2021, 2022)]
    assert requests == [541, 481, 592, 837]  # report 000, table 1
    assert figure(BCP, "pct_decisions_within_6_weeks", 2024).value == Decimal("98.2")
    assert [figure(BCP, "new_plans", y).value for y in (2022, 2023, 2024)] == [407, 312, 1034]
    # caseload.csv 202425 = plans maintained in January 2025
    assert figure(BCP, "plans_maintained", 2025).value == 4432
    assert figure(BCP, "plans_maintained", 2025).period_code == "202425"
    assert figure(BCP, "plans_maintained", 2024).value == 3769
    assert figure(BCP, "pct_review_decisions_within_4_weeks", 2024).value == Decimal("10.6")


def test_england_as_published(national: Release) -> None:
    assert figure("E92000001", "pct_within_20_weeks_excl_exceptions", 2024).value == Decimal(
        "46.4")
    assert figure("E92000001", "pct_within_20_weeks", 2024).value == Decimal("45.9")
    assert figure("E92000001", "plans_issued_excl_exceptions", 2024).value == 84866
    assert figure("E92000001", "requests_received", 2024).value == 154489
    assert figure("E92000001", "plans_maintained", 2025).value == 638745


def test_unpublished_figures_keep_dfes_marker(national: Release) -> None:
    dorset = figure("E06000059", "pct_within_20_weeks_excl_exceptions", 2024)
    assert (dorset.value, dorset.status) == (None, "x")
    assert figure("E06000059", "plans_issued_excl_exceptions", 2024).value == 0


def test_loading_the_same_release_again_replaces_it(national: Release) -> None:
    before = counts()
    ids_before = set(NationalFigure.objects.values_list("id", flat=True))
    summary = services.national_load(folder=SHIPPED)
    assert summary.replaced and summary.new_authorities == 0
    assert counts() == before
    assert not ids_before & set(NationalFigure.objects.values_list("id", flat=True))
    assert figure(BCP, "pct_within_20_weeks_excl_exceptions", 2022).value == Decimal("7.3")


def test_the_raw_layout_loads_with_its_markers(empty: None) -> None:
    summary = services.national_load(folder=SAMPLE_2025)
    # 12 rows in each of 5 files, 6 in annual_reviews.csv (2024 only); the Sex rows skipped
    assert (summary.reporting_year, summary.replaced, summary.rows) == (2025, False, 66)
    assert summary.authorities == {"National": 1, "Regional": 1, "Local authority": 4}
    markers = {
        ("E06000027", "requests_received", 2024): "c",
        ("E06000026", "requests_received", 2024): "low",
        ("E06000027", "assessments", 2024): "u",
        ("E06000027", "new_plans", 2023): ":",
        ("E06000027", "plans_maintained", 2024): "z",
    }
    for (code, measure, year), marker in markers.items():
        loaded = figure(code, measure, year)
        assert (loaded.value, loaded.status) == (None, marker)
    assert figure(BCP, "requests_received", 2024).value == 1230
    assert figure(BCP, "pct_within_20_weeks_excl_exceptions", 2024).value == Decimal("77.6")


@pytest.mark.parametrize(
    ("broken", "real_name", "message"),
    [
        ("timeliness_20_week.renamed-column.csv", dfe.TIMELINESS,
         "timeliness_20_week.csv: missing column PC_plans_issued_20_weeks_ex "
         "(closest: PC_plans_issued_20_weeks_excl"),
        ("requests.missing-column.csv", dfe.REQUESTS,
         "requests.csv: missing column request_outcome_six_weeks (closest: "),
        ("newplans.bad-number.csv", dfe.NEW_PLANS,
         "newplans.csv:13:new_ehc_plans: '1O34' is not a number"),
    ],
)
def test_a_broken_file_loads_nothing_at_all(
    national: Release, release_copy: Path, broken: str, real_name: str, message: str
) -> None:
    shutil.copyfile(BROKEN / broken, release_copy / real_name)
    before = counts()
    with pytest.raises(dfe.ReleaseError) as error:
        services.national_load(folder=release_copy)
    assert any(p.startswith(message) for p in error.value.problems), error.value.problems
    assert counts() == before
    # The shipped release is untouched, not replaced by the sample's few rows.
    assert figure(BCP, "pct_within_20_weeks_excl_exceptions", 2022).value == Decimal("7.3")


def test_a_failure_while_writing_rolls_everything_back(
    national: Release, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = counts()

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(NationalFigure.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        services.national_load(folder=SHIPPED)
    assert counts() == before


def test_every_problem_in_every_file_is_reported_at_once(release_copy: Path) -> None:
    shutil.copyfile(BROKEN / "timeliness_20_week.renamed-column.csv",
                    release_copy / dfe.TIMELINESS)
    shutil.copyfile(BROKEN / "requests.missing-column.csv", release_copy / dfe.REQUESTS)
    with pytest.raises(dfe.ReleaseError) as error:
        dfe.read_release(release_copy)
    assert [p.split(":")[0] for p in error.value.problems] == [dfe.TIMELINESS, dfe.REQUESTS]


def test_a_newer_release_loads_beside_and_its_revisions_win(national: Release) -> None:
    summary = services.national_load(folder=SAMPLE_2026)
    assert (summary.reporting_year, summary.replaced) == (2026, False)
    assert summary.years == [2024, 2025, 2026]  # caseload 202526 = January 2026
    assert Release.objects.count() == 2
    bcp = Authority.objects.get(code=BCP)
    points = selectors.series(authority=bcp, measure="pct_within_20_weeks_excl_exceptions")
    assert [(p.year, p.value, p.release) for p in points] == [
        (2019, Decimal("91.3"), 2025),
        (2020, Decimal("21.9"), 2025),
        (2021, Decimal("31.2"), 2025),
        (2022, Decimal("7.3"), 2025),
        (2023, Decimal("4.8"), 2025),
        (2024, Decimal("77.9"), 2026),  # revised in the (crafted) 2026 release
        (2025, Decimal("81.2"), 2026),
    ]
    pinned = selectors.series(authority=bcp, measure="pct_within_20_weeks_excl_exceptions",
                              years=[2024], release=2025)
    assert [p.value for p in pinned] == [Decimal("77.6")]
    assert selectors.england(measure="pct_within_20_weeks_excl_exceptions",
                             year=2025) == selectors.Point(2025, Decimal("44.0"), "", 2026)
