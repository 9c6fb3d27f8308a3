"""Reads for national comparison: find an authority, a series, England, region, neighbours, rank.

Figures are DfE's published ones (`ehcflow.insight.dfe.MEASURES` names the file and column of
each measure, e.g. `pct_within_20_weeks_excl_exceptions` is `PC_plans_issued_20_weeks_ex` of
`timeliness_20_week.csv`). Years are calendar years, except caseload's January census, where
2025 means January 2025 (DfE's academic year 2024/25).

When several releases are loaded, each (measure, year) is read from the latest release that
publishes it, so a revised figure replaces the first one; pass `release=` (a reporting year) to
pin one release instead.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Max, Q

from ehcflow.insight import dfe
from ehcflow.insight.models import (
    Authority,
    GeographicLevel,
    NationalFigure,
    Neighbour,
    OurAuthority,
    Release,
)
from ehcflow.insight.ranking import Rank, rank_of

ENGLAND_CODE = "E92000001"


class NotFound(LookupError):
    """Something asked for is not in the loaded data; the message says what is available."""


class UnknownAuthority(NotFound):
    def __init__(self, name: str, suggestions: list[Authority]) -> None:
        self.name = name
        self.suggestions = suggestions
        message = f"No local authority matches '{name}'."
        if suggestions:
            message += " Close matches: " + "; ".join(
                _describe(a) for a in suggestions
            ) + "."
        else:
            message += " Give the la_name, new_la_code (E06000058) or old_la_code (839)."
        super().__init__(message)


class UnknownMeasure(NotFound):
    def __init__(self, name: str) -> None:
        close = difflib.get_close_matches(name, list(dfe.MEASURES), n=3, cutoff=0.5)
        message = f"Unknown measure '{name}'."
        if close:
            message += f" Did you mean: {', '.join(close)}?"
        message += " Measures: " + ", ".join(dfe.MEASURES) + "."
        super().__init__(message)


def _describe(authority: Authority) -> str:
    codes = ", ".join(c for c in (authority.code, authority.old_la_code) if c)
    return f"{authority.name} ({codes})"


@dataclass(frozen=True)
class Point:
    """One published figure: the value (None when DfE did not publish one) and DfE's marker."""

    year: int
    value: Decimal | None
    status: str = ""
    release: int | None = None  # the reporting year of the release it was read from


def measure_get(name: str) -> dfe.Measure:
    """The measure called `name` (see dfe.MEASURES), or UnknownMeasure listing them all."""
    try:
        return dfe.MEASURES[name]
    except KeyError:
        raise UnknownMeasure(name) from None


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def authority_find(
    name: str,
    *,
    level: str | None = GeographicLevel.LOCAL_AUTHORITY,
    measure: str | None = None,
    year: int | None = None,
    suggest: bool = True,
) -> Authority:
    """The authority whose name, new_la_code, old_la_code or ONS code is `name` (any case).

    DfE lists a few councils under two codes (Dorset: E10000009 county to 2019, E06000059
    unitary after; Buckinghamshire: E10000002 and E06000060, old code 825 for both). When a name
    matches more than one, the one with a figure for `measure` in `year` wins, else the one with
    the latest figures. Raises UnknownAuthority with close matches when nothing matches.
    """
    wanted = _normalise(name)
    candidates = Authority.objects.all()
    if level:
        candidates = candidates.filter(geographic_level=level)
    matches = [
        a for a in candidates
        if wanted in {_normalise(a.name), a.code.casefold(), a.new_la_code.casefold(),
                      a.old_la_code.casefold()} - {""}
    ]
    if not matches:
        raise UnknownAuthority(name, _suggest(wanted, list(candidates)) if suggest else [])
    if len(matches) == 1:
        return matches[0]
    if measure is not None and year is not None:
        with_figure = set(
            NationalFigure.objects.filter(
                authority__in=matches, measure=measure, time_period=year
            ).values_list("authority_id", flat=True)
        )
        if len(with_figure) == 1:
            return next(a for a in matches if a.pk in with_figure)
    latest = dict(
        NationalFigure.objects.filter(authority__in=matches)
        .values("authority_id")
        .annotate(last=Max("time_period"))
        .values_list("authority_id", "last")
    )
    return max(matches, key=lambda a: (latest.get(a.pk, 0), a.code))


