"""The lock-step simulation: all replications of a chunk advance together, one row each.

docs/domain/planner-model.md, "The model".  Why this shape is fast (``engine.py`` has the overview):

1. **Only assignments are events.**  When a person takes a task at time t its end
   c = t + effort ÷ (hours_per_week / 7 × productivity(t)) is known at once, and so is when the
   request's next task becomes ready (the EP task at c after a decision; the draft at
   max(c, all needed advice in) after the EP advice; the final at c + comment_days after the
   draft).  Arrivals, advice, comment periods and completions are therefore ready times stored
   with the next task, not events.  Every new ready time is ≥ the assignment that created it,
   so processing a replication's assignments in time order is exact.
2. **Queues indexed by age.**  Requests are numbered in order of request time, so "oldest
   first" is "smallest index".  A role's queue is one row of ready times indexed by request
   (∞ = no task) cut into blocks of B with per-block minima: the task for a person free at t is
   the first block with minimum ≤ t, then the first entry ≤ t in it.  "Overdue" (older than 20
   weeks when taken: t ≥ floor(request time) + 141) is a prefix of the row, "in time" a suffix.
3. **Group minima.**  A group's people share start, end, hours and ramp, so a group next acts
   at max(its earliest-free person, the earliest time a task it may take is ready).  Ties (people
   free at once) go to the first group in the file.

Per step and replication: the next assignment is the minimum over groups of
max(earliest-free person, earliest ready time of a task the group may take); the task is found
by two short scans; the request's record (stage, efforts, advice wait, …) is one row, so one
gather fetches it.  The earliest ready-and-overdue time (for ``serves = "overdue"`` groups) is
kept as a lower bound and made exact only when it proves stale; the other minima are exact.

A step is some sixty NumPy calls on arrays of one element per replication, so its cost is in
how many calls it makes and how many cache lines it touches, not in arithmetic: every index is
flat, every gather is ``take``, a step writes only into the cache lines it has just read (the
request's record row, the task's block), and the hours worked are logged per step and booked
in batches (in the order the step-by-step booking would add them, so the sums are identical).

Tests check, request by request, that this gives exactly the reference model's results when
both are fed the same random draws.

Longer than 500 lines on purpose: one algorithm whose phases (arrivals, the queues, the people,
the month ends) share the chunk's arrays; split across modules each part would pass a dozen
arrays and the hot loop would be harder to read against docs/domain/planner-model.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ehcflow.planner import kernel
from ehcflow.planner.inputs import (
    CO,
    DECISION,
    DRAFT,
    EP,
    EP_TASK,
    FINAL,
    SERVES_IN_TIME,
    SERVES_OVERDUE,
    ChunkInputs,
    Compiled,
    zeros_aligned,
)
from ehcflow.planner.timeline import DAYS_20_WEEKS

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]
INF = np.inf
#: The time a padding slot would become overdue: beyond any horizon (20 years ≈ 7,305 days).
_PAD_OD = 1.0e5
#: Row offset that lets one searchsorted count, per replication, the requests overdue at t.
_ROW_OFFSET = 1.0e6
#: Steps logged between bookings of the hours worked (bounds the log's memory).
_LOG_STEPS = 512
#: Columns of a request's record (one row of 8 floats, one cache line, so one gather fetches
#: it): stage, the four signed efforts (then ends), advice wait, overdue time, first stage.
_STAGE, _ADV, _OD, _STAGE0 = 0, 5, 6, 7


def _pad[G: np.generic](a: npt.NDArray[G], n: int, fill: object) -> npt.NDArray[G]:
    """``a`` with its second axis padded to length n."""
    if a.shape[1] == n:
        return a.copy()
    shape = (a.shape[0], n, *a.shape[2:])
    out = np.full(shape, fill, dtype=a.dtype)
    out[:, : a.shape[1]] = a
    return out


class _Months:
    """Month boundaries as the lock-step uses them (a last, open-ended month after the horizon)."""

    def __init__(self, cs: Compiled) -> None:
        m = cs.months
        self.M = m.count
        self.end = np.append(m.ends, INF)
        self.start = np.append(m.starts, m.horizon)
        days = math.ceil(cs.horizon) + 1
        #: month index of each whole day (for t < horizon)
        self.of_day = np.searchsorted(m.ends, np.arange(days, dtype=np.float64), side="right")


def _block_size(n: int) -> int:
    # Two scans per assignment: one over n/B block minima, one over B entries.  B ≈ √n
    # balances them; a multiple of 8 keeps rows aligned.
    return int(max(16, min(256, 8 * round(math.sqrt(max(n, 1)) / 8))))


def padded_width(n: int) -> tuple[int, int]:
    """The queue row's width for n requests (whole blocks) and the block size."""
    B = _block_size(n)
    return max(1, -(-n // B)) * B, B


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


class _Index:
    """Index vectors for a set of active replications (rebuilt only when the set changes)."""

    def __init__(self, ls: Lockstep, act: I64) -> None:
        n = act.size
        ar = np.arange(n)
        self.act, self.n = act, n
        self.arB, self.arNB, self.arP, self.arG = ar * ls.B, ar * ls.NB, ar * ls.P, ar * ls.G
        self.ar8p1 = ar * 8 + 1
        self.act4, self.actG = act * 4, act * ls.G


class Lockstep:
    """All replications of a chunk in lock-step; one assignment per replication per step.

    A request's record is ``[stage, e0, e1, e2, e3, advice wait, overdue time, first stage]``.
    Effort ``e_s`` carries in its sign whether the request goes on after its stage-s task
    (+ goes on, − leaves: assessed, plan, always after the draft, never after the final;
    ``signbit``, so that a zero effort works too); once the task is taken its slot holds the
    task's end with the same sign, which is all ``raw()`` needs to give each request's exit and
    plan times.
    """

    def __init__(
        self,
        cs: Compiled,
        ci: ChunkInputs,
        record_decision_start: bool,
        adopt: bool = False,
        compiled: bool = False,
    ) -> None:
        sc = cs.scenario
        R, n_in = ci.r.shape
        if adopt and ci.record is not None and ci.record_block:
            # take over the draws' buffer: efforts and advice waits are already in place
            rec = ci.record
            N, B = rec.shape[1], ci.record_block
            NB = N // B
            fill = False
        else:
            N, B = padded_width(n_in)
            NB = N // B
            rec = zeros_aligned((R, N, 8))
            fill = True
        self.R, self.N, self.B, self.NB = R, N, B, NB
        self.T = cs.horizon
        self.oldest = sc.policy == "oldest_first"
        self.months = _Months(cs)

        gs = cs.groups
        self.G = G = len(gs)
        role_g = np.array([g.role for g in gs], np.int64)
        serves_g = np.array([g.serves for g in gs], np.int64)
        self.role_g, self.serves_g = role_g, serves_g
        #: per group: hours a day, end of post, ramp (from, slope, origin)
        self.gtab = np.array(
            [[g.hours_per_day, g.end, g.ramp_from, g.ramp_slope, g.ramp_origin] for g in gs],
            np.float64,
        ).reshape(G, 5)
        self.is_od_g = serves_g == SERVES_OVERDUE
        self.end_g = np.array([g.end for g in gs], np.float64)
        self.hp_g = np.array([g.hours_per_day for g in gs], np.float64)
        self.k_g = role_g * 2 + self.is_od_g
        #: for a task x ready and ≤ t: max(x, od + od_add) ≤ t iff the group may take it
        self.od_add_g = np.where(self.is_od_g, 0.0, -INF)
        self.it_cols = np.flatnonzero(serves_g == SERVES_IN_TIME)
        self.it_role = role_g[self.it_cols]
        self.has_od = bool(self.is_od_g.any())
        self.has_it = self.it_cols.size > 0

        r = _pad(ci.r, N, INF)
        self.r = r
        self.valid = np.isfinite(r)
        self.is_start = _pad(ci.is_start, N, False)
        # the time each request becomes overdue (over 20 weeks): floor(request time) + 141
        od = np.where(self.valid, r, 0.0)
        np.floor(od, out=od)
        od += DAYS_20_WEEKS + 1
        od[~self.valid] = _PAD_OD
        #: ``run_compiled``: the kernel keeps its own minima, so the lock-step's are not built
        self.compiled = compiled
        self.od_first = np.ascontiguousarray(od.reshape(R, NB, B)[:, :, 0])
        # one queue row per (role, replication), cut into blocks: row (role·R + rep)·NB + b
        ready = np.full((2, R, N), INF)
        np.copyto(ready[CO, :, :n_in], ci.ready, where=ci.role == CO)
        np.copyto(ready[EP, :, :n_in], ci.ready, where=ci.role == EP)
        self.ready = ready.reshape(2 * R * NB, B)
        self.ready_flat = self.ready.reshape(-1)
        if compiled:
            self.bmin = np.empty((0, NB))
        else:
            self.bmin = self.ready.min(axis=1).reshape(2 * R, NB)
        self.bmin_flat = self.bmin.reshape(-1)
        # Earliest ready time per (replication, role): column 2·role exact; column 2·role + 1,
        # the earliest time a task is ready *and* overdue, is a lower bound refreshed when stale.
        rmin = np.full((R, 4), INF)
        if not compiled:
            rmin[:, 0::2] = self.bmin.reshape(2, R, NB).min(axis=2).T
        # per-request record (see the class docstring), filled a few replications at a time
        sl = max(1, 4096 // N)
        for lo in range(0, R, sl):
            hi = min(R, lo + sl)
            rr = rec[lo:hi]
            if fill:
                rr[:, :n_in, 1:5] = ci.effort[lo:hi]
                rr[:, :n_in, _ADV] = ci.adv[lo:hi]
            rr[:, :n_in, _STAGE] = ci.stage[lo:hi]
            rr[:, :, _STAGE0] = rr[:, :, _STAGE]
            # the sign of e_s: does the request go on after its stage-s task?
            e = rr[:, :n_in, 1 + DECISION]
            np.negative(e, out=e, where=~ci.assessed[lo:hi])
            e = rr[:, :n_in, 1 + EP_TASK]
            np.negative(e, out=e, where=~ci.plan[lo:hi])
            e = rr[:, :, 1 + FINAL]
            np.negative(e, out=e)
            rr[:, :, _OD] = od[lo:hi]
            for role in () if compiled else (CO, EP):
                rmin[lo:hi, 2 * role + 1] = np.maximum(ready[role, lo:hi], od[lo:hi]).min(axis=1)
        if self.has_it and not compiled:
            self.od_rows = od.reshape(R * NB, B).copy()
            od3 = np.broadcast_to(self.od_rows, (2, R * NB, B)).reshape(2 * R * NB, B)
            it = np.where(self.ready < od3, self.ready, INF)
            self.bmin_it = it.min(axis=1).reshape(2 * R, NB)
            self.bmin_it_flat = self.bmin_it.reshape(-1)
        # the overdue times with a row offset, so one searchsorted counts them per replication
        od += _ROW_OFFSET * np.arange(R)[:, None]
        self.od_global = od.reshape(-1)
        self.rec = rec.reshape(R * N, 8)
        self.rec_flat = self.rec.reshape(-1)
        self.rmin = rmin
        self.rmin_flat = rmin.reshape(-1)
        del ready
        # exits already known at the start (no task left: EP advice in and no plan)
        gone0 = np.isfinite(ci.exit)
        self.exit0: F64 | None = _pad(ci.exit, N, INF).reshape(-1) if gone0.any() else None
        self.decision_start = np.full(R * N, np.nan) if record_decision_start else None

        # per-group offsets into the flat arrays (queue rows, record rows, minima)
        self.roleR_g = role_g * R
        self.roleRN_g = role_g * (R * N)
        flip = 1 - 2 * role_g  # +1 from the officers' queue to the EPs', −1 back
        self.flipRN_g = flip * (R * N)
        self.flipRNB_g = flip * (R * NB)
        self.kr_g = 2 * role_g
        self.flip2_g = 2 * flip
        P = max((g.count for g in gs), default=1)
        self.P = P
        self.counts = np.array([g.count for g in gs], np.int64)
        free = np.full((R, max(G, 1), P), INF)
        for k, g in enumerate(gs):
            free[:, k, : g.count] = g.start if g.start < g.end else INF
        self.F = np.ascontiguousarray(free.min(axis=2)[:, :G])
        self.F_flat = self.F.reshape(-1)
        self.free = np.ascontiguousarray(free[:, :G]).reshape(R * G, P)
        self.free_flat = self.free.reshape(-1)
        #: the person of each (replication, group) who is free earliest (see _assign)
        self.F_who = np.ascontiguousarray(free[:, :G].argmin(axis=2)).reshape(-1)
        M1 = self.months.M + 1
        self.hours = np.zeros(R * 2 * M1)
        self.overrun = np.zeros((R, 2, M1))
        #: ready-time increment of the next task, by the stage just done (the comment period)
        self.after = np.array([0.0, 0.0, float(sc.work.comment_days), 0.0])
        # the log of assignments (start, end, group) not yet booked as hours worked
        self._log_t = np.empty((_LOG_STEPS, R))
        self._log_c = np.empty((_LOG_STEPS, R))
        self._log_g = np.full((_LOG_STEPS, R), -1, np.int8 if G < 128 else np.int64)
        self._log_k = 0

    # ---------------------------------------------------------------- queries

    def _threshold(self, act: I64, t: F64) -> I64:
        """Per replication: how many requests are over 20 weeks at time t (a prefix)."""
        pos = np.searchsorted(self.od_global, t + _ROW_OFFSET * act, side="right")
        return np.asarray(pos - act * self.N, dtype=np.int64)

    def _next_in_time(self, act: I64, F: F64) -> F64:
        """For in_time groups: earliest time ≥ F at which some task is ready and not overdue."""
        out = np.empty_like(F)
        B, NB = self.B, self.NB
        for col in range(F.shape[1]):
            rr = int(self.it_role[col]) * self.R + act
            f = F[:, col]
            thr = self._threshold(act, np.where(np.isfinite(f), f, self.T))
            b0 = np.minimum(thr // B, NB - 1)
            pos = np.arange(B)[None, :] >= (thr - b0 * B)[:, None]
            blk = self.ready.take(rr * NB + b0, axis=0)
            odb = self.od_rows.take(act * NB + b0, axis=0)
            part = np.where(pos & (blk < odb), blk, INF).min(axis=1)
            bm = self.bmin_it.take(rr, axis=0)
            later = np.where(np.arange(NB)[None, :] > b0[:, None], bm, INF).min(axis=1)
            best = np.where(thr >= self.N, INF, np.minimum(part, later))
            out[:, col] = np.maximum(f, best)
        return out

    def _select(
        self, rr: I64, act: I64, t: F64, serves: I64
    ) -> tuple[I64, I64, F64, F64, Bool]:
        """The task a person of kind ``serves`` takes at t.

        Returns its block and slot, the block's row of ready times, the row's block minima and
        whether a task was found (always, except for an overdue-only group whose lower bound
        was stale).
        """
        B, NB = self.B, self.NB
        tt = t[:, None]
        ar = np.arange(act.size)
        bm = self.bmin.take(rr, axis=0)
        if self.oldest:
            lo = np.zeros_like(act)
            if self.has_it:
                lo = np.where(serves == SERVES_IN_TIME, self._threshold(act, t), 0)
            if not lo.any():
                hit = bm <= tt
                b = hit.argmax(axis=1)
                blk = self.ready.take(rr * NB + b, axis=0)
                j = (blk <= tt).argmax(axis=1)
                return b, j, blk, bm, hit[ar, b]
            # first entry at index ≥ lo that is ready by t
            b0 = np.minimum(lo // B, NB - 1)
            blk0 = self.ready.take(rr * NB + b0, axis=0)
            m0 = (blk0 <= tt) & (np.arange(B)[None, :] >= (lo - b0 * B)[:, None])
            hit0 = m0.any(axis=1)
            h1 = np.where(np.arange(NB)[None, :] > b0[:, None], bm, INF) <= tt
            b1 = h1.argmax(axis=1)
            blk1 = self.ready.take(rr * NB + b1, axis=0)
            b = np.where(hit0, b0, b1)
            blk = np.where(hit0[:, None], blk0, blk1)
            j = np.where(hit0, m0.argmax(axis=1), (blk1 <= tt).argmax(axis=1))
            return b, j, blk, bm, hit0 | h1[ar, b1]
        hi = np.full_like(act, self.N)
        if self.has_od:
            hi = np.where(serves == SERVES_OVERDUE, self._threshold(act, t), self.N)
        if (hi == self.N).all():
            hit = bm[:, ::-1] <= tt
            k = hit.argmax(axis=1)
            b = NB - 1 - k
            blk = self.ready.take(rr * NB + b, axis=0)
            j = B - 1 - (blk[:, ::-1] <= tt).argmax(axis=1)
            return b, j, blk, bm, hit[ar, k]
        # last entry at index < hi that is ready by t
        b0 = np.clip((hi - 1) // B, 0, NB - 1)
        blk0 = self.ready.take(rr * NB + b0, axis=0)
        m0 = (blk0 <= tt) & (np.arange(B)[None, :] < (hi - b0 * B)[:, None])
        hit0 = m0.any(axis=1) & (hi > 0)
        h1 = (np.where(np.arange(NB)[None, :] < b0[:, None], bm, INF) <= tt)[:, ::-1]
        k1 = h1.argmax(axis=1)
        b1 = NB - 1 - k1
        blk1 = self.ready.take(rr * NB + b1, axis=0)
        b = np.where(hit0, b0, b1)
        blk = np.where(hit0[:, None], blk0, blk1)
        j = np.where(
            hit0, B - 1 - m0[:, ::-1].argmax(axis=1), B - 1 - (blk1[:, ::-1] <= tt).argmax(axis=1)
        )
        return b, j, blk, bm, hit0 | h1[ar, k1]

    # ---------------------------------------------------------------- the loop

    def run(self) -> None:
        if self.compiled:
            raise RuntimeError("this lock-step was prepared for the compiled kernel")
        if self.G == 0:
            return  # nobody to do anything: every request stays where it is
        act = np.arange(self.R)
        ix = _Index(self, act)
        kg = None if np.array_equal(self.k_g, np.arange(4)) else self.k_g
        end_g, T = self.end_g, self.T
        while True:
            if ix.n == self.R:
                Fa, rm = self.F, self.rmin
            else:
                Fa = self.F.take(act, axis=0, mode="clip")
                rm = self.rmin.take(act, axis=0, mode="clip")
            e = np.maximum(Fa, rm if kg is None else rm.take(kg, axis=1))
            if self.has_it:
                e[:, self.it_cols] = self._next_in_time(act, Fa[:, self.it_cols])
            np.putmask(e, e >= end_g, INF)
            g = e.argmin(axis=1)
            t = e.reshape(-1).take(ix.arG + g, mode="clip")
            live = t < T
            if not live.all():
                keep = np.flatnonzero(live)
                if not keep.size:
                    break
                act, g, t = act[keep], g[keep], t[keep]
                ix = _Index(self, act)
            self._assign(ix, g, t)
        self._book_hours()

    def run_compiled(self) -> None:
        """The same simulation as ``run``, by the compiled kernel (``kernel.py``): the same
        records, hours and overrun to the bit, in a fraction of the time."""
        if self.G == 0:
            return
        if not kernel.AVAILABLE:
            raise RuntimeError("the compiled planner kernel needs Numba, which is not installed")
        R, N, M1 = self.R, self.N, self.months.M + 1
        kernel.run_chunk(
            self.rec.reshape(R, N, 8),
            self.ready.reshape(2, R, N),
            self.free.reshape(R, self.G, self.P),
            self.counts,
            self.gtab,
            self.role_g,
            self.serves_g,
            self.after,
            self.T,
            self.oldest,
            self.months.of_day,
            self.months.start,
            self.months.end,
            self.hours.reshape(R, 2 * M1),
            self.overrun.reshape(R, 2 * M1),
            None if self.decision_start is None else self.decision_start.reshape(R, N),
        )

    def _assign(self, ix: _Index, g: I64, t: F64) -> None:
        B, NB = self.B, self.NB
        act = ix.act
        rr = act + self.roleR_g.take(g, mode="clip")  # the role's queue row of each replication
        # the task: the oldest ready one (in the first block with one), or see _select
        found: Bool | None = None
        if self.oldest and not self.has_it:
            tt = t[:, None]
            bm = self.bmin.take(rr, axis=0, mode="clip")
            b = (bm <= tt).argmax(axis=1)
            rowblk = rr * NB + b
            blk = self.ready.take(rowblk, axis=0, mode="clip")
            j = (blk <= tt).argmax(axis=1)
        else:
            b, j, blk, bm, found = self._select(rr, act, t, self.serves_g.take(g, mode="clip"))
            rowblk = rr * NB + b
        qi = rowblk * B + j  # the task's slot in ``ready``
        ri = qi - self.roleRN_g.take(g, mode="clip")  # its request's row in ``rec``
        rg = self.rec.take(ri, axis=0, mode="clip")
        od_i = rg[:, _OD]
        if self.oldest and self.has_od:
            # found: a task was ready (else the lower bound was stale), and for an
            # overdue-only group the oldest ready one is overdue
            ready_sel = blk.reshape(-1).take(ix.arB + j, mode="clip")
            found = np.maximum(ready_sel, od_i + self.od_add_g.take(g, mode="clip")) <= t
        if found is not None and not found.all():
            # an overdue-only group's lower bound was stale: make it exact, and that group
            # acts (or not) in a later step
            miss = ~found
            self._refresh_overdue(act[miss], self.role_g.take(g[miss], mode="clip"), t[miss])
            k = np.flatnonzero(found)
            if not k.size:
                return
            ix = _Index(self, act[k])
            act, g, t, rr, rowblk, qi, ri = ix.act, g[k], t[k], rr[k], rowblk[k], qi[k], ri[k]
            b, j, blk, bm, rg, od_i = b[k], j[k], blk[k], bm[k], rg[k], od_i[k]
        # how long it takes (docs/domain/planner-model.md: effort ÷ (hours_per_week / 7 ×
        # productivity(t)))
        gt = self.gtab.take(g, axis=0, mode="clip")
        s = rg[:, _STAGE].astype(np.intp)
        ev = rg.reshape(-1).take(ix.ar8p1 + s, mode="clip")
        prod = np.minimum(1.0, gt[:, 2] + gt[:, 3] * (t - gt[:, 4]))
        c = t + np.abs(ev) / (gt[:, 0] * prod)
        # a person of the group is busy until c (see below); past the end of their post they leave
        prow = ix.actG + g
        fr = self.free.take(prow, axis=0, mode="clip")
        p = (fr <= t[:, None]).argmax(axis=1) if self.has_it else self.F_who.take(prow, mode="clip")
        nf = np.where(c < gt[:, 1], c, INF)
        fr_flat = fr.reshape(-1)
        fr_flat[ix.arP + p] = nf
        self.free_flat[prow * self.P + p] = nf
        q = fr.argmin(axis=1)
        self.F_flat[prow] = fr_flat.take(ix.arP + q, mode="clip")
        self.F_who[prow] = q
        self._log(ix, g, t, c)
        if self.decision_start is not None:
            d0 = s == DECISION
            self.decision_start[ri[d0]] = t[d0]
        # what happens to the request next (docs/domain/planner-model.md, "Path of a request")
        a = rg[:, _ADV]
        adv = np.where(s == DECISION, c + a, a)  # advice is requested at the decision
        x = np.where(s == EP_TASK, np.maximum(c, adv), c + self.after.take(s, mode="clip"))
        xg = np.where(np.signbit(ev), INF, x)
        rec = self.rec_flat
        r8 = ri * 8
        rec[r8] = s + 1
        rec[r8 + _ADV] = adv
        rec[r8 + 1 + s] = np.copysign(c, ev)
        # the task leaves its queue; after a draft the final joins the same queue in its place
        same = s >= DRAFT
        vs = np.where(same, xg, INF)
        self.ready_flat[qi] = vs
        blk_flat = blk.reshape(-1)
        blk_flat[ix.arB + j] = vs
        nb = blk_flat.take(ix.arB + blk.argmin(axis=1))
        self.bmin_flat[rowblk] = nb
        bm_flat = bm.reshape(-1)
        bm_flat[ix.arNB + b] = nb
        kr = ix.act4 + self.kr_g.take(g, mode="clip")
        self.rmin_flat[kr] = bm_flat.take(ix.arNB + bm.argmin(axis=1))
        if self.has_it:
            odb = self.od_rows.take(act * NB + b, axis=0, mode="clip")
            vi = np.where(blk < odb, blk, INF)
            self.bmin_it_flat[rowblk] = vi.reshape(-1).take(ix.arB + vi.argmin(axis=1))
        # ... else it joins the other role's queue (the EP's after a decision, else the officers')
        vo = np.where(same, INF, xg)
        self.ready_flat[qi + self.flipRN_g.take(g, mode="clip")] = vo
        obi = rowblk + self.flipRNB_g.take(g, mode="clip")
        self.bmin_flat[obi] = np.minimum(self.bmin_flat.take(obi, mode="clip"), vo)
        ko = kr + self.flip2_g.take(g, mode="clip")
        self.rmin_flat[ko] = np.minimum(self.rmin_flat.take(ko, mode="clip"), vo)
        if self.has_od:
            kn = np.where(same, kr, ko) + 1
            lb = np.maximum(xg, od_i)
            self.rmin_flat[kn] = np.minimum(self.rmin_flat.take(kn, mode="clip"), lb)
        if self.has_it:
            vi2 = np.where(vo < od_i, vo, INF)
            self.bmin_it_flat[obi] = np.minimum(self.bmin_it_flat.take(obi, mode="clip"), vi2)

    # The person who takes a task (in _assign).  The people of a group are alike (start, end,
    # hours, ramp), so which free one takes it changes nothing as long as the group's
    # earliest-free time F stays right: the group next acts at max(F, earliest ready task),
    # which is never before t, so a person free before t is only ever compared with times ≥ t.
    # The person taken is therefore the one free earliest (kept with F), unless the scenario has
    # an ``in_time`` group, whose next time depends on F itself: then, as in the reference, the
    # first in file order who is free.

    def _refresh_overdue(self, act: I64, role: I64, t: F64) -> None:
        """The earliest time a task is ready and overdue, for these (replication, role), after
        a miss at t (no task was ready and overdue at t).

        Per block: blocks wholly overdue at t give their minimum (which is > t); the block
        holding the first request not yet overdue is scanned exactly; later blocks give the
        lower bound max(block minimum, first overdue time) (> t).  The result is a lower bound
        > t, so the group's next try is later, and exact except for a later block's bound.
        """
        B, NB = self.B, self.NB
        rr = role * self.R + act
        lb = np.maximum(
            self.bmin.take(rr, axis=0, mode="clip"), self.od_first.take(act, axis=0, mode="clip")
        )
        sb = self._threshold(act, t) // B
        inside = np.flatnonzero(sb < NB)
        if inside.size:
            a_in, b_in = act[inside], sb[inside]
            blk = self.ready.take(rr[inside] * NB + b_in, axis=0, mode="clip")
            first = (a_in * self.N + b_in * B) * 8 + _OD
            odb = self.rec_flat.take(first[:, None] + np.arange(0, 8 * B, 8), mode="clip")
            lb[inside, b_in] = np.maximum(blk, odb).min(axis=1)
        self.rmin_flat[act * 4 + 2 * role + 1] = lb.min(axis=1)

    # ---------------------------------------------------------------- hours worked

    def _log(self, ix: _Index, g: I64, t: F64, c: F64) -> None:
        k = self._log_k
        if ix.n == self.R:
            self._log_t[k] = t
            self._log_c[k] = c
            self._log_g[k] = g
        else:
            act = ix.act
            self._log_t[k, act] = t
            self._log_c[k, act] = c
            self._log_g[k, act] = g
        self._log_k = k + 1
        if k + 1 == _LOG_STEPS:
            self._book_hours()

    def _book_hours(self) -> None:
        """Book the logged assignments: hours worked (busy time × hours per day), split
        between the months they fall in, and overrun after the end of a post.

        Each (replication, role, month) total is added up in the order a booking at every
        step would add to it: the parts of tasks begun in earlier months (in step order), then
        the tasks begun in the month (in step order), so the sums are the same to the bit.
        """
        k = self._log_k
        if not k:
            return
        lg = self._log_g[:k]
        step, rep = np.nonzero(lg >= 0)  # in step order
        flat = step * self.R + rep
        g = lg.reshape(-1).take(flat, mode="clip").astype(np.intp)
        t = self._log_t[:k].reshape(-1).take(flat, mode="clip")
        c = self._log_c[:k].reshape(-1).take(flat, mode="clip")
        lg[:] = -1
        self._log_k = 0
        mo = self.months
        M1 = mo.M + 1
        hp = self.hp_g.take(g, mode="clip")
        role = self.role_g.take(g, mode="clip")
        ms = mo.of_day.take(t.astype(np.intp), mode="clip")
        me = mo.end.take(ms, mode="clip")
        base = rep * (2 * M1) + role * M1
        spill = np.flatnonzero(c > me)
        if spill.size:
            cells, parts, order = [], [], []
            bs, cc, h, m, who = base[spill], c[spill], hp[spill], ms[spill] + 1, spill
            while bs.size:
                cells.append(bs + m)
                parts.append(h * (np.minimum(cc, mo.end[m]) - mo.start[m]))
                order.append(who)
                more = cc > mo.end[m]
                bs, cc, h, m, who = bs[more], cc[more], h[more], m[more] + 1, who[more]
            o = np.argsort(np.concatenate(order), kind="stable")
            np.add.at(self.hours, np.concatenate(cells)[o], np.concatenate(parts)[o])
        np.add.at(self.hours, base + ms, hp * (np.minimum(c, me) - t))
        endg = self.end_g.take(g, mode="clip")
        over = c > endg
        if over.any():
            _book_overrun(self.overrun, mo, rep[over], role[over], t[over], c[over], hp[over],
                          endg[over])

    # ---------------------------------------------------------------- results

    def raw(self) -> RawChunk:
        """Per-request results: a request leaves after its last task taken if that task's
        sign says so (at its end, or for the EP advice when the external advice is in too)."""
        R, N, M = self.R, self.N, self.months.M
        exit_ = np.empty(R * N)
        plan_time = np.empty(R * N)
        step = max(1, 65536 // N) * N  # a few replications at a time: temporaries stay small
        for lo in range(0, R * N, step):
            rec = self.rec[lo : lo + step]
            stage = rec[:, _STAGE]
            done = stage > rec[:, _STAGE0]
            last = np.maximum(stage.astype(np.intp) - 1, 0)
            v = rec.reshape(-1).take(np.arange(0, 8 * len(rec), 8) + 1 + last)
            c = np.abs(v)
            x = np.where(last == EP_TASK, np.maximum(c, rec[:, _ADV]), c + self.after.take(last))
            gone = done & np.signbit(v)
            before = INF if self.exit0 is None else self.exit0[lo : lo + step]
            exit_[lo : lo + step] = np.where(gone, x, before)
            plan_time[lo : lo + step] = np.where(done & (last == FINAL), c, INF)
        return RawChunk(
            r=self.r,
            valid=self.valid,
            is_start=self.is_start,
            exit=exit_.reshape(R, N),
            plan_time=plan_time.reshape(R, N),
            decision_start=None
            if self.decision_start is None
            else self.decision_start.reshape(R, N),
            hours=self.hours.reshape(R, 2, M + 1)[:, :, :M],
            overrun=self.overrun[:, :, :M],
        )


def _book_overrun(
    overrun: F64, mo: _Months, rep: I64, role: I64, t: F64, c: F64, hp: F64, endg: F64
) -> None:
    """A person finishing a task after their post ends: those hours are worked, and counted
    as available too, so utilisation stays a share of the time actually given."""
    lo = np.maximum(t, endg)
    span = np.clip(c[:, None], mo.start[None, :], mo.end[None, :])
    span -= np.clip(lo[:, None], mo.start[None, :], mo.end[None, :])
    span[:, -1] = 0.0
    np.add.at(overrun, (rep, role), hp[:, None] * span)


def run_lockstep(
    cs: Compiled,
    ci: ChunkInputs,
    *,
    record_decision_start: bool = False,
    adopt: bool = False,
    compiled: bool | None = None,
) -> RawChunk:
    """Simulate one chunk of replications and return its per-request results.

    ``adopt``: the lock-step may take over (and overwrite) ``ci.record``; ``ci`` must not be
    used afterwards.  Otherwise ``ci`` is left as it was.  ``compiled``: run the compiled
    kernel (the default where Numba is installed) or the NumPy lock-step; the results are the
    same to the bit.
    """
    use_kernel = kernel.AVAILABLE if compiled is None else compiled
    engine = Lockstep(cs, ci, record_decision_start, adopt, compiled=use_kernel)
    del ci  # the lock-step has copied (or taken) what it needs
    if use_kernel:
        engine.run_compiled()
    else:
        engine.run()
    return engine.raw()
