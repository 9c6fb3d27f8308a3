"""The engine's inputs: a scenario compiled to numbers, and each replication's random draws.

docs/domain/planner-model.md, "The model": requests arrive week by week (Poisson, uniform within
the week),
draw their fates on arrival, and each task's effort and each advice's delay is lognormal.  The
engine draws *all* of a replication's randomness before simulating it, from the replication's
own PCG64 stream (``SeedSequence(seed).spawn``), so a replication's results depend only on the
seed and its number — not on how replications are grouped into chunks.  Drawing an effort when
the request arrives rather than when its task is taken changes nothing: the draws are
independent of everything else.

Longer than 500 lines on purpose: the scenario compiled to arrays and each replication's random
draws are read together by the kernel and the lock-step, and must stay in step; the starting
state's draws are the part that could move out next.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ehcflow.planner.scenario import EP_ADVICE, STEPS, Distribution, Scenario
from ehcflow.planner.timeline import Months, months_of, post_window, weekly_rates

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]

INF = np.inf
CO, EP = 0, 1
ROLE_INDEX = {"case_officer": CO, "educational_psychologist": EP}
SERVES_ALL, SERVES_OVERDUE, SERVES_IN_TIME = 0, 1, 2
SERVES_INDEX = {"all": SERVES_ALL, "overdue": SERVES_OVERDUE, "in_time": SERVES_IN_TIME}
#: Task stages of a request: decision (CO), EP advice (EP), draft (CO), final (CO).
DECISION, EP_TASK, DRAFT, FINAL = 0, 1, 2, 3
STEP_CODE = {s: k for k, s in enumerate(STEPS)}


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


@dataclass(frozen=True)
class Group:
    """A staff group as numbers: times in days from the start, hours per day."""

    role: int
    serves: int
    count: int
    start: float
    end: float
    hours_per_day: float
    ramp_from: float
    ramp_slope: float  # productivity gained per day of the ramp
    ramp_origin: float


@dataclass(frozen=True)
class Compiled:
    """A scenario turned into the numbers the engine uses."""

    scenario: Scenario
    months: Months
    horizon: float
    week_rates: F64
    groups: tuple[Group, ...]
    #: start-state requests counted by band: step code and the inclusive range of ages in days
    band_step: I64
    band_lo: I64
    band_hi: I64
    #: explicit open requests (register or casework)
    explicit_age: I64
    explicit_step: I64
    explicit_ep_in: Bool
    explicit_advice_in: Bool  # (n_explicit, n_advice)
    explicit_comment_end: F64  # NaN: the comment period ends uniformly within comment_days
    #: days from the start to an explicit request's decision (≤ 0; NaN: not known)
    explicit_decision: F64 | None = None
    #: days from the start to an explicit drafted request's draft (≤ 0; NaN: not known)
    explicit_draft: F64 | None = None
    #: days from the start to the last advice in of an explicit request awaiting its draft
    #: (≤ 0; NaN: not known)
    explicit_advice_done: F64 | None = None

    @property
    def n_start(self) -> int:
        return len(self.band_step) + len(self.explicit_age)

    @property
    def elapsed_delays(self) -> bool:
        """The scenario uses the elapsed delays (decision, drafting), the pace's uncertainty
        or decision dates of open requests; each costs extra draws, so a scenario without
        them draws exactly as before and repeats its old results."""
        sc = self.scenario
        return (sc.work.decision_days is not None or sc.work.draft_days is not None
                or sc.work.final_days is not None or sc.delay_uncertainty > 0
                or sc.advice_correlation > 0
                or (self.explicit_decision is not None
                    and bool(np.isfinite(self.explicit_decision).any())))


def compile_scenario(scenario: Scenario) -> Compiled:
    months = months_of(scenario.start, scenario.months)
    groups: list[Group] = []
    for g in scenario.staff:
        if g.count == 0:
            continue
        w = post_window(g, scenario.start)
        if g.ramp_weeks > 0 and g.ramp_from < 1.0:
            rf, slope = g.ramp_from, (1.0 - g.ramp_from) / (7.0 * g.ramp_weeks)
        else:
            rf, slope = 1.0, 0.0
        groups.append(
            Group(
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
    band_step: list[int] = []
    band_lo: list[int] = []
    band_hi: list[int] = []
    for s in STEPS:
        for b in st.bands(s):
            lo, hi = b.age_days
            band_step += [STEP_CODE[s]] * b.count
            band_lo += [lo] * b.count
            band_hi += [hi] * b.count
    reqs = st.requests
    names = [a.name for a in scenario.advice]
    comment_end = np.full(len(reqs), np.nan)
    decided = np.array([np.nan if q.decision_date is None or q.step != "in_assessment"
                        else min(0.0, float((q.decision_date - scenario.start).days))
                        for q in reqs], np.float64)
    drafted = np.array([np.nan if q.draft_date is None
                        or q.step not in ("in_comment", "awaiting_final")
                        else min(0.0, float((q.draft_date - scenario.start).days))
                        for q in reqs], np.float64)
    advice_done = np.array([np.nan if q.advice_done_date is None
                            or q.step != "awaiting_draft"
                            else min(0.0, float((q.advice_done_date - scenario.start).days))
                            for q in reqs], np.float64)
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
        band_step=np.array(band_step, np.int64),
        band_lo=np.array(band_lo, np.int64),
        band_hi=np.array(band_hi, np.int64),
        explicit_age=np.array([(scenario.start - q.request_date).days for q in reqs], np.int64),
        explicit_step=np.array([STEP_CODE[q.step] for q in reqs], np.int64),
        explicit_ep_in=np.array([EP_ADVICE in q.advice_in for q in reqs], bool),
        explicit_advice_in=np.array(
            [[n in q.advice_in for n in names] for q in reqs], bool
        ).reshape(len(reqs), len(names)),
        explicit_comment_end=comment_end,
        explicit_decision=decided,
        explicit_draft=drafted,
        explicit_advice_done=advice_done,
    )


@dataclass
class ChunkInputs:
    """A chunk's requests, one row per replication, in order of request time (padded with inf).

    Each request's first task is given by ``stage``, ``role`` and ``ready`` (∞ = none); ``exit``
    is already set for a request that leaves without any task (in assessment at the start with
    its EP advice in and no plan).  ``adv`` is the wait for all needed external advice: relative
    to the decision for requests still to be decided, absolute for those in assessment at the
    start.
    """

    r: F64
    valid: Bool
    is_start: Bool
    stage: npt.NDArray[np.int8]
    role: npt.NDArray[np.int8]
    ready: F64
    exit: F64
    assessed: Bool
    plan: Bool
    effort: F64  # (R, N, 4): decision, EP, draft, final hours
    adv: F64
    #: When asked for (``draw_chunk(width=…)``): the (R, W, 8) buffer, W ≥ N, whose columns
    #: 1–4 hold the efforts and 5 the advice wait (``effort`` and ``adv`` are views of it), laid
    #: out as the lock-step's per-request records so that it can take the buffer over.
    record: F64 | None = None
    record_block: int = 0
    #: (R, n_start): which start-state request (bands first, then the explicit ones in the
    #: scenario's order) each of the first n_start columns is, for per-request forecasts
    start_order: I64 | None = None


def zeros_aligned(shape: tuple[int, ...]) -> F64:
    """Zeros whose data starts on a 64-byte boundary, so a row of 8 floats is one cache line."""
    n = math.prod(shape)
    buf = np.zeros(n + 8)
    off = (-buf.ctypes.data % 64) // 8
    return buf[off : off + n].reshape(shape)


def _transform(dist: Distribution, z: F64, x: F64 | None) -> F64:
    """Draws of ``dist`` from standard normals ``z`` (or standard exponentials ``x``)."""
    if dist.kind == "exponential":
        assert x is not None
        return dist.mean * x
    if dist.sigma == 0.0:
        return np.full(z.shape, float(dist.median))
    return np.asarray(dist.median * np.exp(dist.sigma * z))


_NORMAL = statistics.NormalDist()
_cdf = np.frompyfunc(_NORMAL.cdf, 1, 1)
_inv_cdf = np.frompyfunc(_NORMAL.inv_cdf, 1, 1)


def truncated(dist: Distribution, z: F64, scale: float, above: F64) -> F64:
    """Draws of ``scale × dist`` conditioned on exceeding ``above`` (days already gone), from
    standard normals ``z`` by the inverse CDF: advice not in after ``above`` days is known to
    take longer (docs/domain/planner-model.md, "Starting state").  ``above`` ≤ 0 leaves a draw as
    it is (only the entries with time gone pay for the normal CDF and its inverse)."""
    if dist.kind == "exponential":  # memoryless: what is left is a fresh draw
        fresh = scale * dist.mean * -np.log1p(-np.asarray(_cdf(z), np.float64).clip(0, 1 - 1e-12))
        return np.where(above > 0, above + fresh, fresh)
    out = scale * _transform(dist, z, None)
    pos = np.flatnonzero(above > 0)
    if pos.size == 0:
        return out
    gone = above[pos]
    if dist.sigma == 0.0:
        out[pos] = np.maximum(out[pos], gone)
        return out
    zp = z[pos]
    z0 = np.log(gone / (scale * dist.median)) / dist.sigma
    short = zp < z0  # only a draw that would already be in needs redrawing beyond the time gone
    if short.any():
        lo = np.asarray(_cdf(z0[short]), np.float64)
        u = np.asarray(_cdf(zp[short]), np.float64)
        q = (lo + u * (1.0 - lo)).clip(1e-12, 1 - 1e-12)
        zt = np.asarray(_inv_cdf(q), np.float64)
        redrawn = out[pos]
        redrawn[short] = scale * dist.median * np.exp(dist.sigma * zt)
        out[pos] = np.maximum(redrawn, gone)
    return out


def _officer_rate(cs: Compiled) -> float:
    """The fastest case officers' hours a day (0: no officers)."""
    return max((g.hours_per_day for g in cs.groups if g.role == CO), default=0.0)