def _similarity(wanted: str, name: str) -> float:
    """How alike a typed name is to an authority's name, whole or word by word (0 to 1)."""
    score = difflib.SequenceMatcher(None, wanted, name).ratio()
    if len(wanted) >= 3 and wanted in name:
        score = max(score, 0.9)
    words = [w for w in wanted.replace(",", " ").split() if len(w) >= 3]
    parts = name.replace(",", " ").split()
    if words and parts:
        best = [max(difflib.SequenceMatcher(None, w, p).ratio() for p in parts) for w in words]
        score = max(score, 0.95 * sum(best) / len(best))
    return score


def _suggest(wanted: str, candidates: list[Authority]) -> list[Authority]:
    """Up to five authorities whose names are close to `wanted`, the closest first."""
    scored = sorted(
        ((_similarity(wanted, _normalise(a.name)), a.name, a) for a in candidates),
        key=lambda item: (-item[0], item[1]),
    )
    return [a for score, _, a in scored if score >= 0.75][:5]


def our_authority() -> Authority | None:
    """The authority this installation serves.

    In order: the choice recorded with `ehcflow national ours NAME`; the EHCFLOW_LA_CODE
    environment variable (or setting); settings.EHCFLOW_AUTHORITY_NAME. None when none of them
    names a loaded local authority (e.g. the demo's "Demo Borough Council").
    """
    chosen = OurAuthority.objects.select_related("authority").first()
    if chosen is not None:
        return chosen.authority
    for name in (
        getattr(settings, "EHCFLOW_LA_CODE", None) or os.environ.get("EHCFLOW_LA_CODE"),
        getattr(settings, "EHCFLOW_AUTHORITY_NAME", None),
    ):
        if name:
            try:
                return authority_find(name, suggest=False)
            except UnknownAuthority:
                continue
    return None


def _release_ids(measure: str, years: Iterable[int] | None, release: int | None) -> dict[int, int]:
    """For each year with figures for `measure`: the id of the release to read it from."""
    figures = NationalFigure.objects.filter(measure=measure)
    if years is not None:
        figures = figures.filter(time_period__in=list(years))
    if release is not None:
        try:
            pinned = Release.objects.get(reporting_year=release)
        except Release.DoesNotExist:
            loaded = ", ".join(str(y) for y in Release.objects.values_list("reporting_year",
                                                                           flat=True))
            raise NotFound(
                f"Release {release} is not loaded. Loaded: {loaded or 'none'}."
            ) from None
        figures = figures.filter(release=pinned)
    newest = (
        figures.values("time_period")
        .annotate(last=Max("release__reporting_year"))
        .values_list("time_period", "last")
    )
    ids = dict(Release.objects.values_list("reporting_year", "id"))
    return {year: ids[last] for year, last in newest}


def _points(
    measure: str,
    years: Iterable[int] | None,
    release: int | None,
    authorities: Q,
) -> dict[tuple[int, int], Point]:
    """(authority id, year) -> Point, each year from its release (see the module docstring)."""
    measure_get(measure)
    release_ids = _release_ids(measure, years, release)
    if not release_ids:
        return {}
    rows = (
        NationalFigure.objects.filter(authorities, measure=measure,
                                      release_id__in=set(release_ids.values()),
                                      time_period__in=list(release_ids))
        .values_list("authority_id", "time_period", "value", "status", "release_id",
                     "release__reporting_year")
    )
    return {
        (authority_id, year): Point(year, value, status, reporting_year)
        for authority_id, year, value, status, release_id, reporting_year in rows
        if release_ids[year] == release_id
    }


