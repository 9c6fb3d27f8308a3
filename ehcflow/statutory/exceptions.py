"""Exceptions to the time limits, and the statutory timeline of one initial request.

The authority "need not comply with the time limit" when it is impractical to do so for one
of the reasons the regulations list (SEND Regulations 2014, reg 5(4), 8(2), 10(4), 13(3),
27(3); SI 2020/471 for coronavirus). An exception excuses lateness; it does not move the
deadline. So a `Deadline` keeps the legal `due` date for every measure, and `adjusted_due`
only shows, for a case page, how far the exception pushed things.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from ehcflow.statutory import clock

__all__ = [
    "CORONAVIRUS_END",
    "CORONAVIRUS_START",
    "EXCEPTION_PROVISION",
    "MIN_CONTINUOUS_DAYS",
    "REGULATION",
    "Deadline",
    "DeadlineKind",
    "ExceptionPeriod",
    "ExceptionReason",
    "Step",
    "exception_applies",
    "exceptions_for",
    "request_timeline",
    "validate_exception",
]

CORONAVIRUS_START = date(2020, 5, 1)
CORONAVIRUS_END = date(2020, 9, 25)
MIN_CONTINUOUS_DAYS = 4 * clock.DAYS_PER_WEEK  # "a continuous period of not less than 4 weeks"

_REGS = "SEND Regulations 2014"


class ExceptionReason(StrEnum):
    """Why a time limit could not be met."""

    SCHOOL_CLOSURE = "school_closure"  # reg 10(4)(a)
    EARLY_YEARS_CLOSURE = "early_years_closure"  # reg 10(4)(b)
    PERSONAL_CIRCUMSTANCES = "personal_circumstances"  # reg 10(4)(c), 8(2)(a)
    ABSENT_FROM_AREA = "absent_from_area"  # reg 10(4)(d), 8(2)(b)
    MISSED_APPOINTMENT = "missed_appointment"  # reg 8(2)(c)
    CORONAVIRUS = "coronavirus"  # SI 2020/471, 1 May to 25 September 2020


class Step(StrEnum):
    """A step of the statutory process that has a time limit."""

    DECISION_TO_ASSESS = "decision_to_assess"
    ADVICE = "advice"
    DECISION_NOT_TO_ISSUE = "decision_not_to_issue"
    COMMENT_PERIOD = "comment_period"
    FINAL_PLAN = "final_plan"
    REASSESSMENT_FINAL = "reassessment_final"
    REVIEW_DECISION = "review_decision"
    AMENDED_PLAN = "amended_plan"


class DeadlineKind(StrEnum):
    """How `Deadline.done` relates to `Deadline.due`."""

    BY = "by"  # the duty is met when done on or before `due`
    PERIOD_END = "period_end"  # `due` ends a period that `done` must wait out


REGULATION: Mapping[Step, str] = {
    Step.DECISION_TO_ASSESS: f"{_REGS}, reg 5(1)",
    Step.ADVICE: f"{_REGS}, reg 8(1)",
    Step.DECISION_NOT_TO_ISSUE: f"{_REGS}, reg 10(1)",
    Step.COMMENT_PERIOD: f"{_REGS}, reg 13(1)(a)",
    Step.FINAL_PLAN: f"{_REGS}, reg 13(2)",
    Step.REASSESSMENT_FINAL: f"{_REGS}, reg 27(2)",
    Step.REVIEW_DECISION: f"{_REGS}, reg 20(10)",
    Step.AMENDED_PLAN: (
        f"{_REGS}, reg 20(10) and 22(3); R (L, M and P) v Devon CC [2022] EWHC 493 (Admin)"
    ),
}

# Where the regulations list the grounds for missing each limit (None: no listed grounds).
EXCEPTION_PROVISION: Mapping[Step, str | None] = {
    Step.DECISION_TO_ASSESS: f"{_REGS}, reg 5(4)",
    Step.ADVICE: f"{_REGS}, reg 8(2)",
    Step.DECISION_NOT_TO_ISSUE: f"{_REGS}, reg 10(4)",
    Step.COMMENT_PERIOD: None,
    Step.FINAL_PLAN: f"{_REGS}, reg 13(3)",
    Step.REASSESSMENT_FINAL: f"{_REGS}, reg 27(3)",
    Step.REVIEW_DECISION: None,
    Step.AMENDED_PLAN: None,
}

_REG_10_4 = frozenset(
    {
        ExceptionReason.SCHOOL_CLOSURE,
        ExceptionReason.EARLY_YEARS_CLOSURE,
        ExceptionReason.PERSONAL_CIRCUMSTANCES,
        ExceptionReason.ABSENT_FROM_AREA,
    }
)
# Reg 8(2) has no closure ground: advisers other than the school are not affected by it.
_REG_8_2 = frozenset(
    {
        ExceptionReason.PERSONAL_CIRCUMSTANCES,
        ExceptionReason.ABSENT_FROM_AREA,
        ExceptionReason.MISSED_APPOINTMENT,
    }
)
_COVID = frozenset({ExceptionReason.CORONAVIRUS})

# SI 2020/471 reached the process time limits of regs 4-45, including reviews [I]; the
# parent's 15 days on a draft (reg 13(1)(a)) protect the family and have no exception.
_GROUNDS: Mapping[Step, frozenset[ExceptionReason]] = {
    Step.DECISION_TO_ASSESS: _REG_10_4 | _COVID,  # reg 5(4)
    Step.ADVICE: _REG_8_2 | _COVID,  # reg 8(2)
    Step.DECISION_NOT_TO_ISSUE: _REG_10_4 | _COVID,  # reg 10(4)
    Step.COMMENT_PERIOD: frozenset(),
    Step.FINAL_PLAN: _REG_10_4 | _COVID,  # reg 13(3)
    Step.REASSESSMENT_FINAL: _REG_10_4 | _COVID,  # reg 27(3)
    Step.REVIEW_DECISION: _COVID,
    Step.AMENDED_PLAN: _COVID,
}

_STEP_TEXT: Mapping[Step, str] = {
    Step.DECISION_TO_ASSESS: "the 6-week decision whether to assess",
    Step.ADVICE: "the 6-week deadline for advice",
    Step.DECISION_NOT_TO_ISSUE: "the 16-week decision not to issue a plan",
    Step.COMMENT_PERIOD: "the 15-day comment period on a draft plan",
    Step.FINAL_PLAN: "the 20-week deadline for the final plan",
    Step.REASSESSMENT_FINAL: "the 14-week deadline after a re-assessment",
    Step.REVIEW_DECISION: "the 4-week review decision",
    Step.AMENDED_PLAN: "the 12-week deadline for an amended plan",
}

_REASON_TEXT: Mapping[ExceptionReason, str] = {
    ExceptionReason.SCHOOL_CLOSURE: "A school or college closure",
    ExceptionReason.EARLY_YEARS_CLOSURE: "An early years provider's closure",
    ExceptionReason.PERSONAL_CIRCUMSTANCES: "Exceptional personal circumstances",
    ExceptionReason.ABSENT_FROM_AREA: "Absence from the area",
    ExceptionReason.MISSED_APPOINTMENT: "A missed appointment",
    ExceptionReason.CORONAVIRUS: "Coronavirus",
}


def exceptions_for(step: Step) -> frozenset[ExceptionReason]:
    """The reasons the regulations accept for missing `step`'s time limit."""
    return _GROUNDS[step]