def _task_days(cs: Compiled, rate: float) -> F64:
    """The mean calendar days of each case-officer task (decision, EP advice: 0, draft,
    final) at the fastest officers' hours a day: the time the estimate takes out of each
    observed elapsed delay (planning.estimate._net_of_tasks)."""
    w = cs.scenario.work
    if rate <= 0:
        return np.zeros(4)
    return np.array([w.decision_hours.mean / rate, 0.0, w.draft_hours.mean / rate,
                     w.final_hours.mean / rate])


def _part_done(effort: F64, head_days: F64, rate: float, where: Bool) -> None:
    """Take out of `effort` (in place, where `where`) the hours an officer at `rate` hours a
    day has already worked in `head_days` on it, leaving at least a tenth."""
    if rate <= 0 or not where.any():
        return
    left = np.maximum(effort - np.maximum(head_days, 0.0) * rate, 0.1 * effort)
    effort[where] = left[where]


def draw_chunk(
    cs: Compiled,
    generators: list[np.random.Generator],
    *,
    width: Callable[[int], tuple[int, int]] | None = None,
) -> ChunkInputs:
    """Draw every replication's randomness (one generator each) and lay it out as a chunk.

    Per replication, in this order: the ages of the start-state requests counted by band
    (uniform whole days in the band), a uniform time within each start request's date (so no
    two requests tie), Poisson(λ_k) arrivals per week with uniform times within the week, then
    per request two uniforms for its fates, one per advice for whether it is needed, one for the
    end of a comment period, and standard normals (exponentials) for the four efforts and the
    advice delays.

    The draws are turned into fates, efforts and advice waits one replication at a time, so the
    chunk never holds all the raw uniforms and normals at once (that was most of a chunk's peak
    memory); the result does not depend on it.  ``width(n)`` (the lock-step's padded width and
    block size for n requests) asks for the efforts and advice waits to be written straight into
    the lock-step's record layout (``ChunkInputs.record``).
    """
    sc = cs.scenario
    R = len(generators)
    n0 = cs.n_start
    n_band = len(cs.band_step)
    A = len(sc.advice)
    w = sc.work
    d = sc.demand
    dists = [w.decision_hours, w.ep_hours, w.draft_hours, w.final_hours] + [
        a.delay_days for a in sc.advice
    ]
    any_exp = any(dist.kind == "exponential" for dist in dists)
    step_all = np.concatenate([cs.band_step, cs.explicit_step])
    has_explicit = len(cs.explicit_age) > 0
    weeks = np.arange(len(cs.week_rates), dtype=np.float64)

    # Pass 1: what fixes each replication's number of requests (start ages, arrival counts).
    ages0 = np.empty((R, n0))
    ages0[:, n_band:] = cs.explicit_age
    u0 = np.empty((R, n0))
    counts = np.empty((R, len(weeks)), np.int64)
    for k, rng in enumerate(generators):
        ages0[k, :n_band] = rng.integers(cs.band_lo, cs.band_hi + 1)
        u0[k] = rng.random(n0)
        counts[k] = rng.poisson(cs.week_rates)
    # start-state requests in order of request time
    r0 = -ages0 + u0
    order = np.argsort(r0, axis=1, kind="stable")
    n_max = n0 + int(counts.sum(axis=1).max(initial=0))
    step0 = step_all[order].astype(np.int8)  # the step each start request has reached
    # index into the explicit requests (-1: counted by band)
    xi0 = np.where(order >= n_band, order - n_band, -1) if has_explicit else None

    r = np.full((R, n_max), INF)
    r[:, :n0] = np.take_along_axis(r0, order, axis=1)
    assessed = np.zeros((R, n_max), bool)
    plan = np.zeros((R, n_max), bool)
    W, block = width(n_max) if width is not None else (n_max, 0)
    record = zeros_aligned((R, W, 8))
    effort = record[:, :n_max, 1:5]
    adv = record[:, :n_max, 5]
    u_comment = np.zeros((R, n0))
    lengths = np.empty(R, np.int64)
    extended = cs.elapsed_delays
    rho = sc.advice_correlation
    wait_decision = np.zeros((R, n_max)) if extended else None
    dec0 = None
    final0 = None  # days from the draft to the final's task, for drafted start requests
    draft0 = None
    if extended and xi0 is not None and cs.explicit_draft is not None \
            and w.final_days is not None:
        draft0 = np.full((R, n0), np.nan)
        ex_all = xi0 >= 0
        draft0[ex_all] = cs.explicit_draft[xi0[ex_all]]
        final0 = np.full((R, n0), np.nan)
    if extended and xi0 is not None and cs.explicit_decision is not None:
        dec0 = np.full((R, n0), np.nan)  # decision offsets of start requests in assessment
        ex_all = xi0 >= 0
        dec0[ex_all] = cs.explicit_decision[xi0[ex_all]]
    new_step = np.zeros(n_max - n0, np.int8)
    # An elapsed delay observed in the records runs to the end of the officer's own task
    # (the decision, the draft, the final), and the model adds that task after it (as the
    # estimate takes it out: planning.estimate._net_of_tasks).  So a request that has waited
    # t days is known to have a delay beyond t less the task's time, not beyond t: conditioned
    # on t alone, it would finish at least a task's time late.
    # For the same reason, when the delay drawn ends before now, the officer's task was under
    # way on the start date: only the part of it not yet done is left (never under a tenth).
    rate = _officer_rate(cs)
    task = _task_days(cs, rate)
    # awaiting the draft with the last advice's date known: the drafting delay from it is
    # still running, and known to take longer than the days already gone
    done0 = None
    draft_wait0 = None
    if extended and xi0 is not None and w.draft_days is not None \
            and cs.explicit_advice_done is not None \
            and bool(np.isfinite(cs.explicit_advice_done).any()):
        done0 = np.full((R, n0), np.nan)
        ex_all = xi0 >= 0
        done0[ex_all] = cs.explicit_advice_done[xi0[ex_all]]
        draft_wait0 = np.full((R, n0), np.nan)

    # Pass 2: each replication's arrivals and per-request draws, turned into fates at once.
    for k, rng in enumerate(generators):
        c = counts[k]
        t = 7.0 * np.repeat(weeks, c) + 7.0 * rng.random(int(c.sum()))
        t = np.sort(t[t < cs.horizon])
        n = n0 + len(t)
        lengths[k] = n
        r[k, n0:n] = t
        U = rng.random((3 + A, n))
        Z = rng.standard_normal((4 + A, n))
        X = rng.standard_exponential((4 + A, n)) if any_exp else None
        # the elapsed delays and the pace's uncertainty draw after everything else
        E = rng.standard_normal((4, n)) if extended else None
        f = math.exp(sc.delay_uncertainty * rng.standard_normal()) if extended else 1.0
        since = np.zeros(n)  # days since the decision of a start request in assessment
        if dec0 is not None:
            d_k = dec0[k]
            has_d = np.isfinite(d_k)
            since[:n0][has_d] = -d_k[has_d]
        st = np.concatenate([step0[k], new_step[: n - n0]])
        a_k = np.where(st == 0, U[0] < d.assess_rate, True)
        assessed[k, :n] = a_k
        plan[k, :n] = np.where(st <= 1, U[1] < d.plan_rate, True) & a_k
        e_k = effort[k, :n]
        for s in range(4):
            e_k[:, s] = _transform(dists[s], Z[s], None if X is None else X[s])
        a_max = adv[k, :n]
        for a_idx, a in enumerate(sc.advice):
            need = U[2 + a_idx] < a.probability
            if xi0 is not None:
                x_k = xi0[k]
                ex_k = np.flatnonzero(x_k >= 0)
                need[ex_k] &= ~cs.explicit_advice_in[x_k[ex_k], a_idx]
            delay = _transform(a.delay_days, Z[4 + a_idx], None if X is None else X[4 + a_idx])
            if extended:
                z_a = Z[4 + a_idx]
                if rho > 0 and E is not None:  # advice of one request moves together
                    z_a = rho * E[3] + math.sqrt(1.0 - rho * rho) * z_a
                    delay = _transform(a.delay_days, z_a, None if X is None else X[4 + a_idx])
                delay = truncated(a.delay_days, z_a, f, since) if since.any() else f * delay
            np.maximum(a_max, np.where(need, delay, 0.0), out=a_max)
        u_comment[k] = U[2 + A, :n0]
        if E is not None and wait_decision is not None:
            if dec0 is not None:
                # in assessment at the start: the advice still awaited runs from the decision
                # (so from the start, less the days gone); drafting follows the last of it
                has_d = np.isfinite(dec0[k])
                a0 = a_max[:n0]
                a0[has_d] = np.maximum(0.0, a0[has_d] - since[:n0][has_d])
            # the time from a new draft to its final: the model waits the constant
            # comment_days after the draft; with final_days given, each request's own draw of
            # it is taken instead, its difference from comment_days carried by the drafting
            # delay (what the model reports, the final plan's day and whether a request is
            # open, depends only on their sum).  E[2] is otherwise drawn only for requests
            # already drafted at the start, whose final is drawn beyond the days gone.
            spread = None
            if w.final_days is not None and w.draft_days is not None:
                spread = f * _transform(w.final_days, E[2], None) - w.comment_days
                spread[:n0][st[:n0] >= 3] = 0.0
            if w.draft_days is not None:
                a_max += f * _transform(w.draft_days, E[1], None)
                if spread is not None:
                    a_max += spread
                if done0 is not None and draft_wait0 is not None:
                    has_a = np.isfinite(done0[k])
                    gone_a = np.where(has_a, -np.nan_to_num(done0[k]), 0.0)
                    wait_a = truncated(w.draft_days, E[1, :n0], f,
                                   np.maximum(0.0, gone_a - task[DRAFT])) - gone_a
                    _part_done(e_k[:n0, DRAFT], -wait_a, rate, has_a & (st[:n0] == DRAFT))
                    if spread is not None:
                        wait_a += spread[:n0]
                    draft_wait0[k] = np.where(has_a, np.maximum(0.0, wait_a), np.nan)
            if draft0 is not None and final0 is not None and w.final_days is not None:
                has_f = np.isfinite(draft0[k])
                gone = np.where(has_f, -np.nan_to_num(draft0[k]), 0.0)
                wait_f = truncated(w.final_days, E[2, :n0], f,
                                   np.maximum(0.0, gone - task[FINAL]))
                final0[k] = np.where(has_f, np.maximum(0.0, wait_f - gone), np.nan)
                _part_done(e_k[:n0, FINAL], gone - wait_f, rate,
                           has_f & (st[:n0] == STEP_CODE["awaiting_final"]))
            if w.decision_days is not None:
                ages = np.zeros(n)
                ages[:n0] = -r[k, :n0]
                waiting = np.where(st == 0, ages, 0.0)
                wait_decision[k, :n] = truncated(w.decision_days, E[0], f,
                                                 np.maximum(0.0, waiting - task[DECISION]))
                _part_done(e_k[:n0, DECISION], waiting[:n0] - wait_decision[k, :n0], rate,
                           st[:n0] == 0)

    N = int(lengths.max(initial=n0))
    r, assessed, plan = r[:, :N], assessed[:, :N], plan[:, :N]
    effort, adv = effort[:, :N], adv[:, :N]
    valid = np.isfinite(r)
    is_start = np.zeros((R, N), bool)
    is_start[:, :n0] = True

    # first tasks (docs/domain/planner-model.md, "Starting state"): new requests await their
    # decision
    stage = np.zeros((R, N), np.int8)
    role = np.zeros((R, N), np.int8)
    ready = r.copy()
    if wait_decision is not None:
        # the decision joins the queue once its elapsed delay has passed (never before now)
        ready = np.maximum(ready + wait_decision[:, :N], 0.0)
        ready[~valid] = INF
    ready[:, :n0] = np.where(step0 == 0, ready[:, :n0], 0.0) if wait_decision is not None \
        else 0.0
    # exits known at the start: only requests in a register can have one (see below)
    ex: F64 = np.broadcast_to(np.float64(INF), (R, N))
    stage[:, :n0] = np.minimum(step0, FINAL)  # awaiting decision, assessment, draft, final
    role[:, :n0] = step0 == 1
    if draft_wait0 is not None:
        waits = (step0 == DRAFT) & np.isfinite(draft_wait0)
        ready[:, :n0][waits] = draft_wait0[waits]
    in_comment = step0 == 3
    ready[:, :n0][in_comment] = u_comment[in_comment] * w.comment_days
    if xi0 is not None and (xi0 >= 0).any():
        explicit = xi0 >= 0
        xs = xi0[explicit]
        ce = np.full((R, n0), np.nan)
        ce[explicit] = cs.explicit_comment_end[xs]
        known = in_comment & ~np.isnan(ce)
        ready[:, :n0][known] = ce[known]
        if final0 is not None:
            # drafted at the start with the draft's date known: the final is ready after the
            # elapsed time from the draft, beyond the days already gone
            fin = np.isfinite(final0) & (step0 >= 3)
            ready[:, :n0][fin] = final0[fin]
        # EP advice already in: the request waits only for its external advice
        ep_in = np.zeros((R, n0), bool)
        ep_in[explicit] = cs.explicit_ep_in[xs]
        ep_in &= step0 == 1
        plan0, adv0 = plan[:, :n0], adv[:, :n0]
        to_draft = ep_in & plan0
        stage[:, :n0][to_draft] = DRAFT
        role[:, :n0][to_draft] = CO
        ready[:, :n0][to_draft] = adv0[to_draft]
        gone = ep_in & ~plan0
        ready[:, :n0][gone] = INF
        if gone.any():
            ex = np.full((R, N), INF)
            ex[:, :n0][gone] = adv0[gone]
    return ChunkInputs(
        r=r,
        valid=valid,
        is_start=is_start,
        stage=stage,
        role=role,
        ready=ready,
        exit=ex,
        assessed=assessed,
        plan=plan,
        effort=effort,
        adv=adv,
        record=record if width is not None else None,
        record_block=block,
        start_order=order,
    )