def years_available(measure: str, *, level: str = GeographicLevel.LOCAL_AUTHORITY) -> list[int]:
    """Years in which at least one authority at `level` has a published value of `measure`."""
    measure_get(measure)
    return sorted(
        set(
            NationalFigure.objects.filter(
                measure=measure, authority__geographic_level=level, value__isnull=False
            ).values_list("time_period", flat=True)
        )
    )


def series(
    *,
    authority: Authority,
    measure: str,
    years: Iterable[int] | None = None,
    release: int | None = None,
) -> list[Point]:
    """The authority's published figures for `measure`, oldest year first (suppressed included).

    E.g. BCP's `pct_within_20_weeks_excl_exceptions` (`PC_plans_issued_20_weeks_ex`):
    2022 7.3, 2023 4.8, 2024 77.6.
    """
    points = _points(measure, years, release, Q(authority=authority))
    return sorted(points.values(), key=lambda p: p.year)


def england(*, measure: str, year: int, release: int | None = None) -> Point | None:
    """England's figure (the `National` row, country_code E92000001), e.g. 46.4 in 2024."""
    points = _points(measure, [year], release,
                     Q(authority__geographic_level=GeographicLevel.NATIONAL))
    return next(iter(points.values()), None)


def region(
    *, authority: Authority, measure: str, year: int, release: int | None = None
) -> Point | None:
    """The figure of the region the authority is in (a `Regional` row, e.g. South West)."""
    code = authority.code if authority.geographic_level == GeographicLevel.REGIONAL else (
        authority.region_code
    )
    if not code:
        return None
    points = _points(measure, [year], release,
                     Q(authority__code=code,
                       authority__geographic_level=GeographicLevel.REGIONAL))
    return next(iter(points.values()), None)


def neighbours(*, authority: Authority) -> list[Authority]:
    """The local authorities `authority` has chosen to compare itself with, in their order."""
    return [
        link.neighbour
        for link in Neighbour.objects.filter(authority=authority).select_related("neighbour")
    ]


def local_authority_values(
    *, measure: str, year: int, release: int | None = None
) -> dict[Authority, Point]:
    """Every local authority's figure for `measure` in `year` (suppressed ones included)."""
    points = _points(measure, [year], release,
                     Q(authority__geographic_level=GeographicLevel.LOCAL_AUTHORITY))
    authorities = Authority.objects.in_bulk({authority_id for authority_id, _ in points})
    return {authorities[authority_id]: point for (authority_id, _), point in points.items()}


@dataclass(frozen=True)
class RankResult:
    authority: Authority
    measure: dfe.Measure
    year: int
    value: Decimal | None
    status: str
    rank: Rank | None  # None when the authority's figure was not published
    of: int  # local authorities with a published figure that year
    england: Decimal | None
    release: int | None

    def as_dict(self) -> dict[str, object]:
        return {
            "la": self.authority.name,
            "new_la_code": self.authority.new_la_code,
            "old_la_code": self.authority.old_la_code,
            "year": self.year,
            "measure": self.measure.key,
            "dfe_file": self.measure.file,
            "dfe_column": self.measure.column,
            "value": _number(self.value),
            "status": self.status,
            "rank_from_bottom": self.rank.from_bottom if self.rank else None,
            "rank_from_top": self.rank.from_top if self.rank else None,
            "tied": self.rank.tied if self.rank else None,
            "of": self.of,
            "england": _number(self.england),
            "release": self.release,
        }


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def rank(
    *, authority: Authority, measure: str, year: int, release: int | None = None
) -> RankResult:
    """Where the authority's figure stands among local authorities with a figure that year.

    Competition ranking from each end (ties share the better rank; `ranking.rank_of`), among
    local authorities whose figure DfE published (`x`/`z` rows are left out of `of`). Raises
    NotFound, listing the years available, when there is nothing to rank.
    """
    m = measure_get(measure)
    values = local_authority_values(measure=measure, year=year, release=release)
    published = [p.value for p in values.values() if p.value is not None]
    if not published:
        years = ", ".join(str(y) for y in years_available(measure)) or "none (load a release)"
        raise NotFound(f"No local authority figures for {measure} in {year}. "
                       f"Years available: {years}.")
    point = values.get(authority)
    if point is None:
        mine = ", ".join(str(p.year) for p in series(authority=authority, measure=measure)
                         if p.value is not None)
        raise NotFound(f"{authority.name} has no {measure} figure for {year}. "
                       f"Years with a figure: {mine or 'none'}.")
    national = england(measure=measure, year=year, release=release)
    return RankResult(
        authority=authority,
        measure=m,
        year=year,
        value=point.value,
        status=point.status,
        rank=rank_of(point.value, published) if point.value is not None else None,
        of=len(published),
        england=national.value if national else None,
        release=point.release,
    )


