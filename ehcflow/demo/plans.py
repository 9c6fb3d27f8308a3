"""EHC plans: the stock before 2018, new plans, transfers in, reviews, phase transfers, ceasing.

The number of plans in force at each January census is DfE's for BCP (caseload.csv:
2,448 in 2020 rising to 4,432 in 2025), by construction: new plans come from the requests,
transfers in from other authorities arrive at about 2% of the caseload a year, and exactly
enough plans cease between two censuses to land on the next figure (young people reaching
25 first, then mostly young adults leaving education, some moving away). Before the first
census the stock of plans made before September 2018 is sized to fit; after the last one
plans cease at 7.5% a year.

Every plan is reviewed within 12 months of its issue or last review meeting (CFA 2014
s.44(1)); the decision follows the meeting, within 4 weeks (reg 20(10)) in 10.6% of 2024's
reviews (DfE annual_reviews.csv, BCP); amendments follow; a phase transfer review names the
next school by 15 February, or 31 March for post-16 (reg 18(1)).

Longer than 500 lines on purpose: the demo's maintained plans and their whole review history
are generated together, so one calibration (plans, meetings, decisions in 4 weeks) holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from ehcflow.demo import schools, targets
from ehcflow.demo.children import AGE_WITH_PLAN, pick_index
from ehcflow.demo.common import (
    add_years_safe,
    at,
    curve,
    stream,
    working_day_between,
    working_on_or_after,
    working_on_or_before,
)
from ehcflow.demo.rows import ChildRow, InstitutionRow, ReviewRow, SettingRow
from ehcflow.statutory import clock
from ehcflow.statutory import reviews as review_law
from ehcflow.statutory.dates import age_on

TRANSFER_IN_RATE = 0.022  # plans transferred in from other authorities, per year of caseload
FIRST_INTERVAL_CEASE_RATE = 0.08  # per year, before the first census
MIN_CEASE_RATE = 0.03  # per year: a floor, so every interval has some plans ending
LATER_CEASE_RATE = 0.075  # per year, after the last census

REVIEW_MEETING_ON_TIME = curve([
    (date(2018, 9, 1), 0.85), (date(2020, 3, 1), 0.80), (date(2020, 6, 1), 0.65),
    (date(2021, 6, 1), 0.70), (date(2022, 6, 1), 0.55), (date(2023, 6, 1), 0.50),
    (date(2024, 6, 1), 0.60), (date(2025, 6, 1), 0.80), (date(2040, 1, 1), 0.85),
])
# Review decisions notified within 4 weeks of the meeting, by year of the meeting. 2024 is
# DfE's 10.6% for BCP and is met exactly (a quota); the others are drawn.
DECISION_IN_4_WEEKS = {2018: 0.60, 2019: 0.55, 2020: 0.45, 2021: 0.35, 2022: 0.20,
                       2023: 0.12, 2024: 0.106, 2025: 0.30}
DECISION_IN_4_WEEKS_LATER = 0.45
PHASE_TRANSFER_ON_TIME = curve([
    (date(2018, 9, 1), 0.90), (date(2021, 1, 1), 0.70), (date(2023, 1, 1), 0.50),
    (date(2024, 6, 1), 0.75), (date(2026, 1, 1), 0.85), (date(2040, 1, 1), 0.85),
])

NEEDS_UNDER_5 = (("SLCN", 40), ("ASD", 35), ("PD", 6), ("SLD", 6), ("DS", 2), ("HI", 3),
                 ("VI", 1), ("PMLD", 2), ("OTH", 5))
NEEDS_PRIMARY = (("ASD", 35), ("SLCN", 20), ("SEMH", 15), ("MLD", 10), ("SLD", 5),
                 ("SPLD", 4), ("PD", 3), ("HI", 2), ("VI", 1), ("PMLD", 1), ("MSI", 0.5),
                 ("OTH", 3.5))
NEEDS_SECONDARY = (("ASD", 35), ("SEMH", 25), ("MLD", 10), ("SLCN", 8), ("SPLD", 7),
                   ("SLD", 5), ("PD", 3), ("HI", 2), ("VI", 1), ("PMLD", 1), ("OTH", 3))


@dataclass
class Plan:
    """A plan's whole life (dates may lie after `today`)."""

    key: int
    child: int
    date_of_birth: date
    request: int | None  # request key
    first_issued: date
    stable_key: tuple[int | str, ...]
    transferred_in: bool = False
    stock: bool = False
    cease_date: date | None = None
    cease_reason: str = ""
    personal_budget: bool = False
    organised_arrangements: bool = False
    residential: bool = False
    work_based_learning: bool = False
    settings: list[SettingRow] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    reviews: list[ReviewRow] = field(default_factory=list)
    officers: list[tuple[date, int]] = field(default_factory=list)  # (from, staff key)

    def in_force(self, on: date) -> bool:
        return self.first_issued <= on and (self.cease_date is None or self.cease_date > on)


