"""Stored backtests for the planning page: computed in the background, read by the page.

Each backtest is a JSON file under ``VAR_DIR/backtests/`` named by its as-of date, written
whole (to a temporary name, then renamed) so a page never reads half a file.  They hold
figures only (counts, percentiles, percentages and the estimate's sentences): no case
references and nothing about a child.  Files rather than a table keep this feature free of
migrations; the results are recomputed from the records at will.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings

#: months compared in each stored backtest, and replications behind each
MONTHS = 12
REPLICATIONS = 300


def folder() -> Path:
    return Path(settings.VAR_DIR) / "backtests"


def _quarter_end(year: int, quarter: int) -> date:
    month = 3 * quarter
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def as_of_dates(today: date) -> list[date]:
    """Quarter ends over the last three years with at least a month of history after them."""
    out: list[date] = []
    for year in range(today.year - 3, today.year + 1):
        for quarter in range(1, 5):
            day = _quarter_end(year, quarter)
            if today - timedelta(days=3 * 365 + 1) <= day <= today - timedelta(days=31):
                out.append(day)
    return out


def save(result: dict[str, Any]) -> Path:
    """Write one backtest's result (atomically)."""
    where = folder()
    where.mkdir(parents=True, exist_ok=True)
    target = where / f"{result['as_of']}.json"
    fd, temp = tempfile.mkstemp(dir=where, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    os.replace(temp, target)
    return target


def load_all() -> list[dict[str, Any]]:
    """Every stored backtest, oldest as-of date first."""
    where = folder()
    if not where.is_dir():
        return []
    out = []
    for path in sorted(where.glob("*.json")):
        try:
            out.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue  # a file being replaced or damaged: the next run rewrites it
    return out


def compute(today: date) -> list[str]:
    """Run and store the backtest of every as-of date (the background task's work)."""
    from ehcflow.planning.backtest import backtest
    from ehcflow.planning.estimate import load_history

    history = load_history()
    done = []
    for as_of in as_of_dates(today):
        result = backtest(history, as_of=as_of, today=today, months=MONTHS,
                          replications=REPLICATIONS)
        result["computed_on"] = today.isoformat()
        save(result)
        done.append(as_of.isoformat())
    return done
