"""The cheapest staffing that meets a recovery target with a given confidence.

docs/domain/planner-model.md asks: "What is the cheapest staffing that clears [the backlog] by a
date with
80% confidence?"  The base scenario holds the staff in post; an options file lists short-term
staff that may be added (how many, for how long, at what cost) and the targets.  Options file
(TOML)::

    screening_replications = 200   # replications per combination in the screening pass
    replications = 1000            # to confirm candidates (default: the scenario's)
    seed = 1                       # default: the scenario's; the same for every combination
    max_confirmations = 5          # candidates confirmed, cheapest first

    [constraints]
    clear_by = "2024-06"           # month (YYYY-MM) or month index (1 = the first month)
    probability = 0.8              # share of replications that must meet every target
    pct_within_20_weeks = 60       # optional: % of that month's plans issued within 20 weeks
    pct_by = "2025-01"             # the month of that target

    [[option]]
    name = "backlog case officers"
    role = "case_officer"
    count = { min = 0, max = 6, step = 2 }   # or a list: [0, 2, 4, 6]
    months = [6, 9]                # how long they stay (from start, default the scenario start)
    hours_per_week = 32
    ramp_from = 0.7
    ramp_weeks = 8
    serves = "overdue"
    cost_per_year = 100500         # or day_rate with days_per_week

A combination is *feasible* when at least ``probability`` of its replications meet every
target in the same replication (cleared — over_20_weeks ≤ clearing.clearing_threshold, the
backlog a service working on time carries — by the end of ``clear_by``; and the month's
% within 20 weeks ≥ the target, a month without plans failing it).

Search.  Cost is deterministic, so combinations are taken cheapest first:

1. *Fluid bound* (pruned without simulating): to be clear by ``clear_by`` every request older
   than 20 weeks then must be finished, so the expected hours of the work left on those
   requests must fit into the hours the role's staff give by then (with their ramp).  A
   combination short by more than 10 % (a margin for randomness) cannot be feasible.
2. *Screening* with ``screening_replications`` and the same seed for every combination (common
   random numbers, so differences between combinations are not noise).  Adding staff never
   slows the model down on average, so a combination with no more staff than one clearly
   infeasible (feasible share + 2 standard errors < probability) is infeasible too, and one
   with at least the staff of a clearly feasible one costs more for nothing: neither is
   simulated.  Each combination is first run on a quarter of the screening replications
   (``FIRST_LOOK``, at least 10): the same seed gives the same first replications as the full
   screening run, so one that is clearly infeasible on those (feasible share + 2 standard
   errors + ½n < probability, a wider margin for the fewer) stops there, and is reported with
   those replications; the rest run the full screening.  Most combinations of a search are
   far short of the target, so this saves about half its time without changing the answer.
3. *Confirmation* of the plausible candidates, cheapest first, with the full replications; the
   first confirmed feasible is the answer.

The frontier is the set of simulated combinations not beaten on both cost and the p80 clearing
month (the month by which 80 % of replications had cleared), with their p50 too.

Longer than 500 lines on purpose: the search, its pruning rules (the fluid bound, dominance,
dearer than a feasible choice), the first look and the result it reports are one procedure whose
steps share the evaluated set; the options file's reading is the part that could move out next.

Longer than 500 lines on purpose: the search over staffing options is one procedure whose
steps share the evaluated set (below).
"""

from __future__ import annotations

import itertools
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from ehcflow.planner.engine import simulate
from ehcflow.planner.metrics import quantile_clearing_month
from ehcflow.planner.scenario import (
    MAX_REPLICATIONS,
    Checker,
    Role,
    Scenario,
    ScenarioError,
    Serves,
    StaffGroup,
    staff_work_fields,
)
from ehcflow.planner.timeline import (
    DAYS_20_WEEKS,
    DAYS_PER_YEAR,
    Months,
    add_months,
    cost_by_month,
    months_of,
    post_window,
)