def boundaries() -> list[date]:
    """History start, then each January census with a DfE figure."""
    return [targets.HISTORY_STARTS] + [targets.census_date(y)
                                       for y in sorted(targets.PLANS_MAINTAINED_JANUARY)]


def _years(a: date, b: date) -> float:
    return (b - a).days / 365.25


def transfers_in(scale: float) -> list[int]:
    """Transfers in per census interval (before any top-up to keep ceasing plausible)."""
    edges = boundaries()
    wanted = [targets.PLANS_MAINTAINED_JANUARY[e.year] for e in edges[1:]]
    return [round(TRANSFER_IN_RATE * _years(a, b) * w * scale)
            for a, b, w in zip(edges[:-1], edges[1:], wanted, strict=True)]


def stock_size(scale: float, new_in_first_interval: int) -> int:
    """Plans in force in September 2018 so that January 2020 has DfE's 2,448."""
    edges = boundaries()
    first_target = targets.PLANS_MAINTAINED_JANUARY[edges[1].year] * scale
    ceasing = FIRST_INTERVAL_CEASE_RATE * _years(edges[0], edges[1]) * 2200 * scale
    return round(first_target - new_in_first_interval - transfers_in(scale)[0] + ceasing)


def _pick(rng: np.random.Generator, options: tuple[tuple[str, float], ...]) -> str:
    labels = [o[0] for o in options]
    p = np.array([o[1] for o in options], dtype=float)
    return labels[int(rng.choice(len(labels), p=p / p.sum()))]


def _needs(rng: np.random.Generator, age: int) -> list[str]:
    table = NEEDS_UNDER_5 if age < 5 else NEEDS_PRIMARY if age < 11 else NEEDS_SECONDARY
    primary = _pick(rng, table)
    if rng.random() < 0.55:
        secondary = _pick(rng, tuple(o for o in table if o[0] != primary))
        return [primary, secondary]
    return [primary]


class Placements:
    """Chooses the setting a plan names, by age and need (DfE caseload.csv placement mix)."""

    def __init__(self, institutions: list[InstitutionRow]) -> None:
        self.early = schools.by_kind(institutions, schools.EARLY_YEARS)
        self.primary = schools.by_kind(institutions, schools.PRIMARY)
        self.secondary = schools.by_kind(institutions, schools.SECONDARY, schools.ALL_THROUGH)
        self.special = schools.by_kind(institutions, schools.SPECIAL, in_area=True)
        self.special_out = schools.by_kind(institutions, schools.SPECIAL, in_area=False)
        self.independent = schools.by_kind(institutions, schools.INDEPENDENT_SPECIAL)
        self.ap = schools.by_kind(institutions, schools.AP)
        self.college = schools.by_kind(institutions, schools.COLLEGE)
        self.requestable = [i.key for i in self.special + self.secondary[:4] + self.independent]

    @staticmethod
    def _one(rng: np.random.Generator, rows: list[InstitutionRow]) -> int:
        return rows[int(rng.integers(len(rows)))].key

    def choose(self, rng: np.random.Generator, age: int, need: str, was_special: bool | None
               ) -> tuple[int | None, str, bool]:
        """(institution key, SEN2 setting code, resourced provision) for a child of `age`."""
        severe = need in ("SLD", "PMLD", "MSI")
        special_share = 0.95 if severe else 0.35
        if was_special is not None:
            special_share = 0.85 if was_special else 0.2
        draw = rng.random()
        if age < 4:
            return (self._one(rng, self.early), "", False) if draw < 0.6 else (None, "EYP", False)
        if age <= 15:
            mainstream = self.primary if age <= 10 else self.secondary
            if draw < special_share:
                if age >= 11 and rng.random() < 0.2:
                    return self._one(rng, self.independent + self.special_out), "", False
                return self._one(rng, self.special), "", False
            rest = rng.random()
            if rest < 0.04:
                return self._one(rng, self.ap), "", False
            if rest < 0.07:
                return None, "EHE", False
            if rest < 0.10:
                return None, "OLA", False
            return self._one(rng, mainstream), "", bool(rng.random() < 0.06)
        if draw < 0.2 or (severe and draw < 0.6):
            return self._one(rng, self.special), "", False
        if draw < 0.3:
            return self._one(rng, self.independent), "", False
        if draw < (0.85 if age < 19 else 0.70):
            return self._one(rng, self.college), "", False
        return None, ("NEET" if rng.random() < 0.6 else "OTH"), False


