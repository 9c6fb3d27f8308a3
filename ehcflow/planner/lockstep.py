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

Per step and replication: the next assignment is the minimum over groups of
max(earliest-free person, earliest ready time of a task the group may take); the task is found
by two short scans; the request's record (stage, efforts, advice wait, …) is one row, so one
gather fetches it.  The earliest ready-and-overdue time (for ``serves = "overdue"`` groups) is
kept as a lower bound and made exact only when it proves stale, which saves a full-row scan on
almost every step; the other minima are exact.

Tests check, request by request, that this gives exactly the reference model's results when
both are fed the same random draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ehcflow.planner.inputs import (
    CO,
    DECISION,
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


class Lockstep:
    """All replications of a chunk in lock-step; one assignment per replication per step."""

    def __init__(self, cs: Compiled, ci: ChunkInputs, record_decision_start: bool) -> None:
        sc = cs.scenario
        R, n_in = ci.r.shape
        B = _block_size(n_in)
        NB = max(1, -(-n_in // B))
        N = NB * B
        self.R, self.N, self.B, self.NB = R, N, B, NB
        self.T = cs.horizon
        self.oldest = sc.policy == "oldest_first"
        self.months = _Months(cs)

        r = _pad(ci.r, N, INF)
        self.r = r
        self.valid = np.isfinite(r)
        self.is_start = _pad(ci.is_start, N, False)
        # the time each request becomes overdue (over 20 weeks): floor(request time) + 141
        od = np.where(self.valid, np.floor(np.where(self.valid, r, 0.0)) + DAYS_20_WEEKS + 1,
                      _PAD_OD)
        self.od = od
        self.od_rows = od.reshape(R * NB, B)
        self.od_global = (od + _ROW_OFFSET * np.arange(R)[:, None]).ravel()
        # one queue row per (role, replication), cut into blocks: row (role·R + rep)·NB + b
        ready = np.full((2, R, N), INF)
        for role in (CO, EP):
            ready[role] = _pad(np.where(ci.role == role, ci.ready, INF), N, INF)
        self.ready = ready.reshape(2 * R * NB, B)
        self.ready_flat = self.ready.reshape(-1)
        self.bmin = self.ready.min(axis=1).reshape(2 * R, NB)
        self.bmin_flat = self.bmin.reshape(-1)

        gs = cs.groups
        self.G = len(gs)
        self.gtab = np.array(
            [[g.role, g.serves, g.end, g.hours_per_day, g.ramp_from, g.ramp_slope, g.ramp_origin]
             for g in gs],
            np.float64,
        ).reshape(self.G, 7)
        role_g = self.gtab[:, 0].astype(np.int64)
        serves_g = self.gtab[:, 1].astype(np.int64)
        self.end_g = self.gtab[:, 2].copy()
        self.k_g = role_g * 2 + (serves_g == SERVES_OVERDUE)
        self.it_cols = np.flatnonzero(serves_g == SERVES_IN_TIME)
        self.it_role = role_g[self.it_cols]
        self.has_od = bool((serves_g == SERVES_OVERDUE).any())
        self.has_it = self.it_cols.size > 0
        if self.has_it:
            od3 = np.broadcast_to(od.reshape(1, R * NB, B), (2, R * NB, B)).reshape(2 * R * NB, B)
            it = np.where(self.ready < od3, self.ready, INF)
            self.bmin_it = it.min(axis=1).reshape(2 * R, NB)
            self.bmin_it_flat = self.bmin_it.reshape(-1)
        # Earliest ready time per (replication, role): column 2·role exact; column 2·role + 1,
        # the earliest time a task is ready *and* overdue, is a lower bound refreshed when stale.
        rmin = np.full((R, 4), INF)
        for role in (CO, EP):
            rows = ready[role]
            rmin[:, 2 * role] = rows.min(axis=1)
            rmin[:, 2 * role + 1] = np.maximum(rows, od).min(axis=1)
        self.rmin = rmin
        self.rmin_flat = rmin.reshape(-1)

        # per-request record: stage, 4 efforts, advice wait, overdue time, continuation bits
        rec = np.zeros((R, N, 8))
        rec[:, :, 0] = _pad(ci.stage, N, 0)
        rec[:, :, 1:5] = _pad(ci.effort, N, 0.0)
        rec[:, :, 5] = _pad(ci.adv, N, 0.0)
        rec[:, :, 6] = od
        # bit s set: the request goes on after its stage-s task (assessed; plan; draft → final)
        rec[:, :, 7] = (
            _pad(ci.assessed, N, False).astype(np.int64) + 2 * _pad(ci.plan, N, False) + 4
        )
        self.rec = rec.reshape(R * N, 8)
        self.rec_flat = self.rec.reshape(-1)
        self.exit = _pad(ci.exit, N, INF).reshape(-1)
        self.plan_time = np.full(R * N, INF)
        self.decision_start = np.full(R * N, np.nan) if record_decision_start else None

        P = max((g.count for g in gs), default=1)
        self.P = P
        free = np.full((R, max(self.G, 1), P), INF)
        for k, g in enumerate(gs):
            free[:, k, : g.count] = g.start if g.start < g.end else INF
        self.F = np.ascontiguousarray(free.min(axis=2)[:, : self.G])
        self.F_flat = self.F.reshape(-1)
        self.free = free[:, : self.G].reshape(R * self.G, P)
        self.free_flat = self.free.reshape(-1)
        self.hours = np.zeros(R * 2 * (self.months.M + 1))
        self.overrun = np.zeros((R, 2, self.months.M + 1))
        #: ready-time increment of the next task, by the stage just done (the comment period)
        self.after = np.array([0.0, 0.0, float(sc.work.comment_days), 0.0])

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
                found = hit[ar, b]
                blk = self.ready.take(rr * NB + b, axis=0)
                j = (blk <= tt).argmax(axis=1)
                return b, j, blk, bm, found
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
        if self.G == 0:
            return  # nobody to do anything: every request stays where it is
        act = np.arange(self.R)
        kg, end_g, T, G = self.k_g, self.end_g, self.T, self.G
        while act.size:
            Fa = self.F.take(act, axis=0)
            e = np.maximum(Fa, self.rmin.take(act, axis=0).take(kg, axis=1))
            if self.has_it:
                e[:, self.it_cols] = self._next_in_time(act, Fa[:, self.it_cols])
            e = np.where(e < end_g, e, INF)
            g = e.argmin(axis=1)
            t = e.reshape(-1).take(np.arange(act.size) * G + g)
            live = t < T
            if not live.all():
                act, g, t = act[live], g[live], t[live]
                if not act.size:
                    break
            self._assign(act, g, t)

    def _assign(self, act: I64, g: I64, t: F64) -> None:
        R, N, B, NB = self.R, self.N, self.B, self.NB
        gt = self.gtab.take(g, axis=0)
        role = gt[:, 0].astype(np.int64)
        serves = gt[:, 1].astype(np.int64)
        rr = role * R + act
        # the first person of the group who is free (file order breaks ties)
        prow = act * self.G + g
        fr = self.free.take(prow, axis=0)
        p = (fr <= t[:, None]).argmax(axis=1)
        # the task
        b, j, blk, bm, found = self._select(rr, act, t, serves)
        i = b * B + j
        ri = act * N + i
        rg = self.rec.take(ri, axis=0)
        if self.has_od and self.oldest:
            found &= (serves != SERVES_OVERDUE) | (rg[:, 6] <= t)
        if not found.all():
            # an overdue-only group's lower bound was stale: make it exact, and that group
            # acts (or not) in a later step
            miss = ~found
            self._refresh_overdue(act[miss], role[miss])
            k = np.flatnonzero(found)
            if not k.size:
                return
            act, g, t, gt, role, rr, prow, fr, p = (
                act[k], g[k], t[k], gt[k], role[k], rr[k], prow[k], fr[k], p[k]
            )
            b, j, blk, bm, i, ri, rg = b[k], j[k], blk[k], bm[k], i[k], ri[k], rg[k]
        ar = np.arange(act.size)
        # remove it from the queue; the block's and the row's minima can only rise
        self.ready_flat.put((rr * NB + b) * B + j, INF)
        blk[ar, j] = INF
        nb = blk[ar, blk.argmin(axis=1)]
        self.bmin_flat.put(rr * NB + b, nb)
        bm[ar, b] = nb
        self.rmin_flat.put(act * 4 + 2 * role, bm[ar, bm.argmin(axis=1)])
        if self.has_it:
            odb = self.od_rows.take(act * NB + b, axis=0)
            vi = np.where(blk < odb, blk, INF)
            self.bmin_it_flat.put(rr * NB + b, vi[ar, vi.argmin(axis=1)])
        # how long it takes (planner-model.md: effort ÷ (hours_per_week / 7 × productivity(t)))
        s = np.minimum(rg[:, 0].astype(np.int64), FINAL)
        eff = rg.reshape(-1).take(ar * 8 + 1 + s)
        prod = np.minimum(1.0, gt[:, 4] + gt[:, 5] * (t - gt[:, 6]))
        hp = gt[:, 3]
        c = t + eff / (hp * prod)
        # the person is busy until c; past the end of their post they leave
        endg = gt[:, 2]
        nf = np.where(c < endg, c, INF)
        self.free_flat.put(prow * self.P + p, nf)
        fr[ar, p] = nf
        self.F_flat.put(prow, fr[ar, fr.argmin(axis=1)])
        self._book_hours(act, role, t, c, hp, endg)
        if self.decision_start is not None:
            d0 = s == DECISION
            self.decision_start.put(ri[d0], t[d0])
        # what happens to the request next (planner-model.md, "Path of a request")
        cont = ((rg[:, 7].astype(np.int64) >> s) & 1).astype(bool)
        is0 = s == DECISION
        adv = np.where(is0, c + rg[:, 5], rg[:, 5])  # advice is requested at the decision
        x = np.where(s == EP_TASK, np.maximum(c, adv), c + self.after.take(s))
        self.rec_flat.put(ri * 8, s + 1)
        self.rec_flat.put(ri * 8 + 5, adv)
        self.exit.put(ri, np.where(cont, INF, x))
        self.plan_time.put(ri, np.where(s == FINAL, c, INF))
        # its next task joins a queue (the EP's after a decision, else the case officers')
        nrole = np.where(is0, EP, CO)
        xg = np.where(cont, x, INF)
        nbi = (nrole * R + act) * NB + b
        self.ready_flat.put(nbi * B + j, xg)
        self.bmin_flat.put(nbi, np.minimum(self.bmin_flat.take(nbi), xg))
        k0 = act * 4 + 2 * nrole
        self.rmin_flat.put(k0, np.minimum(self.rmin_flat.take(k0), xg))
        if self.has_od:
            v = np.maximum(xg, rg[:, 6])
            self.rmin_flat.put(k0 + 1, np.minimum(self.rmin_flat.take(k0 + 1), v))
        if self.has_it:
            vi2 = np.where(xg < rg[:, 6], xg, INF)
            self.bmin_it_flat.put(nbi, np.minimum(self.bmin_it_flat.take(nbi), vi2))

    def _refresh_overdue(self, act: I64, role: I64) -> None:
        """Exact earliest time a task is ready and overdue, for these (replication, role)."""
        rows = self.ready.reshape(2 * self.R, self.N).take(role * self.R + act, axis=0)
        ods = self.od.take(act, axis=0)
        self.rmin_flat.put(act * 4 + 2 * role + 1, np.maximum(rows, ods).min(axis=1))

    def _book_hours(self, act: I64, role: I64, t: F64, c: F64, hp: F64, endg: F64) -> None:
        """Hours worked (busy time × hours per day), split between the months they fall in."""
        mo = self.months
        ms = mo.of_day.take(t.astype(np.int64))
        base = (act * 2 + role) * (mo.M + 1)
        me = mo.end.take(ms)
        self.hours[base + ms] += hp * (np.minimum(c, me) - t)
        spill = c > me
        if spill.any():
            bs, cc, h, k = base[spill], c[spill], hp[spill], ms[spill] + 1
            while bs.size:
                self.hours[bs + k] += h * (np.minimum(cc, mo.end[k]) - mo.start[k])
                more = cc > mo.end[k]
                bs, cc, h, k = bs[more], cc[more], h[more], k[more] + 1
        over = c > endg
        if over.any():
            _book_overrun(self.overrun, mo, act[over], role[over], t[over], c[over], hp[over],
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
    cs: Compiled, ci: ChunkInputs, *, record_decision_start: bool = False
) -> RawChunk:
    """Simulate one chunk of replications and return its per-request results."""
    engine = Lockstep(cs, ci, record_decision_start)
    engine.run()
    return engine.raw()
