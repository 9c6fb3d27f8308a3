"""A scenario's starting state read from a request register file.

Part of `ehcflow.planner.scenario`: the open requests at the start date of a register
(docs/domain/request-register.md), each with its step and age.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Final

from ehcflow.planner.scenario_checker import (
    Checker,
    parse_date,
)
from ehcflow.planner.scenario_model import (
    OpenRequest,
    Step,
)

REGISTER_DATE_COLUMNS: Final = (
    "request_date", "decision_date", "outcome_date", "draft_date", "final_date", "closed_date",
)


def read_register(
    path: Path, *, start: date, comment_days: float, checker: Checker | None = None
) -> tuple[OpenRequest, ...]:
    """Open requests at ``start`` derived from a request register CSV
    (docs/domain/request-register.md).

    Only events dated before the start date have happened.  A request is open when its request
    date is before the start and it has no final plan, no closure, no decision not to assess and
    no decision not to issue a plan by then.  Its step: a draft sent → in its comment period
    (ending ``comment_days`` after the draft) or awaiting the final; outcome ``plan`` → awaiting
    the draft; decision ``assess`` → in assessment; otherwise awaiting the decision.  Columns other
    than those used are ignored: this reads the register, it does not import it.
    """
    c = checker or Checker(str(path))
    where = "start_state.register"
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
            header = rows[0].keys() if rows else []
    except OSError as exc:
        c.add(where, f"cannot read '{path}': {exc.strerror or exc}")
        if checker is None:
            c.raise_if_any()
        return ()
    for col in ("case_ref", "request_date"):
        if rows and col not in header:
            c.add(where, f"{path.name} has no '{col}' column")
    out: list[OpenRequest] = []
    for n, row in enumerate(rows, start=2):  # row 1 is the header
        def get(col: str, row: dict[str, str] = row) -> str:
            return (row.get(col) or "").strip()

        dates: dict[str, date | None] = {}
        bad = False
        for col in REGISTER_DATE_COLUMNS:
            raw = get(col)
            d = parse_date(raw) if raw else None
            if raw and d is None:
                c.add(where, f"{path.name} row {n}, {col}: not a date, got {raw!r}")
                bad = True
            dates[col] = d
        rd = dates["request_date"]
        if rd is None:
            if not bad:
                c.add(where, f"{path.name} row {n}, request_date: missing")
            continue
        if bad or rd >= start:
            continue

        def before(col: str, dates: dict[str, date | None] = dates) -> bool:
            d = dates[col]
            return d is not None and d < start

        decision, outcome = get("decision"), get("outcome")
        if before("final_date") or before("closed_date"):
            continue
        if before("decision_date") and decision == "not_assess":
            continue
        if before("outcome_date") and outcome == "no_plan":
            continue
        step: Step
        draft = dates["draft_date"] if before("draft_date") else None
        if draft is not None:
            step = "in_comment" if (start - draft).days < comment_days else "awaiting_final"
        elif before("outcome_date") and outcome == "plan":
            step = "awaiting_draft"
        elif before("decision_date") and decision == "assess":
            step = "in_assessment"
        else:
            step = "awaiting_decision"
        out.append(OpenRequest(rd, step, draft_date=draft, case_ref=get("case_ref")))
    if checker is None:
        c.raise_if_any()
    return tuple(out)