def transfer_years(date_of_birth: date) -> list[tuple[int, bool]]:
    """(calendar year, secondary to post-16?) of each phase transfer: reception, Year 7, 12."""
    out = []
    for age, post16 in ((4, False), (11, False), (16, True)):
        year = date_of_birth.year + age + (1 if (date_of_birth.month, date_of_birth.day) >
                                           (8, 31) else 0)
        out.append((year, post16))
    return out


def _ceasing_weight(age: int) -> float:
    if age >= 19:
        return 6.0
    if age >= 16:
        return 2.5
    if age >= 11:
        return 0.6
    return 0.45


def _cease_reason(rng: np.random.Generator, age: int) -> str:
    """SEN2 CeaseReason codes, by age (young adults mostly leave education or training)."""
    options: tuple[tuple[str, float], ...]
    if age >= 19:
        options = (("2", 35), ("4", 15), ("3", 10), ("6", 20), ("5", 10), ("7", 4), ("9", 6))
    elif age >= 16:
        options = (("2", 30), ("4", 10), ("6", 20), ("5", 25), ("7", 5), ("9", 10))
    else:
        options = (("5", 45), ("2", 35), ("7", 10), ("9", 10))
    return _pick(rng, options)


def _cease_day(rng: np.random.Generator, plan: Plan, lo: date, hi: date) -> date | None:
    """A working day in (lo, hi] at least a month after issue; leavers go in the summer."""
    lo = max(lo, plan.first_issued + timedelta(days=30)) + timedelta(days=1)
    if lo > hi:
        return None
    age = age_on(plan.date_of_birth, lo)
    if age >= 16 and rng.random() < 0.7:
        for year in range(lo.year, hi.year + 1):
            start, end = max(lo, date(year, 7, 15)), min(hi, date(year, 8, 31))
            if start <= end:
                return working_day_between(rng, start, end)
    day = working_day_between(rng, lo, hi)
    return day if lo <= day <= hi else None


