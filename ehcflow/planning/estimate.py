"""A recovery-planner scenario from the authority's own records (docs/domain/planner-model.md).

Everything is estimated from a ``History`` (plain records, no Django) cut at the as-of date by
``history_as_of``: the one function that decides what was known on that day, so a backtest
from a past date sees exactly what the service knew then (nothing received, decided, advised,
drafted, issued or closed later, and no one who started later).

How each figure is estimated (decision 0012; every estimate comes with a sentence saying so):

- *Demand*: the last 12 months' requests, with a trend fitted to up to three years of
  12-month totals (log-linear, damped by half and bounded, so one year's jump is not carried
  forward), and school-year seasonality from each calendar month's median ratio to the centred
  12-month moving average over up to five years of history.
- *Elapsed delays*, from the requests of the last six months by Kaplan-Meier (a request still
  waiting on the as-of date counts as "longer than its wait so far", not as missing; 12 months
  or all the history where six months hold too few): request to decision; each adviser type's
  advice, from the decision; the last advice in to the draft; the draft to the final plan (the
  15-day comment period and finalising).  Each is used less the time the officer's own task
  in it takes at the estimated hours, since the model adds that time itself.
- *The pace's uncertainty*: how much the median time to a draft moved from one half-year to
  the next over the history (each replication scales the delays by one lognormal factor).
- *Capacity*: the staff in post on the as-of date; their hours for statutory work are the
  hours last year's decisions, advice, drafts and final plans took at docs/domain/planner-model.md's
  efforts, divided by the utilisation inferred from whether work queued: when the backlog over
  20 weeks grew over the year the service was at full stretch (utilisation 1); otherwise it
  kept up, and its waits are the elapsed delays above, so utilisation is taken as 0.8.  The
  user may give the utilisation instead.  With no staff records (an authority that imported its
  request register only), notional groups of 30 hours a week are sized the same way.

Longer than 500 lines on purpose: each estimate (demand, fates, delays, capacity, staff, the
starting state) is a small function, and together they are the one derivation decision 0012
describes; reading the history (`load_history`, `history_as_of`) could move out next.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from ehcflow.statutory import clock, measures
from ehcflow.statutory.periods import Period, twelve_months_ending
from ehcflow.statutory.records import RequestRecord

#: docs/domain/planner-model.md's example efforts (hours), used because case files do not record
#: effort.
DEFAULT_EFFORT = {
    "decision_hours": {"median": 3.0, "p90": 6.0},
    "ep_hours": {"median": 12.0, "p90": 20.0},
    "draft_hours": {"median": 10.0, "p90": 18.0},
    "final_hours": {"median": 3.0, "p90": 6.0},
}
DEFAULT_COST = {"case_officer": 42000.0, "educational_psychologist": 70000.0}
#: adviser types of the casework (AdviserType values) → [[advice]] names
EXTERNAL_ADVICE = {
    "health": "health",
    "social_care": "social care",
    "education": "education",
}
#: the EP's own elapsed time (visits, report) is an elapsed delay as well as an EP task
EP_TYPE = "educational_psychology"
EP_VISIT = "educational psychology visit and report"
EP_ADVICE = "educational_psychologist"
HOURS_RANGE = (4.0, 37.0)
#: utilisation of a service that kept up (its waits are in the elapsed delays)
KEPT_UP_UTILISATION = 0.8
#: hours a week of a notional person where no staff are recorded
NOTIONAL_HOURS = 30.0
RECENT_DAYS = 183
CASE_OFFICER = "case_officer"
EDUCATIONAL_PSYCHOLOGIST = "educational_psychologist"


# --------------------------------------------------------------------------- the history


@dataclass(frozen=True)
class AdviceEvent:
    """Advice asked for under reg 6(1): by adviser type, when asked and when received."""

    adviser_type: str
    requested_on: date
    received_on: date | None = None


@dataclass(frozen=True)
class CaseHistory:
    """One initial request and its advice."""

    record: RequestRecord
    advice: tuple[AdviceEvent, ...] = ()


@dataclass(frozen=True)
class StaffSpell:
    """A person in post: role, FTE, first and last day (None: still in post)."""

    role: str
    fte: float
    start: date
    end: date | None = None


@dataclass(frozen=True)
class History:
    """What the records hold: requests with their advice, and staff (may be empty)."""

    cases: tuple[CaseHistory, ...]
    staff: tuple[StaffSpell, ...] = ()


def _known(day: date | None, as_of: date) -> date | None:
    return day if day is not None and day <= as_of else None


def history_as_of(history: History, as_of: date) -> History:
    """The records as they stood at the end of `as_of`: the backtest's no-leak cut.

    Drops requests received later and advice asked for later; blanks every decision, outcome,
    draft, final plan, closure and advice return dated later (with the decision or outcome it
    dates); drops staff who started later and forgets leaving dates after `as_of` (not yet
    known).  A statutory exception is known only with its final plan.
    """
    cases: list[CaseHistory] = []
    for case in history.cases:
        r = case.record
        if r.request_date > as_of:
            continue
        decision_date = _known(r.decision_date, as_of)
        outcome_date = _known(r.outcome_date, as_of)
        final_date = _known(r.final_date, as_of)
        closed_date = _known(r.closed_date, as_of)
        record = replace(
            r,
            decision=r.decision if decision_date else None,
            decision_date=decision_date,
            outcome=r.outcome if outcome_date else None,
            outcome_date=outcome_date,
            draft_date=_known(r.draft_date, as_of),
            final_date=final_date,
            exception=r.exception and final_date is not None,
            closed_date=closed_date,
            closed_reason=r.closed_reason if closed_date else None,
        )
        advice = tuple(
            replace(a, received_on=_known(a.received_on, as_of))
            for a in case.advice if a.requested_on <= as_of)
        cases.append(CaseHistory(record, advice))
    staff = tuple(replace(s, end=_known(s.end, as_of)) for s in history.staff
                  if s.start <= as_of)
    return History(tuple(cases), staff)


def load_history() -> History:
    """Every initial request with its advice, and every statutory-assessment staff member."""
    from ehcflow.casework.models import AdviceRequest
    from ehcflow.casework.selectors import initial_requests, request_records
    from ehcflow.people.models import Role, StaffMember

    advice: dict[str, list[AdviceEvent]] = {}
    rows = (AdviceRequest.objects.filter(request__in=initial_requests())
            .values_list("request__case_ref", "adviser_type", "requested_on", "received_on")
            .order_by("requested_on", "id"))
    for ref, kind, asked, received in rows.iterator(chunk_size=5000):
        advice.setdefault(ref, []).append(AdviceEvent(kind, asked, received))
    cases = tuple(CaseHistory(r, tuple(advice.get(r.case_ref, ())))
                  for r in request_records())
    staff = tuple(
        StaffSpell(role, float(fte), start, end)
        for role, fte, start, end in StaffMember.objects.filter(
            role__in=(Role.CASE_OFFICER, Role.EDUCATIONAL_PSYCHOLOGIST))
        .values_list("role", "fte", "start_date", "end_date"))
    return History(cases, staff)


# --------------------------------------------------------------------------- statistics


def km_quantiles(durations: Sequence[tuple[float, bool]],
                 qs: Sequence[float] = (0.5, 0.9)) -> list[float] | None:
    """Quantiles of a duration by Kaplan-Meier: (days, observed); unobserved = still waiting.

    A quantile the survival curve never reaches is the longest duration seen (a lower bound).
    None with fewer than five observed durations.
    """
    if sum(1 for _, seen in durations if seen) < 5:
        return None
    ordered = sorted(durations, key=lambda d: (d[0], not d[1]))
    at_risk = len(ordered)
    survival = 1.0
    out: dict[float, float] = {}
    i = 0
    while i < len(ordered):
        t = ordered[i][0]
        events = 0
        leaving = 0
        while i < len(ordered) and ordered[i][0] == t:
            events += ordered[i][1]
            leaving += 1
            i += 1
        if events and at_risk:
            survival *= 1.0 - events / at_risk
            for q in qs:
                if q not in out and 1.0 - survival >= q - 1e-12:
                    out[q] = t
        at_risk -= leaving
    longest = max(d for d, _ in ordered)
    return [float(out.get(q, longest)) for q in qs]


def _dist(durations: Sequence[tuple[float, bool]]) -> dict[str, float] | None:
    q = km_quantiles(durations)
    if q is None:
        return None
    median = max(q[0], 1.0)
    return {"median": median, "p90": max(q[1], median)}


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def step_on(record: RequestRecord, as_of: date) -> str:
    """The planner step an open request has reached at `as_of` (from its dated events)."""
    if record.decision_date is None or record.decision_date > as_of:
        return "awaiting_decision"
    if record.draft_date is not None and record.draft_date <= as_of:
        if as_of < clock.comment_period_ends(record.draft_date):
            return "in_comment"
        return "awaiting_final"
    if record.outcome == "plan" and record.outcome_date is not None \
            and record.outcome_date <= as_of:
        return "awaiting_draft"
    return "in_assessment"


def _advice_name(kind: str) -> str | None:
    if kind == EP_TYPE:
        return EP_VISIT
    return EXTERNAL_ADVICE.get(kind)


# --------------------------------------------------------------------------- estimation


@dataclass
class Estimate:
    """The scenario as a TOML-ready mapping, and how each figure was estimated."""

    scenario: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    #: figures the backtest reports beside the notes (utilisation used, …)
    figures: dict[str, float] = field(default_factory=dict)


def _received_by_month(cases: Iterable[CaseHistory]) -> Counter[tuple[int, int]]:
    return Counter((c.record.request_date.year, c.record.request_date.month) for c in cases)


def _month_last_day(day: date) -> int:
    return ((day.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)).day


def _demand(cases: Sequence[CaseHistory], as_of: date, notes: list[str]) -> dict[str, Any]:
    """Level, damped trend and school-year seasonality of requests (module docstring)."""
    years: list[int] = []
    end = as_of
    earliest = min((c.record.request_date for c in cases), default=as_of)
    for _ in range(3):
        period = twelve_months_ending(end)
        if period.start < earliest - timedelta(days=31):
            break
        years.append(sum(1 for c in cases if period.contains(c.record.request_date)))
        end = period.start - timedelta(days=1)
    level = years[0] if years else 0
    growth = 0.0
    if len(years) >= 2 and all(y > 0 for y in years):
        logs = [math.log(y) for y in reversed(years)]
        xs = list(range(len(logs)))
        mx, my = statistics.fmean(xs), statistics.fmean(logs)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, logs, strict=True)) / sum(
            (x - mx) ** 2 for x in xs)
        growth = _clamp(0.5 * (math.exp(slope) - 1.0), -0.15, 0.15)
    # the last year's level, carried to the start by half a year's trend
    rate = level * (1.0 + growth) ** 0.5
    # seasonality by ratio to the centred 12-month moving average (classical decomposition):
    # growth within a year does not then pass for a season
    by_month = _received_by_month(cases)
    first = (earliest.year, earliest.month)
    months_seen: list[tuple[int, int]] = []
    y, m = as_of.year, as_of.month
    if as_of.day < _month_last_day(as_of):  # the as-of month is not complete
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    for _ in range(60):
        if (y, m) <= first:  # the first month may be part of a month only
            break
        months_seen.append((y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    months_seen.reverse()
    counts = [by_month[k] for k in months_seen]
    shares: list[list[float]] = [[] for _ in range(12)]
    for i in range(6, len(counts) - 6):
        centred = (sum(counts[i - 6:i + 6]) + sum(counts[i - 5:i + 7])) / 24.0
        if centred > 0:
            shares[months_seen[i][1] - 1].append(counts[i] / centred)
    out: dict[str, Any] = {"requests_per_year": round(rate, 1), "growth_per_year": round(growth, 3)}
    full_years = min(len(s) for s in shares)
    if full_years >= 2:
        season = [statistics.median(s) for s in shares]  # one odd year does not set it
        mean = statistics.fmean(season)
        out["seasonality"] = [round(x / mean, 3) for x in season]
        low = min(range(12), key=lambda m: season[m])
        notes.append(f"Requests follow the school year: from {full_years} full years, the "
                     f"quietest month is {date(2000, low + 1, 1):%B} "
                     f"({season[low] / mean:.0%} of an average month).")
    shown = ", ".join(str(y) for y in years)
    notes.append(f"Demand: {level} requests in the 12 months to {as_of:%d %B %Y}; trend "
                 f"{growth:+.1%} a year (half the fitted trend of the last {len(years)} years' "
                 f"totals, newest first: {shown}; bounded to ±15%), so {rate:.0f} a year now.")
    return out


@dataclass
class _Durations:
    to_decision: list[tuple[float, bool]]
    advice: dict[str, list[tuple[float, bool]]]
    asked: Counter[str]
    assessed: int
    to_draft: list[tuple[float, bool]]
    to_final: list[tuple[float, bool]]
    #: decision to the last advice in, per request (all its advice together)
    phase: list[tuple[float, bool]] = field(default_factory=list)


def _delays(cases: Sequence[CaseHistory], as_of: date, recent: date,
            notes: list[str]) -> tuple[dict[str, Any], list[dict[str, Any]], float]:
    """The elapsed delays of the module docstring: from the last six months, or where those
    hold too few (a small authority), the last 12 months, or all the history."""
    windows = [(recent, "the last six months"),
               (as_of - timedelta(days=365), "the last 12 months"),
               (date.min, "all the history")]
    found = [(_collect(cases, as_of, since), words) for since, words in windows]
    work: dict[str, Any] = {}

    def pick(get: Any) -> tuple[dict[str, float] | None, str, int]:
        for d, words in found:
            dist = _dist(get(d))
            if dist is not None:
                return dist, words, len(get(d))
        return None, "", 0

    decision, when, n = pick(lambda d: d.to_decision)
    if decision is not None:
        work["decision_days"] = decision
        notes.append(f"Time to a decision: median {decision['median']:.0f} days, 90th "
                     f"percentile {decision['p90']:.0f}, over {n} requests of {when} "
                     "(those still waiting counted as waiting longer).")
    draft, when, _ = pick(lambda d: d.to_draft)
    if draft is not None:
        work["draft_days"] = draft
        notes.append(f"From the last advice in to the draft: median {draft['median']:.0f} days "
                     f"(90th percentile {draft['p90']:.0f}), over {when}.")
    final, when, _ = pick(lambda d: d.to_final)
    comment = float(clock.COMMENT_PERIOD_DAYS)
    if final is not None:
        comment = max(comment, final["median"])
        work["final_days"] = final
    work["comment_days"] = comment
    notes.append(f"From the draft to the final plan: {comment:.0f} days at the median (the "
                 f"statutory {clock.COMMENT_PERIOD_DAYS}-day comment period and the time to "
                 "finalise).")
    tables: list[dict[str, Any]] = []
    names = sorted({name for d, _ in found for name in d.advice})
    for name in names:
        dist, when, _ = pick(lambda d, name=name: d.advice.get(name, []))
        chosen = next((d for d, w in found if w == when), None)
        if dist is None or chosen is None or not chosen.assessed:
            continue
        probability = round(min(chosen.asked[name] / chosen.assessed, 1.0), 3)
        tables.append({"name": name, "probability": probability, "delay_days": dist})
        notes.append(f"Advice '{name}': asked for in {probability:.0%} of assessments; in "
                     f"a median of {dist['median']:.0f} days from the decision (90th "
                     f"percentile {dist['p90']:.0f}), over {when}.")
    phase, when, n = pick(lambda d: d.phase)
    if phase is not None and len(tables) > 1:
        rho = _advice_correlation(tables, phase)
        work["_advice_correlation"] = rho
        notes.append(f"All of a request's advice was in a median of {phase['median']:.0f} days "
                     f"after the decision (90th percentile {phase['p90']:.0f}), over {when}: "
                     f"the advice of one request is taken to move together with correlation "
                     f"{rho:.2f}, which gives the same.")
    return work, tables, _pace_uncertainty(cases, as_of)


def _advice_correlation(tables: list[dict[str, Any]], phase: dict[str, float]) -> float:
    """The correlation of one request's advice delays that makes the last advice's median
    and 90th percentile (with the delays by adviser type) match the records'."""
    import numpy as np

    rng = np.random.default_rng(20140901)
    n = 8000
    common = rng.standard_normal(n)
    own = rng.standard_normal((len(tables), n))
    needed = rng.random((len(tables), n)) < np.array([[t["probability"]] for t in tables])
    best, best_err = 0.0, math.inf
    for rho in np.linspace(0.0, 0.95, 20):
        z = rho * common + math.sqrt(1 - rho * rho) * own
        last = np.zeros(n)
        for k, t in enumerate(tables):
            d = t["delay_days"]
            sigma = math.log(d["p90"] / d["median"]) / 1.2815515655446004
            last = np.maximum(last, np.where(needed[k], d["median"] * np.exp(sigma * z[k]), 0))
        q50, q90 = np.percentile(last[needed.any(axis=0)], [50, 90])
        err = abs(q50 - phase["median"]) + abs(q90 - phase["p90"])
        if err < best_err:
            best, best_err = float(rho), float(err)
    return round(best, 2)


