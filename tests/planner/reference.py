"""The reference model (a test oracle, kept with the tests): docs/domain/planner-model.md written
the obvious way, in SimPy.

Slow and straightforward on purpose — one process per request and per person, a list per queue,
figures counted with dates exactly as docs/domain/measures.md words them — so that the fast engine
(``engine.py``) can be checked against it: tests compare the two statistically, and, fed the
same random inputs, request by request.  Used only by tests and benchmarks; SimPy is a
development dependency and is imported inside the functions.

Conventions shared with the engine (docs/domain/planner-model.md leaves them open): time is in days
from the start date; a person free when several tasks wait takes the one whose request is oldest
(newest), ties to the task that has waited longest; when several people are free at once the
first group in the file, then its first person, chooses first; a person in post until ``end``
takes no task after the end of that day but finishes one already started.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from ehcflow.planner.inputs import replication_generators, resolve_seed
from ehcflow.planner.metrics import Projection
from ehcflow.planner.scenario import EP_ADVICE, Scenario, StaffGroup
from ehcflow.planner.timeline import DAYS_PER_YEAR, daily_cost, months_of

ROLES = ("case_officer", "educational_psychologist")


@dataclass
class RefRequest:
    """One request and everything random about it."""

    r: float  # request time (days from the start; negative when open at the start)
    step: str  # where it is at the start ("awaiting_decision" for new requests)
    assessed: bool
    plan: bool
    efforts: tuple[float, float, float, float]  # decision, EP, draft, final hours
    advice_delays: list[float]  # delay of each needed external advice
    comment_end: float | None = None  # in its comment period at the start: when it ends
    ep_in: bool = False  # in assessment at the start with the EP advice already in
    exit: float = math.inf
    issued: bool = False
    decision_start: float = math.nan


def draw_requests(scenario: Scenario, rng: np.random.Generator) -> list[RefRequest]:
    """A replication's requests, drawn literally as docs/domain/planner-model.md describes them."""
    sc = scenario
    d, w = sc.demand, sc.work
    out: list[RefRequest] = []

    def fates(step: str) -> tuple[bool, bool]:
        assessed = step != "awaiting_decision" or rng.random() < d.assess_rate
        if step in ("awaiting_decision", "in_assessment"):
            return assessed, assessed and rng.random() < d.plan_rate
        return assessed, True

    def efforts() -> tuple[float, float, float, float]:
        ds = (w.decision_hours, w.ep_hours, w.draft_hours, w.final_hours)
        e0, e1, e2, e3 = (float(x.sample(rng, 1)[0]) for x in ds)
        return e0, e1, e2, e3

    def advice(already: frozenset[str] = frozenset()) -> list[float]:
        return [
            float(a.delay_days.sample(rng, 1)[0])
            for a in sc.advice
            if a.name not in already and rng.random() < a.probability
        ]

    st = sc.start_state
    for step in ("awaiting_decision", "in_assessment", "awaiting_draft", "in_comment",
                 "awaiting_final"):
        for band in st.bands(step):  # type: ignore[arg-type]
            lo, hi = band.age_days
            for _ in range(band.count):
                age = int(rng.integers(lo, hi + 1))
                a, p = fates(step)
                ce = float(rng.random() * w.comment_days) if step == "in_comment" else None
                out.append(RefRequest(-age + float(rng.random()), step, a, p, efforts(), advice(),
                                      ce))
    for q in st.requests:
        age = (sc.start - q.request_date).days
        a, p = fates(q.step)
        ce = None
        if q.step == "in_comment":
            if q.draft_date is not None:
                ce = max(0.0, (q.draft_date - sc.start).days + w.comment_days)
            else:
                ce = float(rng.random() * w.comment_days)
        out.append(RefRequest(-age + float(rng.random()), q.step, a, p, efforts(),
                              advice(q.advice_in), ce, ep_in=EP_ADVICE in q.advice_in))
    horizon = months_of(sc.start, sc.months).horizon
    k = 0
    while 7 * k < horizon:
        lam = d.requests_per_year * 7 / DAYS_PER_YEAR * (1 + d.growth_per_year) ** (
            7 * k / DAYS_PER_YEAR
        )
        for _ in range(int(rng.poisson(lam))):
            t = 7 * k + 7 * float(rng.random())
            if t < horizon:
                a, p = fates("awaiting_decision")
                out.append(RefRequest(t, "awaiting_decision", a, p, efforts(), advice()))
        k += 1
    return out


@dataclass
class _Task:
    request: RefRequest
    stage: int
    effort: float
    enqueued: float
    seq: int
    done: Any