def balance(seed: int, scale: float, plans: list[Plan], last_day: date,
            new_transfer: Callable[[int, date], Plan]) -> None:
    """Add transfers in and cease plans so each census lands on DfE's count exactly."""
    edges = boundaries()
    planned_in = transfers_in(scale)
    for k in range(1, len(edges)):
        lo, hi = edges[k - 1], edges[k]
        rng = stream(seed, "caseload", hi.year)
        target = round(targets.PLANS_MAINTAINED_JANUARY[hi.year] * scale)
        before = sum(1 for p in plans if p.in_force(lo))
        new = sum(1 for p in plans if lo < p.first_issued <= hi)
        arrivals = planned_in[k - 1]
        ceasing = before + new + arrivals - target
        if k > 1:  # the stock was sized for the first interval
            floor = round(MIN_CEASE_RATE * _years(lo, hi) * before)
            floor += len(_forced(plans, lo, hi))
            if ceasing < floor:
                arrivals += floor - ceasing
                ceasing = floor
        for n in range(arrivals):
            plans.append(new_transfer(n, working_day_between(rng, lo + timedelta(days=1), hi)))
        _cease(rng, plans, lo, hi, ceasing, _forced(plans, lo, hi))
        assert sum(1 for p in plans if p.in_force(hi)) == target, (hi, target)
    # After the last census: steady rates, census to census, whatever `today` is.
    lo = edges[-1]
    while lo < last_day:
        hi = targets.census_date(lo.year + 1)
        rng = stream(seed, "caseload", hi.year)
        in_force = sum(1 for p in plans if p.in_force(lo))
        years = _years(lo, hi)
        for n in range(round(TRANSFER_IN_RATE * years * in_force)):
            plans.append(new_transfer(n, working_day_between(rng, lo + timedelta(days=1), hi)))
        forced = _forced(plans, lo, hi)
        _cease(rng, plans, lo, hi, max(len(forced), round(LATER_CEASE_RATE * years * in_force)),
               forced)
        lo = hi


def _forced(plans: list[Plan], lo: date, hi: date) -> list[Plan]:
    """Plans of young people who turn 25 in (lo, hi]: they must end."""
    return [p for p in plans if p.cease_date is None and p.first_issued <= hi
            and lo < add_years_safe(p.date_of_birth, 25) <= hi]


def _cease(rng: np.random.Generator, plans: list[Plan], lo: date, hi: date, count: int,
           forced: list[Plan]) -> None:
    done = 0
    for plan in forced:
        day = max(working_on_or_before(add_years_safe(plan.date_of_birth, 25)),
                  plan.first_issued + timedelta(days=1))
        if lo < day <= hi:
            plan.cease_date, plan.cease_reason = day, "1"
            done += 1
    candidates = [p for p in plans if p.cease_date is None and p.first_issued < hi
                  and (p.first_issued > lo or p.in_force(lo))]
    if not candidates or done >= count:
        return
    mid = lo + (hi - lo) / 2
    weights = np.array([_ceasing_weight(age_on(p.date_of_birth, mid)) for p in candidates])
    order = rng.choice(len(candidates), size=len(candidates), replace=False,
                       p=weights / weights.sum())
    for i in order:
        if done >= count:
            break
        plan = candidates[int(i)]
        when = _cease_day(rng, plan, lo, hi)
        if when is None:
            continue
        plan.cease_date = when
        plan.cease_reason = _cease_reason(rng, age_on(plan.date_of_birth, when))
        done += 1
    assert done == count, (lo, hi, done, count)


def furnish(seed: int, plan: Plan, placements: Placements, last_day: date) -> None:
    """Needs, settings (and phase-transfer moves), flags and reviews of one plan."""
    rng = stream(seed, "plan", *plan.stable_key)
    issued = plan.first_issued
    age = age_on(plan.date_of_birth, issued)
    plan.needs = _needs(rng, age)
    institution, code, resourced = placements.choose(rng, age, plan.needs[0], None)
    plan.settings = [SettingRow(rank=1, institution=institution, sen_setting=code,
                                entry_date=issued, resourced_provision=resourced)]
    plan.personal_budget = bool(rng.random() < 0.06)
    plan.organised_arrangements = plan.personal_budget and bool(rng.random() < 0.5)
    plan.residential = bool(rng.random() < 0.02)
    plan.work_based_learning = age >= 16 and bool(rng.random() < 0.05)
    end = plan.cease_date or last_day
    special_keys = {i.key for i in (placements.special + placements.special_out +
                                    placements.independent)}
    for year, post16 in transfer_years(plan.date_of_birth):
        moved = date(year, 9, 1)
        if not (issued < moved <= end):
            continue
        current = plan.settings[-1]
        was_special = current.institution in special_keys
        new_age = age_on(plan.date_of_birth, moved)
        if was_special and not post16 and rng.random() < 0.8:
            continue  # special schools mostly take children through from 4 to 16
        institution, code, resourced = placements.choose(rng, new_age, plan.needs[0],
                                                         was_special)
        current.leaving_date = date(year, 7, 21)
        current.rank = 2
        plan.settings = [s for s in plan.settings if s is not current] + [current]
        plan.settings.insert(0, SettingRow(rank=1, institution=institution, sen_setting=code,
                                           entry_date=moved, resourced_provision=resourced))
    plan.reviews = _reviews(rng, plan, last_day)


