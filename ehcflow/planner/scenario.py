"""Scenarios for the recovery planner: frozen dataclasses, TOML loading, validation, dumping.

The format is the one in planner-model.md, "Scenario file (TOML)".  Every problem in a file is
reported at once (``ScenarioError.problems``), each naming its key path, e.g.
``staff[2].count: must be a whole number ≥ 0, got -1``.  Indices in key paths are 0-based, as
in TOML's order of ``[[staff]]`` and ``[[advice]]`` tables.

Defaults (planner-model.md): ``policy = "oldest_first"``, ``cleared_at = 0``,
``comment_days = 15``, ``ramp_from = 1.0``, ``ramp_weeks = 0``, ``serves = "all"``,
``growth_per_year = 0``, ``replications = 1000``; ``seed`` may be omitted (a fresh seed is then
drawn and reported with the results, so a run can always be repeated).

Starting state (planner-model.md, "Starting state"): counts by age band for each step, or a
request register (request-register.md) from which each open request's step and age are derived,
or explicit ``requests`` (what the web application builds from live casework).  An age band
``age_weeks = [lo, hi]`` holds requests *over* ``lo`` weeks and not over ``hi`` weeks old at the
start date, as the backlog bands of measures.md (report 000's 397 = 205 + 172 + 20): their age
in whole days is uniform over ``7·lo + 1 … 7·hi``.
"""

from __future__ import annotations

import csv
import difflib
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
import tomli_w

from ehcflow.planner import limits

#: z-value of the 90th percentile of the standard normal: sigma = ln(p90 / median) / Z90.
Z90: Final = 1.2815515655446004

ROLES: Final = ("case_officer", "educational_psychologist")
POLICIES: Final = ("oldest_first", "newest_first")
SERVES: Final = ("all", "overdue", "in_time")
STEPS: Final = (
    "awaiting_decision", "in_assessment", "awaiting_draft", "in_comment", "awaiting_final"
)
DISTRIBUTION_KINDS: Final = ("lognormal", "exponential")
#: In ``advice_in`` of an open request: the EP advice is already in (its EP task is skipped).
EP_ADVICE: Final = "educational_psychologist"

MAX_MONTHS: Final = 240
MAX_REPLICATIONS: Final = 100_000

Role = Literal["case_officer", "educational_psychologist"]
Policy = Literal["oldest_first", "newest_first"]
Serves = Literal["all", "overdue", "in_time"]
Step = Literal[
    "awaiting_decision", "in_assessment", "awaiting_draft", "in_comment", "awaiting_final"
]


class ScenarioError(ValueError):
    """A scenario (or options) file is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[str], *, source: str = "<scenario>") -> None:
        self.problems: list[str] = list(problems)
        self.source = source
        n = len(self.problems)
        head = f"{source}: {n} problem{'s' if n != 1 else ''}"
        super().__init__(head + "".join(f"\n  - {p}" for p in self.problems))


# --------------------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class Distribution:
    """An effort or delay: lognormal given by its median and 90th percentile.

    planner-model.md: "Efforts and delays are lognormal, given by median and p90 (p90 = median
    gives a constant)".  ``kind = "exponential"`` exists for the Erlang C check (tests) and is
    written in TOML as ``{ mean = 3, kind = "exponential" }``; its median and p90 are then
    mean·ln 2 and mean·ln 10.
    """

    median: float
    p90: float
    kind: Literal["lognormal", "exponential"] = "lognormal"

    @classmethod
    def constant(cls, value: float) -> Distribution:
        return cls(value, value)

    @classmethod
    def exponential(cls, mean: float) -> Distribution:
        return cls(mean * math.log(2.0), mean * math.log(10.0), "exponential")

    @property
    def sigma(self) -> float:
        """Lognormal sigma = ln(p90 / median) / 1.2815515655446004 (0 for a constant)."""
        if self.kind == "exponential" or self.median <= 0 or self.p90 <= self.median:
            return 0.0
        return math.log(self.p90 / self.median) / Z90

    @property
    def mean(self) -> float:
        if self.kind == "exponential":
            return self.median / math.log(2.0)
        return self.median * math.exp(self.sigma**2 / 2.0)

    def sample(self, rng: np.random.Generator, size: int) -> npt.NDArray[np.float64]:
        """``size`` independent draws (one generator call, so replications stay cheap)."""
        if self.kind == "exponential":
            return np.asarray(rng.exponential(self.mean, size), dtype=np.float64)
        if self.sigma == 0.0:
            return np.full(size, float(self.median))
        return np.asarray(self.median * np.exp(self.sigma * rng.standard_normal(size)))


@dataclass(frozen=True)
class Demand:
    """planner-model.md, "Demand": Poisson weekly arrivals with growth; fates on arrival."""

    requests_per_year: float
    assess_rate: float
    plan_rate: float
    growth_per_year: float = 0.0
    #: Twelve factors (January … December, mean 1) by which the weekly rate is multiplied in
    #: each calendar month: requests follow the school year.  Empty: no seasonality.
    seasonality: tuple[float, ...] = ()


@dataclass(frozen=True)
class Work:
    """Effort per request, in hours, and the parents' comment period in days."""

    decision_hours: Distribution
    ep_hours: Distribution
    draft_hours: Distribution
    final_hours: Distribution
    comment_days: float = 15.0
    #: Elapsed days from the request before its decision can be taken (gathering evidence,
    #: the panel's cycle), before the decision task joins the officers' queue.  None: none.
    decision_days: Distribution | None = None
    #: Elapsed days from the last advice in to the start of drafting (writing, agreeing
    #: provision with the family and school), added to the wait for advice.  None: none.
    draft_days: Distribution | None = None
    #: Elapsed days from the draft to the final task becoming ready (the comment period and
    #: waiting for the family's views), for requests already drafted at the start: their
    #: final is ready after a draw of it beyond the days already gone.  None: comment_days.
    final_days: Distribution | None = None


