"""The invented authority, as plain rows: `generate(seed, today)`.

Pure Python and numpy: nothing here touches the database, so the whole authority can be
built and measured in a second or two (tests/demo does, for several seeds). The order:

1. institutions and the workforce (`schools`, `workforce`);
2. every request's arrival, fate and end date, fitted to the report (`timeline`);
3. children, and every step of every request (`paths`), and case officers (`paths.allocate`);
4. plans: the stock before September 2018, new plans, transfers in and ceasing, fitted to
   DfE's January caseloads; then reviews (`plans`);
5. what stood on `today`, with a case event for every step (`assemble`).

The world is generated up to the end of `today`'s year (at least 2025) and cut at `today`;
each part draws from its own seeded stream, so the past does not depend on `today`.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from ehcflow.demo import (
    assemble,
    caseloads,
    paths,
    plans,
    schools,
    timeline,
    workforce,
)
from ehcflow.demo.children import AGE_AT_REQUEST, AGE_WITH_PLAN, ChildMaker, pick_index
from ehcflow.demo.common import add_years_safe, stream
from ehcflow.demo.rows import Authority, InstitutionRow
from ehcflow.demo.timeline import Fate, RequestTimeline
from ehcflow.people.models import Role
from ehcflow.statutory.dates import age_on

EARLIEST_TODAY = date(2019, 1, 1)
RE_REQUEST_SHARE = 0.06  # requests for a child refused an assessment at least 4 months before


def generate(seed: int, today: date, scale: float = 1.0) -> Authority:
    """The demo authority as it stood on `today` (deterministic for a seed and a date)."""
    if today < EARLIEST_TODAY:
        raise ValueError(f"The demo's history starts in 2018; choose a date from "
                         f"{EARLIEST_TODAY:%d %B %Y}.")
    if not 0 < scale <= 1:
        raise ValueError("scale must be more than 0 and at most 1.")
    last_year = max(today.year, 2025)
    last_day = date(last_year, 12, 31)
    institutions = schools.build()
    teams, people = workforce.build(seed, scale, last_day)
    timelines = timeline.build(seed, last_year, scale)

    maker = ChildMaker(schools.by_kind(institutions, schools.PRIMARY), known_by=today)
    edges = plans.boundaries()
    new_first = sum(1 for t in timelines
                    if t.fate is Fate.PLAN and edges[0] < t.exit <= edges[1])
    stock = plans.stock_plans(seed, plans.stock_size(scale, new_first), maker.make, first_key=0)
    request_paths = _request_paths(seed, timelines, maker, institutions, people)
    caseloads.allocate_requests(seed, request_paths, people, last_day)

    all_plans = list(stock)
    for path in sorted((p for p in request_paths if p.final_date is not None),
                       key=lambda p: (p.final_date, p.timeline.index)):
        assert path.final_date is not None
        all_plans.append(plans.Plan(
            key=len(all_plans), child=path.child, date_of_birth=maker.born[path.child],
            request=path.timeline.index, first_issued=path.final_date,
            stable_key=("request", path.timeline.index)))

    def new_transfer(n: int, on: date) -> plans.Plan:
        # Keyed by day and number: intervals never share a day, so keys never repeat.
        rng = stream(seed, "transfer-in", on.toordinal(), n)
        age = pick_index(rng, AGE_WITH_PLAN[:23])
        born = add_years_safe(on, -age) - timedelta(days=int(rng.integers(0, 365)))
        child = maker.make(rng, born, on)
        return plans.Plan(key=len(all_plans), child=child.key, date_of_birth=born, request=None,
                          first_issued=on, transferred_in=True,
                          stable_key=("transfer", on.toordinal(), n))

    plans.balance(seed, scale, all_plans, last_day, new_transfer)
    placements = plans.Placements(institutions)
    for plan in all_plans:
        plans.furnish(seed, plan, placements, last_day)
    plans.decide_reviews(seed, all_plans)
    plans.calibrate_dfe_reviews(seed, all_plans)
    caseloads.allocate_plans(seed, all_plans, request_paths, people, last_day)
    return assemble.authority(
        seed=seed, today=today, scale=scale, teams=teams, people=people,
        institutions=institutions, children=maker.children, paths=request_paths,
        plans=all_plans,
    )


def _request_paths(seed: int, timelines: list[RequestTimeline], maker: ChildMaker,
                   institutions: list[InstitutionRow], people: list[workforce.Person]
                   ) -> list[paths.Path]:
    """A child for each request (a few children ask again after a refusal), and its steps."""
    eps = [p for p in people if p.role == Role.EDUCATIONAL_PSYCHOLOGIST]

    def find_ep(on: date, rng: np.random.Generator) -> int | None:
        in_post = [p.key for p in eps if p.in_post(on)]
        return in_post[int(rng.integers(len(in_post)))] if in_post else None

    early = schools.by_kind(institutions, schools.EARLY_YEARS)
    primary = schools.by_kind(institutions, schools.PRIMARY)
    secondary = schools.by_kind(institutions, schools.SECONDARY, schools.ALL_THROUGH)
    college = schools.by_kind(institutions, schools.COLLEGE)
    requestable = plans.Placements(institutions).requestable
    refused: list[tuple[date, int]] = []  # (decision date, child key) of refusals
    result: list[paths.Path] = []
    for t in sorted(timelines, key=lambda item: item.index):
        rng = stream(seed, "request-child", t.index)
        child_key = None
        if rng.random() < RE_REQUEST_SHARE:
            for n, (refused_on, key) in enumerate(refused):
                if refused_on <= t.received - timedelta(days=120) and \
                        age_on(maker.born[key], t.received) < 19:
                    child_key = key
                    del refused[n]
                    break
        if child_key is None:
            born = maker.date_of_birth(rng, t.received, AGE_AT_REQUEST)
            child_key = maker.make(rng, born, t.received).key
        age = age_on(maker.born[child_key], t.received)
        setting_list = early if age < 4 else primary if age < 11 else \
            secondary if age < 16 else college
        school = setting_list[int(rng.integers(len(setting_list)))]
        school_name = "Early years setting" if age < 3 else school.name
        path = paths.build(seed, t, child_key, maker.born[child_key], school_name, find_ep,
                           requestable)
        if t.fate is Fate.NOT_ASSESSED:
            refused.append((t.exit, child_key))
        result.append(path)
    return result