def _first_due(rng: np.random.Generator, plan: Plan) -> date:
    if not plan.stock:
        return clock.next_review_due(plan.first_issued)
    # A plan made before the records begin: its reviews before September 2018 are not
    # recorded; the next falls due within the following year.
    meeting = plan.first_issued
    while clock.next_review_due(meeting) < targets.HISTORY_STARTS:
        meeting = clock.next_review_due(meeting) - timedelta(days=int(rng.integers(0, 30)))
    return clock.next_review_due(meeting)


def _reviews(rng: np.random.Generator, plan: Plan, last_day: date) -> list[ReviewRow]:
    reviews: list[ReviewRow] = []
    due = _first_due(rng, plan)
    transfers = transfer_years(plan.date_of_birth)
    flagged: set[int] = set()
    horizon = last_day + timedelta(days=400)
    while due <= horizon:
        if plan.cease_date is not None and due - timedelta(days=60) >= plan.cease_date:
            break
        scheduled = working_on_or_before(due - timedelta(days=int(rng.integers(56, 85))))
        scheduled = max(scheduled, plan.first_issued)
        if rng.random() < float(at(REVIEW_MEETING_ON_TIME, due)):
            meeting = due - timedelta(days=int(rng.integers(0, 43)))
        else:
            meeting = due + timedelta(days=int(rng.integers(1, 151)))
        meeting = working_on_or_after(max(meeting, plan.first_issued + timedelta(days=30)))
        if plan.cease_date is not None and meeting >= plan.cease_date:
            break
        review = ReviewRow(due_date=due, scheduled_on=scheduled, meeting_date=meeting)
        for year, post16 in transfers:
            deadline = clock.phase_transfer_deadline(year, secondary_to_post16=post16)
            if year not in flagged and date(year - 1, 6, 1) <= due <= deadline:
                flagged.add(year)
                review.phase_transfer, review.transfer_year = True, year
                review.secondary_to_post16, review.phase_transfer_due = post16, deadline
        reviews.append(review)
        due = clock.next_review_due(meeting)
    return reviews


def decide_reviews(seed: int, plans: list[Plan]) -> None:
    """Decision dates, outcomes and amended plans of every review meeting.

    2024's meetings get 10.6% of decisions within 4 weeks (DfE, BCP) by quota; other years
    are drawn with their own rate. A plan that ceases after a review is decided "cease".
    """
    rng = stream(seed, "review-decisions")
    meetings = [(p, r) for p in plans for r in p.reviews if r.meeting_date is not None]
    meetings.sort(key=lambda pr: (pr[1].meeting_date or date.min, pr[0].key))

    def quota_year(plan: Plan, review: ReviewRow) -> bool:
        # In the quota: 2024 meetings whose decision cannot be cut short by the plan ending.
        meeting = review.meeting_date
        assert meeting is not None
        return meeting.year == 2024 and (
            plan.cease_date is None or plan.cease_date - meeting > timedelta(days=220))

    for plan, review in meetings:
        if not quota_year(plan, review):
            assert review.meeting_date is not None
            share = DECISION_IN_4_WEEKS.get(review.meeting_date.year, DECISION_IN_4_WEEKS_LATER)
            _decide(rng, plan, review, within=bool(rng.random() < share))
    quota = [(p, r) for p, r in meetings if quota_year(p, r)]
    others = [r for p, r in meetings if r.meeting_date is not None
              and r.meeting_date.year == 2024 and r.decision_date is not None
              and not quota_year(p, r)]
    within_others = sum(1 for r in others if r.decision_date and r.meeting_date
                        and (r.decision_date - r.meeting_date).days <= 28)
    wanted = round(DECISION_IN_4_WEEKS[2024] * (len(quota) + len(others))) - within_others
    chosen = {int(i) for i in rng.permutation(len(quota))[: max(0, wanted)]}
    for n, (plan, review) in enumerate(quota):
        _decide(rng, plan, review, within=n in chosen)