def _collect(cases: Sequence[CaseHistory], as_of: date, since: date) -> _Durations:
    """Durations of each step begun after `since` (unobserved: still waiting at `as_of`)."""
    to_decision: list[tuple[float, bool]] = []
    phase: list[tuple[float, bool]] = []
    advice: dict[str, list[tuple[float, bool]]] = {}
    asked: Counter[str] = Counter()
    assessed = 0
    to_draft: list[tuple[float, bool]] = []
    to_final: list[tuple[float, bool]] = []
    for case in cases:
        r = case.record
        ended = r.closed_date or (r.outcome_date if r.outcome == "no_plan" else None)
        if r.request_date >= since:
            if r.decision_date is not None:
                to_decision.append(((r.decision_date - r.request_date).days, True))
            elif ended is None:
                to_decision.append(((as_of - r.request_date).days, False))
        if r.decision == "assess" and r.decision_date is not None and r.decision_date >= since:
            assessed += 1
            kinds = set()
            for a in case.advice:
                name = _advice_name(a.adviser_type)
                if name is None:
                    continue
                kinds.add(name)
                if a.received_on is not None:
                    advice.setdefault(name, []).append(
                        (max(0, (a.received_on - r.decision_date).days), True))
                elif ended is None and r.draft_date is None:
                    advice.setdefault(name, []).append(
                        ((as_of - r.decision_date).days, False))
            asked.update(kinds)
            known = [a for a in case.advice if _advice_name(a.adviser_type) is not None]
            if known and all(a.received_on is not None for a in known):
                last_in = max(a.received_on for a in known if a.received_on is not None)
                phase.append((max(0, (last_in - r.decision_date).days), True))
            elif known and ended is None and r.draft_date is None:
                phase.append(((as_of - r.decision_date).days, False))
        returned = [a.received_on for a in case.advice if a.received_on is not None]
        if returned and all(a.received_on is not None for a in case.advice) and \
                r.decision == "assess" and r.outcome != "no_plan":
            last = max(returned)
            if last >= since:
                if r.draft_date is not None:
                    to_draft.append((max(0, (r.draft_date - last).days), True))
                elif ended is None:
                    to_draft.append(((as_of - last).days, False))
        if r.draft_date is not None and r.draft_date >= since:
            if r.final_date is not None:
                to_final.append(((r.final_date - r.draft_date).days, True))
            elif ended is None:
                to_final.append(((as_of - r.draft_date).days, False))
    return _Durations(to_decision, advice, asked, assessed, to_draft, to_final, phase)