@dataclass(frozen=True)
class StaffOption:
    """Short-term staff that may be added: every count × duration is a choice."""

    name: str
    role: Role
    counts: tuple[int, ...]
    months: tuple[int, ...]
    hours_per_week: float
    start: date | None = None
    ramp_from: float = 1.0
    ramp_weeks: float = 0.0
    serves: Serves = "all"
    cost_per_year: float | None = None
    day_rate: float | None = None
    days_per_week: float | None = None

    def group(self, count: int, months: int, scenario_start: date) -> StaffGroup:
        start = self.start or scenario_start
        return StaffGroup(
            name=self.name,
            role=self.role,
            count=count,
            hours_per_week=self.hours_per_week,
            start=start,
            end=add_months(start, months) - timedelta(days=1),
            ramp_from=self.ramp_from,
            ramp_weeks=self.ramp_weeks,
            serves=self.serves,
            cost_per_year=self.cost_per_year,
            day_rate=self.day_rate,
            days_per_week=self.days_per_week,
        )


@dataclass(frozen=True)
class Constraints:
    clear_by: int | str | None = None
    probability: float = 0.8
    pct_within_20_weeks: float | None = None
    pct_by: int | str | None = None


@dataclass(frozen=True)
class Options:
    options: tuple[StaffOption, ...]
    constraints: Constraints
    screening_replications: int = 200
    replications: int | None = None
    seed: int | None = None
    max_confirmations: int = 5
    source: str = field(default="<options>", compare=False)


#: One choice per option: (count, months in post); (0, 0) = none of it.
Choice = tuple[tuple[int, int], ...]
#: the screening's first look is 1/FIRST_LOOK of its replications (Search, step 2)
FIRST_LOOK = 4


@dataclass
class Evaluation:
    choice: Choice
    cost: float  # total staff cost of the scenario over the horizon
    added_cost: float  # the cost of the added staff
    replications: int
    feasible_share: float
    clear_p50: int | None
    clear_p80: int | None
    confirmed: bool = False

    def describe(self, options: Options) -> str:
        parts = [
            f"{n} × {o.name} for {m} months"
            for o, (n, m) in zip(options.options, self.choice, strict=True)
            if n
        ]
        return ", ".join(parts) or "no added staff"

    def to_dict(self, options: Options) -> dict[str, Any]:
        return {
            "choice": [
                {"option": o.name, "count": n, "months": m}
                for o, (n, m) in zip(options.options, self.choice, strict=True)
            ],
            "description": self.describe(options),
            "cost": round(self.cost, 2),
            "added_cost": round(self.added_cost, 2),
            "replications": self.replications,
            "feasible_share": round(self.feasible_share, 4),
            "clearing_month_p50": self.clear_p50,
            "clearing_month_p80": self.clear_p80,
            "confirmed": self.confirmed,
        }


@dataclass
class OptimiseResult:
    options: Options
    clear_by: int | None
    pct_by: int | None
    months: Months
    cheapest: Evaluation | None
    frontier: list[Evaluation]
    evaluated: list[Evaluation]
    combinations: int
    pruned_fluid: int
    pruned_dominated: int
    skipped_dominating: int
    seed: int
    #: combinations whose screening stopped after the first look (clearly infeasible)
    stopped_early: int = 0

    def to_dict(self) -> dict[str, Any]:
        c = self.options.constraints

        def label(m: int | None) -> str | None:
            return None if m is None else self.months.labels[m - 1]

        return {
            "constraints": {
                "clear_by": label(self.clear_by),
                "probability": c.probability,
                "pct_within_20_weeks": c.pct_within_20_weeks,
                "pct_by": label(self.pct_by),
            },
            "seed": self.seed,
            "combinations": self.combinations,
            "pruned_by_fluid_bound": self.pruned_fluid,
            "pruned_as_dominated": self.pruned_dominated,
            "skipped_as_dearer": self.skipped_dominating,
            "simulated": len(self.evaluated),
            "stopped_after_first_look": self.stopped_early,
            "cheapest": None if self.cheapest is None else self.cheapest.to_dict(self.options),
            "frontier": [e.to_dict(self.options) for e in self.frontier],
        }


# --------------------------------------------------------------------------- loading


def _whole_list(
    c: Checker, t: Mapping[str, Any], key: str, path: str, low: int, high: int
) -> tuple[int, ...]:
    value = t.get(key)
    if value is None:
        c.add(path, "missing (a list of whole numbers or { min, max, step })")
        return ()
    if isinstance(value, Mapping):
        c.keys(value, ("min", "max", "step"), path)
        lo = c.whole(value, "min", f"{path}.min", low=low, high=high)
        hi = c.whole(value, "max", f"{path}.max", low=low, high=high)
        step = c.whole(value, "step", f"{path}.step", default=1, low=1)
        if hi < lo:
            c.add(f"{path}.max", f"must be ≥ min ({lo}), got {hi}")
            return ()
        return tuple(range(lo, hi + 1, step))
    if isinstance(value, list) and value:
        items = {str(k): v for k, v in enumerate(value)}
        out = [
            c.whole(items, str(k), f"{path}[{k}]", low=low, high=high) for k in range(len(value))
        ]
        return tuple(sorted(set(out)))
    c.add(path, f"must be a list of whole numbers or {{ min, max, step }}, got {value!r}")
    return ()