@dataclass(frozen=True)
class Advice:
    """External advice (health, social care, …): needed with ``probability``, then a delay."""

    name: str
    probability: float
    delay_days: Distribution


@dataclass(frozen=True)
class StaffGroup:
    """``count`` people of one role (planner-model.md, "Staff" and "Cost").

    Cost: exactly one of ``cost_per_year`` or ``day_rate`` with ``days_per_week``.
    """

    name: str
    role: Role
    count: int
    hours_per_week: float
    start: date | None = None
    end: date | None = None
    ramp_from: float = 1.0
    ramp_weeks: float = 0.0
    serves: Serves = "all"
    cost_per_year: float | None = None
    day_rate: float | None = None
    days_per_week: float | None = None


@dataclass(frozen=True)
class AgeBand:
    """``count`` open requests over ``age_weeks[0]`` and not over ``age_weeks[1]`` weeks old."""

    age_weeks: tuple[float, float]
    count: int

    @property
    def age_days(self) -> tuple[int, int]:
        """Inclusive range of whole-day ages at the start date."""
        lo, hi = self.age_weeks
        return math.floor(7 * lo) + 1, math.floor(7 * hi)


@dataclass(frozen=True)
class OpenRequest:
    """One open request at the start date (from a register or live casework).

    ``advice_in`` names advice already received ([[advice]] names, or ``educational_psychologist``
    for the EP advice); ``draft_date`` dates the draft of a request in its comment period, so the
    period ends 15 (``comment_days``) days after it rather than at a random time.
    """

    request_date: date
    step: Step
    advice_in: frozenset[str] = frozenset()
    draft_date: date | None = None
    case_ref: str = ""
    #: the decision to assess: advice delays of a request in assessment then run from it, and
    #: advice not yet in is known to take longer than the time already gone.
    decision_date: date | None = None
    #: awaiting the draft: the day the last advice came in, so the drafting delay that runs
    #: from it is known to take longer than the time already gone (None: a fresh drafting
    #: delay is not drawn; the draft is ready at the start, as before).
    advice_done_date: date | None = None


@dataclass(frozen=True)
class StartState:
    """Open requests at the start date, as counts by age band per step and/or records."""

    awaiting_decision: tuple[AgeBand, ...] = ()
    in_assessment: tuple[AgeBand, ...] = ()
    awaiting_draft: tuple[AgeBand, ...] = ()
    in_comment: tuple[AgeBand, ...] = ()
    awaiting_final: tuple[AgeBand, ...] = ()
    #: the register file as written in the scenario (relative to the scenario's folder).
    register: str | None = None
    #: explicit open requests; filled from ``register`` when one is given.
    requests: tuple[OpenRequest, ...] = ()

    def bands(self, step: Step) -> tuple[AgeBand, ...]:
        bands: tuple[AgeBand, ...] = getattr(self, step)
        return bands

    @property
    def total(self) -> int:
        return sum(b.count for s in STEPS for b in self.bands(s)) + len(self.requests)