@dataclass(frozen=True)
class ComparisonRow:
    year: int
    ours: Point | None
    england: Point | None
    region: Point | None
    neighbours_mean: Decimal | None  # unweighted mean of the neighbours' published figures
    neighbours_counted: int  # how many neighbours had a published figure
    neighbours: list[tuple[Authority, Point | None]] = field(default_factory=list)


@dataclass(frozen=True)
class ComparisonTable:
    authority: Authority
    measure: dfe.Measure
    region_name: str
    rows: list[ComparisonRow]


def _mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def comparison_table(
    *,
    our_la: Authority,
    measure: str,
    years: Iterable[int] | None = None,
    release: int | None = None,
) -> ComparisonTable:
    """Our authority against England, its region, its neighbours' mean and each neighbour.

    One row per year (all years with figures for the measure when `years` is None). The
    neighbours' mean is the unweighted mean of their published figures, to one decimal place,
    as DfE's LA Interactive Tool averages statistical neighbours; suppressed figures are left
    out and `neighbours_counted` says how many were averaged.
    """
    m = measure_get(measure)
    chosen = neighbours(authority=our_la)
    ids = [our_la.pk, *(a.pk for a in chosen)]
    filters = Q(authority_id__in=ids) | Q(authority__geographic_level=GeographicLevel.NATIONAL)
    if our_la.region_code:
        filters |= Q(authority__code=our_la.region_code,
                     authority__geographic_level=GeographicLevel.REGIONAL)
    year_list = sorted(set(years)) if years is not None else None
    points = _points(measure, year_list, release, filters)
    national = Authority.objects.filter(geographic_level=GeographicLevel.NATIONAL).first()
    regional = Authority.objects.filter(
        code=our_la.region_code, geographic_level=GeographicLevel.REGIONAL
    ).first()
    all_years = year_list if year_list is not None else sorted({y for _, y in points})
    rows = []
    for year in all_years:
        theirs = [(a, points.get((a.pk, year))) for a in chosen]
        counted = [p.value for _, p in theirs if p is not None and p.value is not None]
        rows.append(
            ComparisonRow(
                year=year,
                ours=points.get((our_la.pk, year)),
                england=points.get((national.pk, year)) if national else None,
                region=points.get((regional.pk, year)) if regional else None,
                neighbours_mean=_mean(counted),
                neighbours_counted=len(counted),
                neighbours=theirs,
            )
        )
    return ComparisonTable(authority=our_la, measure=m, region_name=our_la.region_name,
                           rows=rows)


def england_series(
    *, measure: str, years: Iterable[int] | None = None, release: int | None = None
) -> dict[int, Point]:
    """England's figures for `measure`, by year (each from the latest release that has it)."""
    points = _points(measure, years, release,
                     Q(authority__geographic_level=GeographicLevel.NATIONAL))
    return {year: point for (_, year), point in points.items()}
