"""The compiled event kernel: one replication at a time, one assignment after another.

docs/domain/planner-model.md, "The model".  It simulates exactly what the lock-step
(``lockstep.py``)
simulates, from the same prepared arrays, and leaves the same per-request records behind, so
``Lockstep.raw()`` reads its results and every figure is the same to the bit (a test feeds
both the same draws).  Decision 0007 records why it exists: the lock-step is pure NumPy but
makes some sixty array calls per assignment, and 1,000 replications of report 000's
scenario (about 7,200 assignments each) took 3–4 s on the 2-core machines against a target of
2 s.  Here an assignment takes about a fifth of a microsecond.

The code is plain Python over NumPy arrays; Numba compiles it on first use and caches the
machine code beside this file (``cache=True``), so later processes load it in milliseconds.
Without Numba (``AVAILABLE`` is False) the engine runs the lock-step instead.

The same three observations as the lock-step make it cheap (``engine.py`` has them):
assignments are the only events; each role's queue is a row of ready times indexed by request
age (oldest first = lowest index), cut into blocks with per-block minima; and a staff group's
next action is max(its earliest-free person, the earliest task it may take).  Here the minima
are kept exact for each kind of group: ready (``serves = "all"``), ready *and* overdue
(max(ready, overdue time), ``"overdue"``) and ready while not yet overdue (``"in_time"``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ehcflow.planner.inputs import CO, DECISION, DRAFT, EP_TASK, SERVES_IN_TIME, SERVES_OVERDUE

_numba: Any
try:  # Numba is a dependency; the lock-step covers a platform it does not support
    import numba as _numba
except ImportError:  # pragma: no cover - exercised only where Numba cannot be installed
    _numba = None

AVAILABLE = _numba is not None

INF = math.inf
#: Columns of a request's record (as the lock-step's): stage, four signed efforts, advice
#: wait, overdue time.
_STAGE, _ADV, _OD = 0, 5, 6


def _jit[F: Callable[..., Any]](fn: F) -> F:
    if _numba is None:  # pragma: no cover
        return fn
    compiled: F = _numba.njit(cache=True, nogil=True, error_model="numpy")(fn)
    return compiled


# --------------------------------------------------------------------------- one role's queue
#
# q: role (0 case officers, 1 EPs); rd[q, i]: ready time of request i's task (∞: none).
# Three keys per task, each with exact minima per leaf of L tasks (lv[q, k, b]), per group of
# S leaves (sv[q, k, s]) and per queue (top[q, k]): k = 0 the ready time (``serves = "all"``),
# 1 max(ready, overdue time) (``"overdue"``), 2 the ready time while not overdue (``"in_time"``).
# first[q]: no leaf before it holds a task.  Three levels keep every rescan short (L, S and the
# number of groups are each about the cube root of the queue's length).

L = 16
S = 16


@_jit
def _leaf(rd: Any, od: Any, q: int, b: int, lv: Any) -> None:
    m0 = INF
    m1 = INF
    m2 = INF
    for i in range(b * L, min(b * L + L, od.shape[0])):
        v = rd[q, i]
        w = od[i]
        m0 = min(m0, v)
        m1 = min(m1, max(v, w))
        if v < w:
            m2 = min(m2, v)
    lv[q, 0, b] = m0
    lv[q, 1, b] = m1
    lv[q, 2, b] = m2


@_jit
def _group(q: int, s: int, lv: Any, sv: Any) -> None:
    hi = min(s * S + S, lv.shape[2])
    for k in range(3):
        m = INF
        for b in range(s * S, hi):
            m = min(m, lv[q, k, b])
        sv[q, k, s] = m


@_jit
def _top(q: int, sv: Any, top: Any) -> None:
    for k in range(3):
        m = INF
        for s in range(sv.shape[2]):
            m = min(m, sv[q, k, s])
        top[q, k] = m


@_jit
def _set_ready(
    rd: Any, od: Any, q: int, i: int, v: float, lv: Any, sv: Any, top: Any, first: Any
) -> None:
    """Request i's task in queue q becomes ready at v (∞: it has none), minima kept exact."""
    old = rd[q, i]
    if v == old:
        return
    rd[q, i] = v
    b = i // L
    s = b // S
    o = od[i]
    if v < old:  # only ever lowers the minima
        x1 = max(v, o)
        x2 = v if v < o else INF
        for k in range(3):
            x = v if k == 0 else (x1 if k == 1 else x2)
            if x < lv[q, k, b]:
                lv[q, k, b] = x
                if x < sv[q, k, s]:
                    sv[q, k, s] = x
                    if x < top[q, k]:
                        top[q, k] = x
        if b < first[q]:
            first[q] = b
        return
    # raised (a task taken): a minimum it held must be found again
    o1 = max(old, o)
    o2 = old if old < o else INF
    if old == lv[q, 0, b] or o1 == lv[q, 1, b] or o2 == lv[q, 2, b]:
        l0, l1, l2 = lv[q, 0, b], lv[q, 1, b], lv[q, 2, b]
        _leaf(rd, od, q, b, lv)
        if (
            (l0 == sv[q, 0, s] and lv[q, 0, b] != l0)
            or (l1 == sv[q, 1, s] and lv[q, 1, b] != l1)
            or (l2 == sv[q, 2, s] and lv[q, 2, b] != l2)
        ):
            g0, g1, g2 = sv[q, 0, s], sv[q, 1, s], sv[q, 2, s]
            _group(q, s, lv, sv)
            if (
                (g0 == top[q, 0] and sv[q, 0, s] != g0)
                or (g1 == top[q, 1] and sv[q, 1, s] != g1)
                or (g2 == top[q, 2] and sv[q, 2, s] != g2)
            ):
                _top(q, sv, top)