def _pace_uncertainty(cases: Sequence[CaseHistory], as_of: date) -> float:
    """The spread of half-year to half-year changes in the median days from request to draft,
    over up to three years: how far the service's pace moves (bounded 0.03-0.25)."""
    medians: list[float] = []
    for k in range(6):
        hi = as_of - timedelta(days=RECENT_DAYS * k)
        lo = hi - timedelta(days=RECENT_DAYS)
        days = [(c.record.draft_date - c.record.request_date).days for c in cases
                if c.record.draft_date is not None and lo < c.record.draft_date <= hi]
        if len(days) >= 10:
            medians.append(float(statistics.median(days)))
    changes = [abs(math.log(a / b)) for a, b in itertools.pairwise(medians) if a > 0 and b > 0]
    if len(changes) < 2:
        return 0.1
    # robust: the median absolute change of a normal is 0.674 of its standard deviation, and
    # a single upheaval (a backlog project) should not set the spread for every year
    spread = statistics.median(changes) / 0.674
    return round(_clamp(spread, 0.03, 0.25), 3)


def _fte_weeks(staff: Sequence[StaffSpell], role: str, start: date, end: date) -> float:
    total = 0.0
    for s in staff:
        if s.role != role:
            continue
        first, last = max(s.start, start), min(s.end or end, end)
        if last >= first:
            total += s.fte * ((last - first).days + 1) / 7
    return total