def exception_applies(step: Step, reason: ExceptionReason, *, on: date | None = None) -> bool:
    """True when `reason` is a ground for missing `step`'s time limit.

    Reg 5(4), 10(4), 13(3) and 27(3) take the four grounds of reg 10(4)(a)-(d); reg 8(2)
    takes personal circumstances, absence and a missed appointment but not a closure. The
    coronavirus ground (SI 2020/471) applies only to events from 1 May to 25 September 2020:
    pass `on` to check that too.
    """
    if reason not in _GROUNDS[step]:
        return False
    if reason is ExceptionReason.CORONAVIRUS and on is not None:
        return CORONAVIRUS_START <= on <= CORONAVIRUS_END
    return True


def _inclusive_days(start: date, end: date) -> int:
    return (end - start).days + 1


def _period_problems(
    step: Step, reason: ExceptionReason, start: date, end: date | None
) -> list[str]:
    """Problems with the dates of an exception, whatever step it is used for."""
    problems: list[str] = []
    if end is not None and end < start:
        problems.append("The exception ends before it starts.")
        return problems
    if reason is ExceptionReason.ABSENT_FROM_AREA and end is not None:
        days = _inclusive_days(start, end)
        if days < MIN_CONTINUOUS_DAYS:
            ground = "reg 8(2)(b)" if step is Step.ADVICE else "reg 10(4)(d)"
            problems.append(
                "Absence from the area counts only for a continuous period of at least 4 weeks "
                f"({_REGS}, {ground}); this absence lasts {days} days."
            )
    closures = (ExceptionReason.SCHOOL_CLOSURE, ExceptionReason.EARLY_YEARS_CLOSURE)
    if reason in closures and end is not None:
        days = _inclusive_days(start, end)
        if days < MIN_CONTINUOUS_DAYS:
            ground = "10(4)(a)" if reason is ExceptionReason.SCHOOL_CLOSURE else "10(4)(b)"
            problems.append(
                "A closure counts only when the setting is closed for a continuous period "
                f"of at least 4 weeks ({_REGS}, reg {ground}); this closure lasts {days} days."
            )
    if reason is ExceptionReason.CORONAVIRUS and (
        start < CORONAVIRUS_START or end is None or end > CORONAVIRUS_END
    ):
        problems.append(
            "The coronavirus exception applied only from 1 May to 25 September 2020 "
            "(SI 2020/471); the period must start and end within those dates."
        )
    return problems


