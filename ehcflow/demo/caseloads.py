"""Who holds each request and each plan: case officers' caseloads over time.

A new request goes to the case officer with the most room: open requests per unit of
capacity, where capacity ramps from half to full over a new starter's first 26 weeks (report
000 para 13d: protected caseloads). A new plan stays with the officer who finalised it (as
`services.request_issue_final` does); plans from before the records and plans transferred in
go to the officer with fewest plans per unit of capacity. When an officer leaves, their open
requests and their plans pass to colleagues the same way; for a request that is a
`request_allocated` event. With no case officer free, a team manager holds the case
(`services.request_allocate` allows either).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import numpy as np

from ehcflow.demo import targets
from ehcflow.demo.common import stream, working_on_or_after
from ehcflow.demo.paths import Path
from ehcflow.demo.plans import Plan
from ehcflow.demo.workforce import AREA_TEAMS, Person
from ehcflow.people.models import Role

NEVER = date.max.toordinal()


class _Caseloads:
    """Each officer's current cases as a heap on the day they end, so closing is cheap."""

    def __init__(self, rng: np.random.Generator, people: list[Person]) -> None:
        self.rng = rng
        self.officers = [p for p in people if p.role == Role.CASE_OFFICER]
        self.managers = [p for p in people if p.role == Role.TEAM_MANAGER
                         and p.team is not None and p.team < len(AREA_TEAMS)]
        self.held: dict[int, list[tuple[int, int, Any]]] = {
            p.key: [] for p in self.officers + self.managers}

    def load(self, key: int, on: date) -> int:
        heap, day = self.held[key], on.toordinal()
        while heap and heap[0][0] <= day:
            heapq.heappop(heap)
        return len(heap)

    def give(self, key: int, ends: int, order: int, item: Any) -> None:
        heapq.heappush(self.held[key], (ends, order, item))

    def choose(self, on: date, exclude: int | None = None) -> int:
        soon = on + timedelta(days=14)
        staying = [p for p in self.officers if p.key != exclude and p.in_post(on)
                   and (p.end is None or p.end >= soon)]
        pool = staying or [p for p in self.officers if p.key != exclude and p.in_post(on)] \
            or [p for p in self.managers if p.key != exclude and p.in_post(on)]
        best, best_score = pool[0].key, float("inf")
        for p in pool:
            score = (self.load(p.key, on) + 1) / p.capacity(on) * (1 + 0.15 * self.rng.random())
            if score < best_score:
                best, best_score = p.key, score
        return best

    def leavers(self, last_day: date) -> list[tuple[date, int]]:
        return sorted((p.end, p.key) for p in self.officers + self.managers
                      if p.end is not None and p.end <= last_day)

    def hand_over(self, day: date, key: int, passed: Callable[[Any, date, int], None]) -> None:
        """Pass the leaver's open cases on, the working day after they go."""
        handover = working_on_or_after(day + timedelta(days=1))
        self.load(key, handover)
        for ends, order, item in sorted(self.held[key], key=lambda entry: entry[1]):
            officer = self.choose(handover, exclude=key)
            passed(item, handover, officer)
            self.give(officer, ends, order, item)
        self.held[key] = []


def allocate_requests(seed: int, paths: list[Path], people: list[Person], last_day: date) -> None:
    """Fill each path's `allocations`: the officer on arrival, and each handover."""
    loads = _Caseloads(stream(seed, "allocation"), people)

    def passed(path: Path, on: date, officer: int) -> None:
        path.allocations.append((on, officer, "Case officer left the service"))

    leavers, leaving = loads.leavers(last_day), 0
    for path in sorted(paths, key=lambda q: (q.timeline.received, q.timeline.index)):
        received = path.timeline.received
        while leaving < len(leavers) and leavers[leaving][0] < received:
            loads.hand_over(*leavers[leaving], passed)
            leaving += 1
        officer = loads.choose(received)
        path.allocations.append((received, officer, ""))
        loads.give(officer, path.timeline.exit.toordinal(), path.timeline.index, path)
    for day, key in leavers[leaving:]:
        loads.hand_over(day, key, passed)


def allocate_plans(seed: int, plans: list[Plan], paths: list[Path], people: list[Person],
                   last_day: date) -> None:
    """Fill each plan's `officers`: who maintained it from when (the last one holds it)."""
    loads = _Caseloads(stream(seed, "plan-allocation"), people)
    finalised_by = {}
    for path in paths:
        if path.final_date is not None:
            held = [a for a in path.allocations if a[0] <= path.final_date]
            finalised_by[path.timeline.index] = held[-1][1]

    def passed(plan: Plan, on: date, officer: int) -> None:
        plan.officers.append((on, officer))

    def starts(plan: Plan) -> date:
        return max(plan.first_issued, targets.HISTORY_STARTS)

    leavers, leaving = loads.leavers(last_day), 0
    for plan in sorted(plans, key=lambda p: (starts(p), p.key)):
        start = starts(plan)
        while leaving < len(leavers) and leavers[leaving][0] < start:
            loads.hand_over(*leavers[leaving], passed)
            leaving += 1
        officer = finalised_by.get(plan.request) if plan.request is not None else None
        if officer is None or not any(p.key == officer and p.in_post(start) for p in people):
            officer = loads.choose(start)
        plan.officers.append((start, officer))
        ends = plan.cease_date.toordinal() if plan.cease_date else NEVER
        loads.give(officer, ends, plan.key, plan)
    for day, key in leavers[leaving:]:
        loads.hand_over(day, key, passed)