def _decide(rng: np.random.Generator, plan: Plan, review: ReviewRow, *, within: bool) -> None:
    meeting = review.meeting_date
    assert meeting is not None
    if within:
        decision = working_on_or_after(meeting + timedelta(days=int(rng.integers(3, 29))))
        if (decision - meeting).days > 28:
            decision = working_on_or_before(meeting + timedelta(days=28))
    else:
        longest = 200 if 2022 <= meeting.year <= 2024 else 120
        decision = working_on_or_after(meeting + timedelta(days=int(rng.integers(29, longest))))
    cease = plan.cease_date
    if cease is not None and decision >= cease:
        if cease - meeting < timedelta(days=20):
            return  # the plan ended before a decision was made
        decision = max(working_on_or_before(cease - timedelta(days=14)), meeting)
    review.decision_date = decision
    if (cease is not None and plan.cease_reason in ("1", "2", "3", "4", "6", "9")
            and cease - meeting <= timedelta(days=200) and review is _last_before(plan, cease)):
        review.outcome = "cease"  # the review concluded the plan was no longer needed
        return
    if review.phase_transfer or rng.random() < 0.58:
        review.outcome = "amend"
        review.amendment_notice_date = decision
        amended = _amended_date(rng, review, decision)
        if cease is None or amended < cease:
            review.amended_final_date = amended
    else:
        review.outcome = "maintain"


def _last_before(plan: Plan, day: date) -> ReviewRow | None:
    held = [r for r in plan.reviews if r.meeting_date is not None and r.meeting_date < day]
    return held[-1] if held else None


def _amended_date(rng: np.random.Generator, review: ReviewRow, decision: date) -> date:
    """The final amended plan: within 12 weeks of the meeting (reg 22(3); Devon [2022])."""
    if review.phase_transfer and review.phase_transfer_due is not None:
        deadline = review.phase_transfer_due
        if rng.random() < float(at(PHASE_TRANSFER_ON_TIME, deadline)) and decision < deadline:
            lo = max(decision + timedelta(days=15), deadline - timedelta(days=75))
            return working_day_between(rng, min(lo, deadline), deadline)
    slow = review.meeting_date is not None and 2021 <= review.meeting_date.year <= 2024
    extra = int(rng.integers(21, 161)) if slow else int(rng.integers(14, 71))
    return working_on_or_after(decision + timedelta(days=extra))


def stock_plans(seed: int, count: int, make_child: Callable[[np.random.Generator, date, date],
                                                              ChildRow],
                first_key: int) -> list[Plan]:
    """Plans made from September 2014 (the reforms) to August 2018, in force in Sept 2018."""
    plans = []
    for n in range(count):
        rng = stream(seed, "stock", n)
        age = pick_index(rng, AGE_WITH_PLAN)
        born = add_years_safe(targets.HISTORY_STARTS, -age) - timedelta(
            days=int(rng.integers(0, 365)))
        earliest = max(date(2014, 9, 1), add_years_safe(born, 2))
        latest = date(2018, 8, 31)
        if earliest > latest:
            earliest = latest - timedelta(days=60)
        issued = working_day_between(rng, earliest, latest)
        child = make_child(rng, born, issued)
        plans.append(Plan(key=first_key + n, child=child.key, date_of_birth=born, request=None,
                          first_issued=issued, stable_key=("stock", n), stock=True))
    return plans