def parse_options(mapping: Mapping[str, Any], *, source: str = "<options>") -> Options:
    """Validate an options mapping (see the module docstring); ScenarioError lists problems."""
    c = Checker(source)
    c.keys(mapping, ("screening_replications", "replications", "seed", "max_confirmations",
                     "constraints", "option"), "")
    screening = c.whole(mapping, "screening_replications", "screening_replications", default=200,
                        low=10, high=MAX_REPLICATIONS)
    reps = (
        c.whole(mapping, "replications", "replications", low=1, high=MAX_REPLICATIONS)
        if "replications" in mapping
        else None
    )
    seed = c.whole(mapping, "seed", "seed", low=0, high=2**63 - 1) if "seed" in mapping else None
    maxc = c.whole(mapping, "max_confirmations", "max_confirmations", default=5, low=1, high=100)
    ct = c.table(mapping, "constraints", "constraints") or {}
    c.keys(ct, ("clear_by", "probability", "pct_within_20_weeks", "pct_by"), "constraints")

    def month_ref(key: str) -> int | str | None:
        v = ct.get(key)
        if v is None:
            return None
        if isinstance(v, int) and not isinstance(v, bool) and v >= 1:
            return v
        if isinstance(v, date):
            return f"{v.year:04d}-{v.month:02d}"
        if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}", v):
            return v
        c.add(f"constraints.{key}", f"must be a month 'YYYY-MM' or a month index ≥ 1, got {v!r}")
        return None

    clear_by = month_ref("clear_by")
    pct_by = month_ref("pct_by")
    prob = c.number(ct, "probability", "constraints.probability", default=0.8, low=0, high=1,
                    what="a probability from 0 to 1")
    pct = (
        c.number(ct, "pct_within_20_weeks", "constraints.pct_within_20_weeks", low=0, high=100)
        if "pct_within_20_weeks" in ct
        else None
    )
    if pct is not None and pct_by is None:
        c.add("constraints.pct_by", "missing (the month of the pct_within_20_weeks target)")
    if clear_by is None and pct is None:
        c.add("constraints", "give clear_by, or pct_within_20_weeks with pct_by (or both)")
    items = mapping.get("option", [])
    if not isinstance(items, list) or not items:
        c.add("option", "missing (at least one [[option]] is required)")
        items = []
    opts: list[StaffOption] = []
    keys = ("name", "role", "count", "months", "hours_per_week", "start", "ramp_from", "ramp_weeks",
            "serves", "cost_per_year", "day_rate", "days_per_week")
    for k, t in enumerate(items):
        p = f"option[{k}]"
        if not isinstance(t, Mapping):
            c.add(p, "must be a table")
            continue
        c.keys(t, keys, p)
        opts.append(
            StaffOption(
                name=c.text(t, "name", f"{p}.name", default=f"option {k + 1}"),
                counts=_whole_list(c, t, "count", f"{p}.count", 0, 1000),
                months=_whole_list(c, t, "months", f"{p}.months", 1, 240),
                start=c.date(t, "start", f"{p}.start", default=None),
                **staff_work_fields(c, t, p),
            )
        )
    c.raise_if_any()
    return Options(
        options=tuple(opts),
        constraints=Constraints(clear_by, prob, pct, pct_by),
        screening_replications=screening,
        replications=reps,
        seed=seed,
        max_confirmations=maxc,
        source=source,
    )


def load_options(path: str | Path) -> Options:
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        problem = f"cannot read the file: {exc.strerror or exc}"
        raise ScenarioError([problem], source=str(p)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"not valid TOML: {exc}"], source=str(p)) from None
    return parse_options(data, source=str(p))


# --------------------------------------------------------------------------- search


def _month_index(ref: int | str | None, months: Months, key: str, source: str) -> int | None:
    if ref is None:
        return None
    if isinstance(ref, int):
        if ref > months.count:
            raise ScenarioError(
                [f"constraints.{key}: month {ref} is beyond the scenario's {months.count} months"],
                source=source,
            )
        return ref
    try:
        return months.index_of(ref)
    except ValueError as exc:
        raise ScenarioError([f"constraints.{key}: {exc}"], source=source) from None