def validate_exception(
    step: Step, reason: ExceptionReason, start: date, end: date | None
) -> list[str]:
    """Plain-English problems with using `reason` from `start` to `end` for `step`.

    An empty list means the exception is lawful on its face. `start` and `end` are the dates
    of the circumstance itself (the first and last day of absence, of the closure, the day of
    the missed appointment); `end` is None while it continues.
    """
    problems: list[str] = []
    if reason not in _GROUNDS[step]:
        provision = EXCEPTION_PROVISION[step]
        where = f" ({provision})" if provision else ""
        problems.append(f"{_REASON_TEXT[reason]} is not an exception to {_STEP_TEXT[step]}{where}.")
    problems.extend(_period_problems(step, reason, start, end))
    return problems


@dataclass(frozen=True)
class ExceptionPeriod:
    """A circumstance that may excuse a late step: its reason and its first and last day."""

    reason: ExceptionReason
    start: date
    end: date | None = None

    def effective(self) -> tuple[date, date | None]:
        """The days on which the circumstance bears on the clock.

        A closure counts from one week before the setting closes until one week before it
        re-opens (reg 10(4)(a)-(b)); the coronavirus ground stops at 25 September 2020.
        """
        if self.reason in (ExceptionReason.SCHOOL_CLOSURE, ExceptionReason.EARLY_YEARS_CLOSURE):
            week = timedelta(days=clock.DAYS_PER_WEEK)
            # `end` is the last closed day, so the setting re-opens the day after it.
            reopens_less_a_week = None if self.end is None else self.end + timedelta(1) - week
            return self.start - week, reopens_less_a_week
        if self.reason is ExceptionReason.CORONAVIRUS:
            end = CORONAVIRUS_END if self.end is None else min(self.end, CORONAVIRUS_END)
            return max(self.start, CORONAVIRUS_START), end
        return self.start, self.end


@dataclass(frozen=True)
class Deadline:
    """One statutory time limit of a case, and what happened to it.

    `met` is None while the step is not done and not yet past due. Whether it is past due is
    judged at `as_of`, or today in England (`clock.today`) when `as_of` is None (for a case
    page); pass `as_of` for
    reproducible results. The legal measure uses `due`; an exception excuses lateness but
    does not move it.
    """

    step: Step
    due: date
    regulation: str
    done: date | None = None
    exception: ExceptionReason | None = None
    exception_days: int = 0
    subject: str = ""
    kind: DeadlineKind = DeadlineKind.BY
    as_of: date | None = None

    @property
    def met(self) -> bool | None:
        """Whether the time limit was kept; None while it still can be."""
        if self.kind is DeadlineKind.PERIOD_END:
            # The act must come after the period: issuing the final plan inside the 15 days
            # takes the family's time to comment away (reg 13(1)(a)).
            return None if self.done is None else self.done > self.due
        if self.done is not None:
            return self.done <= self.due
        reference = self.as_of if self.as_of is not None else clock.today()
        return False if reference > self.due else None

    @property
    def excused(self) -> bool:
        """True when the limit was missed but a statutory exception applied."""
        return self.met is False and self.exception is not None

    @property
    def adjusted_due(self) -> date:
        """`due` pushed back by the days the exception covered: for display only."""
        return self.due + timedelta(days=self.exception_days)

    def overdue_on(self, on: date) -> bool:
        """True when, at `on`, the step was past due and not yet done."""
        if self.kind is DeadlineKind.PERIOD_END:
            return False
        return on > self.due and (self.done is None or self.done > on)