@dataclass(frozen=True)
class Scenario:
    """A recovery-planner scenario (planner-model.md, "Scenario file (TOML)")."""

    name: str
    start: date
    months: int
    demand: Demand
    work: Work
    advice: tuple[Advice, ...] = ()
    staff: tuple[StaffGroup, ...] = ()
    start_state: StartState = StartState()
    replications: int = 1000
    seed: int | None = None
    policy: Policy = "oldest_first"
    cleared_at: int = 0
    #: Uncertainty in the service's pace: each replication scales every elapsed delay
    #: (decision, advice, drafting) by exp(delay_uncertainty × Z), Z standard normal, one Z a
    #: replication.  0: the delays' distributions are known exactly.
    delay_uncertainty: float = 0.0
    #: Correlation of one request's advice delays: each advice's standard normal is
    #: ρ·Z_request + √(1 − ρ²)·Z_own (advice asked for together tends to come back together).
    advice_correlation: float = 0.0
    #: where the scenario came from (a path or "<string>"); not part of its identity.
    source: str = field(default="<scenario>", compare=False)


# --------------------------------------------------------------------------- validation


_MISSING: Final = object()


def _show(value: object) -> str:
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


def _num_text(x: float) -> str:
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
        value = parent.get(key, _MISSING)
        if value is _MISSING:
            self.add(path, "missing (a table is required)")
            return None
        if not isinstance(value, Mapping):
            self.add(path, f"must be a table, got {_show(value)}")
            return None
        return value

    def number(
        self,
        parent: Mapping[str, Any],
        key: str,
        path: str,
        *,
        default: Any = _MISSING,
        low: float | None = None,
        high: float | None = None,
        low_open: bool = False,
        what: str | None = None,
    ) -> float:
        value = parent.get(key, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                self.add(path, "missing (a number is required)")
                return float(low if low is not None else 0.0) + (1.0 if low_open else 0.0)
            return float(default)
        desc = what or self._range_text("a number", low, high, low_open)
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            self.add(path, f"must be {desc}, got {_show(value)}")
            return float(low or 0.0) + (1.0 if low_open else 0.0)
        x = float(value)
        bad = (
            (low is not None and (x <= low if low_open else x < low))
            or (high is not None and x > high)
            or math.isinf(x)
        )
        if bad:
            self.add(path, f"must be {desc}, got {_show(value)}")
            return float(low or 0.0) + (1.0 if low_open else 0.0)
        return x

    def whole(
        self,
        parent: Mapping[str, Any],
        key: str,
        path: str,
        *,
        default: Any = _MISSING,
        low: int = 0,
        high: int | None = None,
        advice: str = "",
    ) -> int:
        value = parent.get(key, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                self.add(path, "missing (a whole number is required)")
                return low
            return int(default)
        if high is None:
            desc = f"a whole number ≥ {_num_text(low)}"
        else:
            desc = f"a whole number from {_num_text(low)} to {_num_text(high)}"
        ok = isinstance(value, int) and not isinstance(value, bool)
        ok = ok or (isinstance(value, float) and value.is_integer())
        if not ok:
            self.add(path, f"must be {desc}, got {_show(value)}")
            return low
        n = int(value)
        if n < low or (high is not None and n > high):
            self.add(path, f"must be {desc}, got {_show(n)}{advice}")
            return low
        return n

    def text(
        self,
        parent: Mapping[str, Any],
        key: str,
        path: str,
        *,
        default: Any = _MISSING,
        choices: Sequence[str] | None = None,
    ) -> str:
        value = parent.get(key, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                self.add(path, "missing (text is required)")
                return choices[0] if choices else ""
            return str(default)
        if not isinstance(value, str):
            self.add(path, f"must be text, got {_show(value)}")
            return choices[0] if choices else ""
        if choices is not None and value not in choices:
            close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            listed = ", ".join(f"'{c}'" for c in choices)
            self.add(path, f"must be one of {listed}, got {_show(value)}{hint}")
            return choices[0]
        return value

    def date(
        self, parent: Mapping[str, Any], key: str, path: str, *, default: Any = _MISSING
    ) -> date | None:
        value = parent.get(key, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                self.add(path, "missing (a date YYYY-MM-DD is required)")
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.add(path, f"must be a date (YYYY-MM-DD), got {_show(value)}")
        return parsed

    @staticmethod
    def _range_text(kind: str, low: float | None, high: float | None, low_open: bool) -> str:
        if low is not None and high is not None:
            lo = "above" if low_open else "from"
            return f"{kind} {lo} {_num_text(low)} to {_num_text(high)}"
        if low is not None:
            return f"{kind} {'>' if low_open else '≥'} {_num_text(low)}"
        if high is not None:
            return f"{kind} ≤ {_num_text(high)}"
        return kind


def parse_date(value: object) -> date | None:
    """A TOML date, or text ``YYYY-MM-DD`` / ``DD/MM/YYYY`` (request-register.md); else None."""
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


def _distribution(c: Checker, parent: Mapping[str, Any], key: str, path: str) -> Distribution:
    value = parent.get(key, _MISSING)
    if value is _MISSING:
        c.add(path, "missing (a table { median = …, p90 = … } is required)")
        return Distribution.constant(1.0)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < 0 or math.isinf(value) or math.isnan(value):
            c.add(path, f"must be a number ≥ 0, got {_show(value)}")
            return Distribution.constant(1.0)
        return Distribution.constant(float(value))
    if not isinstance(value, Mapping):
        c.add(path, f"must be a table {{ median = …, p90 = … }}, got {_show(value)}")
        return Distribution.constant(1.0)
    kind = c.text(value, "kind", f"{path}.kind", default="lognormal", choices=DISTRIBUTION_KINDS)
    if kind == "exponential":
        c.keys(value, ("mean", "kind"), path)
        mean = c.number(value, "mean", f"{path}.mean", low=0, low_open=True)
        return Distribution.exponential(mean)
    c.keys(value, ("median", "p90", "kind"), path)
    median = c.number(value, "median", f"{path}.median", low=0)
    p90 = c.number(value, "p90", f"{path}.p90", low=0)
    if "median" in value and "p90" in value and p90 < median:
        c.add(f"{path}.p90", f"must be ≥ median ({_num_text(median)}), got {_num_text(p90)}")
        p90 = median
    if median == 0 and p90 > 0:
        c.add(f"{path}.median", "must be > 0 unless p90 is 0 too (a lognormal needs a median)")
        median = p90
    return Distribution(median, p90)


def _array_of_tables(
    c: Checker, parent: Mapping[str, Any], key: str, path: str
) -> list[Mapping[str, Any]]:
    value = parent.get(key, [])
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list):
        c.add(path, f"must be a list of tables ([[{key}]]), got {_show(value)}")
        return []
    out: list[Mapping[str, Any]] = []
    for i, item in enumerate(value):
        if isinstance(item, Mapping):
            out.append(item)
        else:
            c.add(f"{path}[{i}]", f"must be a table, got {_show(item)}")
    return out


def _demand(c: Checker, t: Mapping[str, Any]) -> Demand:
    c.keys(t, ("requests_per_year", "growth_per_year", "assess_rate", "plan_rate",
               "seasonality"), "demand")
    seasonality: tuple[float, ...] = ()
    if "seasonality" in t:
        raw = t["seasonality"]
        ok = isinstance(raw, list) and len(raw) == 12 and all(
            isinstance(x, int | float) and not isinstance(x, bool) and 0 <= x <= 5
            and math.isfinite(x) for x in raw)
        if not ok or sum(raw) <= 0:
            c.add("demand.seasonality", "must be 12 numbers from 0 to 5, one a month from "
                                        f"January, got {_show(raw)}")
        else:
            mean = sum(raw) / 12.0
            scale = 1.0 if abs(mean - 1.0) < 1e-9 else mean  # keeps a dumped file's figures
            seasonality = tuple(float(x) / scale for x in raw)
    return Demand(
        seasonality=seasonality,
        requests_per_year=c.number(t, "requests_per_year", "demand.requests_per_year", low=0),
        growth_per_year=c.number(
            t, "growth_per_year", "demand.growth_per_year", default=0.0, low=-1, low_open=True,
            high=10,
        ),
        assess_rate=c.number(t, "assess_rate", "demand.assess_rate", low=0, high=1,
                             what="a probability from 0 to 1"),
        plan_rate=c.number(t, "plan_rate", "demand.plan_rate", low=0, high=1,
                           what="a probability from 0 to 1"),
    )


def _work(c: Checker, t: Mapping[str, Any]) -> Work:
    keys = ("decision_hours", "ep_hours", "draft_hours", "final_hours", "comment_days",
            "decision_days", "draft_days", "final_days")
    c.keys(t, keys, "work")
    return Work(
        decision_hours=_distribution(c, t, "decision_hours", "work.decision_hours"),
        ep_hours=_distribution(c, t, "ep_hours", "work.ep_hours"),
        draft_hours=_distribution(c, t, "draft_hours", "work.draft_hours"),
        final_hours=_distribution(c, t, "final_hours", "work.final_hours"),
        comment_days=c.number(t, "comment_days", "work.comment_days", default=15.0, low=0,
                              high=365),
        decision_days=(_distribution(c, t, "decision_days", "work.decision_days")
                       if "decision_days" in t else None),
        draft_days=(_distribution(c, t, "draft_days", "work.draft_days")
                    if "draft_days" in t else None),
        final_days=(_distribution(c, t, "final_days", "work.final_days")
                    if "final_days" in t else None),
    )


def _advice(c: Checker, items: list[Mapping[str, Any]]) -> tuple[Advice, ...]:
    out: list[Advice] = []
    seen: set[str] = set()
    for i, t in enumerate(items):
        p = f"advice[{i}]"
        c.keys(t, ("name", "probability", "delay_days"), p)
        name = c.text(t, "name", f"{p}.name")
        if name in seen:
            c.add(f"{p}.name", f"'{name}' is already the name of another [[advice]]")
        if name == EP_ADVICE:
            c.add(f"{p}.name", f"'{EP_ADVICE}' is reserved for the EP advice (an EP task)")
        seen.add(name)
        out.append(
            Advice(
                name=name,
                probability=c.number(t, "probability", f"{p}.probability", low=0, high=1,
                                     what="a probability from 0 to 1"),
                delay_days=_distribution(c, t, "delay_days", f"{p}.delay_days"),
            )
        )
    return tuple(out)


STAFF_KEYS: Final = (
    "name", "role", "count", "hours_per_week", "start", "end", "ramp_from", "ramp_weeks",
    "serves", "cost_per_year", "day_rate", "days_per_week",
)


def staff_cost_fields(
    c: Checker, t: Mapping[str, Any], p: str
) -> tuple[float | None, float | None, float | None]:
    """Exactly one of cost_per_year, or day_rate with days_per_week (planner-model.md, Cost)."""
    cpy = (
        c.number(t, "cost_per_year", f"{p}.cost_per_year", low=0)
        if "cost_per_year" in t
        else None
    )
    rate = c.number(t, "day_rate", f"{p}.day_rate", low=0) if "day_rate" in t else None
    dpw = (
        c.number(t, "days_per_week", f"{p}.days_per_week", low=0, high=7)
        if "days_per_week" in t
        else None
    )
    has_rate = "day_rate" in t or "days_per_week" in t
    if "cost_per_year" in t and has_rate:
        c.add(p, "give either cost_per_year or day_rate with days_per_week, not both")
    elif "cost_per_year" not in t and not has_rate:
        c.add(p, "missing its cost: give cost_per_year, or day_rate with days_per_week")
    elif has_rate and ("day_rate" not in t or "days_per_week" not in t):
        missing = "days_per_week" if "day_rate" in t else "day_rate"
        c.add(f"{p}.{missing}", "missing (day_rate and days_per_week go together)")
    return cpy, rate, dpw


def staff_work_fields(c: Checker, t: Mapping[str, Any], p: str) -> dict[str, Any]:
    """What a staff group (or an optimiser's staffing option) gives to the work and costs:
    role, hours_per_week, ramp_from, ramp_weeks, serves and the cost fields (planner-model.md,
    Staff and Cost), checked, as keyword arguments of ``StaffGroup``."""
    cpy, rate, dpw = staff_cost_fields(c, t, p)
    return {
        "role": c.text(t, "role", f"{p}.role", choices=ROLES),
        "hours_per_week": c.number(
            t, "hours_per_week", f"{p}.hours_per_week", low=0, low_open=True, high=168
        ),
        "ramp_from": c.number(
            t, "ramp_from", f"{p}.ramp_from", default=1.0, low=0, low_open=True, high=1
        ),
        "ramp_weeks": c.number(t, "ramp_weeks", f"{p}.ramp_weeks", default=0.0, low=0, high=520),
        "serves": c.text(t, "serves", f"{p}.serves", default="all", choices=SERVES),
        "cost_per_year": cpy,
        "day_rate": rate,
        "days_per_week": dpw,
    }


def _staff(c: Checker, items: list[Mapping[str, Any]]) -> tuple[StaffGroup, ...]:
    out: list[StaffGroup] = []
    for i, t in enumerate(items):
        p = f"staff[{i}]"
        c.keys(t, STAFF_KEYS, p)
        s = c.date(t, "start", f"{p}.start", default=None)
        e = c.date(t, "end", f"{p}.end", default=None)
        if s is not None and e is not None and e < s:
            c.add(f"{p}.end", f"must be on or after start ({s.isoformat()}), got {e.isoformat()}")
        out.append(
            StaffGroup(
                name=c.text(t, "name", f"{p}.name", default=""),
                count=c.whole(t, "count", f"{p}.count", low=0),
                start=s,
                end=e,
                **staff_work_fields(c, t, p),
            )
        )
    return tuple(out)


def _bands(c: Checker, value: object, path: str) -> tuple[AgeBand, ...]:
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list):
        c.add(path, f"must be a list of {{ age_weeks = [lo, hi], count = n }}, got {_show(value)}")
        return ()
    out: list[AgeBand] = []
    for i, item in enumerate(value):
        p = f"{path}[{i}]"
        if not isinstance(item, Mapping):
            c.add(p, f"must be a table {{ age_weeks = [lo, hi], count = n }}, got {_show(item)}")
            continue
        c.keys(item, ("age_weeks", "count"), p)
        count = c.whole(item, "count", f"{p}.count", low=0)
        ages = item.get("age_weeks", _MISSING)
        ok = (
            isinstance(ages, list)
            and len(ages) == 2
            and all(isinstance(a, int | float) and not isinstance(a, bool) for a in ages)
        )
        if ages is _MISSING:
            c.add(f"{p}.age_weeks", "missing (a pair [lo, hi] of weeks is required)")
            continue
        if not ok:
            c.add(f"{p}.age_weeks", f"must be a pair [lo, hi] of weeks, got {_show(ages)}")
            continue
        assert isinstance(ages, list)
        lo, hi = float(ages[0]), float(ages[1])
        if lo < 0 or hi > 52 * 20:
            c.add(f"{p}.age_weeks", f"must lie from 0 to 1,040 weeks, got [{lo:g}, {hi:g}]")
            continue
        band = AgeBand((lo, hi), count)
        d0, d1 = band.age_days
        if d1 < d0:
            c.add(f"{p}.age_weeks", f"must be [lo, hi] with lo < hi (whole days apart), "
                                    f"got [{lo:g}, {hi:g}]")
            continue
        out.append(band)
    return tuple(out)


def _open_requests(
    c: Checker, value: object, path: str, start: date | None, advice_names: set[str]
) -> tuple[OpenRequest, ...]:
    if not isinstance(value, list):
        c.add(path, f"must be a list of tables, got {_show(value)}")
        return ()
    out: list[OpenRequest] = []
    for i, item in enumerate(value):
        p = f"{path}[{i}]"
        if not isinstance(item, Mapping):
            c.add(p, f"must be a table, got {_show(item)}")
            continue
        c.keys(item, ("request_date", "step", "advice_in", "draft_date", "case_ref",
                      "decision_date", "advice_done_date"), p)
        rd = c.date(item, "request_date", f"{p}.request_date")
        if rd is not None and start is not None and rd >= start:
            c.add(f"{p}.request_date", f"must be before the scenario's start "
                                       f"({start.isoformat()}), got {rd.isoformat()}")
        step = c.text(item, "step", f"{p}.step", choices=STEPS)
        adv = item.get("advice_in", [])
        names: list[str] = []
        if not isinstance(adv, list) or not all(isinstance(a, str) for a in adv):
            c.add(f"{p}.advice_in", f"must be a list of advice names, got {_show(adv)}")
        else:
            for a in adv:
                if a not in advice_names and a != EP_ADVICE:
                    c.add(f"{p}.advice_in", f"'{a}' is not the name of an [[advice]]")
            names = list(adv)
        dd = c.date(item, "draft_date", f"{p}.draft_date", default=None)
        if rd is not None:
            out.append(
                OpenRequest(
                    request_date=rd,
                    step=step,  # type: ignore[arg-type]
                    advice_in=frozenset(names),
                    draft_date=dd,
                    case_ref=c.text(item, "case_ref", f"{p}.case_ref", default=""),
                    decision_date=c.date(item, "decision_date", f"{p}.decision_date",
                                         default=None),
                    advice_done_date=c.date(item, "advice_done_date",
                                            f"{p}.advice_done_date", default=None),
                )
            )
    return tuple(out)


def _start_state(
    c: Checker,
    t: Mapping[str, Any],
    start: date | None,
    comment_days: float,
    base_dir: Path | None,
    advice_names: set[str],
) -> StartState:
    c.keys(t, (*STEPS, "register", "requests"), "start_state")
    bands = {s: _bands(c, t[s], f"start_state.{s}") if s in t else () for s in STEPS}
    register = None
    requests: tuple[OpenRequest, ...] = ()
    if "register" in t:
        register = c.text(t, "register", "start_state.register")
        if any(bands.values()):
            c.add("start_state.register", "give either a register or counts by age band, not both")
        if start is not None and register:
            path = Path(register)
            if not path.is_absolute() and base_dir is not None:
                path = base_dir / path
            requests = read_register(path, start=start, comment_days=comment_days, checker=c)
    if "requests" in t:
        if register is not None:
            c.add("start_state.requests", "give either a register or requests, not both")
        requests = _open_requests(c, t["requests"], "start_state.requests", start, advice_names)
    return StartState(**bands, register=register, requests=requests)


TOP_KEYS: Final = (
    "name", "start", "months", "replications", "seed", "policy", "cleared_at", "demand", "work",
    "advice", "staff", "start_state", "delay_uncertainty", "advice_correlation",
)


def parse_scenario(
    mapping: Mapping[str, Any], *, source: str = "<scenario>", base_dir: str | Path | None = None
) -> Scenario:
    """Validate a mapping (as read from TOML) and build a Scenario.

    ``base_dir`` resolves a relative ``start_state.register``.  Raises ScenarioError listing
    every problem found.
    """
    c = Checker(source)
    c.keys(mapping, TOP_KEYS, "")
    name = c.text(mapping, "name", "name", default="")
    start = c.date(mapping, "start", "start")
    months = c.whole(mapping, "months", "months", low=1, high=MAX_MONTHS,
                     advice=" (the planner projects at most 20 years)")
    replications = c.whole(
        mapping, "replications", "replications", default=1000, low=1, high=MAX_REPLICATIONS,
        advice=" (1,000 replications already give percentiles to within about a percentage "
               "point; more only cost time and memory)",
    )
    seed: int | None = None
    if "seed" in mapping:
        seed = c.whole(mapping, "seed", "seed", low=0, high=2**63 - 1)
    policy = c.text(mapping, "policy", "policy", default="oldest_first", choices=POLICIES)
    cleared_at = c.whole(mapping, "cleared_at", "cleared_at", default=0, low=0)
    delay_uncertainty = c.number(mapping, "delay_uncertainty", "delay_uncertainty", default=0.0,
                                 low=0, high=1)
    advice_correlation = c.number(mapping, "advice_correlation", "advice_correlation",
                                  default=0.0, low=0, high=1)
    dt = c.table(mapping, "demand", "demand")
    demand = _demand(c, dt) if dt is not None else Demand(0.0, 0.0, 0.0)
    wt = c.table(mapping, "work", "work")
    one = Distribution.constant(1.0)
    work = _work(c, wt) if wt is not None else Work(one, one, one, one)
    advice = _advice(c, _array_of_tables(c, mapping, "advice", "advice"))
    staff = _staff(c, _array_of_tables(c, mapping, "staff", "staff"))
    st = mapping.get("start_state", {})
    if not isinstance(st, Mapping):
        c.add("start_state", f"must be a table, got {_show(st)}")
        st = {}
    bd = Path(base_dir) if base_dir is not None else None
    start_state = _start_state(c, st, start, work.comment_days, bd, {a.name for a in advice})
    limits.check(limits.counts_of(name=name, months=months, cleared_at=cleared_at, demand=demand,
                                  work=work, advice=advice, staff=staff, start_state=start_state),
                 c.add)  # bounds of what a council could mean (limits.py)
    c.raise_if_any()
    assert start is not None
    return Scenario(
        name=name,
        start=start,
        months=months,
        demand=demand,
        work=work,
        advice=advice,
        staff=staff,
        start_state=start_state,
        replications=replications,
        seed=seed,
        policy=policy,  # type: ignore[arg-type]
        cleared_at=cleared_at,
        delay_uncertainty=delay_uncertainty,
        advice_correlation=advice_correlation,
        source=source,
    )


TOO_DEEP: Final = "the scenario nests lists or tables too deeply to be a scenario"


def toml_mapping(text: str, *, source: str = "<text>") -> dict[str, Any]:
    """The TOML text as a mapping, or ScenarioError with a plain message.

    Refuses text longer than ``limits.MAX_TOML_CHARS`` before parsing, and the RecursionError
    that deeply nested arrays or tables raise inside ``tomllib``: the one reading of scenario
    text, for files and pages alike.
    """
    from ehcflow.planner import limits

    if len(text) > limits.MAX_TOML_CHARS:
        raise ScenarioError([f"the scenario is too long: at most {limits.MAX_TOML_CHARS:,} "
                             f"characters, got {len(text):,}"], source=source)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"not valid TOML: {exc}"], source=source) from None
    except RecursionError:
        raise ScenarioError([TOO_DEEP], source=source) from None


