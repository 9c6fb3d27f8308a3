"""Selectors for the dashboards: series, England, region, neighbours, rank, comparison table."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings

from ehcflow.insight import selectors, services
from ehcflow.insight.models import Authority, Release

PCT_EX = "pct_within_20_weeks_excl_exceptions"


@pytest.fixture
def bcp(national: Release) -> Authority:
    return selectors.authority_find("Bournemouth, Christchurch and Poole")


def test_an_authority_is_found_by_name_or_either_code_in_any_case(national: Release) -> None:
    for name in ("bournemouth, christchurch and poole", "  Bournemouth,  Christchurch and Poole",
                 "E06000058", "e06000058", "839"):
        assert selectors.authority_find(name).code == "E06000058"


def test_an_unknown_name_suggests_close_ones(national: Release) -> None:
    with pytest.raises(selectors.UnknownAuthority) as error:
        selectors.authority_find("Bornemouth")
    assert "Bournemouth, Christchurch and Poole (E06000058, 839)" in str(error.value)
    with pytest.raises(selectors.UnknownAuthority, match="Close matches: West Northamptonshire"):
        selectors.authority_find("West Northampton")


def test_a_name_dfe_lists_under_two_codes_picks_the_one_with_figures(national: Release) -> None:
    # Dorset: E10000009 (the county, to January 2019) and E06000059 (the unitary council).
    assert selectors.authority_find("Dorset").code == "E06000059"
    assert selectors.authority_find("Dorset", measure="plans_maintained",
                                    year=2019).code == "E10000009"


def test_series_of_bcp(bcp: Authority) -> None:
    points = selectors.series(authority=bcp, measure=PCT_EX, years=[2022, 2023, 2024])
    assert [(p.year, p.value) for p in points] == [
        (2022, Decimal("7.3")), (2023, Decimal("4.8")), (2024, Decimal("77.6"))]


def test_england_and_region(bcp: Authority) -> None:
    assert selectors.england(measure=PCT_EX, year=2024) == selectors.Point(
        2024, Decimal("46.4"), "", 2025)
    south_west = selectors.region(authority=bcp, measure=PCT_EX, year=2024)
    assert south_west is not None and south_west.value == Decimal("28.5")
    assert selectors.england(measure=PCT_EX, year=2018) is None


def test_unknown_measure_lists_the_measures(national: Release) -> None:
    with pytest.raises(selectors.UnknownMeasure, match="Did you mean: pct_within_20_weeks"):
        selectors.measure_get("pct_withn_20_weeks")


def test_bcp_2022_rank_against_report_000(bcp: Authority) -> None:
    """Report 000 (Sept 2023): "5th lowest performing authority in the country".

    DfE's 2025 release says 4th lowest of 147: Leicestershire 3.8, Oxfordshire 4.0,
    Nottinghamshire 4.5, then BCP 7.3. Norfolk, Tower Hamlets, Havering and West Berkshire have
    no 2022 figure (x), and England 2022 is 49.2 here against the report's 50.9, so the report
    used other figures than this release's.
    """
    result = selectors.rank(authority=bcp, measure=PCT_EX, year=2022)
    assert result.value == Decimal("7.3")
    assert result.rank is not None
    assert (result.rank.from_bottom, result.rank.from_top, result.of) == (4, 144, 147)
    assert result.england == Decimal("49.2")
    lower = sorted(
        (p.value, a.name)
        for a, p in selectors.local_authority_values(measure=PCT_EX, year=2022).items()
        if p.value is not None and p.value < Decimal("7.3")
    )
    assert [name for _, name in lower] == ["Leicestershire", "Oxfordshire", "Nottinghamshire"]


def test_tied_authorities_share_the_better_rank(national: Release) -> None:
    # 2023: Isles of Scilly 0.0, Essex 0.9, Cornwall 1.6, Portsmouth 1.6, County Durham 1.9.
    ranks = {
        name: selectors.rank(authority=selectors.authority_find(name), measure=PCT_EX,
                             year=2023).rank
        for name in ("Essex", "Cornwall", "Portsmouth", "County Durham")
    }
    assert {n: (r.from_bottom, r.tied) for n, r in ranks.items() if r} == {
        "Essex": (2, 1), "Cornwall": (3, 2), "Portsmouth": (3, 2), "County Durham": (5, 1)}


def test_an_unpublished_figure_is_not_ranked(national: Release) -> None:
    dorset = selectors.rank(authority=selectors.authority_find("Dorset"), measure=PCT_EX,
                            year=2024)
    assert (dorset.value, dorset.status, dorset.rank, dorset.of) == (None, "x", None, 151)


def test_a_year_without_figures_says_which_years_have_them(bcp: Authority) -> None:
    with pytest.raises(selectors.NotFound,
                       match="Years available: 2019, 2020, 2021, 2022, 2023, 2024"):
        selectors.rank(authority=bcp, measure=PCT_EX, year=2018)
    northants = selectors.authority_find("Northamptonshire")
    with pytest.raises(selectors.NotFound, match="Years with a figure: 2019, 2020"):
        selectors.rank(authority=northants, measure=PCT_EX, year=2022)


def test_comparison_table(bcp: Authority) -> None:
    services.neighbours_set(authority=bcp, neighbours=[
        selectors.authority_find(n) for n in ("Dorset", "Plymouth", "Torbay")])
    table = selectors.comparison_table(our_la=bcp, measure=PCT_EX, years=[2023, 2024])
    assert table.region_name == "South West"
    y2023, y2024 = table.rows
    assert y2023.ours is not None and y2023.ours.value == Decimal("4.8")
    assert y2023.england is not None and y2023.england.value == Decimal("50.3")
    assert y2023.region is not None and y2023.region.value == Decimal("33.4")
    assert (y2023.neighbours_mean, y2023.neighbours_counted) == (Decimal("41.4"), 3)
    # Dorset's 2024 figure is x: the mean of Plymouth 6.0 and Torbay 28.9, half up.
    assert (y2024.neighbours_mean, y2024.neighbours_counted) == (Decimal("17.5"), 2)
    assert [(a.name, p.value if p else None) for a, p in y2024.neighbours] == [
        ("Dorset", None), ("Plymouth", Decimal("6.0")), ("Torbay", Decimal("28.9"))]
    every_year = selectors.comparison_table(our_la=bcp, measure=PCT_EX)
    assert [row.year for row in every_year.rows] == [2019, 2020, 2021, 2022, 2023, 2024]


def test_neighbours_are_kept_in_order_and_checked(bcp: Authority) -> None:
    torbay, plymouth = (selectors.authority_find(n) for n in ("Torbay", "Plymouth"))
    services.neighbours_set(authority=bcp, neighbours=[torbay, plymouth])
    assert selectors.neighbours(authority=bcp) == [torbay, plymouth]
    with pytest.raises(services.InsightError, match="its own neighbour"):
        services.neighbours_set(authority=bcp, neighbours=[bcp])
    with pytest.raises(services.InsightError, match="named twice"):
        services.neighbours_set(authority=bcp, neighbours=[torbay, torbay])
    england = Authority.objects.get(code="E92000001")
    with pytest.raises(services.InsightError, match="not a local authority"):
        services.neighbours_set(authority=bcp, neighbours=[england])
    assert selectors.neighbours(authority=bcp) == [torbay, plymouth]


def test_our_authority_choice_then_environment_then_settings(
    bcp: Authority, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EHCFLOW_LA_CODE", raising=False)
    with override_settings(EHCFLOW_AUTHORITY_NAME="Demo Borough Council"):
        assert selectors.our_authority() is None
    with override_settings(EHCFLOW_AUTHORITY_NAME="Torbay"):
        assert selectors.our_authority() == selectors.authority_find("Torbay")
        monkeypatch.setenv("EHCFLOW_LA_CODE", "879")
        assert selectors.our_authority() == selectors.authority_find("Plymouth")
        services.our_authority_set(authority=bcp)
        assert selectors.our_authority() == bcp
        services.our_authority_set(authority=None)
        assert selectors.our_authority() == selectors.authority_find("Plymouth")
