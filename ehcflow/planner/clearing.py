"""What "cleared" means: back to the backlog a service working on time carries.

A service that decides, gathers advice, drafts and finalises with no queue still has requests
over 20 weeks old: those whose advice came late (health's 90th percentile may be 120 days) or
whose path was long.  Requiring a backlog of exactly 0 asks for more than a service working on
time achieves, so a scenario (and the optimiser) would never "clear".

By Little's law, the mean number of open requests older than 140 days in a steady flow of λ
requests a day, each open for T days, is λ × E[(T − 140)⁺].  T is drawn here from the
scenario's own distributions with no queueing: the elapsed delays (decision, advice, drafting,
draft to final) and each task's effort at the hours of the role's first staff group.  The
backlog counts as *cleared* in a month when it is at or below the 90th percentile of a Poisson
count with that mean (so a service working on time is "cleared" in 9 months of 10), or at or
below ``cleared_at`` if the scenario sets it higher.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from ehcflow.planner.scenario import Distribution, Scenario
from ehcflow.planner.timeline import DAYS_20_WEEKS

F64 = npt.NDArray[np.float64]
SAMPLES = 20_000


@dataclass(frozen=True)
class OnTimeBacklog:
    """The backlog over 20 weeks a service working on time carries."""

    mean: float
    threshold: int
    #: mean days from request to leaving (plan issued, or not assessed / no plan) on time
    mean_days: float


def _draw(dist: Distribution | None, rng: np.random.Generator) -> F64:
    if dist is None:
        return np.zeros(SAMPLES)
    return dist.sample(rng, SAMPLES)


def _hours_per_day(scenario: Scenario, role: str) -> float:
    for g in scenario.staff:
        if g.role == role and g.count > 0 and g.hours_per_week > 0:
            return g.hours_per_week / 7.0
    return 30.0 / 7.0


def poisson_quantile(mean: float, q: float) -> int:
    """The smallest k with P(Poisson(mean) ≤ k) ≥ q."""
    if mean <= 0:
        return 0
    k, term = 0, math.exp(-mean)
    total = term
    while total < q and k < 100_000:
        k += 1
        term *= mean / k
        total += term
    return k


@lru_cache(maxsize=64)
def on_time_backlog(scenario: Scenario) -> OnTimeBacklog:
    """The backlog over 20 weeks of the scenario's service working on time (module docstring)."""
    rng = np.random.default_rng(20140901)  # fixed: a scenario always gets the same figure
    w, d = scenario.work, scenario.demand
    co = _hours_per_day(scenario, "case_officer")
    ep = _hours_per_day(scenario, "educational_psychologist")
    decided = _draw(w.decision_days, rng) + w.decision_hours.sample(rng, SAMPLES) / co
    advice = w.ep_hours.sample(rng, SAMPLES) / ep
    rho = scenario.advice_correlation
    common = rng.standard_normal(SAMPLES)
    for a in scenario.advice:
        needed = rng.random(SAMPLES) < a.probability
        z = rho * common + np.sqrt(1.0 - rho * rho) * rng.standard_normal(SAMPLES)
        delay = (a.delay_days.mean * rng.standard_exponential(SAMPLES)
                 if a.delay_days.kind == "exponential"
                 else a.delay_days.median * np.exp(a.delay_days.sigma * z))
        advice = np.maximum(advice, np.where(needed, delay, 0.0))
    assessed = decided + advice
    drafted = assessed + _draw(w.draft_days, rng) + w.draft_hours.sample(rng, SAMPLES) / co
    final = drafted + w.final_hours.sample(rng, SAMPLES) / co
    u_assess, u_plan = rng.random(SAMPLES), rng.random(SAMPLES)
    # each new draft's own time to its final where final_days is given (as the engine draws
    # it), else the constant comment_days; drawn last, so other scenarios keep their figure
    final += _draw(w.final_days, rng) if w.final_days is not None else w.comment_days
    days = np.where(u_assess >= d.assess_rate, decided,
                    np.where(u_plan >= d.plan_rate, assessed, final))
    per_day = d.requests_per_year / 365.25
    mean = float(per_day * np.maximum(days - DAYS_20_WEEKS, 0.0).mean())
    return OnTimeBacklog(mean=round(mean, 2), threshold=poisson_quantile(mean, 0.9),
                         mean_days=round(float(days.mean()), 1))


def clearing_threshold(scenario: Scenario) -> int:
    """The backlog over 20 weeks at or below which it counts as cleared."""
    return max(scenario.cleared_at, on_time_backlog(scenario).threshold)