def scenario_from_text(text: str, *, source: str = "<text>",
                       base_dir: Path | None = None) -> Scenario:
    """Read and validate scenario text: `toml_mapping`, then `parse_scenario`."""
    data = toml_mapping(text, source=source)
    try:
        return parse_scenario(data, source=source, base_dir=base_dir)
    except RecursionError:  # nesting the parser accepted but the checker cannot walk
        raise ScenarioError([TOO_DEEP], source=source) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file (planner-model.md, "Scenario file (TOML)")."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = f"cannot read the file: {getattr(exc, 'strerror', None) or exc}"
        raise ScenarioError([problem], source=str(p)) from None
    return scenario_from_text(text, source=str(p), base_dir=p.parent)


# --------------------------------------------------------------------------- register


REGISTER_DATE_COLUMNS: Final = (
    "request_date", "decision_date", "outcome_date", "draft_date", "final_date", "closed_date",
)


def read_register(
    path: Path, *, start: date, comment_days: float, checker: Checker | None = None
) -> tuple[OpenRequest, ...]:
    """Open requests at ``start`` derived from a request register CSV (request-register.md).

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


# --------------------------------------------------------------------------- dumping


def _dist_dict(d: Distribution) -> dict[str, Any]:
    if d.kind == "exponential":
        return {"mean": d.mean, "kind": "exponential"}
    return {"median": d.median, "p90": d.p90}


def _drop_none(d: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def scenario_to_dict(s: Scenario) -> dict[str, Any]:
    """The TOML-shaped mapping of a scenario (``parse_scenario`` reads it back equal)."""
    st = s.start_state
    state: dict[str, Any] = {}
    for step in STEPS:
        bands = st.bands(step)
        if bands:
            state[step] = [{"age_weeks": list(b.age_weeks), "count": b.count} for b in bands]
    if st.register is not None:
        state["register"] = st.register
    elif st.requests:
        state["requests"] = [
            _drop_none(
                {
                    "request_date": r.request_date,
                    "step": r.step,
                    "advice_in": sorted(r.advice_in) if r.advice_in else None,
                    "draft_date": r.draft_date,
                    "case_ref": r.case_ref or None,
                    "decision_date": r.decision_date,
                    "advice_done_date": r.advice_done_date,
                }
            )
            for r in st.requests
        ]
    out: dict[str, Any] = _drop_none(
        {
            "name": s.name,
            "start": s.start,
            "months": s.months,
            "replications": s.replications,
            "seed": s.seed,
            "policy": s.policy,
            "cleared_at": s.cleared_at,
            "delay_uncertainty": s.delay_uncertainty or None,
            "advice_correlation": s.advice_correlation or None,
        }
    )
    out["demand"] = {
        "requests_per_year": s.demand.requests_per_year,
        "growth_per_year": s.demand.growth_per_year,
        "assess_rate": s.demand.assess_rate,
        "plan_rate": s.demand.plan_rate,
    }
    if s.demand.seasonality:
        out["demand"]["seasonality"] = list(s.demand.seasonality)
    w = s.work
    out["work"] = {
        "decision_hours": _dist_dict(w.decision_hours),
        "ep_hours": _dist_dict(w.ep_hours),
        "draft_hours": _dist_dict(w.draft_hours),
        "final_hours": _dist_dict(w.final_hours),
        "comment_days": w.comment_days,
    }
    if w.decision_days is not None:
        out["work"]["decision_days"] = _dist_dict(w.decision_days)
    if w.draft_days is not None:
        out["work"]["draft_days"] = _dist_dict(w.draft_days)
    if w.final_days is not None:
        out["work"]["final_days"] = _dist_dict(w.final_days)
    if s.advice:
        out["advice"] = [
            {"name": a.name, "probability": a.probability, "delay_days": _dist_dict(a.delay_days)}
            for a in s.advice
        ]
    if s.staff:
        out["staff"] = [
            _drop_none(
                {
                    "name": g.name,
                    "role": g.role,
                    "count": g.count,
                    "hours_per_week": g.hours_per_week,
                    "start": g.start,
                    "end": g.end,
                    "ramp_from": g.ramp_from,
                    "ramp_weeks": g.ramp_weeks,
                    "serves": g.serves,
                    "cost_per_year": g.cost_per_year,
                    "day_rate": g.day_rate,
                    "days_per_week": g.days_per_week,
                }
            )
            for g in s.staff
        ]
    if state:
        out["start_state"] = state
    return out


def dump_scenario(s: Scenario) -> str:
    """The scenario as TOML text; ``parse_scenario(tomllib.loads(text))`` gives it back."""
    return tomli_w.dumps(scenario_to_dict(s))


# Re-exported for options.py, which validates staffing options with the same rules.
__all__ = [
    "EP_ADVICE",
    "MAX_MONTHS",
    "MAX_REPLICATIONS",
    "POLICIES",
    "ROLES",
    "SERVES",
    "STEPS",
    "Advice",
    "AgeBand",
    "Checker",
    "Demand",
    "Distribution",
    "OpenRequest",
    "Scenario",
    "ScenarioError",
    "StaffGroup",
    "StartState",
    "Work",
    "dump_scenario",
    "load_scenario",
    "parse_date",
    "parse_scenario",
    "read_register",
    "scenario_to_dict",
]