@dataclass
class _Person:
    order: int
    group: StaffGroup
    role: str
    start: float
    end: float
    ramp_origin: float
    busy: list[tuple[float, float]] = field(default_factory=list)

    def productivity(self, t: float) -> float:
        g = self.group
        if g.ramp_weeks <= 0:
            return 1.0
        frac = min(1.0, max(0.0, (t - self.ramp_origin) / (7 * g.ramp_weeks)))
        return g.ramp_from + (1.0 - g.ramp_from) * frac


class _Queue:
    """One role's waiting tasks and idle people."""

    def __init__(self, oldest_first: bool) -> None:
        self.waiting: list[_Task] = []
        self.idle: list[tuple[int, Any]] = []
        self.oldest_first = oldest_first

    @staticmethod
    def overdue(task: _Task, now: float) -> bool:
        # docs/domain/measures.md: older than 20 weeks = more than 140 whole days since the request
        # date
        return math.floor(now) - math.floor(task.request.r) > 140

    def eligible(self, person: _Person, task: _Task, now: float) -> bool:
        serves = person.group.serves
        if serves == "overdue":
            return self.overdue(task, now)
        if serves == "in_time":
            return not self.overdue(task, now)
        return True

    def take(self, person: _Person, now: float) -> _Task | None:
        best: _Task | None = None
        for task in self.waiting:
            if not self.eligible(person, task, now):
                continue
            if best is None or self._before(task, best):
                best = task
        if best is not None:
            self.waiting.remove(best)
        return best

    def _before(self, a: _Task, b: _Task) -> bool:
        ra, rb = a.request.r, b.request.r
        if ra != rb:
            return ra < rb if self.oldest_first else ra > rb
        return (a.enqueued, a.seq) < (b.enqueued, b.seq)  # ties: waited longest

    def next_overdue_time(self, now: float) -> float:
        """When the next waiting task becomes overdue (for an idle overdue-only person)."""
        times = [math.floor(t.request.r) + 141.0 for t in self.waiting]
        later = [t for t in times if t > now]
        return min(later, default=math.inf)


def run_replication(scenario: Scenario, requests: list[RefRequest]) -> list[_Person]:
    """Simulate one replication in SimPy; fills each request's exit time and returns the staff."""
    import simpy  # a development dependency: only tests and benchmarks get here

    sc = scenario
    env = simpy.Environment()
    months = months_of(sc.start, sc.months)
    horizon = months.horizon
    queues = {role: _Queue(sc.policy == "oldest_first") for role in ROLES}
    seq = [0]

    def enqueue(role: str, request: RefRequest, stage: int) -> Any:
        seq[0] += 1
        task = _Task(request, stage, request.efforts[stage], env.now, seq[0], env.event())
        q = queues[role]
        q.waiting.append(task)
        woken = sorted(q.idle, key=lambda x: x[0])
        q.idle.clear()
        for _, ev in woken:
            if not ev.triggered:
                ev.succeed()
        return task.done

    def request_proc(q: RefRequest) -> Any:
        if q.r > 0:
            yield env.timeout(q.r)
        step = q.step
        advice_from = 0.0
        if step == "awaiting_decision":
            q.decision_start = math.nan
            done = enqueue("case_officer", q, 0)
            yield done
            if not q.assessed:
                q.exit = env.now
                return
            advice_from = env.now
        if step in ("awaiting_decision", "in_assessment"):
            waits = [env.timeout(max(0.0, advice_from + dl - env.now)) for dl in q.advice_delays]
            if not q.ep_in:
                waits.append(enqueue("educational_psychologist", q, 1))
            yield env.all_of(waits)
            if not q.plan:
                q.exit = env.now
                return
        if step in ("awaiting_decision", "in_assessment", "awaiting_draft"):
            yield enqueue("case_officer", q, 2)
            yield env.timeout(sc.work.comment_days)
        elif step == "in_comment":
            assert q.comment_end is not None
            yield env.timeout(q.comment_end)
        yield enqueue("case_officer", q, 3)
        q.exit = env.now
        q.issued = True

    people: list[_Person] = []
    for g in sc.staff:
        s = 0.0 if g.start is None else float((g.start - sc.start).days)
        e = math.inf if g.end is None else float((g.end - sc.start).days + 1)
        for _ in range(g.count):
            people.append(_Person(len(people), g, g.role, max(s, 0.0), e, s))

    def person_proc(p: _Person) -> Any:
        if p.start > 0:
            yield env.timeout(p.start)
        q = queues[p.role]
        hpd = p.group.hours_per_week / 7.0
        while env.now < p.end:
            task = q.take(p, env.now)
            if task is None:
                ev = env.event()
                q.idle.append((p.order, ev))
                waits = [ev]
                limit = p.end
                if p.group.serves == "overdue":
                    limit = min(limit, q.next_overdue_time(env.now))
                if limit < math.inf:
                    waits.append(env.timeout(limit - env.now))
                yield env.any_of(waits)
                q.idle[:] = [x for x in q.idle if x[1] is not ev]
                continue
            if task.stage == 0:
                task.request.decision_start = env.now
            dur = task.effort / (hpd * p.productivity(env.now))
            p.busy.append((env.now, env.now + dur))
            yield env.timeout(dur)
            task.done.succeed()

    # requests first, so that tasks waiting at the start are queued before anyone looks
    for q in requests:
        env.process(request_proc(q))
    for p in people:
        env.process(person_proc(p))
    env.run(until=horizon)
    return people


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def count_months(
    scenario: Scenario, requests: list[RefRequest], people: list[_Person]
) -> dict[str, Any]:
    """Monthly figures of one replication, counted with dates as docs/domain/measures.md words
    them."""
    sc = scenario
    months = months_of(sc.start, sc.months)
    M = months.count
    keys = ("open", "over_20_weeks", "over_30_weeks", "over_50_weeks", "received",
            "plans_issued", "issued_within_20_weeks", "left_without_plan", "days_to_issue")
    out: dict[str, Any] = {k: np.zeros(M, np.int64) for k in keys}
    for q in requests:
        request_date = sc.start + timedelta(days=math.floor(q.r))
        exit_date = (
            sc.start + timedelta(days=math.floor(q.exit)) if math.isfinite(q.exit) else None
        )
        for m in range(M):
            first, last = months.first_days[m], months.last_days[m]
            if q.r >= 0 and first <= request_date <= last:
                out["received"][m] += 1
            if exit_date is not None and first <= exit_date <= last:
                if q.issued:
                    days = (exit_date - request_date).days
                    out["plans_issued"][m] += 1
                    out["issued_within_20_weeks"][m] += days <= 140
                    out["days_to_issue"][m] += days
                else:
                    out["left_without_plan"][m] += 1
            if request_date <= last and (exit_date is None or exit_date > last):
                out["open"][m] += 1
                age = (last - request_date).days
                out["over_20_weeks"][m] += age > 140
                out["over_30_weeks"][m] += age > 210
                out["over_50_weeks"][m] += age > 350
    for role in ROLES:
        worked = np.zeros(M)
        avail = np.zeros(M)
        for p in people:
            if p.role != role:
                continue
            hpd = p.group.hours_per_week / 7.0
            for m in range(M):
                m0, m1 = float(months.starts[m]), float(months.ends[m])
                avail[m] += hpd * _overlap(p.start, p.end, m0, m1)
                for s, e in p.busy:
                    worked[m] += hpd * _overlap(s, e, m0, m1)
                    if e > p.end:  # finishing after the end of the post
                        avail[m] += hpd * _overlap(max(s, p.end), e, m0, m1)
        out[f"worked_{role}"] = worked
        out[f"available_{role}"] = avail
    return out