def with_choice(base: Scenario, options: Options, choice: Choice) -> Scenario:
    added = tuple(
        o.group(n, m, base.start) for o, (n, m) in zip(options.options, choice, strict=True) if n
    )
    return replace(base, staff=base.staff + added)


def _dominates(a: Choice, b: Choice) -> bool:
    """a has at least b's staff in every option (as many people, for at least as long)."""
    return all(na >= nb and (nb == 0 or ma >= mb) for (na, ma), (nb, mb) in zip(a, b, strict=True))


def _capacity(scenario: Scenario, role: str, until: float) -> float:
    """Hours the role's staff give from the start to ``until`` (productivity ramp included)."""
    total = 0.0
    days = np.arange(math.ceil(until)) + 0.5
    for g in scenario.staff:
        if g.role != role or g.count == 0:
            continue
        w = post_window(g, scenario.start)
        inpost = (days >= w.start) & (days < w.end)
        prod = np.ones_like(days)
        if g.ramp_weeks > 0:
            prod = g.ramp_from + (1 - g.ramp_from) * np.clip(
                (days - w.ramp_origin) / (7 * g.ramp_weeks), 0, 1
            )
        total += g.count * g.hours_per_week / 7.0 * float((prod * inpost).sum())
    return total


def _required(scenario: Scenario, until: float) -> dict[str, float]:
    """Expected hours of work left on requests that must be finished by ``until`` to be clear."""
    sc = scenario
    w, d = sc.work, sc.demand
    dec, ep, dr, fi = (w.decision_hours.mean, w.ep_hours.mean, w.draft_hours.mean,
                       w.final_hours.mean)
    a, p = d.assess_rate, d.plan_rate
    co_by_step = {
        "awaiting_decision": dec + a * p * (dr + fi),
        "in_assessment": p * (dr + fi),
        "awaiting_draft": dr + fi,
        "in_comment": fi,
        "awaiting_final": fi,
    }
    ep_by_step = {"awaiting_decision": a * ep, "in_assessment": ep}
    last_day = until - 1
    need = {"case_officer": 0.0, "educational_psychologist": 0.0}
    for step in co_by_step:
        for band in sc.start_state.bands(step):  # type: ignore[arg-type]
            if band.age_days[0] + last_day > DAYS_20_WEEKS:  # over 20 weeks by then
                need["case_officer"] += band.count * co_by_step[step]
                need["educational_psychologist"] += band.count * ep_by_step.get(step, 0.0)
    for q in sc.start_state.requests:
        if (sc.start - q.request_date).days + last_day > DAYS_20_WEEKS:
            need["case_officer"] += co_by_step[q.step]
            need["educational_psychologist"] += ep_by_step.get(q.step, 0.0)
    # arrivals with request dates more than 20 weeks before the last day
    span = max(0.0, last_day - DAYS_20_WEEKS)
    g = d.growth_per_year
    rate = d.requests_per_year / DAYS_PER_YEAR
    if g == 0:
        expected = rate * span
    else:
        k = math.log1p(g) / DAYS_PER_YEAR
        expected = rate * math.expm1(k * span) / k
    need["case_officer"] += expected * co_by_step["awaiting_decision"]
    need["educational_psychologist"] += expected * ep_by_step["awaiting_decision"]
    return need


def fluid_infeasible(scenario: Scenario, clear_by: int, margin: float = 1.1) -> bool:
    until = float(months_of(scenario.start, scenario.months).ends[clear_by - 1])
    need = _required(scenario, until)
    return any(need[r] > margin * _capacity(scenario, r, until) for r in need)


