"""Fixtures for the demo: a small authority (5% of the volumes) in memory and in the database.

The small authority runs the real generator end to end, so every invariant is checked on
the same code that builds the full demo; calibration needs the full scale and has its own
(slow) test.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from ehcflow.demo import generator, loader
from ehcflow.demo.rows import Authority

TODAY = date(2026, 11, 23)
SMALL = 0.05
SMALL_SEED = 11


@pytest.fixture(scope="session")
def small_authority() -> Authority:
    return generator.generate(SMALL_SEED, TODAY, SMALL)


@pytest.fixture
def demo_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("EHCFLOW_DEMO", "1")
    yield


@pytest.fixture
def loaded(db: None) -> loader.LoadResult:
    """The small authority written to the test database (rolled back after the test)."""
    return loader.load(seed=SMALL_SEED, today=TODAY, scale=SMALL)
