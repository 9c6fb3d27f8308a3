"""Writes for national comparison: load a DfE release, choose our authority and its neighbours.

Each service is one transaction. `national_load` checks and parses the whole release before it
opens the transaction, so a bad file leaves the database exactly as it was.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from ehcflow.insight import dfe
from ehcflow.insight.models import (
    Authority,
    GeographicLevel,
    NationalFigure,
    Neighbour,
    OurAuthority,
    Release,
)


class InsightError(ValueError):
    """A request the national comparison cannot carry out, with a message for the user."""


@dataclass(frozen=True)
class FileSummary:
    name: str
    rows: int  # headline rows loaded
    years: list[int]
    suppressed: int  # figures without a value (x, z, ...)


@dataclass
class LoadSummary:
    reporting_year: int
    source: str
    replaced: bool  # the release had been loaded before and was replaced
    files: list[FileSummary] = field(default_factory=list)
    figures: int = 0
    authorities: dict[str, int] = field(default_factory=dict)  # level -> how many
    new_authorities: int = 0

    @property
    def years(self) -> list[int]:
        return sorted({year for f in self.files for year in f.years})

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)


AUTHORITY_FIELDS = (
    "geographic_level", "name", "new_la_code", "old_la_code", "region_code", "region_name",
)


def _authority_fields(row: dfe.HeadlineRow) -> dict[str, str]:
    is_la = row.level == dfe.LOCAL_AUTHORITY
    return {
        "geographic_level": row.level,
        "name": row.name,
        "new_la_code": row.new_la_code if is_la else "",
        "old_la_code": row.old_la_code if is_la else "",
        "region_code": row.region_code if row.level != dfe.NATIONAL else "",
        "region_name": row.region_name if row.level != dfe.NATIONAL else "",
    }


def _upsert_authorities(parsed: dfe.ParsedRelease, *, is_latest: bool) -> dict[str, Authority]:
    """Create the geographies the release names; refresh names if it is the latest release.

    Within a release, the attributes of the latest year win (a council renamed in 2023 keeps its
    2023 name).
    """
    latest: dict[str, dfe.HeadlineRow] = {}
    for parsed_file in parsed.files.values():
        for row in parsed_file.rows:
            if row.code not in latest or row.year >= latest[row.code].year:
                latest[row.code] = row
    existing = {a.code: a for a in Authority.objects.filter(code__in=latest)}
    changed: list[Authority] = []
    created: list[Authority] = []
    for code, row in latest.items():
        fields = _authority_fields(row)
        authority = existing.get(code)
        if authority is None:
            created.append(Authority(code=code, **fields))
        elif is_latest and any(getattr(authority, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(authority, key, value)
            changed.append(authority)
    Authority.objects.bulk_create(created)
    if changed:
        Authority.objects.bulk_update(changed, list(AUTHORITY_FIELDS))
    return {a.code: a for a in Authority.objects.filter(code__in=latest)}


def national_load(*, folder: Path, reporting_year: int | None = None) -> LoadSummary:
    """Load a DfE "Education, health and care plans" release folder (raw or trimmed).

    Raises `dfe.ReleaseError` (nothing written) if a file or column is missing or a value is not
    a number. Loading a release that is already loaded replaces its figures, so running it twice
    leaves the same rows; a later release is added alongside and readers prefer it.
    """
    parsed = dfe.read_release(folder, reporting_year=reporting_year)
    year = parsed.reporting_year
    summary = LoadSummary(reporting_year=year, source=folder.name, replaced=False)
    files_meta: dict[str, dict[str, object]] = {}
    for name, parsed_file in parsed.files.items():
        suppressed = sum(
            1 for row in parsed_file.rows for value, _ in row.values.values() if value is None
        )
        summary.files.append(FileSummary(name, len(parsed_file.rows), parsed_file.years,
                                         suppressed))
        files_meta[name] = {
            "sha256": parsed_file.sha256,
            "rows_read": parsed_file.rows_read,
            "headline_rows": len(parsed_file.rows),
            "years": parsed_file.years,
        }
    with transaction.atomic():
        is_latest = not Release.objects.filter(reporting_year__gt=year).exists()
        before = Authority.objects.count()
        authorities = _upsert_authorities(parsed, is_latest=is_latest)
        summary.new_authorities = Authority.objects.count() - before
        release, created = Release.objects.update_or_create(
            reporting_year=year, defaults={"source": folder.name, "files": files_meta}
        )
        summary.replaced = not created
        NationalFigure.objects.filter(release=release).delete()
        figures = [
            NationalFigure(
                release=release,
                authority=authorities[row.code],
                time_period=row.year,
                period_code=row.period_code,
                measure=key,
                value=value,
                status=status,
            )
            for parsed_file in parsed.files.values()
            for row in parsed_file.rows
            for key, (value, status) in row.values.items()
        ]
        NationalFigure.objects.bulk_create(figures, batch_size=2000)
        summary.figures = len(figures)
    levels = Counter(authorities[code].geographic_level for code in authorities)
    summary.authorities = {level: levels.get(level, 0) for level in dfe.GEOGRAPHIC_LEVELS}
    return summary


def neighbours_set(*, authority: Authority, neighbours: list[Authority]) -> list[Authority]:
    """Make `neighbours`, in this order, the local authorities `authority` compares with."""
    if not authority.is_local_authority:
        raise InsightError(f"{authority.name} is not a local authority.")
    seen: set[int] = set()
    for other in neighbours:
        if other.pk == authority.pk:
            raise InsightError(f"{authority.name} cannot be its own neighbour.")
        if not other.is_local_authority:
            raise InsightError(f"{other.name} is not a local authority.")
        if other.pk in seen:
            raise InsightError(f"{other.name} is named twice.")
        seen.add(other.pk)
    with transaction.atomic():
        Neighbour.objects.filter(authority=authority).delete()
        Neighbour.objects.bulk_create(
            Neighbour(authority=authority, neighbour=other, position=index)
            for index, other in enumerate(neighbours, start=1)
        )
    return neighbours


def our_authority_set(*, authority: Authority | None) -> None:
    """Record the authority this installation serves; None forgets the choice."""
    with transaction.atomic():
        if authority is None:
            OurAuthority.objects.all().delete()
            return
        if authority.geographic_level != GeographicLevel.LOCAL_AUTHORITY:
            raise InsightError(f"{authority.name} is not a local authority.")
        OurAuthority.objects.update_or_create(pk=1, defaults={"authority": authority})
