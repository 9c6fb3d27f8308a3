"""What a council could mean: the bounds on every count in a planner scenario, defined once.

Pure Python (no Django, no NumPy), called by the scenario checker (``scenario.parse_scenario``)
so that the command line, the browser and the optimiser refuse the same things with the same
message.  Why bounds at all: the engine allocates memory in proportion to the requests it
simulates (``engine.py``: O(chunk × requests) per process) and time in proportion to the
requests times the replications, so a scenario with 1,000,000 requests a year or 1,000,000,000
staff was accepted, saved, and then took a web worker down while allocating gigabytes.

Why these figures.  England's largest authorities receive around 5,000 requests for an EHC
needs assessment a year and employ at most a few hundred SEND case officers and EPs (DfE,
"Education, health and care plans", 2025; the benchmark "large authority" of
``benchmarks/bench_register.py`` has 600 case officers).  Every bound below is several times
the largest real figure, so no council's honest scenario meets one, while a slip of the
keyboard (an extra three noughts) is caught before it costs anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # scenario.py imports this module; the types are only for the checker
    from ehcflow.planner.scenario import Advice, Demand, StaffGroup, StartState, Work

#: demand.requests_per_year: five times the largest authority's yearly requests.
MAX_REQUESTS_PER_YEAR: Final = 25_000
#: demand.growth_per_year: demand doubling every year for the whole horizon is already absurd.
MAX_GROWTH_PER_YEAR: Final = 1.0
#: staff[i].count: people in one staff group.
MAX_GROUP_COUNT: Final = 2_000
#: all staff groups together.
MAX_TOTAL_STAFF: Final = 5_000
#: number of [[staff]] groups and [[advice]] kinds a page can reasonably show.
MAX_STAFF_GROUPS: Final = 100
MAX_ADVICE_KINDS: Final = 20
#: requests open at the start (age bands and listed requests together).
MAX_OPEN_REQUESTS: Final = 100_000
#: requests one replication simulates: open at the start plus those expected to arrive over
#: the horizon.  The engine keeps about 200 bytes per request per replication in a chunk, so
#: this bound (with the chunk size the web run chooses) keeps a run's memory under a gigabyte.
MAX_REQUESTS_PER_REPLICATION: Final = 200_000
#: cleared_at: "cleared" is a backlog count, so it cannot exceed what could be open.
MAX_CLEARED_AT: Final = MAX_OPEN_REQUESTS
#: hours of work per request (median or p90): a year of one person's working hours.
MAX_EFFORT_HOURS: Final = 2_000.0
#: days an adviser may take (median or p90): ten years, far beyond any statutory clock.
MAX_DELAY_DAYS: Final = 3_650.0
#: staff costs: £1,000,000 a year or £10,000 a day for one person.
MAX_COST_PER_YEAR: Final = 1_000_000.0
MAX_DAY_RATE: Final = 10_000.0
#: text: names of scenarios, groups and advice.
MAX_NAME_CHARS: Final = 200
#: a scenario's TOML text (a large authority's 5,000 open requests take about 400,000).
MAX_TOML_CHARS: Final = 2_000_000
#: work a browser run may do on the web request itself (replications × requests simulated,
#: about one second on two cores); more runs as a background task with a progress page.
INLINE_WORK: Final = 2_000_000
#: work a browser run may ask for at all (about a minute of a background worker).
MAX_BROWSER_WORK: Final = 60_000_000
#: replications a browser run may ask for; more are for ``ehcflow plan run``.
MAX_BROWSER_REPLICATIONS: Final = 2_000

Add = Callable[[str, str], None]


@dataclass(frozen=True)
class Counts:
    """The figures of a scenario that the bounds apply to (read by the scenario checker)."""

    requests_per_year: float
    growth_per_year: float
    months: int
    cleared_at: int
    open_requests: int
    staff_counts: tuple[int, ...]
    staff_names: tuple[str, ...]
    advice_names: tuple[str, ...]
    #: (path, hours) for every effort, (path, days) for every advice delay.
    efforts: tuple[tuple[str, float], ...] = ()
    delays: tuple[tuple[str, float], ...] = ()
    #: (path, value) of cost_per_year and day_rate fields.
    costs_per_year: tuple[tuple[str, float], ...] = ()
    day_rates: tuple[tuple[str, float], ...] = ()
    name: str = ""


def expected_arrivals(requests_per_year: float, growth_per_year: float, months: int) -> float:
    """Requests expected to arrive over ``months`` (docs/domain/planner-model.md, "Demand": the
    yearly rate grows by ``growth_per_year`` a year, compounded)."""
    total = 0.0
    for m in range(max(months, 0)):
        total += requests_per_year / 12.0 * (1.0 + growth_per_year) ** (m / 12.0)
    return total


def requests_per_replication(counts: Counts) -> float:
    """Requests one replication simulates: those open at the start plus the expected arrivals."""
    return counts.open_requests + expected_arrivals(
        counts.requests_per_year, counts.growth_per_year, counts.months)


def work_units(counts: Counts, replications: int) -> float:
    """Replications × requests simulated: what a run costs in time and memory."""
    return replications * requests_per_replication(counts)


def _num(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,}"


def check(counts: Counts, add: Add) -> None:
    """Add a problem (path, message) for every figure beyond what a council could mean."""

    def at_most(path: str, value: float, high: float, what: str) -> None:
        if value > high:
            add(path, f"must be at most {_num(high)} {what}, got {_num(value)}")

    at_most("demand.requests_per_year", counts.requests_per_year, MAX_REQUESTS_PER_YEAR,
            "requests a year (five times England's largest authority)")
    if counts.growth_per_year > MAX_GROWTH_PER_YEAR:
        add("demand.growth_per_year",
            f"must be at most {MAX_GROWTH_PER_YEAR:g} (demand doubling every year), "
            f"got {counts.growth_per_year:g}")
    at_most("cleared_at", counts.cleared_at, MAX_CLEARED_AT, "requests")
    at_most("start_state", counts.open_requests, MAX_OPEN_REQUESTS, "open requests in all")
    if len(counts.staff_counts) > MAX_STAFF_GROUPS:
        add("staff", f"must have at most {MAX_STAFF_GROUPS} groups, got {len(counts.staff_counts)}")
    if len(counts.advice_names) > MAX_ADVICE_KINDS:
        add("advice", f"must have at most {MAX_ADVICE_KINDS} kinds of advice, "
                      f"got {len(counts.advice_names)}")
    for i, n in enumerate(counts.staff_counts):
        at_most(f"staff[{i}].count", n, MAX_GROUP_COUNT, "people in one group")
    if all(n <= MAX_GROUP_COUNT for n in counts.staff_counts):
        at_most("staff", sum(counts.staff_counts), MAX_TOTAL_STAFF, "people in all groups")
    _names(add, "name", [counts.name])
    _names(add, "staff[{}].name", counts.staff_names)
    _names(add, "advice[{}].name", counts.advice_names)
    for path, hours in counts.efforts:
        at_most(path, hours, MAX_EFFORT_HOURS, "hours")
    for path, days in counts.delays:
        at_most(path, days, MAX_DELAY_DAYS, "days")
    for path, cost in counts.costs_per_year:
        at_most(path, cost, MAX_COST_PER_YEAR, "pounds a year")
    for path, rate in counts.day_rates:
        at_most(path, rate, MAX_DAY_RATE, "pounds a day")
    per_replication = requests_per_replication(counts)
    if per_replication > MAX_REQUESTS_PER_REPLICATION and \
            counts.requests_per_year <= MAX_REQUESTS_PER_YEAR:
        add("demand.requests_per_year",
            f"with this growth over {counts.months} months about {per_replication:,.0f} "
            f"requests would be simulated; at most {MAX_REQUESTS_PER_REPLICATION:,} can be")


def _names(add: Add, pattern: str, names: Iterable[str]) -> None:
    for i, name in enumerate(names):
        if len(name) > MAX_NAME_CHARS:
            add(pattern.format(i), f"must be at most {MAX_NAME_CHARS} characters, "
                                   f"got {len(name):,}")


def chunk_size_for(requests: float, *, budget_bytes: float = 300e6) -> int:
    """Replications per chunk that keep a chunk's memory near ``budget_bytes`` (engine.py keeps
    about 200 bytes per request per replication); results do not depend on the chunk size."""
    per_replication = max(requests, 1.0) * 200.0
    return int(max(1, min(1000, budget_bytes // per_replication)))


def counts_of(*, name: str, months: int, cleared_at: int, demand: Demand, work: Work,
              advice: Sequence[Advice], staff: Sequence[StaffGroup],
              start_state: StartState) -> Counts:
    """The bounded figures of a scenario's checked parts (scenario.parse_scenario)."""
    efforts: list[tuple[str, float]] = []
    for key in ("decision_hours", "ep_hours", "draft_hours", "final_hours"):
        dist = getattr(work, key)
        efforts += [(f"work.{key}.median", dist.median), (f"work.{key}.p90", dist.p90)]
    delays: list[tuple[str, float]] = []
    for key in ("decision_days", "draft_days"):  # optional elapsed delays of the work
        elapsed = getattr(work, key, None)
        if elapsed is not None:
            delays += [(f"work.{key}.median", elapsed.median), (f"work.{key}.p90", elapsed.p90)]
    for i, a in enumerate(advice):
        delays += [(f"advice[{i}].delay_days.median", a.delay_days.median),
                   (f"advice[{i}].delay_days.p90", a.delay_days.p90)]
    return Counts(
        requests_per_year=demand.requests_per_year,
        growth_per_year=demand.growth_per_year,
        months=months,
        cleared_at=cleared_at,
        open_requests=start_state.total,
        staff_counts=tuple(g.count for g in staff),
        staff_names=tuple(g.name for g in staff),
        advice_names=tuple(a.name for a in advice),
        efforts=tuple(efforts),
        delays=tuple(delays),
        costs_per_year=tuple((f"staff[{i}].cost_per_year", g.cost_per_year)
                             for i, g in enumerate(staff) if g.cost_per_year is not None),
        day_rates=tuple((f"staff[{i}].day_rate", g.day_rate)
                        for i, g in enumerate(staff) if g.day_rate is not None),
        name=name,
    )