def calibrate_dfe_reviews(seed: int, plans: list[Plan]) -> None:
    """Fit each calibrated year to DfE's annual_reviews.csv as `ehcflow reviews` counts it.

    At the next January census (`targets.census_date`), of the plans then in force whose
    first review fell due by the end of the year: exactly `targets.REVIEW_MEETINGS_HELD`
    have a meeting recorded, by postponing past the census the first review meeting of some
    plans first reviewed in the year (and every later review of theirs with it); then, of
    the decisions after each such plan's latest meeting, the share within 4 weeks is
    `targets.REVIEW_DECISIONS_WITHIN_4_WEEKS_PCT`, by moving decision dates while keeping
    each before the census (so the set of decisions counted does not change).
    """
    for year, wanted_meetings in targets.REVIEW_MEETINGS_HELD.items():
        rng = stream(seed, "dfe-reviews", year)
        census, end = targets.census_date(year + 1), date(year, 12, 31)

        def counted(plan: Plan, census: date = census, end: date = end) -> bool:
            return plan.in_force(census) and review_law.next_review_due(
                plan.first_issued) <= end

        def held(plan: Plan, census: date = census) -> list[ReviewRow]:
            return [r for r in plan.reviews if r.meeting_date is not None
                    and r.meeting_date <= census]

        with_meeting = [p for p in plans if counted(p) and held(p)]
        excess = len(with_meeting) - wanted_meetings
        movable = [p for p in with_meeting if p.cease_date is None and len(held(p)) == 1
                   and held(p)[0].meeting_date is not None
                   and held(p)[0].meeting_date >= date(year, 1, 1)]  # type: ignore[operator]
        for n in rng.permutation(len(movable))[:max(0, excess)]:
            plan = movable[int(n)]
            first = held(plan)[0]
            assert first.meeting_date is not None
            shift = (census - first.meeting_date) + timedelta(days=int(rng.integers(7, 60)))
            _postpone(plan, shift)
        latest = [max(held(p), key=lambda r: r.meeting_date or date.min)
                  for p in plans if counted(p) and held(p)]
        decided = [r for r in latest if r.decision_date is not None and r.decision_date <= census]
        wanted = round(targets.REVIEW_DECISIONS_WITHIN_4_WEEKS_PCT[year] / 100 * len(decided))
        within = [r for r in decided if _within_4_weeks(r)]
        late = [r for r in decided if not _within_4_weeks(r)]
        if len(within) > wanted:
            room = [r for r in within if r.meeting_date is not None
                    and (census - r.meeting_date).days >= 35]
            for n in rng.permutation(len(room))[:len(within) - wanted]:
                _redecide(rng, room[int(n)], census, within=False)
        else:
            for n in rng.permutation(len(late))[:wanted - len(within)]:
                _redecide(rng, late[int(n)], census, within=True)


def _within_4_weeks(review: ReviewRow) -> bool:
    assert review.meeting_date is not None and review.decision_date is not None
    return review.decision_date <= clock.review_decision_due(review.meeting_date)


def _postpone(plan: Plan, shift: timedelta) -> None:
    """Move every step of a plan's reviews from the first meeting on by `shift`."""
    for n, review in enumerate(plan.reviews):
        if n:
            review.due_date += shift
            review.scheduled_on += shift
        for name in ("meeting_date", "decision_date", "amendment_notice_date",
                     "amended_final_date"):
            day = getattr(review, name)
            if day is not None:
                setattr(review, name, working_on_or_after(day + shift))


def _redecide(rng: np.random.Generator, review: ReviewRow, census: date, *, within: bool
              ) -> None:
    """A new decision date within, or after, the 4 weeks, never after `census`."""
    meeting = review.meeting_date
    assert meeting is not None
    if within:
        day = working_on_or_before(min(meeting + timedelta(days=int(rng.integers(3, 29))),
                                       census))
        day = max(day, meeting)
    else:
        longest = min(200, (census - meeting).days)
        day = working_on_or_before(meeting + timedelta(days=int(rng.integers(29, longest + 1))))
        if day <= clock.review_decision_due(meeting):
            day = working_on_or_after(clock.review_decision_due(meeting) + timedelta(days=1))
        if day > census:
            return
    review.decision_date = day
    if review.outcome == "amend":
        review.amendment_notice_date = day
        if review.amended_final_date is not None and review.amended_final_date <= day:
            review.amended_final_date = working_on_or_after(day + timedelta(days=21))