def _utilisation(cases: Sequence[CaseHistory], as_of: date, notes: list[str]) -> float:
    """1 when the backlog over 20 weeks grew over the year (full stretch), else 0.8."""
    records = [c.record for c in cases]
    year_ago = as_of - timedelta(days=365)
    now = measures.backlog(records, as_of).over_20_weeks
    then = measures.backlog(records, year_ago).over_20_weeks
    plans = sum(1 for r in records if r.final_date and year_ago < r.final_date <= as_of)
    grew = now - then > max(5, 0.05 * plans)
    rho = 1.0 if grew else KEPT_UP_UTILISATION
    notes.append(
        f"Capacity: the backlog over 20 weeks went from {then} to {now} over the year, so "
        + ("work queued: the service was at full stretch, and its output measures its "
           "capacity (utilisation 100%)." if grew else
           f"the service kept up; its waits are the delays above, and its staff are taken "
           f"to be busy {rho:.0%} of their statutory-assessment hours."))
    return rho


def scenario_from_history(history: History, *, as_of: date, months: int = 24,
                          replications: int = 1000, seed: int = 1,
                          utilisation: float | None = None) -> Estimate:
    """Build a planner scenario from the records as they stood at `as_of`."""
    cut = history_as_of(history, as_of)  # nothing after as_of from here on
    cases = cut.cases
    notes: list[str] = []
    figures: dict[str, float] = {}
    year = twelve_months_ending(as_of)
    recent = as_of - timedelta(days=RECENT_DAYS)

    demand = _demand(cases, as_of, notes)
    n_decided, n_assess = _fates(cases, year, demand, notes)

    work, advice_tables, pace = _delays(cases, as_of, recent, notes)
    notes.append(f"The service's pace varies: from one half-year to the next the median time "
                 f"to a draft moved by about {pace:.0%}; each replication draws its own pace.")
    figures["delay_uncertainty"] = pace

    rho = _utilisation(cases, as_of, notes) if utilisation is None else utilisation
    if utilisation is not None:
        notes.append(f"Capacity: utilisation {utilisation:.0%}, as given.")
    figures["utilisation"] = rho

    officer_hours, ep_hours = _hours_last_year(cases, year, n_decided, n_assess)
    staff = _staff(cut.staff, as_of, year.start, year.end, officer_hours, ep_hours, rho, notes)
    # an officer's own time on the decision, the draft and the final plan also passes on the
    # calendar in the model (effort ÷ hours a day), and the observed delays include it: take
    # it out of them, so that the path is not counted twice
    rates = [g["hours_per_week"] / 7 for g in staff if g["role"] == CASE_OFFICER]
    if rates:
        _net_of_tasks(work, max(rates), notes)
    figures["officer_hours_needed"] = officer_hours

    open_requests = _open_requests(cases, as_of, {a["name"] for a in advice_tables})
    notes.append(f"Starting state: the {len(open_requests)} requests open on "
                 f"{as_of:%d %B %Y}, each at the step it had reached and with the advice "
                 "already in.")

    scenario: dict[str, Any] = {
        "name": f"From the caseload on {as_of:%d %B %Y}",
        "start": as_of + timedelta(days=1),
        "months": months,
        "replications": replications,
        "seed": seed,
        "policy": "oldest_first",
        "cleared_at": 0,
        "delay_uncertainty": pace,
        "advice_correlation": work.pop("_advice_correlation", 0.0),
        "demand": demand,
        "work": {**DEFAULT_EFFORT, **work},
        "advice": advice_tables,
        "staff": staff,
        "start_state": {"requests": open_requests},
    }
    return Estimate(scenario=scenario, notes=notes, figures=figures)


