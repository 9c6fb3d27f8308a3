"""Checking a scenario mapping value by value, collecting every problem with its key path.

Part of `ehcflow.planner.scenario`: `Checker` reads one value at a time from the TOML mapping,
records a problem (``staff[2].count: must be a whole number ≥ 0, got -1``) instead of raising,
and `raise_if_any` raises one `ScenarioError` listing them all.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Final

from ehcflow.planner.scenario_model import (
    ScenarioError,
)

#: The value of a key a table does not have (None is a value TOML cannot hold, but be plain).
MISSING: Final = object()


def show_value(value: object) -> str:
    """A value as a problem message shows it: text quoted, big numbers with commas."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


def number_text(x: float) -> str:
    """A number as a problem message writes it."""
    return f"{x:,}" if abs(x) >= 10_000 else f"{x:g}"


class Checker:
    """Collects problems while reading a TOML mapping; each check returns a usable value."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def raise_if_any(self) -> None:
        if self.problems:
            raise ScenarioError(self.problems, source=self.source)

    def keys(self, table: Mapping[str, Any], allowed: Iterable[str], path: str) -> None:
        allowed = list(allowed)
        for key in table:
            if key not in allowed:
                where = f"{path}.{key}" if path else key
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                self.add(where, f"unknown key{hint}")

    def table(self, parent: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any] | None:
        value = parent.get(key, MISSING)
        if value is MISSING:
            self.add(path, "missing (a table is required)")
            return None
        if not isinstance(value, Mapping):
            self.add(path, f"must be a table, got {show_value(value)}")
            return None
        return value

    def number(
        self,
        parent: Mapping[str, Any],
        key: str,
        path: str,
        *,
        default: Any = MISSING,
        low: float | None = None,
        high: float | None = None,
        low_open: bool = False,
        what: str | None = None,
    ) -> float:
        value = parent.get(key, MISSING)
        if value is MISSING:
            if default is MISSING:
                self.add(path, "missing (a number is required)")
                return float(low if low is not None else 0.0) + (1.0 if low_open else 0.0)
            return float(default)
        desc = what or self._range_text("a number", low, high, low_open)
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            self.add(path, f"must be {desc}, got {show_value(value)}")
            return float(low or 0.0) + (1.0 if low_open else 0.0)
        x = float(value)
        bad = (
            (low is not None and (x <= low if low_open else x < low))
            or (high is not None and x > high)
            or math.isinf(x)
        )
        if bad:
            self.add(path, f"must be {desc}, got {show_value(value)}")
            return float(low or 0.0) + (1.0 if low_open else 0.0)
        return x

    def whole(
        self,
        parent: Mapping[str, Any],
        key: str,
        path: str,
        *,
        default: Any = MISSING,
        low: int = 0,
        high: int | None = None,
        advice: str = "",
    ) -> int:
        value = parent.get(key, MISSING)
        if value is MISSING:
            if default is MISSING:
                self.add(path, "missing (a whole number is required)")
                return low
            return int(default)
        if high is None:
            desc = f"a whole number ≥ {number_text(low)}"
        else:
            desc = f"a whole number from {number_text(low)} to {number_text(high)}"
        ok = isinstance(value, int) and not isinstance(value, bool)
        ok = ok or (isinstance(value, float) and value.is_integer())
        if not ok:
            self.add(path, f"must be {desc}, got {show_value(value)}")
            return low
        n = int(value)
        if n < low or (high is not None and n > high):
            self.add(path, f"must be {desc}, got {show_value(n)}{advice}")
            return low
        return n

    def text(
        self,
        parent: Mapping[str, Any],
        key: str,
        path: str,
        *,
        default: Any = MISSING,
        choices: Sequence[str] | None = None,
    ) -> str:
        value = parent.get(key, MISSING)
        if value is MISSING:
            if default is MISSING:
                self.add(path, "missing (text is required)")
                return choices[0] if choices else ""
            return str(default)
        if not isinstance(value, str):
            self.add(path, f"must be text, got {show_value(value)}")
            return choices[0] if choices else ""
        if choices is not None and value not in choices:
            close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            listed = ", ".join(f"'{c}'" for c in choices)
            self.add(path, f"must be one of {listed}, got {show_value(value)}{hint}")
            return choices[0]
        return value

    def date(
        self, parent: Mapping[str, Any], key: str, path: str, *, default: Any = MISSING
    ) -> date | None:
        value = parent.get(key, MISSING)
        if value is MISSING:
            if default is MISSING:
                self.add(path, "missing (a date YYYY-MM-DD is required)")
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.add(path, f"must be a date (YYYY-MM-DD), got {show_value(value)}")
        return parsed

    @staticmethod
    def _range_text(kind: str, low: float | None, high: float | None, low_open: bool) -> str:
        if low is not None and high is not None:
            lo = "above" if low_open else "from"
            return f"{kind} {lo} {number_text(low)} to {number_text(high)}"
        if low is not None:
            return f"{kind} {'>' if low_open else '≥'} {number_text(low)}"
        if high is not None:
            return f"{kind} ≤ {number_text(high)}"
        return kind


def parse_date(value: object) -> date | None:
    """A TOML date, or text ``YYYY-MM-DD`` / ``DD/MM/YYYY`` (docs/domain/request-register.md); else
    None."""
    if isinstance(value, datetime):
        return None  # a date-time is not a date: refuse rather than drop the time silently
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        s = value.strip()
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return datetime.strptime(s, fmt).date()
            except ValueError:
                continue
    return None
