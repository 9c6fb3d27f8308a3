"""Planner tests need no Django: run them with ``-p no:django --confcutdir=tests/planner``."""

from __future__ import annotations

from typing import Any

import pytest
from planner_fixtures import small_mapping


@pytest.fixture
def small() -> dict[str, Any]:
    return small_mapping()
