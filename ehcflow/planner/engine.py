"""The fast engine: every replication of a chunk simulated in lock-step with NumPy.

It implements exactly the model of planner-model.md, "The model" (the SimPy model in
``reference.py`` is the same model written the obvious way; tests compare the two).

Why it is fast
--------------
A per-event Python loop costs some microseconds an event, and report 000's scenario has about
10,000 events a replication: far too slow for 1,000 replications in two seconds.  The engine
instead advances *all replications of a chunk at once*, one staff assignment per replication
per step, each NumPy operation acting on one row per replication.  Three observations make a
step cheap and the number of steps small:

1. **Only assignments are events.**  When a person takes a task at time t, its end
   ``c = t + effort / (hours_per_week / 7 × productivity(t))`` is known at once, and so is when
   the request's next task becomes ready: the EP task at c after a decision; the draft at
   max(c, all needed advice in) after the EP advice; the final at c + comment_days after the
   draft.  Arrivals, advice, comment periods and completions therefore need no events of their
   own: each is just a *ready time* stored with the next task.  A replication's steps are its
   ~7,000 assignments, processed in time order (so no task can become ready in the past of an
   assignment already made: every new ready time is ≥ the assignment that created it).

2. **Queues indexed by age.**  Within a replication, requests are numbered in order of request
   time, so "oldest first" is "smallest index" (and "newest first" the largest).  Each role's
   queue is one row of ready times indexed by request (∞ = no task), cut into blocks of B with
   a per-block minimum: the next task for a free person at time t is the first block whose
   minimum is ≤ t, then the first entry ≤ t in it — two short row scans, whatever the queue's
   length, and the same code serves waiting tasks and tasks that become ready later.
   ``serves = "overdue"`` (request older than 20 weeks when taken, i.e. t ≥ floor(r) + 141)
   is a prefix of that row and ``"in_time"`` a suffix, since age order is index order.

3. **Group minima.**  A staff group's people share start, end, hours and ramp, so the next
   time the group acts is max(its earliest-free person, the earliest time a task it may take is
   ready); the replication's next assignment is the minimum over groups.  Ties (several people
   free at once) go to the first group in the file and its first person.

Ties between tasks (equal request times) cannot occur: request times are continuous (arrivals
uniform within their week; requests open at the start get a uniform time within their request
date), so "ties go to the task that has waited longest" never has to be applied.

Random numbers: every replication has its own PCG64 stream (``SeedSequence(seed).spawn``),
and all of a replication's randomness (arrivals, fates, efforts, advice) is drawn up front from
it, so results do not depend on ``chunk_size`` and the same seed repeats a run exactly.
Memory is O(chunk_size × requests); chunks are simulated one after another.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from ehcflow.planner.metrics import Projection
from ehcflow.planner.scenario import EP_ADVICE, STEPS, Scenario
from ehcflow.planner.timeline import (
    DAYS_20_WEEKS,
    DAYS_30_WEEKS,
    DAYS_50_WEEKS,
    Months,
    cost_by_month,
    hours_in_post_by_month,
    months_of,
    post_window,
    weekly_rates,
)

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]

INF = np.inf
CO, EP = 0, 1
ROLE_INDEX = {"case_officer": CO, "educational_psychologist": EP}
SERVES_INDEX = {"all": 0, "overdue": 1, "in_time": 2}
#: Task stages of a request: decision (CO), EP advice (EP), draft (CO), final (CO).
DECISION, EP_TASK, DRAFT, FINAL = 0, 1, 2, 3
#: od (the time a request becomes overdue) of padding slots: beyond any horizon.
_PAD_OD = 1.0e5
_ROW_OFFSET = 1.0e6


def resolve_seed(scenario: Scenario, seed: int | None) -> int:
    """The seed to use: the argument, else the scenario's, else a fresh one (reported)."""
    if seed is not None:
        return int(seed)
    if scenario.seed is not None:
        return int(scenario.seed)
    return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))


def replication_generators(seed: int, replications: int) -> list[np.random.Generator]:
    """One independent PCG64 generator per replication (the same for any chunking)."""
    children = np.random.SeedSequence(seed).spawn(replications)
    return [np.random.Generator(np.random.PCG64(s)) for s in children]


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class _Group:
    role: int
    serves: int
    count: int
    start: float
    end: float
    hours_per_day: float
    ramp_from: float
    ramp_slope: float  # productivity gained per day
    ramp_origin: float