def _covered_days(
    periods: Sequence[ExceptionPeriod], first: date, last: date
) -> tuple[ExceptionReason | None, int]:
    """The earliest overlapping reason and how many days of [first, last] the periods cover."""
    covered: set[date] = set()
    reason: ExceptionReason | None = None
    for period in sorted(periods, key=lambda p: p.start):
        start, end = period.effective()
        lo = max(start, first)
        hi = last if end is None else min(end, last)
        if lo > hi:
            continue
        reason = reason or period.reason
        covered.update(lo + timedelta(days=n) for n in range((hi - lo).days + 1))
    return reason, len(covered)


def _deadline(
    step: Step,
    *,
    starts: date,
    due: date,
    done: date | None,
    exceptions: Sequence[ExceptionPeriod],
    as_of: date | None,
    subject: str = "",
    kind: DeadlineKind = DeadlineKind.BY,
) -> Deadline:
    usable = [
        p
        for p in exceptions
        if p.reason in _GROUNDS[step] and not _period_problems(step, p.reason, p.start, p.end)
    ]
    reason, days = _covered_days(usable, starts, due)
    return Deadline(
        step=step,
        due=due,
        regulation=REGULATION[step],
        done=done,
        exception=reason,
        exception_days=days,
        subject=subject,
        kind=kind,
        as_of=as_of,
    )


def request_timeline(
    *,
    request_date: date,
    decision_date: date | None = None,
    decision: str | None = None,
    advice: Sequence[tuple[str, date, date | None]] = (),
    outcome: str | None = None,
    outcome_date: date | None = None,
    draft_date: date | None = None,
    final_date: date | None = None,
    exceptions: Sequence[ExceptionPeriod] = (),
    as_of: date | None = None,
) -> list[Deadline]:
    """The statutory deadlines of one initial request, ordered by due date.

    Holds the decision whether to assess (reg 5(1)); each piece of advice, given as
    (adviser type, requested on, received on) (reg 8(1)); the decision not to issue a plan
    (reg 10(1)) while the outcome is unknown or is `no_plan` (past week 16 with no outcome it
    reads as missed: a decision not to issue could no longer be in time); the end of the
    comment period on a draft (reg 13(1)(a)), met when the final plan comes after it; and the
    final plan (reg 13(2)) unless the outcome is `no_plan`. A draft or final plan implies the
    outcome `plan`. A decision not to assess ends the process, so nothing after it is due.
    Only exceptions lawful for the step (`validate_exception` finds no problem) attach to it,
    with `exception_days` = the days of the step's own time limit they cover.
    """
    if decision not in (None, "assess", "not_assess"):
        raise ValueError(f"decision must be 'assess' or 'not_assess', not {decision!r}")
    if outcome not in (None, "plan", "no_plan"):
        raise ValueError(f"outcome must be 'plan' or 'no_plan', not {outcome!r}")

    def deadline(
        step: Step,
        starts: date,
        due: date,
        done: date | None,
        *,
        subject: str = "",
        kind: DeadlineKind = DeadlineKind.BY,
    ) -> Deadline:
        return _deadline(
            step,
            starts=starts,
            due=due,
            done=done,
            exceptions=exceptions,
            as_of=as_of,
            subject=subject,
            kind=kind,
        )

    timeline = [
        deadline(
            Step.DECISION_TO_ASSESS,
            request_date,
            clock.decision_to_assess_due(request_date),
            decision_date,
        )
    ]
    for adviser_type, requested_on, received_on in advice:
        timeline.append(
            deadline(
                Step.ADVICE,
                requested_on,
                clock.advice_due(requested_on),
                received_on,
                subject=adviser_type,
            )
        )
    if decision == "not_assess":
        return sorted(timeline, key=lambda d: d.due)
    # A draft or final plan shows the decision to issue was made even where the outcome
    # itself was not recorded.
    plan_known = outcome == "plan" or draft_date is not None or final_date is not None
    if outcome == "no_plan" or not plan_known:
        no_plan_on = outcome_date if outcome == "no_plan" else None
        timeline.append(
            deadline(
                Step.DECISION_NOT_TO_ISSUE,
                request_date,
                clock.decision_not_to_issue_due(request_date),
                no_plan_on,
            )
        )
    if outcome != "no_plan":
        if draft_date is not None:
            timeline.append(
                deadline(
                    Step.COMMENT_PERIOD,
                    draft_date,
                    clock.comment_period_ends(draft_date),
                    final_date,
                    kind=DeadlineKind.PERIOD_END,
                )
            )
        timeline.append(
            deadline(Step.FINAL_PLAN, request_date, clock.final_plan_due(request_date), final_date)
        )
    return sorted(timeline, key=lambda d: d.due)