def _fates(cases: Sequence[CaseHistory], year: Period, demand: dict[str, Any],
           notes: list[str]) -> tuple[int, int]:
    """The assess and plan rates of the last 12 months, into `demand`; returns the number of
    decisions whether to assess and of decisions to assess."""
    decided = [c.record for c in cases if c.record.decision_date is not None
               and year.contains(c.record.decision_date)]
    n_assess = sum(1 for r in decided if r.decision == "assess")
    assess_rate = n_assess / len(decided) if decided else 0.75
    outcomes = [c.record for c in cases if c.record.outcome_date is not None
                and year.contains(c.record.outcome_date)]
    n_plan = sum(1 for r in outcomes if r.outcome == "plan")
    plan_rate = n_plan / len(outcomes) if outcomes else 0.9
    demand.update(assess_rate=round(assess_rate, 3), plan_rate=round(plan_rate, 3))
    notes.append(f"Assess rate {assess_rate:.2f} ({n_assess} of {len(decided)} decisions) and "
                 f"plan rate {plan_rate:.2f} ({n_plan} of {len(outcomes)} decisions after "
                 "assessment), over the last 12 months.")
    return len(decided), n_assess


def _hours_last_year(cases: Sequence[CaseHistory], year: Period, n_decided: int,
                     n_assess: int) -> tuple[float, float]:
    """The case officers' and the EPs' hours last year's work took at the standard efforts."""
    drafts = sum(1 for c in cases if c.record.draft_date and year.contains(c.record.draft_date))
    finals = sum(1 for c in cases if c.record.final_date and year.contains(c.record.final_date))
    officer_hours = (n_decided * _mean_effort("decision_hours")
                     + drafts * _mean_effort("draft_hours")
                     + finals * _mean_effort("final_hours"))
    ep_done = sum(1 for c in cases for a in c.advice if a.adviser_type == EP_TYPE
                  and a.received_on is not None and year.contains(a.received_on))
    # the model gives every assessment an EP task: where EP advice is not all recorded, the
    # assessments set the EPs' work
    return officer_hours, max(ep_done, n_assess) * _mean_effort("ep_hours")


