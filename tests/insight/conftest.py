"""Fixtures for the national comparison: DfE's shipped release, loaded once per test session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_django import DjangoDbBlocker

from ehcflow.insight import services
from ehcflow.insight.management.commands.national import SHIPPED
from ehcflow.insight.models import (
    Authority,
    NationalFigure,
    Neighbour,
    OurAuthority,
    Release,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "national"
SAMPLE_2025 = FIXTURES / "release-2025-sample"
SAMPLE_2026 = FIXTURES / "release-2026-sample"
BROKEN = FIXTURES / "broken"


@pytest.fixture(scope="session")
def _shipped_release(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> None:
    """Load the shipped trimmed release into the test database once (about 29,000 figures)."""
    with django_db_blocker.unblock():
        services.national_load(folder=SHIPPED)


@pytest.fixture
def national(_shipped_release: None, db: None) -> Release:
    """The shipped reporting-year-2025 release, loaded (again, should a flush have removed it)."""
    if not Release.objects.filter(reporting_year=2025, source=SHIPPED.name).exists():
        services.national_load(folder=SHIPPED)
    return Release.objects.get(reporting_year=2025)


@pytest.fixture
def empty(db: None) -> None:
    """No national figures at all (the test's transaction restores them afterwards)."""
    NationalFigure.objects.all().delete()
    Neighbour.objects.all().delete()
    OurAuthority.objects.all().delete()
    Release.objects.all().delete()
    Authority.objects.all().delete()


@pytest.fixture
def release_copy(tmp_path: Path) -> Iterator[Path]:
    """A writable copy of the raw-layout sample release, to break one file of."""
    folder = tmp_path / "release"
    shutil.copytree(SAMPLE_2025, folder)
    yield folder


def counts() -> dict[str, int]:
    return {
        "releases": Release.objects.count(),
        "authorities": Authority.objects.count(),
        "figures": NationalFigure.objects.count(),
    }