@dataclass(frozen=True)
class Compiled:
    """A scenario turned into the numbers the engine uses."""

    scenario: Scenario
    months: Months
    horizon: float
    week_rates: F64
    groups: tuple[_Group, ...]
    #: per start-state band: (initial stage code, lo age days, hi age days, count)
    bands: tuple[tuple[int, int, int, int], ...]
    #: explicit open requests: age (days), step code, EP advice in?, advice-in mask, comment end
    explicit_age: I64
    explicit_step: I64
    explicit_ep_in: Bool
    explicit_advice_in: Bool  # (n_explicit, n_advice)
    explicit_comment_end: F64  # NaN = draw uniformly within comment_days

    @property
    def n_start(self) -> int:
        return sum(b[3] for b in self.bands) + len(self.explicit_age)


STEP_CODE = {s: k for k, s in enumerate(STEPS)}


def compile_scenario(scenario: Scenario) -> Compiled:
    months = months_of(scenario.start, scenario.months)
    groups: list[_Group] = []
    for g in scenario.staff:
        if g.count == 0:
            continue
        w = post_window(g, scenario.start)
        if g.ramp_weeks > 0 and g.ramp_from < 1.0:
            rf, slope = g.ramp_from, (1.0 - g.ramp_from) / (7.0 * g.ramp_weeks)
        else:
            rf, slope = 1.0, 0.0
        groups.append(
            _Group(
                role=ROLE_INDEX[g.role],
                serves=SERVES_INDEX[g.serves],
                count=g.count,
                start=w.start,
                end=w.end,
                hours_per_day=g.hours_per_week / 7.0,
                ramp_from=rf,
                ramp_slope=slope,
                ramp_origin=w.ramp_origin,
            )
        )
    st = scenario.start_state
    bands = tuple(
        (STEP_CODE[s], *b.age_days, b.count) for s in STEPS for b in st.bands(s) if b.count > 0
    )
    reqs = st.requests
    names = [a.name for a in scenario.advice]
    comment_end = np.full(len(reqs), np.nan)
    for k, q in enumerate(reqs):
        if q.step == "in_comment" and q.draft_date is not None:
            end = (q.draft_date - scenario.start).days + scenario.work.comment_days
            comment_end[k] = max(0.0, end)
    return Compiled(
        scenario=scenario,
        months=months,
        horizon=months.horizon,
        week_rates=weekly_rates(scenario, months.horizon),
        groups=tuple(groups),
        bands=bands,
        explicit_age=np.array([(scenario.start - q.request_date).days for q in reqs], np.int64),
        explicit_step=np.array([STEP_CODE[q.step] for q in reqs], np.int64),
        explicit_ep_in=np.array([EP_ADVICE in q.advice_in for q in reqs], bool),
        explicit_advice_in=np.array(
            [[n in q.advice_in for n in names] for q in reqs], bool
        ).reshape(len(reqs), len(names)),
        explicit_comment_end=comment_end,
    )


@dataclass
class Draw:
    """One replication's requests in order of request time, with everything random about them.

    ``ready``/``role``/``stage`` describe each request's first task; ``exit`` is set for a request
    that leaves without any task (in assessment at the start with its EP advice already in and
    no plan).  ``adv`` is the wait for external advice: relative to the decision for requests
    awaiting a decision, absolute (from the start) for requests in assessment at the start.
    """

    r: F64
    is_start: Bool
    stage: npt.NDArray[np.int8]
    ready: F64
    role: npt.NDArray[np.int8]
    exit: F64
    assessed: Bool
    plan: Bool
    effort: F64  # (n, 4) hours: decision, EP, draft, final
    adv: F64