def cost_per_month(scenario: Scenario) -> np.ndarray:
    """Cost accrued for every day in post, day by day."""
    months = months_of(scenario.start, scenario.months)
    cost = np.zeros(months.count)
    for m in range(months.count):
        day: date = months.first_days[m]
        while day <= months.last_days[m]:
            for g in scenario.staff:
                if (g.start is None or g.start <= day) and (g.end is None or day <= g.end):
                    cost[m] += g.count * daily_cost(g)
            day += timedelta(days=1)
    return cost


def simulate_reference(
    scenario: Scenario, *, replications: int, seed: int | None = None
) -> Projection:
    """The reference projection: ``replications`` SimPy runs of the model."""
    used = resolve_seed(scenario, seed)
    runs = []
    starts = []
    for rng in replication_generators(used, replications):
        reqs = draw_requests(scenario, rng)
        people = run_replication(scenario, reqs)
        runs.append(count_months(scenario, reqs, people))
        starts.append(sum(1 for q in reqs if q.r < 0))
    return projection_from_counts(scenario, used, runs, starts)


def projection_from_counts(
    scenario: Scenario, seed: int, runs: list[dict[str, Any]], starts: list[int]
) -> Projection:
    def stack(k: str) -> Any:
        return np.stack([r[k] for r in runs])

    return Projection(
        scenario=scenario,
        seed=seed,
        months=months_of(scenario.start, scenario.months),
        start_open=np.array(starts, np.int64),
        open=stack("open"),
        over_20_weeks=stack("over_20_weeks"),
        over_30_weeks=stack("over_30_weeks"),
        over_50_weeks=stack("over_50_weeks"),
        received=stack("received"),
        plans_issued=stack("plans_issued"),
        issued_within_20_weeks=stack("issued_within_20_weeks"),
        left_without_plan=stack("left_without_plan"),
        days_to_issue=stack("days_to_issue"),
        hours_worked={role: stack(f"worked_{role}") for role in ROLES},
        hours_available={role: stack(f"available_{role}") for role in ROLES},
        cost=cost_per_month(scenario),
    )