def _net_of_tasks(work: dict[str, Any], hours_per_day: float, notes: list[str]) -> None:
    """Each observed elapsed delay, less the mean time the officer's task in it takes."""
    shifts = []
    for key, task in (("decision_days", "decision_hours"), ("draft_days", "draft_hours"),
                      ("final_days", "final_hours")):
        d = work.get(key)
        if d is None:
            continue
        shift = _mean_effort(task) / hours_per_day
        median = max(1.0, d["median"] - shift)
        work[key] = {"median": round(median, 1), "p90": round(max(median, d["p90"] - shift), 1)}
        shifts.append(shift)
    final_shift = _mean_effort("final_hours") / hours_per_day
    work["comment_days"] = round(max(float(clock.COMMENT_PERIOD_DAYS),
                                     work["comment_days"] - final_shift), 1)
    if shifts:
        notes.append(f"An officer's own work on a decision, a draft and a final plan takes "
                     f"{sum(shifts):.0f} days of the path at {hours_per_day * 7:.1f} hours a "
                     "week; the delays above are used less that time, as the model adds it.")


def _mean_effort(task: str) -> float:
    """The mean of a default effort (lognormal: above its median)."""
    e = DEFAULT_EFFORT[task]
    sigma = math.log(e["p90"] / e["median"]) / 1.2815515655446004
    return e["median"] * math.exp(sigma * sigma / 2)