def draw_replication(cs: Compiled, rng: np.random.Generator) -> Draw:
    """All random inputs of one replication, drawn in a fixed order from its own stream."""
    sc = cs.scenario
    # Open requests at the start (planner-model.md, "Starting state"): ages uniform in days.
    ages = [rng.integers(lo, hi + 1, size=n) for (_, lo, hi, n) in cs.bands]
    steps = [np.full(n, code) for (code, _, _, n) in cs.bands]
    age = np.concatenate([*ages, cs.explicit_age]).astype(np.float64)
    step = np.concatenate([*steps, cs.explicit_step]).astype(np.int64)
    n_band = len(age) - len(cs.explicit_age)
    n0 = len(age)
    r0 = -age + rng.random(n0)  # a uniform time within the request date: no ties
    # Arrivals (planner-model.md, "Demand"): Poisson(lambda_k) in week k, uniform within it.
    counts = rng.poisson(cs.week_rates)
    week = np.repeat(np.arange(len(counts), dtype=np.float64), counts)
    ra = np.sort(7.0 * week + 7.0 * rng.random(len(week)))
    ra = ra[ra < cs.horizon]
    order = np.argsort(r0, kind="stable")
    r = np.concatenate([r0[order], ra])
    step = np.concatenate([step[order], np.zeros(len(ra), np.int64)])
    explicit = np.concatenate([np.arange(n0) >= n_band, np.zeros(len(ra), bool)])
    explicit[:n0] = explicit[:n0][order]
    xi = np.concatenate([np.arange(n0) - n_band, np.zeros(len(ra), np.int64)])
    xi[:n0] = xi[:n0][order]
    n = len(r)
    is_start = np.arange(n) < n0
    # Fates, drawn on arrival; requests past the decision were assessed, past the outcome get
    # a plan.
    u = rng.random((2, n))
    d = sc.demand
    assessed = np.where(step == 0, u[0] < d.assess_rate, True)
    plan = np.where(step <= 1, u[1] < d.plan_rate, True) & assessed
    w = sc.work
    effort = np.empty((n, 4))
    for k, dist in enumerate((w.decision_hours, w.ep_hours, w.draft_hours, w.final_hours)):
        effort[:, k] = dist.sample(rng, n)
    adv = np.zeros(n)
    for a_idx, a in enumerate(sc.advice):
        need = rng.random(n) < a.probability
        delay = a.delay_days.sample(rng, n)
        if len(cs.explicit_age):
            already = np.zeros(n, bool)
            already[explicit] = cs.explicit_advice_in[xi[explicit], a_idx]
            need &= ~already
        adv = np.maximum(adv, np.where(need, delay, 0.0))
    comment_u = rng.random(n0)
    # First tasks.
    stage = np.zeros(n, np.int8)
    ready = np.where(is_start, 0.0, r)
    role = np.zeros(n, np.int8)
    ex = np.full(n, INF)
    code = step
    stage[code == 1] = EP_TASK
    role[code == 1] = EP
    stage[code == 2] = DRAFT
    stage[code >= 3] = FINAL
    in_comment = np.flatnonzero(code == 3)
    ready[in_comment] = comment_u[in_comment] * w.comment_days
    if len(cs.explicit_age):
        ce = np.full(n, np.nan)
        ce[explicit] = cs.explicit_comment_end[xi[explicit]]
        known = in_comment[~np.isnan(ce[in_comment])]
        ready[known] = ce[known]
        # EP advice already in: the request waits only for external advice.
        ep_in = np.zeros(n, bool)
        ep_in[explicit] = cs.explicit_ep_in[xi[explicit]]
        ep_in &= code == 1
        to_draft = ep_in & plan
        stage[to_draft] = DRAFT
        role[to_draft] = CO
        ready[to_draft] = adv[to_draft]
        gone = ep_in & ~plan
        ready[gone] = INF
        ex[gone] = adv[gone]
    return Draw(r, is_start, stage, ready, role, ex, assessed, plan, effort, adv)


# --------------------------------------------------------------------------- the lock-step


def _block_size(n: int) -> int:
    # Two scans per assignment: one over n/B block minima, one over B entries.  B ≈ √n
    # balances them; a multiple of 8 keeps rows aligned.
    return int(max(16, min(256, 8 * round(math.sqrt(max(n, 1)) / 8))))


@dataclass
class RawChunk:
    """Per-request results of one chunk (rows = replications, columns = requests by age)."""

    r: F64
    valid: Bool
    is_start: Bool
    exit: F64
    plan_time: F64
    decision_start: F64 | None
    hours: F64  # (R, 2, M) hours worked per role per month
    overrun: F64  # (R, 2, M) hours worked after the end of a person's post


