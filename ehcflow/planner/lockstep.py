"""The lock-step simulation: all replications of a chunk advance together, one row each.

planner-model.md, "The model".  Why this shape is fast (``engine.py`` has the overview):

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
   free at once) go to the first group in the file and its first person.

``FastLockstep`` (oldest_first; serves all / overdue — every example) adds three things:
both roles' next assignments are made in the same step when neither can affect the other
(the earlier one's new task for the other role becomes ready after the later one's time);
the queue's minimum ready time is kept as a lower bound, refreshed only when it proves stale
(a person would otherwise go idle); and a queue is scanned from the first block that may hold
a task, over a window of blocks.  ``GeneralLockstep`` does full scans and serves any policy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

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


def _pad(a: npt.NDArray[np.generic], n: int, fill: object) -> npt.NDArray[np.generic]:
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
        days = int(math.ceil(cs.horizon)) + 1
        #: month index of each whole day (for t < horizon)
        self.of_day = np.searchsorted(m.ends, np.arange(days, dtype=np.float64), side="right")




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


class GeneralLockstep:
    """Any policy and any ``serves``: full scans of each queue row (see the module docstring)."""

    def __init__(self, cs: Compiled, ci: ChunkInputs, record_decision_start: bool) -> None:
        self.cs = cs
        sc = cs.scenario
        R, n_in = ci.r.shape
        B = _block_size(n_in)
        NB = max(1, -(-n_in // B))
        N = NB * B
        self.R, self.N, self.B, self.NB = R, N, B, NB
        self.T = cs.horizon
        self.oldest = sc.policy == "oldest_first"
        self.comment = float(sc.work.comment_days)

        r = _pad(ci.r, N, INF)
        ready = np.stack([_pad(np.where(ci.role == role, ci.ready, INF), N, INF) for role in (CO, EP)])
        stage = _pad(ci.stage, N, 0)
        assessed = _pad(ci.assessed, N, False)
        plan = _pad(ci.plan, N, False)
        effort = _pad(ci.effort, N, 0.0)
        adv = _pad(ci.adv, N, 0.0)
        is_start = _pad(ci.is_start, N, False)
        ex = _pad(ci.exit, N, INF)
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




class FastLockstep:
    """oldest_first with groups serving all or overdue: the common, fast path."""

    #: blocks scanned from the first block that may hold a task before a full scan
    WINDOW = 8

    def __init__(self, cs: Compiled, ci: ChunkInputs, record_decision_start: bool) -> None:
        self.cs = cs
        sc = cs.scenario
        R, n_in = ci.r.shape
        B = _block_size(n_in)
        NB = max(1, -(-n_in // B))
        W = self.WINDOW
        NBp = NB + W  # W empty blocks after the last, so a window never leaves the row
        N = NB * B
        self.R, self.N, self.B, self.NB, self.NBp, self.W = R, N, B, NB, NBp, W
        self.T = cs.horizon
        self.comment = float(sc.work.comment_days)
        self.months = _Months(cs)

        r = _pad(ci.r, N, INF)
        self.r = r
        self.valid = np.isfinite(r)
        self.is_start = _pad(ci.is_start, N, False)
        od = np.where(self.valid, np.floor(np.where(self.valid, r, 0.0)) + DAYS_20_WEEKS + 1, _PAD_OD)
        # the time each request becomes overdue, laid out like a queue row (for block gathers)
        self.odp = _pad(od, NBp * B, _PAD_OD).ravel()
        ready = np.full((2, R, NBp * B), INF)
        for role in (CO, EP):
            ready[role, :, :n_in] = np.where(ci.role == role, ci.ready, INF)
        ready4 = ready.reshape(2, R, NBp, B)
        bmin = ready4.min(axis=3)
        self.ready = ready.ravel()
        self.bmin = bmin.ravel()
        gs = cs.groups
        self.G = len(gs)
        serves = np.array([g.serves for g in gs], np.int64)
        self.has_od = bool((serves == SERVES_OVERDUE).any())
        if self.has_od:
            self.bmin_od = np.maximum(ready4, self.odp.reshape(1, R, NBp, B)).min(axis=3).ravel()
        rlb = np.full((R, 4), INF)
        for role in (CO, EP):
            rlb[:, 2 * role] = bmin[role].min(axis=1)
            if self.has_od:
                rlb[:, 2 * role + 1] = self.bmin_od.reshape(2, R, NBp)[role].min(axis=1)
        self.rlb = rlb.ravel()
        finite = np.isfinite(bmin)
        self.lb = np.where(finite.any(axis=2), finite.argmax(axis=2), NB).ravel().astype(np.int64)

        # per-request record: stage, 4 efforts, advice wait, overdue time, continuation bits
        rec = np.zeros((R, N, 8))
        rec[:, :, 0] = _pad(ci.stage, N, 0)
        rec[:, :, 1:5] = _pad(ci.effort, N, 0.0)
        rec[:, :, 5] = _pad(ci.adv, N, 0.0)
        rec[:, :, 6] = od
        # bit s set: the request goes on after its stage-s task (assessed; plan; draft → final)
        bits = _pad(ci.assessed, N, False) * 1 + _pad(ci.plan, N, False) * 2 + 4
        rec[:, :, 7] = bits
        self.rec = rec.reshape(R * N, 8)
        self.rec_flat = self.rec.ravel()
        self.exit = _pad(ci.exit, N, INF).ravel()
        self.plan_time = np.full(R * N, INF)
        self.decision_start = np.full(R * N, np.nan) if record_decision_start else None

        # groups: role, serves, end, hours per day, ramp from, ramp slope, ramp origin, rlb column
        self.gtab = np.array(
            [
                [g.role, g.serves, g.end, g.hours_per_day, g.ramp_from, g.ramp_slope,
                 g.ramp_origin, 2 * g.role + (g.serves == SERVES_OVERDUE)]
                for g in gs
            ],
            np.float64,
        ).reshape(self.G, 8)
        self.role_g = self.gtab[:, 0].astype(np.int64)
        self.end_g = self.gtab[:, 2].copy()
        self.k_g = self.gtab[:, 7].astype(np.int64)
        self.cols = [np.flatnonzero(self.role_g == role) for role in (CO, EP)]
        P = max((g.count for g in gs), default=1)
        self.P = P
        free = np.full((R, max(self.G, 1), P), INF)
        for k, g in enumerate(gs):
            free[:, k, : g.count] = g.start if g.start < g.end else INF
        self.F = free.min(axis=2)[:, : self.G].copy()
        self.free = free.ravel()
        self.hours = np.zeros(R * 2 * (self.months.M + 1))
        self.overrun = np.zeros((R, 2, self.months.M + 1))
        # ready-time increment of the next task, by stage of the task just done
        self.after = np.array([0.0, 0.0, self.comment, 0.0])

    # ---------------------------------------------------------------- the loop

    def run(self) -> None:
        if self.G == 0:
            return  # nobody to do anything: every request stays where it is
        R, T = self.R, self.T
        act = np.arange(R)
        kg, end_g = self.k_g, self.end_g
        rlb2 = self.rlb.reshape(R, 4)
        while act.size:
            S = act.size
            ar = np.arange(S)
            e = np.maximum(self.F.take(act, axis=0), rlb2.take(act, axis=0).take(kg, axis=1))
            e = np.where(e < end_g, e, INF)
            tg = []
            for role in (CO, EP):
                cols = self.cols[role]
                if cols.size:
                    er = e.take(cols, axis=1)
                    a = er.argmin(axis=1)
                    tg.append((er[ar, a], cols[a]))
                else:
                    tg.append((np.full(S, INF), np.zeros(S, np.int64)))
            (tC, gC), (tE, gE) = tg
            alive = (tC < T) | (tE < T)
            if not alive.all():
                act, tC, gC, tE, gE = act[alive], tC[alive], gC[alive], tE[alive], gE[alive]
                if not act.size:
                    break
            self._step(act, tC, gC, tE, gE)

    def _step(self, act: I64, tC: F64, gC: I64, tE: F64, gE: I64) -> None:
        R, N, B, NBp, W, T = self.R, self.N, self.B, self.NBp, self.W, self.T
        S = act.size
        ct = np.concatenate([tC, tE])
        valid = ct < T
        v = np.flatnonzero(valid)
        n = v.size
        arn = np.arange(n)
        rep = np.concatenate([act, act])[v]
        g = np.concatenate([gC, gE])[v]
        t = ct[v]
        tcol = t[:, None]
        gt = self.gtab.take(g, axis=0)
        role = gt[:, 0].astype(np.int64)
        rr = role * R + rep
        # the person: first of the group free by t
        pb = (rep * self.G + g) * self.P
        fr = self.free.take(pb[:, None] + np.arange(self.P))
        p = (fr <= tcol).argmax(axis=1)
        # the task: first block (from lb, over a window) whose minimum is ≤ t ...
        lbv = self.lb.take(rr)
        rb = rr * NBp
        win = self.bmin.take((rb + lbv)[:, None] + np.arange(W))
        hit = win <= tcol
        k = hit.argmax(axis=1)
        found = hit[arn, k]
        self.lb.put(rr, lbv + (win < INF).argmax(axis=1))  # skip leading empty blocks
        b = lbv + k
        if not found.all():
            miss = np.flatnonzero(~found)
            full = self.bmin.take(rb[miss][:, None] + np.arange(NBp))
            h2 = full <= tcol[miss]
            k2 = h2.argmax(axis=1)
            b[miss] = k2
            found[miss] = h2[np.arange(miss.size), k2]
            fin = full < INF
            self.lb.put(rr[miss], np.where(fin.any(axis=1), fin.argmax(axis=1), self.NB))
        # ... then its first entry ≤ t
        bb = (rb + b) * B
        blk = self.ready.take(bb[:, None] + np.arange(B))
        j = (blk <= tcol).argmax(axis=1)
        i = b * B + j
        ri = rep * N + i
        rg = self.rec.take(ri, axis=0)
        # (a row whose search failed points at an arbitrary, maybe finished, request: clip)
        s = np.minimum(rg[:, 0].astype(np.int64), FINAL)
        ok = found
        if self.has_od:
            # a stale lower bound can offer an overdue-only group a task that is not overdue
            ok = ok & ((gt[:, 1] != SERVES_OVERDUE) | (rg[:, 6] <= t))
        eff = rg.ravel().take(arn * 8 + 1 + s)
        prod = np.minimum(1.0, gt[:, 4] + gt[:, 5] * (t - gt[:, 6]))
        hp = gt[:, 3]
        c = t + eff / (hp * prod)
        # what happens to the request next (planner-model.md, "Path of a request")
        cont = ((rg[:, 7].astype(np.int64) >> s) & 1).astype(bool)
        is0 = s == DECISION
        adv = np.where(is0, c + rg[:, 5], rg[:, 5])  # advice is requested at the decision
        x = np.where(s == EP_TASK, np.maximum(c, adv), c + self.after.take(s))
        nrole = np.where(is0, EP, CO)
        xg = np.where(cont, x, INF)

        # which of the two candidate assignments (per replication) may be made now
        okf = np.zeros(2 * S, bool)
        okf[v] = ok
        gen = np.full(2 * S, -1)
        gen[v] = np.where(cont, nrole, -1)
        xf = np.full(2 * S, INF)
        xf[v] = xg
        okC, okE = okf[:S], okf[S:]
        failC = valid[:S] & ~okC
        failE = valid[S:] & ~okE
        c_hits_e = (gen[:S] == EP) & (xf[:S] <= tE)
        e_hits_c = (gen[S:] == CO) & (xf[S:] <= tC)
        firstC = tC <= tE
        commitC = np.where(firstC, okC, False)
        commitE = np.where(firstC, False, okE)
        _ = (c_hits_e, e_hits_c)
        commit = np.concatenate([commitC, commitE])[v]
        sel = np.flatnonzero(commit)
        if sel.size:
            self._commit(
                sel, rep, g, role, rr, rb, b, bb, j, i, ri, s, t, c, p, pb, fr, blk, gt, adv, x,
                cont, nrole, xg, rg[:, 6],
            )
        fail = np.concatenate([failC & firstC, failE & ~firstC])[v]
        if fail.any():
            self._refresh(rep[fail], role[fail])

    def _commit(
        self, sel: I64, rep: I64, g: I64, role: I64, rr: I64, rb: I64, b: I64, bb: I64, j: I64,
        i: I64, ri: I64, s: I64, t: F64, c: F64, p: I64, pb: I64, fr: F64, blk: F64, gt: F64,
        adv: F64, x: F64, cont: Bool, nrole: I64, xg: F64, od: F64,
    ) -> None:
        R, B, NBp = self.R, self.B, self.NBp
        rep, g, role, b, j, i, ri, s = rep[sel], g[sel], role[sel], b[sel], j[sel], i[sel], ri[sel], s[sel]
        t, c, p, adv, x, cont, nrole, xg, od = (
            t[sel], c[sel], p[sel], adv[sel], x[sel], cont[sel], nrole[sel], xg[sel], od[sel]
        )
        m = sel.size
        ar = np.arange(m)
        # remove the task from its queue; its block's minimum can only rise
        self.ready.put(bb[sel] + j, INF)
        blk = blk[sel]
        blk[ar, j] = INF
        bidx = rb[sel] + b
        self.bmin.put(bidx, blk[ar, blk.argmin(axis=1)])
        if self.has_od:
            odb = self.odp.take(((rep * NBp + b) * B)[:, None] + np.arange(B))
            vb = np.maximum(blk, odb)
            self.bmin_od.put(bidx, vb[ar, vb.argmin(axis=1)])
        # the person is busy until c; past the end of their post they leave
        gt = gt[sel]
        hp = gt[:, 3]
        endg = gt[:, 2]
        nf = np.where(c < endg, c, INF)
        self.free.put(pb[sel] + p, nf)
        fr = fr[sel]
        fr[ar, p] = nf
        self.F.ravel().put(rep * self.G + g, fr[ar, fr.argmin(axis=1)])
        # the request
        self.rec_flat.put(ri * 8, s + 1)
        self.rec_flat.put(ri * 8 + 5, adv)
        self.exit.put(ri, np.where(cont, INF, x))
        self.plan_time.put(ri, np.where(s == FINAL, c, INF))
        if self.decision_start is not None:
            d0 = s == DECISION
            self.decision_start.put(ri[d0], t[d0])
        self._book_hours(rep, role, t, c, hp, endg)
        # its next task joins the other queue (or the same one, for the final)
        nrr = nrole * R + rep
        nb = nrr * NBp + b
        self.ready.put(nb * B + j, xg)
        self.bmin.put(nb, np.minimum(self.bmin.take(nb), xg))
        self.lb.put(nrr, np.minimum(self.lb.take(nrr), b))
        kk = rep * 4 + 2 * nrole
        self.rlb.put(kk, np.minimum(self.rlb.take(kk), xg))
        if self.has_od:
            vo = np.maximum(xg, od)
            self.bmin_od.put(nb, np.minimum(self.bmin_od.take(nb), vo))
            self.rlb.put(kk + 1, np.minimum(self.rlb.take(kk + 1), vo))
        _ = DRAFT

    def _refresh(self, rep: I64, role: I64) -> None:
        """Make the lower bounds of these queues exact (they were stale: someone goes idle)."""
        rows = (role * self.R + rep) * self.NBp
        idx = rows[:, None] + np.arange(self.NBp)
        k = rep * 4 + 2 * role
        self.rlb.put(k, self.bmin.take(idx).min(axis=1))
        if self.has_od:
            self.rlb.put(k + 1, self.bmin_od.take(idx).min(axis=1))

    def _book_hours(self, rep: I64, role: I64, t: F64, c: F64, hp: F64, endg: F64) -> None:
        """Hours worked (busy time × hours per day), split between the months they fall in."""
        mo = self.months
        M1 = mo.M + 1
        ms = mo.of_day.take(t.astype(np.int64))
        base = (rep * 2 + role) * M1
        self.hours[base + ms] += hp * (np.minimum(c, mo.end.take(ms)) - t)
        spill = c > mo.end.take(ms)
        if spill.any():
            bs, cc, h, k = base[spill], c[spill], hp[spill], ms[spill] + 1
            while bs.size:
                self.hours[bs + k] += h * (np.minimum(cc, mo.end[k]) - mo.start[k])
                more = cc > mo.end[k]
                bs, cc, h, k = bs[more], cc[more], h[more], k[more] + 1
        over = c > endg
        if over.any():
            _book_overrun(self.overrun, mo, rep[over], role[over], t[over], c[over], hp[over],
                          endg[over])

    def raw(self) -> RawChunk:
        R, N, M = self.R, self.N, self.months.M
        return RawChunk(
            r=self.r,
            valid=self.valid,
            is_start=self.is_start,
            exit=self.exit.reshape(R, N),
            plan_time=self.plan_time.reshape(R, N),
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
    cs: Compiled, ci: ChunkInputs, *, record_decision_start: bool = False, general: bool = False
) -> RawChunk:
    """Simulate a chunk with the fast path when the scenario allows it, else the general one.

    ``general=True`` forces the general path (tests check that both give identical results).
    """
    fast = (
        not general
        and cs.scenario.policy == "oldest_first"
        and all(g.serves != SERVES_IN_TIME for g in cs.groups)
    )
    engine: FastLockstep | GeneralLockstep
    if fast:
        engine = FastLockstep(cs, ci, record_decision_start)
    else:
        engine = GeneralLockstep(cs, ci, record_decision_start)
    engine.run()
    return engine.raw()