def _staff(staff: Sequence[StaffSpell], as_of: date, start: date, end: date,
           officer_hours: float, ep_hours: float, rho: float,
           notes: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    weeks = ((end - start).days + 1) / 7
    sentences = []
    for role, hours, label in ((CASE_OFFICER, officer_hours, "case officers"),
                               (EDUCATIONAL_PSYCHOLOGIST, ep_hours, "EPs")):
        in_post = [s for s in staff if s.role == role and s.start <= as_of
                   and (s.end is None or s.end >= as_of)]
        fte_weeks = _fte_weeks(staff, role, start, end)
        cost = DEFAULT_COST[role]
        if not in_post or fte_weeks <= 0:
            if hours <= 0:
                continue
            count = max(1, math.ceil(hours / weeks / (NOTIONAL_HOURS * rho)))
            out.append({"name": f"{label} (notional: no staff records)", "role": role,
                        "count": count, "hours_per_week": NOTIONAL_HOURS,
                        "cost_per_year": cost})
            sentences.append(f"no {label} are recorded, so {count} notional {label} of "
                             f"{NOTIONAL_HOURS:.0f} hours a week do last year's work at that "
                             "utilisation")
            continue
        wanted = hours / fte_weeks / rho if hours else 30.0
        rate = _clamp(wanted, *HOURS_RANGE)
        ramp_cutoff = as_of - timedelta(weeks=26)
        settled = [s for s in in_post if s.start <= ramp_cutoff or role != CASE_OFFICER]
        new = [s for s in in_post if s not in settled]
        for name, people, extra in (
            (f"{label} in post", settled, {}),
            ("new case officers (protected caseloads)", new,
             {"start": min((s.start for s in new), default=as_of), "ramp_from": 0.5,
              "ramp_weeks": 26}),
        ):
            if not people:
                continue
            mean_fte = sum(s.fte for s in people) / len(people)
            out.append({"name": name, "role": role, "count": len(people),
                        "hours_per_week": round(rate * mean_fte, 1), "cost_per_year": cost,
                        **extra})
        sentences.append(f"{len(in_post)} {label} in post, each giving {rate:.1f} hours a "
                         f"week per FTE ({hours:.0f} hours of last year's work over "
                         f"{fte_weeks:.0f} FTE-weeks, at that utilisation)")
        if wanted > HOURS_RANGE[1]:
            # more work was done than the people recorded could do: some of it was bought in
            # (locums, a managed service); keep that capacity rather than invent a backlog
            bought = math.ceil((wanted - rate) * fte_weeks / weeks / NOTIONAL_HOURS)
            out.append({"name": f"{label} bought in (notional)", "role": role, "count": bought,
                        "hours_per_week": NOTIONAL_HOURS, "cost_per_year": cost})
            sentences.append(f"the rest of that work, beyond {HOURS_RANGE[1]:.0f} hours a week "
                             f"each, needs {bought} more at {NOTIONAL_HOURS:.0f} hours (bought in)")
    notes.append("Staff: " + "; ".join(sentences) + ". Efforts per task are the planner model's "
                 "examples (case files do not record effort); costs are placeholders to edit.")
    return out


def _open_requests(cases: Sequence[CaseHistory], as_of: date,
                   advice_names: set[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    opened = sorted((c for c in cases if measures.is_open(c.record, as_of)),
                    key=lambda c: (c.record.request_date, c.record.case_ref))
    for case in opened:
        r = case.record
        names: set[str] = set()
        for a in case.advice:
            if a.received_on is None:
                continue
            if a.adviser_type == EP_TYPE:
                names.add(EP_ADVICE)
            name = _advice_name(a.adviser_type)
            if name is not None and name in advice_names:
                names.add(name)
        step = step_on(r, as_of)
        entry: dict[str, Any] = {"case_ref": r.case_ref, "request_date": r.request_date,
                                 "step": step}
        if names:
            entry["advice_in"] = sorted(names)
        if step in ("in_comment", "awaiting_final") and r.draft_date:
            entry["draft_date"] = r.draft_date
        if step == "in_assessment" and r.decision_date:
            entry["decision_date"] = r.decision_date
        returned = [a.received_on for a in case.advice if a.received_on is not None]
        if step == "awaiting_draft" and returned:
            # drafting runs from the last advice in (the delay `draft_days` measures)
            entry["advice_done_date"] = max(returned)
        out.append(entry)
    return out


def scenario_from_caseload(*, as_of: date, months: int = 24, replications: int = 1000,
                           seed: int = 1, utilisation: float | None = None) -> Estimate:
    """Build a planner scenario from the live casework at `as_of`."""
    return scenario_from_history(load_history(), as_of=as_of, months=months,
                                 replications=replications, seed=seed,
                                 utilisation=utilisation)