def optimise(base: Scenario, options: Options) -> OptimiseResult:
    """The cheapest feasible combination of ``options`` added to ``base``, and the frontier."""
    months = months_of(base.start, base.months)
    cons = options.constraints
    clear_by = _month_index(cons.clear_by, months, "clear_by", options.source)
    pct_by = _month_index(cons.pct_by, months, "pct_by", options.source)
    seed = options.seed if options.seed is not None else (base.seed if base.seed is not None else 1)
    full_reps = options.replications or base.replications
    per_option = [
        [(0, 0)] + [(n, m) for n in o.counts if n > 0 for m in o.months] for o in options.options
    ]
    choices: list[Choice] = [tuple(c) for c in itertools.product(*per_option)]
    costs = {
        ch: float(cost_by_month(with_choice(base, options, ch), months).sum()) for ch in choices
    }
    base_cost = float(cost_by_month(base, months).sum())
    choices.sort(key=lambda ch: (costs[ch], ch))

    def evaluate(ch: Choice, reps: int) -> Evaluation:
        proj = simulate(with_choice(base, options, ch), replications=reps, seed=seed)
        ok = np.ones(proj.replications, bool)
        cm = proj.clearing_month()
        if clear_by is not None:
            ok &= np.nan_to_num(cm, nan=np.inf) <= clear_by
        if cons.pct_within_20_weeks is not None and pct_by is not None:
            pct = proj.pct_within_20_weeks[:, pct_by - 1]
            ok &= np.nan_to_num(pct, nan=-1.0) >= cons.pct_within_20_weeks
        return Evaluation(
            choice=ch,
            cost=costs[ch],
            added_cost=costs[ch] - base_cost,
            replications=reps,
            feasible_share=float(ok.mean()),
            clear_p50=quantile_clearing_month(cm, 0.5),
            clear_p80=quantile_clearing_month(cm, 0.8),
        )

    def margin(e: Evaluation) -> float:
        n = e.replications
        return 2.0 * math.sqrt(e.feasible_share * (1 - e.feasible_share) / n) + 0.5 / n

    evaluated: list[Evaluation] = []
    infeasible: list[Choice] = []
    feasible: list[Choice] = []
    pruned_fluid = pruned_dom = skipped = 0
    stopped = 0

    def screen(ch: Choice) -> Evaluation:
        """The screening run, stopped after the first look if clearly infeasible there."""
        nonlocal stopped
        n = options.screening_replications
        k = max(10, n // FIRST_LOOK)
        if k < n:
            first = evaluate(ch, k)
            if first.feasible_share + margin(first) < cons.probability:
                stopped += 1
                return first
        return evaluate(ch, n)

    # The most staff of every option first: if even that is clearly infeasible, so is all else.
    most: Choice = tuple((max(o.counts), max(o.months)) if max(o.counts) else (0, 0)
                         for o in options.options)
    top = screen(most)
    evaluated.append(top)
    if top.feasible_share + margin(top) < cons.probability:
        infeasible.append(most)
    for ch in choices:
        if ch == most:
            continue
        if clear_by is not None and cons.probability >= 0.5 and fluid_infeasible(
            with_choice(base, options, ch), clear_by
        ):
            pruned_fluid += 1
            continue
        if any(_dominates(bad, ch) for bad in infeasible):
            pruned_dom += 1
            continue
        if any(_dominates(ch, good) for good in feasible):
            skipped += 1
            continue
        e = screen(ch)
        evaluated.append(e)
        if e.feasible_share + margin(e) < cons.probability:
            infeasible.append(ch)
        elif e.feasible_share - margin(e) >= cons.probability:
            feasible.append(ch)

    cheapest: Evaluation | None = None
    candidates = [e for e in evaluated if e.feasible_share + margin(e) >= cons.probability]
    for e in sorted(candidates, key=lambda e: (e.cost, e.choice))[: options.max_confirmations]:
        full = evaluate(e.choice, full_reps)
        full.confirmed = True
        evaluated[evaluated.index(e)] = full
        if full.feasible_share >= cons.probability:
            cheapest = full
            break
    return OptimiseResult(
        options=options,
        clear_by=clear_by,
        pct_by=pct_by,
        months=months,
        cheapest=cheapest,
        frontier=frontier(evaluated),
        evaluated=evaluated,
        combinations=len(choices),
        pruned_fluid=pruned_fluid,
        pruned_dominated=pruned_dom,
        skipped_dominating=skipped,
        seed=seed,
        stopped_early=stopped,
    )


def frontier(evaluated: Sequence[Evaluation]) -> list[Evaluation]:
    """Combinations not beaten on both cost and p80 clearing month (never last), cheapest first."""
    def key80(e: Evaluation) -> float:
        return math.inf if e.clear_p80 is None else float(e.clear_p80)

    out: list[Evaluation] = []
    best = math.inf
    for e in sorted(evaluated, key=lambda e: (e.cost, key80(e))):
        if key80(e) < best or (not out and math.isinf(best)):
            out.append(e)
            best = key80(e)
    return out