class _Lockstep:
    def __init__(self, cs: Compiled, draws: list[Draw], record_decision_start: bool) -> None:
        self.cs = cs
        sc = cs.scenario
        R = len(draws)
        nmax = max(len(d.r) for d in draws)
        B = _block_size(nmax)
        NB = max(1, -(-nmax // B))
        N = NB * B
        self.R, self.N, self.B, self.NB = R, N, B, NB
        self.T = cs.horizon
        self.oldest = sc.policy == "oldest_first"
        self.comment = float(sc.work.comment_days)

        r = np.full((R, N), INF)
        ready = np.full((2, R, N), INF)
        stage = np.zeros((R, N), np.int8)
        assessed = np.zeros((R, N), bool)
        plan = np.zeros((R, N), bool)
        effort = np.zeros((R, N, 4))
        adv = np.zeros((R, N))
        is_start = np.zeros((R, N), bool)
        ex = np.full((R, N), INF)
        for k, d in enumerate(draws):
            n = len(d.r)
            r[k, :n] = d.r
            ready[d.role.astype(np.int64), k, np.arange(n)] = d.ready
            stage[k, :n] = d.stage
            assessed[k, :n] = d.assessed
            plan[k, :n] = d.plan
            effort[k, :n] = d.effort
            adv[k, :n] = d.adv
            is_start[k, :n] = d.is_start
            ex[k, :n] = d.exit
        self.r = r
        self.valid = np.isfinite(r)
        od = np.where(self.valid, np.floor(np.where(self.valid, r, 0.0)) + DAYS_20_WEEKS + 1, _PAD_OD)
        self.od = od
        self.od4 = od.reshape(R, NB, B)
        # Rows offset so one searchsorted finds, per replication, how many requests are overdue.
        self.od_global = (od + _ROW_OFFSET * np.arange(R)[:, None]).ravel()
        self.ready = ready
        self.ready4 = ready.reshape(2, R, NB, B)
        self.stage = stage
        self.assessed = assessed
        self.plan = plan
        self.effort = effort
        self.adv = adv
        self.is_start = is_start
        self.exit = ex
        self.plan_time = np.full((R, N), INF)
        self.decision_start = np.full((R, N), np.nan) if record_decision_start else None

        gs = cs.groups
        self.G = len(gs)
        self.role_g = np.array([g.role for g in gs], np.int64)
        self.serves_g = np.array([g.serves for g in gs], np.int64)
        self.end_g = np.array([g.end for g in gs], np.float64)
        self.h_g = np.array([g.hours_per_day for g in gs], np.float64)
        self.rf_g = np.array([g.ramp_from for g in gs], np.float64)
        self.rs_g = np.array([g.ramp_slope for g in gs], np.float64)
        self.ro_g = np.array([g.ramp_origin for g in gs], np.float64)
        self.k_g = self.role_g * 2 + (self.serves_g == 1)
        self.it_cols = np.flatnonzero(self.serves_g == 2)
        self.has_od = bool((self.serves_g == 1).any())
        self.has_it = self.it_cols.size > 0
        pmax = max((g.count for g in gs), default=1)
        free = np.full((R, max(self.G, 1), pmax), INF)
        for k, g in enumerate(gs):
            free[:, k, : g.count] = g.start if g.start < g.end else INF
        self.free = free
        self.F = free.min(axis=2)[:, : self.G].copy()

        ready4 = self.ready4
        self.bmin = ready4.min(axis=3)
        if self.has_od:
            self.bmin_od = np.maximum(ready4, self.od4[None]).min(axis=3)
        if self.has_it:
            self.bmin_it = np.where(ready4 < self.od4[None], ready4, INF).min(axis=3)
        rmin = np.full((R, 4), INF)
        for role in (CO, EP):
            rmin[:, 2 * role] = self.bmin[role].min(axis=1)
            if self.has_od:
                rmin[:, 2 * role + 1] = self.bmin_od[role].min(axis=1)
        self.rmin = rmin

        m = cs.months
        self.M = m.count
        self.month_end = np.append(m.ends, INF)
        self.month_start = np.append(m.starts, m.horizon)
        days = int(math.ceil(self.T)) + 1
        self.mday = np.searchsorted(m.ends, np.arange(days, dtype=np.float64), side="right")
        self.hours = np.zeros((R, 2, self.M + 1))
        self.overrun = np.zeros((R, 2, self.M + 1))

    # ---------------------------------------------------------------- queries

    def _threshold(self, act: I64, t: F64) -> I64:
        """Per replication: how many requests are over 20 weeks at time t (a prefix)."""
        pos = np.searchsorted(self.od_global, t + _ROW_OFFSET * act, side="right")
        return np.asarray(pos - act * self.N, dtype=np.int64)

    def _next_in_time(self, act: I64, F: F64) -> F64:
        """For in_time groups: earliest time ≥ F at which some task is ready and not overdue."""
        out = np.empty_like(F)
        B, NB = self.B, self.NB
        for c in range(F.shape[1]):
            role = int(self.role_g[self.it_cols[c]])
            f = F[:, c]
            thr = self._threshold(act, np.where(np.isfinite(f), f, self.T))
            b0 = np.minimum(thr // B, NB - 1)
            pos = np.arange(B)[None, :] >= (thr - b0 * B)[:, None]
            blk = self.ready4[role, act, b0]
            odb = self.od4[act, b0]
            part = np.where(pos & (blk < odb), blk, INF).min(axis=1)
            bm = self.bmin_it[role, act]
            later = np.where(np.arange(NB)[None, :] > b0[:, None], bm, INF).min(axis=1)
            best = np.minimum(part, later)
            best = np.where(thr >= self.N, INF, best)
            out[:, c] = np.maximum(f, best)
        return out

    def _select(
        self, role: I64, act: I64, t: F64, serves: I64
    ) -> tuple[I64, I64, F64, F64]:
        """The task a person of kind ``serves`` takes at t: (block, slot, block row, minima)."""
        B, NB = self.B, self.NB
        tt = t[:, None]
        bm = self.bmin[role, act]
        if self.oldest:
            lo = np.zeros_like(act)
            if self.has_it:
                lo = np.where(serves == 2, self._threshold(act, t), 0)
            if not lo.any():
                b = (bm <= tt).argmax(axis=1)
                blk = self.ready4[role, act, b]
                j = (blk <= tt).argmax(axis=1)
                return b, j, blk, bm
            # first entry at index ≥ lo that is ready by t
            b0 = np.minimum(lo // B, NB - 1)
            blk0 = self.ready4[role, act, b0]
            m0 = (blk0 <= tt) & (np.arange(B)[None, :] >= (lo - b0 * B)[:, None])
            hit = m0.any(axis=1)
            bm1 = np.where(np.arange(NB)[None, :] > b0[:, None], bm, INF)
            b1 = (bm1 <= tt).argmax(axis=1)
            blk1 = self.ready4[role, act, b1]
            b = np.where(hit, b0, b1)
            blk = np.where(hit[:, None], blk0, blk1)
            j = np.where(hit, m0.argmax(axis=1), (blk1 <= tt).argmax(axis=1))
            return b, j, blk, bm
        hi = np.full_like(act, self.N)
        if self.has_od:
            hi = np.where(serves == 1, self._threshold(act, t), self.N)
        if (hi == self.N).all():
            b = NB - 1 - (bm[:, ::-1] <= tt).argmax(axis=1)
            blk = self.ready4[role, act, b]
            j = B - 1 - (blk[:, ::-1] <= tt).argmax(axis=1)
            return b, j, blk, bm
        # last entry at index < hi that is ready by t
        b0 = np.clip((hi - 1) // B, 0, NB - 1)
        blk0 = self.ready4[role, act, b0]
        m0 = (blk0 <= tt) & (np.arange(B)[None, :] < (hi - b0 * B)[:, None])
        hit = m0.any(axis=1)
        bm1 = np.where(np.arange(NB)[None, :] < b0[:, None], bm, INF)
        b1 = NB - 1 - (bm1[:, ::-1] <= tt).argmax(axis=1)
        blk1 = self.ready4[role, act, b1]
        b = np.where(hit, b0, b1)
        blk = np.where(hit[:, None], blk0, blk1)
        j = np.where(
            hit, B - 1 - m0[:, ::-1].argmax(axis=1), B - 1 - (blk1[:, ::-1] <= tt).argmax(axis=1)
        )
        return b, j, blk, bm

    # ---------------------------------------------------------------- the loop

    def run(self) -> None:
        if self.G == 0:
            return  # nobody to do anything: every request stays where it is
        act = np.arange(self.R)
        kg = self.k_g
        end_g = self.end_g
        T = self.T
        while act.size:
            e = np.maximum(self.F[act], self.rmin[act][:, kg])
            if self.has_it:
                e[:, self.it_cols] = self._next_in_time(act, self.F[act][:, self.it_cols])
            e = np.where(e < end_g, e, INF)
            g = e.argmin(axis=1)
            t = e[np.arange(act.size), g]
            live = t < T
            if not live.all():
                act, g, t = act[live], g[live], t[live]
                if not act.size:
                    break
            self._assign(act, g, t)

    def _assign(self, act: I64, g: I64, t: F64) -> None:
        S = act.size
        ar = np.arange(S)
        role = self.role_g[g]
        serves = self.serves_g[g]
        tt = t[:, None]
        # the first person of the group who is free (file order breaks ties)
        fr = self.free[act, g]
        p = (fr <= tt).argmax(axis=1)
        # the task, and its removal from the role's queue
        b, j, blk, bm = self._select(role, act, t, serves)
        i = b * self.B + j
        self.ready4[role, act, b, j] = INF
        blk = blk.copy()
        blk[ar, j] = INF
        nb = blk.min(axis=1)
        self.bmin[role, act, b] = nb
        bm = bm.copy()
        bm[ar, b] = nb
        self.rmin[act, 2 * role] = bm.min(axis=1)
        if self.has_od or self.has_it:
            odb = self.od4[act, b]
            if self.has_od:
                self.bmin_od[role, act, b] = np.maximum(blk, odb).min(axis=1)
                self.rmin[act, 2 * role + 1] = self.bmin_od[role, act].min(axis=1)
            if self.has_it:
                self.bmin_it[role, act, b] = np.where(blk < odb, blk, INF).min(axis=1)
        # how long it takes (planner-model.md: effort ÷ (hours_per_week / 7 × productivity(t)))
        s = self.stage[act, i].astype(np.int64)
        eff = self.effort[act, i, s]
        prod = np.minimum(1.0, self.rf_g[g] + self.rs_g[g] * (t - self.ro_g[g]))
        hp = self.h_g[g]
        c = t + eff / (hp * prod)
        # the person is busy until c; past the end of their post they leave
        endg = self.end_g[g]
        nf = np.where(c < endg, c, INF)
        self.free[act, g, p] = nf
        fr[ar, p] = nf
        self.F[act, g] = fr.min(axis=1)
        self._book_hours(act, role, t, c, hp, endg)
        if self.decision_start is not None:
            d0 = s == DECISION
            self.decision_start[act[d0], i[d0]] = t[d0]
        # what happens to the request next (planner-model.md, "Path of a request")
        is0, is1, is2 = s == DECISION, s == EP_TASK, s == DRAFT
        adv = self.adv[act, i]
        adv = np.where(is0, c + adv, adv)  # advice is requested at the decision
        x = np.where(is1, np.maximum(c, adv), np.where(is2, c + self.comment, c))
        cont = np.where(is0, self.assessed[act, i], np.where(is1, self.plan[act, i], is2))
        done = ~cont
        if done.any():
            ad, idn = act[done], i[done]
            self.exit[ad, idn] = x[done]
            fin = done & (s == FINAL)
            self.plan_time[act[fin], i[fin]] = c[fin]
        if cont.any():
            ac, ic, xc = act[cont], i[cont], x[cont]
            self.stage[ac, ic] = s[cont] + 1
            a0 = is0 & cont
            self.adv[act[a0], i[a0]] = adv[a0]
            nrole = np.where(is0[cont], EP, CO)
            self._insert(nrole, ac, ic, xc)

    def _insert(self, role: I64, act: I64, i: I64, x: F64) -> None:
        b, j = i // self.B, i % self.B
        self.ready4[role, act, b, j] = x
        self.bmin[role, act, b] = np.minimum(self.bmin[role, act, b], x)
        k = 2 * role
        self.rmin[act, k] = np.minimum(self.rmin[act, k], x)
        if self.has_od or self.has_it:
            odi = self.od[act, i]
            if self.has_od:
                v = np.maximum(x, odi)
                self.bmin_od[role, act, b] = np.minimum(self.bmin_od[role, act, b], v)
                self.rmin[act, k + 1] = np.minimum(self.rmin[act, k + 1], v)
            if self.has_it:
                vi = np.where(x < odi, x, INF)
                self.bmin_it[role, act, b] = np.minimum(self.bmin_it[role, act, b], vi)

    def _book_hours(self, act: I64, role: I64, t: F64, c: F64, hp: F64, endg: F64) -> None:
        """Hours worked (busy time × hours per day), split between the months they fall in."""
        ms = self.mday[t.astype(np.int64)]
        first = hp * (np.minimum(c, self.month_end[ms]) - t)
        self.hours[act, role, ms] += first
        spill = c > self.month_end[ms]
        if spill.any():
            a, rl, cc, h, k = act[spill], role[spill], c[spill], hp[spill], ms[spill] + 1
            while a.size:
                self.hours[a, rl, k] += h * (np.minimum(cc, self.month_end[k]) - self.month_start[k])
                more = cc > self.month_end[k]
                a, rl, cc, h, k = a[more], rl[more], cc[more], h[more], k[more] + 1
        over = c > endg
        if over.any():
            # a person finishing a task after their post ends: those hours are worked, and are
            # counted as available too, so utilisation stays a share of time actually given
            a, rl, h = act[over], role[over], hp[over]
            lo = np.maximum(t[over], endg[over])
            hi = c[over]
            span = np.clip(hi[:, None], self.month_start[None, :], self.month_end[None, :])
            span -= np.clip(lo[:, None], self.month_start[None, :], self.month_end[None, :])
            span[:, -1] = 0.0
            np.add.at(self.overrun, (a, rl), h[:, None] * span)

    def raw(self) -> RawChunk:
        return RawChunk(
            r=self.r,
            valid=self.valid,
            is_start=self.is_start,
            exit=self.exit,
            plan_time=self.plan_time,
            decision_start=self.decision_start,
            hours=self.hours[:, :, : self.M],
            overrun=self.overrun[:, :, : self.M],
        )


# --------------------------------------------------------------------------- monthly figures


@dataclass
class Monthly:
    """Per-replication monthly figures of one chunk, shape (R, M) each."""

    open: I64
    over_20_weeks: I64
    over_30_weeks: I64
    over_50_weeks: I64
    received: I64
    plans_issued: I64
    issued_within_20_weeks: I64
    left_without_plan: I64
    days_to_issue: I64
    start_open: I64


def _per_month(rep: I64, month: I64, R: int, M: int, weights: F64 | None = None) -> I64:
    """Counts (or sums) per (replication, month) for month indices 0..M (M = not in horizon)."""
    flat = np.bincount(rep * (M + 1) + month, weights=weights, minlength=R * (M + 1))
    return np.asarray(flat.reshape(R, M + 1)[:, :M]).astype(np.int64)


def monthly_figures(raw: RawChunk, months: Months) -> Monthly:
    """Month-end counts and monthly flows as measures.md defines them (days are whole days)."""
    R = raw.r.shape[0]
    M = months.count
    ends = months.ends
    end_day = ends - 1.0
    rows, cols = np.nonzero(raw.valid)
    r = raw.r[rows, cols]
    day_r = np.floor(r)
    ex = raw.exit[rows, cols]
    start = raw.is_start[rows, cols]
    # month index in which a time falls (M = after the horizon)
    m_arr = np.where(start, 0, np.searchsorted(ends, r, side="right"))
    m_exit = np.searchsorted(ends, ex, side="right")
    arrived = ~start
    received = _per_month(rows[arrived], m_arr[arrived], R, M)
    start_open = np.bincount(rows[start], minlength=R).astype(np.int64)
    pt = raw.plan_time[rows, cols]
    has_plan = np.isfinite(pt)
    exits = _per_month(rows, m_exit, R, M)
    plans = _per_month(rows[has_plan], m_exit[has_plan], R, M)
    days = np.floor(pt[has_plan]) - day_r[has_plan]
    within = days <= DAYS_20_WEEKS
    issued_within = _per_month(rows[has_plan][within], m_exit[has_plan][within], R, M)
    days_sum = _per_month(rows[has_plan], m_exit[has_plan], R, M, weights=days)
    # open at a month end: arrived by it (the start state counts from month 0), not yet gone
    open_ = (start_open[:, None] + np.cumsum(received - exits, axis=1)).astype(np.int64)

    def over(limit: int) -> I64:
        # over `limit` days at month m's end D: D - request date > limit, still open at D
        first = np.searchsorted(end_day, day_r + limit, side="right")
        last = np.maximum(first, m_exit)
        add = _per_month(rows, first, R, M)
        sub = _per_month(rows, last, R, M)
        return np.asarray(np.cumsum(add - sub, axis=1), dtype=np.int64)

    return Monthly(
        open=open_,
        over_20_weeks=over(DAYS_20_WEEKS),
        over_30_weeks=over(DAYS_30_WEEKS),
        over_50_weeks=over(DAYS_50_WEEKS),
        received=received,
        plans_issued=plans,
        issued_within_20_weeks=issued_within,
        left_without_plan=exits - plans,
        days_to_issue=days_sum,
        start_open=start_open,
    )


# --------------------------------------------------------------------------- entry points


def run_chunk(
    cs: Compiled, generators: list[np.random.Generator], *, record_decision_start: bool = False
) -> RawChunk:
    """Simulate one chunk of replications (one generator each) and return per-request results."""
    draws = [draw_replication(cs, g) for g in generators]
    ls = _Lockstep(cs, draws, record_decision_start)
    ls.run()
    return ls.raw()


def simulate_raw(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    record_decision_start: bool = False,
) -> RawChunk:
    """One chunk's per-request results, for tests at the queue level (e.g. Erlang C waits)."""
    n = replications or scenario.replications
    gens = replication_generators(resolve_seed(scenario, seed), n)
    return run_chunk(compile_scenario(scenario), gens, record_decision_start=record_decision_start)


def simulate(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    chunk_size: int = 1000,
) -> Projection:
    """Project a scenario: ``replications`` runs of the model of planner-model.md.

    Defaults come from the scenario (``replications``, ``seed``; with no seed anywhere a fresh
    one is drawn and reported in the Projection).  Replications are simulated ``chunk_size`` at a
    time; the results do not depend on ``chunk_size``.
    """
    n = int(replications if replications is not None else scenario.replications)
    if not 1 <= n <= 100_000:
        raise ValueError(f"replications must be from 1 to 100,000, got {n:,}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be ≥ 1, got {chunk_size}")
    used_seed = resolve_seed(scenario, seed)
    cs = compile_scenario(scenario)
    months = cs.months
    gens = replication_generators(used_seed, n)
    parts: list[Monthly] = []
    hours: list[F64] = []
    overrun: list[F64] = []
    for lo in range(0, n, chunk_size):
        raw = run_chunk(cs, gens[lo : lo + chunk_size])
        parts.append(monthly_figures(raw, months))
        hours.append(raw.hours)
        overrun.append(raw.overrun)
        del raw
    return _projection(scenario, used_seed, months, parts, np.concatenate(hours), np.concatenate(overrun))


def _projection(
    scenario: Scenario,
    seed: int,
    months: Months,
    parts: list[Monthly],
    hours: F64,
    overrun: F64,
) -> Projection:
    def cat(name: str) -> I64:
        return np.concatenate([getattr(p, name) for p in parts])

    in_post = {
        role: hours_in_post_by_month(scenario, role, months)
        for role in ("case_officer", "educational_psychologist")
    }
    return Projection(
        scenario=scenario,
        seed=seed,
        months=months,
        start_open=cat("start_open"),
        open=cat("open"),
        over_20_weeks=cat("over_20_weeks"),
        over_30_weeks=cat("over_30_weeks"),
        over_50_weeks=cat("over_50_weeks"),
        received=cat("received"),
        plans_issued=cat("plans_issued"),
        issued_within_20_weeks=cat("issued_within_20_weeks"),
        left_without_plan=cat("left_without_plan"),
        days_to_issue=cat("days_to_issue"),
        hours_worked={
            "case_officer": hours[:, CO],
            "educational_psychologist": hours[:, EP],
        },
        hours_available={
            "case_officer": in_post["case_officer"][None, :] + overrun[:, CO],
            "educational_psychologist": in_post["educational_psychologist"][None, :]
            + overrun[:, EP],
        },
        cost=cost_by_month(scenario, months),
    )


__all__ = [
    "Compiled",
    "Draw",
    "RawChunk",
    "compile_scenario",
    "draw_replication",
    "monthly_figures",
    "replication_generators",
    "resolve_seed",
    "run_chunk",
    "simulate",
    "simulate_raw",
]