@_jit
def _first_ready(rd: Any, q: int, t: float, lo: int, hi: int, lv: Any, sv: Any) -> int:
    """The lowest index in [lo, hi) whose task is ready by t, or -1."""
    b = lo // L
    nb = (hi + L - 1) // L
    while b < nb:
        if b % S == 0 and b + S <= nb and sv[q, 0, b // S] > t:
            b += S  # a whole group of leaves with nothing ready
            continue
        if lv[q, 0, b] <= t:
            for i in range(max(lo, b * L), min(hi, b * L + L)):
                if rd[q, i] <= t:
                    return i
        b += 1
    return -1


@_jit
def _last_ready(rd: Any, q: int, t: float, lo: int, hi: int, lv: Any, sv: Any) -> int:
    """The highest index in [lo, hi) whose task is ready by t, or -1."""
    if lo >= hi:
        return -1
    b = (hi - 1) // L
    fb = lo // L
    while b >= fb:
        if b % S == S - 1 and b - S + 1 >= fb and sv[q, 0, b // S] > t:
            b -= S
            continue
        if lv[q, 0, b] <= t:
            for i in range(min(hi, b * L + L) - 1, max(lo, b * L) - 1, -1):
                if rd[q, i] <= t:
                    return i
        b -= 1
    return -1


@_jit
def _overdue_count(od: Any, t: float) -> int:
    """How many requests are over 20 weeks at t (a prefix: ``od`` is in request order)."""
    return int(np.searchsorted(od, t, side="right"))


@_jit
def _next_in_time(rd: Any, od: Any, q: int, f: float, T: float, lv: Any, sv: Any) -> float:
    """Earliest time ≥ f at which a task of queue q is ready and its request not overdue."""
    n = od.shape[0]
    thr = _overdue_count(od, f if f < INF else T)
    if thr >= n:
        return INF
    best = INF
    b = thr // L
    for i in range(thr, min(n, b * L + L)):
        v = rd[q, i]
        if v < od[i]:
            best = min(best, v)
    b += 1
    nb = lv.shape[2]
    while b < nb:
        if b % S == 0:
            best = min(best, sv[q, 2, b // S])
            b += S
        else:
            best = min(best, lv[q, 2, b])
            b += 1
    return f if f > best else best


# --------------------------------------------------------------------------- one replication


@_jit
def _replication(
    rec: Any, rd: Any, free: Any, counts: Any, gtab: Any, role_g: Any, serves_g: Any,
    after: Any, T: float, oldest: bool, has_it: bool,
    of_day: Any, mo_start: Any, mo_end: Any, hours: Any, overrun: Any, dstart: Any,
    record_dstart: bool,
) -> None:
    N = rd.shape[1]
    NB = (N + L - 1) // L
    NS = (NB + S - 1) // S
    G = gtab.shape[0]
    M1 = mo_end.shape[0]
    od = np.empty(N)
    for i in range(N):
        od[i] = rec[i, _OD]
    lv = np.empty((2, 3, NB))
    sv = np.empty((2, 3, NS))
    top = np.empty((2, 3))
    first = np.zeros(2, np.int64)
    for q in range(2):
        for b in range(NB):
            _leaf(rd, od, q, b, lv)
        for s in range(NS):
            _group(q, s, lv, sv)
        _top(q, sv, top)
    F = np.empty(G)
    who = np.zeros(G, np.int64)
    for g in range(G):
        F[g] = INF
        for p in range(counts[g]):
            if free[g, p] < F[g]:
                F[g] = free[g, p]
                who[g] = p
    while True:
        # the next assignment: the group that can act first (ties: first in the file)
        t = INF
        g = -1
        for k in range(G):
            q = role_g[k]
            serves = serves_g[k]
            if serves == SERVES_OVERDUE:
                e = max(F[k], top[q, 1])
            elif serves == SERVES_IN_TIME:
                e = _next_in_time(rd, od, q, F[k], T, lv, sv)
            else:
                e = max(F[k], top[q, 0])
            if e >= gtab[k, 1]:  # at or after the end of the group's posts
                continue
            if e < t:
                t = e
                g = k
        if not t < T:
            break
        q = role_g[g]
        serves = serves_g[g]
        # the task: oldest (or newest) ready one the group may take
        lo, hi = 0, N
        if serves == SERVES_OVERDUE:
            hi = _overdue_count(od, t)
        elif serves == SERVES_IN_TIME:
            lo = _overdue_count(od, t)
        if oldest:
            lo = max(lo, first[q] * L)
            i = _first_ready(rd, q, t, lo, hi, lv, sv)
        else:
            i = _last_ready(rd, q, t, lo, hi, lv, sv)
        if i < 0:
            raise RuntimeError("planner kernel: a group's next time had no task")
        if oldest:
            while first[q] < NB and lv[q, 0, first[q]] == INF:
                first[q] += 1
        # how long it takes: effort ÷ (hours_per_week / 7 × productivity(t))
        s = int(rec[i, _STAGE])
        ev = rec[i, 1 + s]
        prod = gtab[g, 2] + gtab[g, 3] * (t - gtab[g, 4])
        if prod > 1.0:
            prod = 1.0
        hp = gtab[g, 0]
        c = t + abs(ev) / (hp * prod)
        # the person: the first free one in file order if an in_time group could be
        # waiting on them, else the one free earliest (lockstep.py explains)
        p = who[g]
        if has_it:
            for pp in range(counts[g]):
                if free[g, pp] <= t:
                    p = pp
                    break
        free[g, p] = c if c < gtab[g, 1] else INF
        F[g] = INF
        for pp in range(counts[g]):
            if free[g, pp] < F[g]:
                F[g] = free[g, pp]
                who[g] = pp
        if record_dstart and s == DECISION:
            dstart[i] = t
        # hours worked, by month (a task may run into later months), and after a post ends
        ms = of_day[int(t)]
        cell = q * M1
        me = mo_end[ms]
        hours[cell + ms] += hp * ((c if c < me else me) - t)
        m = ms + 1
        while m < M1 and c > mo_end[m - 1]:
            hours[cell + m] += hp * ((c if c < mo_end[m] else mo_end[m]) - mo_start[m])
            m += 1
        eg = gtab[g, 1]
        if c > eg:
            lo_t = t if t > eg else eg
            for m in range(M1 - 1):
                a0, a1 = mo_start[m], mo_end[m]
                hi_c = a0 if c < a0 else (a1 if c > a1 else c)
                lo_c = a0 if lo_t < a0 else (a1 if lo_t > a1 else lo_t)
                overrun[cell + m] += hp * (hi_c - lo_c)
        # what happens to the request next (docs/domain/planner-model.md, "Path of a request")
        a = rec[i, _ADV]
        adv = c + a if s == DECISION else a
        x = max(c, adv) if s == EP_TASK else c + after[s]
        xg = INF if math.copysign(1.0, ev) < 0.0 else x
        rec[i, _STAGE] = s + 1
        rec[i, _ADV] = adv
        rec[i, 1 + s] = math.copysign(c, ev)
        if s >= DRAFT:  # after a draft the final joins the same queue in its place
            _set_ready(rd, od, q, i, xg, lv, sv, top, first)
        else:  # after a decision the EP's queue, after the EP advice the officers'
            _set_ready(rd, od, q, i, INF, lv, sv, top, first)
            _set_ready(rd, od, 1 - q, i, xg, lv, sv, top, first)


@_jit
def _chunk(
    rec: Any, ready: Any, free: Any, counts: Any, gtab: Any, role_g: Any, serves_g: Any,
    after: Any, T: float, oldest: bool, has_it: bool,
    of_day: Any, mo_start: Any, mo_end: Any, hours: Any, overrun: Any, dstart: Any,
    record_dstart: bool,
) -> None:
    for k in range(rec.shape[0]):
        _replication(
            rec[k], ready[:, k], free[k], counts, gtab, role_g, serves_g, after, T, oldest,
            has_it, of_day, mo_start, mo_end, hours[k], overrun[k], dstart[k], record_dstart,
        )


def run_chunk(
    rec: np.ndarray, ready: np.ndarray, free: np.ndarray, counts: np.ndarray,
    gtab: np.ndarray, role_g: np.ndarray, serves_g: np.ndarray, after: np.ndarray, T: float,
    oldest: bool, of_day: np.ndarray, mo_start: np.ndarray, mo_end: np.ndarray,
    hours: np.ndarray, overrun: np.ndarray, dstart: np.ndarray | None,
) -> None:
    """Simulate every replication of a chunk in place (shapes as ``Lockstep`` holds them:
    rec (R, N, 8), ready (2, R, N), free (R, G, P), hours and overrun (R, 2·(M + 1)))."""
    R = rec.shape[0]
    has_it = bool((serves_g == SERVES_IN_TIME).any())
    ds = dstart if dstart is not None else np.empty((R, 0))
    _chunk(
        rec, ready, free, counts, gtab, role_g, serves_g, after, float(T), bool(oldest),
        has_it, of_day, mo_start, mo_end, hours, overrun, ds, dstart is not None,
    )


assert CO == 0  # the kernel indexes queues by role: 0 case officers, 1 EPs
