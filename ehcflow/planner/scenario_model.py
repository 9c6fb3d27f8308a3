"""The recovery planner's scenario: frozen dataclasses and the format's vocabulary.

Part of `ehcflow.planner.scenario` (which re-exports every name here): the model of
docs/domain/planner-model.md, "Scenario file (TOML)", as Python values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

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

    docs/domain/planner-model.md: "Efforts and delays are lognormal, given by median and p90 (p90 =
    median
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
    """docs/domain/planner-model.md, "Demand": Poisson weekly arrivals with growth; fates on
    arrival."""

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
    """``count`` people of one role (docs/domain/planner-model.md, "Staff" and "Cost").

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
    """A recovery-planner scenario (docs/domain/planner-model.md, "Scenario file (TOML)")."""

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
