"""Reading a scenario from TOML text or a file into a checked `Scenario`.

Part of `ehcflow.planner.scenario`: each table of the format (docs/domain/planner-model.md,
"Scenario file (TOML)") has its reader here; `parse_scenario` checks a whole mapping and
reports every problem at once.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Final

from ehcflow.planner import limits
from ehcflow.planner.scenario_checker import (
    MISSING,
    Checker,
    number_text,
    show_value,
)
from ehcflow.planner.scenario_model import (
    DISTRIBUTION_KINDS,
    EP_ADVICE,
    MAX_MONTHS,
    MAX_REPLICATIONS,
    POLICIES,
    ROLES,
    SERVES,
    STEPS,
    Advice,
    AgeBand,
    Demand,
    Distribution,
    OpenRequest,
    Scenario,
    ScenarioError,
    StaffGroup,
    StartState,
    Work,
)
from ehcflow.planner.scenario_register import (
    read_register,
)


def _distribution(c: Checker, parent: Mapping[str, Any], key: str, path: str) -> Distribution:
    value = parent.get(key, MISSING)
    if value is MISSING:
        c.add(path, "missing (a table { median = …, p90 = … } is required)")
        return Distribution.constant(1.0)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < 0 or math.isinf(value) or math.isnan(value):
            c.add(path, f"must be a number ≥ 0, got {show_value(value)}")
            return Distribution.constant(1.0)
        return Distribution.constant(float(value))
    if not isinstance(value, Mapping):
        c.add(path, f"must be a table {{ median = …, p90 = … }}, got {show_value(value)}")
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
        c.add(f"{path}.p90", f"must be ≥ median ({number_text(median)}), got {number_text(p90)}")
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
        c.add(path, f"must be a list of tables ([[{key}]]), got {show_value(value)}")
        return []
    out: list[Mapping[str, Any]] = []
    for i, item in enumerate(value):
        if isinstance(item, Mapping):
            out.append(item)
        else:
            c.add(f"{path}[{i}]", f"must be a table, got {show_value(item)}")
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
                                        f"January, got {show_value(raw)}")
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
    """Exactly one of cost_per_year, or day_rate with days_per_week (docs/domain/planner-model.md,
    Cost)."""
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
    role, hours_per_week, ramp_from, ramp_weeks, serves and the cost fields
    (docs/domain/planner-model.md,
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
        c.add(path, "must be a list of { age_weeks = [lo, hi], count = n }, got "
              + show_value(value))
        return ()
    out: list[AgeBand] = []
    for i, item in enumerate(value):
        p = f"{path}[{i}]"
        if not isinstance(item, Mapping):
            c.add(p, "must be a table { age_weeks = [lo, hi], count = n }, got "
                  + show_value(item))
            continue
        c.keys(item, ("age_weeks", "count"), p)
        count = c.whole(item, "count", f"{p}.count", low=0)
        ages = item.get("age_weeks", MISSING)
        ok = (
            isinstance(ages, list)
            and len(ages) == 2
            and all(isinstance(a, int | float) and not isinstance(a, bool) for a in ages)
        )
        if ages is MISSING:
            c.add(f"{p}.age_weeks", "missing (a pair [lo, hi] of weeks is required)")
            continue
        if not ok:
            c.add(f"{p}.age_weeks", f"must be a pair [lo, hi] of weeks, got {show_value(ages)}")
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
        c.add(path, f"must be a list of tables, got {show_value(value)}")
        return ()
    out: list[OpenRequest] = []
    for i, item in enumerate(value):
        p = f"{path}[{i}]"
        if not isinstance(item, Mapping):
            c.add(p, f"must be a table, got {show_value(item)}")
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
            c.add(f"{p}.advice_in", f"must be a list of advice names, got {show_value(adv)}")
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
        c.add("start_state", f"must be a table, got {show_value(st)}")
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
    """Read and validate a scenario TOML file (docs/domain/planner-model.md, "Scenario file
    (TOML)")."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = f"cannot read the file: {getattr(exc, 'strerror', None) or exc}"
        raise ScenarioError([problem], source=str(p)) from None
    return scenario_from_text(text, source=str(p), base_dir=p.parent)
