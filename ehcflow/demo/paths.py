"""Every step of each request between its arrival and its end, in the legal order.

`timeline.py` fixes when a request starts and ends; this module fills in the steps between
(docs/domain/statutory-timescales.md §1.2): the decision whether to assess, advice from the EP,
health, social care and the school (reg 6), the decision whether to issue, the draft and the 15-day
comment period (reg 13(1)(a)), the final plan, exceptions (reg 13(3); SI 2020/471), closures,
mediation and appeals. Where an assessment ran long the time goes where report 000 para 13
puts it: late EP and health advice (13e, 13f) in 2021-2023, a queue for drafting, and in the
winter of 2022/23 slow decisions whether to assess.

Dates are planned dates: some lie after `today`, and `assemble.py` keeps only what had
happened by then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from ehcflow.demo import names
from ehcflow.demo.common import (
    at,
    curve,
    stream,
    working_day_between,
    working_on_or_after,
    working_on_or_before,
)
from ehcflow.demo.timeline import Fate, RequestTimeline
from ehcflow.statutory import clock
from ehcflow.statutory.dates import age_on
from ehcflow.statutory.exceptions import (
    CORONAVIRUS_END,
    CORONAVIRUS_START,
    ExceptionReason,
    Step,
    validate_exception,
)

# Share of advice returned within 6 weeks (reg 8(1)), by the date it was asked for.
EP_ON_TIME = curve([
    (date(2018, 9, 1), 0.90), (date(2019, 12, 1), 0.85), (date(2020, 6, 1), 0.65),
    (date(2021, 6, 1), 0.40), (date(2022, 6, 1), 0.22), (date(2023, 6, 1), 0.15),
    (date(2023, 9, 4), 0.55), (date(2024, 6, 1), 0.80), (date(2025, 6, 1), 0.85),
    (date(2040, 1, 1), 0.85),
])
HEALTH_ON_TIME = curve([
    (date(2018, 9, 1), 0.80), (date(2020, 6, 1), 0.50), (date(2021, 6, 1), 0.40),
    (date(2022, 6, 1), 0.30), (date(2023, 6, 1), 0.30), (date(2024, 6, 1), 0.60),
    (date(2025, 6, 1), 0.75), (date(2040, 1, 1), 0.75),
])
OTHER_ON_TIME = {"social_care": 0.70, "education": 0.85, "other": 0.70}

MEDIATION_AFTER_REFUSAL = 0.09  # DfE 2024: 164 mediations over 1,230 requests, mostly refusals
TRIBUNAL_AFTER_REFUSAL = 0.025
MEDIATION_AFTER_PLAN = 0.04
TRIBUNAL_AFTER_PLAN = 0.02


@dataclass
class AdviceStep:
    adviser_type: str
    adviser: int | None
    organisation: str
    requested_on: date
    received_on: date
    chases: list[date] = field(default_factory=list)


@dataclass
class ExceptionStep:
    reason: str
    start: date
    end: date | None
    note: str


@dataclass
class DisagreementStep:
    kind: str
    stage: str
    decision_notice_date: date
    started_on: date
    concluded_on: date
    outcome: str


@dataclass
class Path:
    """The planned steps of one request (dates may lie after `today`)."""

    timeline: RequestTimeline
    child: int
    source: str
    decision: str = ""
    decision_date: date | None = None
    advice: list[AdviceStep] = field(default_factory=list)
    exceptions: list[ExceptionStep] = field(default_factory=list)
    outcome: str = ""
    outcome_date: date | None = None
    draft_date: date | None = None
    comments_date: date | None = None
    school_requested: int | None = None
    final_date: date | None = None
    closed_date: date | None = None
    closed_reason: str = ""
    disagreements: list[DisagreementStep] = field(default_factory=list)
    # (date, officer key, reason): the first is the allocation on registration.
    allocations: list[tuple[date, int, str]] = field(default_factory=list)


EpFinder = Callable[[date, np.random.Generator], int | None]


def _source(rng: np.random.Generator, age: int) -> str:
    if age >= 16 and rng.random() < 0.5:
        return "young_person"
    draw = rng.random()
    for share, source in ((0.55, "parent"), (0.90, "school"), (0.95, "health"),
                          (0.98, "social_care")):
        if draw < share:
            return source
    return "other"


def _advice(rng: np.random.Generator, decision: date, outcome: date, school_name: str,
            find_ep: EpFinder, force_late: bool) -> list[AdviceStep]:
    """Advice for an assessment, all of it back by the decision whether to issue (reg 7)."""
    kinds: list[tuple[str, str]] = [
        ("educational_psychology", names.EP_ORGANISATION),
        ("health", names.HEALTH_ORGANISATIONS[int(rng.integers(len(names.HEALTH_ORGANISATIONS)))]),
        ("education", school_name),
    ]
    if rng.random() < 0.4:
        kinds.append(("social_care", names.SOCIAL_CARE_ORGANISATION))
    if rng.random() < 0.1:
        others = names.OTHER_ADVICE_ORGANISATIONS
        kinds.append(("other", others[int(rng.integers(len(others)))]))
    latest_request = max(decision, working_on_or_before(outcome - timedelta(days=14)))
    steps: list[AdviceStep] = []
    for n, (kind, organisation) in enumerate(kinds):
        requested = min(working_on_or_after(decision + timedelta(days=int(rng.integers(0, 5)))),
                        latest_request)
        due = clock.advice_due(requested)
        if kind == "educational_psychology":
            on_time = rng.random() < float(at(EP_ON_TIME, requested))
        elif kind == "health":
            on_time = rng.random() < float(at(HEALTH_ON_TIME, requested))
        else:
            on_time = rng.random() < OTHER_ON_TIME[kind]
        if force_late and n == 0:
            on_time = False  # a long assessment waited for someone: usually the EP (13e)
        if on_time or due >= outcome:
            received = requested + timedelta(days=int(rng.integers(20, 43)))
        else:
            received = outcome - timedelta(days=int(rng.integers(0, 13)))
            received = max(received, due + timedelta(days=1))
        received = min(working_on_or_before(received), outcome)
        received = max(received, requested)
        chases: list[date] = []
        chase = due + timedelta(days=7)
        while chase < received and len(chases) < 6:
            chases.append(working_on_or_after(chase))
            chase += timedelta(days=28)
        chases = [c for c in chases if c < received]
        adviser = find_ep(requested, rng) if kind == "educational_psychology" else None
        steps.append(AdviceStep(kind, adviser, organisation, requested, received, chases))
    return steps


def _exception(rng: np.random.Generator, t: RequestTimeline, final: date) -> ExceptionStep:
    """The reason and period of a 20-week exception (reg 13(3), 10(4)(a)-(d); SI 2020/471)."""
    received = t.received
    if t.coronavirus:
        start = working_on_or_after(max(received + timedelta(days=1), CORONAVIRUS_START))
        if start < final and start <= CORONAVIRUS_END:
            end = min(CORONAVIRUS_END, start + timedelta(days=int(rng.integers(30, 121))))
            return ExceptionStep(ExceptionReason.CORONAVIRUS.value, start, end,
                                 "Advice and visits delayed by coronavirus restrictions.")
    latest = max(received + timedelta(days=1), min(final, received + timedelta(days=140))
                 - timedelta(days=7))
    for year in (received.year, received.year + 1):
        closes, reopens = date(year, 7, 22), date(year, 9, 3)
        if received < closes < latest and rng.random() < 0.6:
            return ExceptionStep(ExceptionReason.SCHOOL_CLOSURE.value, closes, reopens,
                                 "School closed for the summer holiday while its advice was "
                                 "sought.")
    start = working_day_between(rng, received + timedelta(days=14), latest)
    if rng.random() < 0.6:
        end = start + timedelta(days=int(rng.integers(14, 60)))
        return ExceptionStep(ExceptionReason.PERSONAL_CIRCUMSTANCES.value, start, end,
                             "Exceptional family circumstances: a parent in hospital.")
    end = start + timedelta(days=int(rng.integers(27, 70)))
    return ExceptionStep(ExceptionReason.ABSENT_FROM_AREA.value, start, end,
                         "The family was away from the area for more than four weeks.")


def _disagreements(rng: np.random.Generator, notice: date, stage: str, mediation: float,
                   tribunal: float) -> list[DisagreementStep]:
    """Mediation (reg 33: within 2 months of the notice) and appeals (2 months, CFA s.51)."""
    steps: list[DisagreementStep] = []
    draw = rng.random()
    if draw < mediation:
        started = working_on_or_after(notice + timedelta(days=int(rng.integers(10, 56))))
        ended = working_on_or_after(started + timedelta(days=int(rng.integers(14, 45))))
        outcome = ("Agreement reached at mediation" if rng.random() < 0.55
                   else "No agreement: mediation certificate issued")
        steps.append(DisagreementStep("mediation", stage, notice, started, ended, outcome))
    if draw > 1 - tribunal:
        started = working_on_or_after(notice + timedelta(days=int(rng.integers(30, 60))))
        ended = working_on_or_after(started + timedelta(days=int(rng.integers(100, 260))))
        outcomes = ("Appeal withdrawn", "Appeal conceded by the authority", "Appeal dismissed",
                    "Appeal allowed")
        steps.append(DisagreementStep("tribunal", stage, notice, started, ended,
                                      outcomes[int(rng.integers(len(outcomes)))]))
    return steps


def build(seed: int, t: RequestTimeline, child: int, date_of_birth: date, school_name: str,
          find_ep: EpFinder, schools_to_request: list[int]) -> Path:
    """The planned steps of one request, from its timeline (fate and end date)."""
    rng = stream(seed, "path", t.index)
    r = t.received
    path = Path(timeline=t, child=child, source=_source(rng, age_on(date_of_birth, r)))
    if t.fate is Fate.NOT_ASSESSED:
        path.decision, path.decision_date = "not_assess", t.exit
        path.disagreements = _disagreements(rng, t.exit, "request", MEDIATION_AFTER_REFUSAL,
                                            TRIBUNAL_AFTER_REFUSAL)
        return path
    if t.fate is Fate.CLOSED:
        path.closed_date = t.exit
        draw = rng.random()
        path.closed_reason = ("withdrawn" if draw < 0.7 else
                              "moved_away" if draw < 0.95 else "other")
        decision = working_on_or_after(r + timedelta(days=t.decision_days))
        if decision + timedelta(days=10) < t.exit:
            path.decision, path.decision_date = "assess", decision
            advice = _advice(rng, decision, t.exit + timedelta(days=60), school_name, find_ep,
                             force_late=False)
            path.advice = [a for a in advice if a.requested_on < t.exit]
        return path
    if t.fate is Fate.NO_PLAN:
        latest_decision = working_on_or_before(t.exit - timedelta(days=28))
        decision = min(working_on_or_after(r + timedelta(days=t.decision_days)), latest_decision)
        decision = max(decision, r)
        path.decision, path.decision_date = "assess", decision
        path.advice = _advice(rng, decision, t.exit, school_name, find_ep,
                              force_late=(t.exit - decision).days > 90)
        path.outcome, path.outcome_date = "no_plan", t.exit
        path.disagreements = _disagreements(rng, t.exit, "assessment", 0.10, 0.03)
        return path
    return _plan_path(rng, path, t, school_name, find_ep, schools_to_request)


def _plan_path(rng: np.random.Generator, path: Path, t: RequestTimeline, school_name: str,
               find_ep: EpFinder, schools_to_request: list[int]) -> Path:
    """Decision, advice, outcome, draft and final, fitted exactly into the request's days."""
    r, final = t.received, t.exit
    days = (final - r).days
    final_gap = int(rng.integers(15, 29))  # draft to final: at least the 15 days of reg 13(1)(a)
    drafting = int(rng.integers(2, 12))  # decision to issue to draft
    assessing = int(rng.integers(38, 57))  # advice: 6 weeks (reg 8(1)) and reading it
    decision_days = t.decision_days
    spare = days - (decision_days + assessing + drafting + final_gap)
    if spare >= 0:
        # Report 000 para 13: advice late (EP, health), then a queue to draft, then consulting
        # schools on the placement.
        assessing += round(0.55 * spare)
        drafting += round(0.30 * spare)
        final_gap = days - decision_days - assessing - drafting
    else:
        over = -spare
        cut = min(over, assessing - 21)
        assessing -= cut
        over -= cut
        cut = min(over, drafting - 1)
        drafting -= cut
        over -= cut
        cut = min(over, final_gap - 15)
        final_gap -= cut
        over -= cut
        decision_days = max(5, decision_days - over)
    draft = working_on_or_before(final - timedelta(days=final_gap))
    draft = min(draft, working_on_or_before(final - timedelta(days=15)))
    outcome = working_on_or_before(draft - timedelta(days=drafting))
    decision = working_on_or_after(r + timedelta(days=decision_days))
    decision = min(decision, working_on_or_before(outcome - timedelta(days=21)))
    decision = max(decision, r)
    outcome = max(outcome, decision)
    path.decision, path.decision_date = "assess", decision
    path.advice = _advice(rng, decision, outcome, school_name, find_ep,
                          force_late=(outcome - decision).days > 84)
    path.outcome, path.outcome_date = "plan", outcome
    path.draft_date, path.final_date = draft, final
    if rng.random() < 0.65:
        comments = draft + timedelta(days=int(rng.integers(3, 15)))
        path.comments_date = min(working_on_or_before(comments), final - timedelta(days=1))
        if rng.random() < 0.25 and schools_to_request:
            path.school_requested = schools_to_request[int(rng.integers(len(schools_to_request)))]
    if t.exception:
        step = _exception(rng, t, final)
        problems = validate_exception(Step.FINAL_PLAN, ExceptionReason(step.reason), step.start,
                                      step.end)
        assert not problems, problems
        path.exceptions.append(step)
    path.disagreements = _disagreements(rng, final, "assessment", MEDIATION_AFTER_PLAN,
                                        TRIBUNAL_AFTER_PLAN)
    return path
