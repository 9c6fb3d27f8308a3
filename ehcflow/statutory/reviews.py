"""After the plan is issued: reviews, phase transfers, amendments, ceasing and moves.

Pure Python, no Django. Every deadline cites its source (docs/domain/statutory-timescales.md
§1.4-1.7 and docs/domain/annual-reviews.md). The arithmetic of the review steps that
`clock` already holds (notice, advice, report, decision, amended plan) is reused from there,
so each period is defined once; this module adds what happens around them:

- the review timeline of one review, each step with its deadline and met or missed;
- the date a review is next due, for under-fives too (Code of Practice 9.178);
- phase transfers (reg 18): who transfers when, and who is at risk of missing the date;
- amendments outside a review (reg 22) and ceasing (s.45; regs 29-31);
- moves between councils (reg 15);
- the annual review figures as DfE's annual_reviews.csv counts them (`count_reviews`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Final

from ehcflow.statutory import clock
from ehcflow.statutory.bank_holidays import add_working_days
from ehcflow.statutory.dates import add_days, add_months, age_on
from ehcflow.statutory.periods import Period
from ehcflow.statutory.rounding import round_half_up

__all__ = [
    "AMEND",
    "CEASE",
    "CEASE_CONSULTATION_DAYS",
    "MAINTAIN",
    "OUTCOMES",
    "PHASE_AGES",
    "RISK_LABELS",
    "STEP_LABELS",
    "STEP_RULES",
    "TRANSFER_IN_NOTICE_DAYS",
    "TRANSFER_OUT_WORKING_DAYS",
    "TRANSFER_REVIEW_MONTHS",
    "UNDER_FIVE_AGE",
    "UNDER_FIVE_REVIEW_MONTHS",
    "PhaseTransfer",
    "PlanReviews",
    "ReviewFacts",
    "ReviewFigures",
    "RiskStatus",
    "Step",
    "TimelineStep",
    "amended_plan_due",
    "amendment_comment_period_ends",
    "amendment_final_due",
    "cease_consultation_ends",
    "count_reviews",
    "first_review_due",
    "interim_review_due",
    "next_review_due",
    "phase_transfer_birth_range",
    "phase_transfer_deadline",
    "phase_transfer_risk",
    "phase_transfers_of",
    "review_timeline",
    "transfer_in_notice_due",
    "transfer_in_review_due",
    "transfer_out_due",
]

MAINTAIN: Final = "maintain"
AMEND: Final = "amend"
CEASE: Final = "cease"
OUTCOMES: Final = (MAINTAIN, AMEND, CEASE)

#: Code of Practice 9.178: "consider reviewing an EHC plan for a child under five at least
#: every three to six months". Guidance, not regulation; we offer the shorter end.
UNDER_FIVE_REVIEW_MONTHS: Final = 3
UNDER_FIVE_AGE: Final = 5

#: Reg 31 requires the authority to tell the parent or young person that it is considering
#: ceasing and to consult them, but sets no number of days. The service gives the same 15 days
#: as a proposal to amend (reg 22(2)(c)) before the decision can be recorded; an interpretation
#: (docs/domain/annual-reviews.md), not the regulation's words.
CEASE_CONSULTATION_DAYS: Final = clock.AMENDMENT_COMMENT_DAYS

#: Reg 15: the new authority tells the parent or young person within 6 weeks of the transfer
#: that the plan has transferred and whether it will assess or review.
TRANSFER_IN_NOTICE_DAYS: Final = 6 * clock.DAYS_PER_WEEK
#: Reg 15: the new authority reviews within 12 months of the plan being made or last reviewed,
#: or within 3 months of the transfer, whichever is later (Code of Practice 9.157).
TRANSFER_REVIEW_MONTHS: Final = 3
#: Reg 15: told of the move fewer than 15 working days before it, the old authority transfers
#: the plan within 15 working days of learning of it; otherwise on the day of the move.
TRANSFER_OUT_WORKING_DAYS: Final = 15


# --- when a review is due ---------------------------------------------------------------


def next_review_due(last: date) -> date:
    """The next annual review: within 12 months of the plan or the last review (s.44(1))."""
    return clock.next_review_due(last)


def interim_review_due(last: date, date_of_birth: date) -> date | None:
    """An earlier review for a child under five: every 3 to 6 months (Code of Practice 9.178).

    None from the fifth birthday on. Additional reviews are guidance, not a statutory duty,
    and are not subject to the notice and advice rules of reg 20 (statutory-timescales §1.4).
    """
    due = add_months(last, UNDER_FIVE_REVIEW_MONTHS)
    return due if age_on(date_of_birth, due) < UNDER_FIVE_AGE else None


def first_review_due(issued: date, *, transferred_on: date | None = None,
                     last_reviewed_before: date | None = None) -> date:
    """The first review of a plan this authority maintains (s.44(1); reg 15 for a transfer)."""
    if transferred_on is not None:
        return transfer_in_review_due(last_reviewed_before or issued, transferred_on)
    return next_review_due(issued)


# --- one review's timeline --------------------------------------------------------------


class Step(StrEnum):
    INVITATIONS = "invitations"
    ADVICE = "advice"
    MEETING = "meeting"
    REPORT = "report"
    DECISION = "decision"
    AMENDED_PLAN = "amended_plan"


STEP_LABELS: Final = {
    Step.INVITATIONS: "Invitations sent",
    Step.ADVICE: "Advice and information circulated",
    Step.MEETING: "Review meeting",
    Step.REPORT: "Review report",
    Step.DECISION: "Decision to maintain, amend or cease",
    Step.AMENDED_PLAN: "Amended plan issued",
}

STEP_RULES: Final = {
    Step.INVITATIONS: "At least 2 weeks before the meeting (reg 20(3), 21(3))",
    Step.ADVICE: "At least 2 weeks before the meeting (reg 20(4), 21(4))",
    Step.MEETING: "Within 12 months of the plan or the last review (s.44(1))",
    Step.REPORT: "Within 2 weeks of the meeting (reg 20(7)-(8), 21(7))",
    Step.DECISION: "Within 4 weeks of the meeting, with any proposed amendments (reg 20(10), "
                   "22(2)(a))",
    Step.AMENDED_PLAN: "Within 8 weeks of the proposed amendments, so 12 weeks of the meeting "
                       "at most (reg 22(3); R (L) v Devon CC [2022])",
}


@dataclass(frozen=True, slots=True)
class TimelineStep:
    """One step of a review: when it was due, when it happened, and whether that was in time.

    `met` is True or False once the step is done (or its deadline has passed undone: False),
    None while it can still be done in time or cannot be known yet (no meeting date).
    """

    step: Step
    due: date | None
    done: date | None
    met: bool | None

    @property
    def label(self) -> str:
        return STEP_LABELS[self.step]

    @property
    def rule(self) -> str:
        return STEP_RULES[self.step]


def _status(due: date | None, done: date | None, today: date) -> bool | None:
    if due is None:
        return None
    if done is not None:
        return done <= due
    # Not done: missed once the last day has passed (for "at least 2 weeks before", once the
    # meeting is nearer than 2 weeks away).
    return False if today > due else None


def review_timeline(*, due: date, today: date, meeting: date | None = None,
                    invitations: date | None = None, advice: date | None = None,
                    report: date | None = None, decision: date | None = None,
                    outcome: str = "", amended_final: date | None = None
                    ) -> list[TimelineStep]:
    """Each step of one review with its deadline and met or missed, in order.

    The steps before and after the meeting are timed from the meeting (reg 20); before the
    meeting is held its date is unknown, so they are timed from the review's due date, the
    latest the meeting may be. The amended plan appears only after a decision to amend.
    """
    anchor = meeting or due
    steps = [
        TimelineStep(Step.INVITATIONS, clock.review_notice_due(anchor), invitations,
                     _status(clock.review_notice_due(anchor), invitations, today)),
        TimelineStep(Step.ADVICE, clock.review_advice_due(anchor), advice,
                     _status(clock.review_advice_due(anchor), advice, today)),
        TimelineStep(Step.MEETING, due, meeting, _status(due, meeting, today)),
    ]
    after = meeting
    steps.append(TimelineStep(
        Step.REPORT, clock.review_report_due(after) if after else None, report,
        _status(clock.review_report_due(after), report, today) if after else None))
    steps.append(TimelineStep(
        Step.DECISION, clock.review_decision_due(after) if after else None, decision,
        _status(clock.review_decision_due(after), decision, today) if after else None))
    if outcome == AMEND and after is not None:
        final_due = amended_plan_due(after, decision)
        steps.append(TimelineStep(Step.AMENDED_PLAN, final_due, amended_final,
                                  _status(final_due, amended_final, today)))
    return steps


def amended_plan_due(meeting: date, notice: date | None) -> date:
    """The last day for the amended plan after a review.

    8 weeks after the notice with the proposed amendments (reg 22(3)), and never later than
    12 weeks after the meeting (R (L, M and P) v Devon CC [2022] EWHC 493 (Admin)): a notice
    sent late does not buy more time.
    """
    latest = clock.amended_plan_due(meeting)
    if notice is None:
        return latest
    return min(clock.amendment_final_due(notice), latest)


# --- amendments outside a review, and ceasing ----------------------------------------------


def amendment_comment_period_ends(notice: date) -> date:
    """Last day of the 15 days to comment on proposed amendments (reg 22(2)(c))."""
    return clock.amendment_comment_period_ends(notice)


def amendment_final_due(notice: date) -> date:
    """Last day to issue the amended plan: 8 weeks after the notice (reg 22(3))."""
    return clock.amendment_final_due(notice)


def cease_consultation_ends(notice: date) -> date:
    """Last day of the 15 days the parent or young person has to respond to a proposal to
    cease (reg 31(1): inform and consult; the 15 days are the service's, see
    `CEASE_CONSULTATION_DAYS`). The serving day is day 1, as in reg 13(1)(a)."""
    return add_days(notice, CEASE_CONSULTATION_DAYS - 1)


# --- moves between councils (reg 15) ----------------------------------------------------------


def transfer_in_notice_due(transferred_on: date) -> date:
    """Last day for the receiving council to tell the family the plan has transferred and
    whether it will assess or review: 6 weeks after the transfer (reg 15)."""
    return add_days(transferred_on, TRANSFER_IN_NOTICE_DAYS)


def transfer_in_review_due(last_reviewed: date, transferred_on: date) -> date:
    """The first review by the receiving council (reg 15; Code of Practice 9.157): within 12
    months of the plan being made or last reviewed, or 3 months of the transfer, if later."""
    return max(next_review_due(last_reviewed), add_months(transferred_on, TRANSFER_REVIEW_MONTHS))


def transfer_out_due(move: date, told_on: date) -> date:
    """The day the old council must transfer the plan (reg 15).

    Told at least 15 working days before the move: on the day of the move. Told later:
    within 15 working days of being told.
    """
    if add_working_days(told_on, TRANSFER_OUT_WORKING_DAYS) <= move:
        return move
    return add_working_days(told_on, TRANSFER_OUT_WORKING_DAYS)


# --- phase transfers (reg 18) ---------------------------------------------------------------


def phase_transfer_deadline(transfer_year: int, *, secondary_to_post16: bool) -> date:
    """15 February of the transfer year, or 31 March from secondary school to post-16
    (reg 18(1))."""
    return clock.phase_transfer_deadline(transfer_year, secondary_to_post16=secondary_to_post16)


@dataclass(frozen=True, slots=True)
class PhaseTransfer:
    """A move between phases (reg 2): the calendar year it happens, its kind, its deadline."""

    year: int
    kind: str  # "school" (early years to school), "secondary", "post16"

    @property
    def secondary_to_post16(self) -> bool:
        return self.kind == "post16"

    @property
    def deadline(self) -> date:
        return phase_transfer_deadline(self.year, secondary_to_post16=self.secondary_to_post16)


#: Age on 31 August before the September a child starts the phase: reception at 4, Year 7
#: at 11, Year 12 (post-16) at 16. Infant-to-junior and middle-school moves vary by council
#: and are recorded on the review, not derived.
PHASE_AGES: Final = (("school", 4), ("secondary", 11), ("post16", 16))


def phase_transfer_birth_range(year: int, kind: str) -> tuple[date, date]:
    """Dates of birth of the children making a `kind` transfer in September of `year`.

    An English school year runs from 1 September to 31 August by date of birth.
    """
    age = dict(PHASE_AGES)[kind]
    return date(year - age - 1, 9, 1), date(year - age, 8, 31)


def phase_transfers_of(date_of_birth: date) -> list[PhaseTransfer]:
    """Each transfer of the standard English phases, by date of birth."""
    after_august = (date_of_birth.month, date_of_birth.day) > (8, 31)
    return [PhaseTransfer(date_of_birth.year + age + (1 if after_august else 0), kind)
            for kind, age in PHASE_AGES]


class RiskStatus(StrEnum):
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    MISSED = "missed"
    AT_RISK = "at_risk"
    ON_TRACK = "on_track"


RISK_LABELS: Final = {
    RiskStatus.DONE_ON_TIME: "Done by the deadline",
    RiskStatus.DONE_LATE: "Done late",
    RiskStatus.MISSED: "Deadline missed",
    RiskStatus.AT_RISK: "At risk",
    RiskStatus.ON_TRACK: "On track",
}


def phase_transfer_risk(*, deadline: date, today: date, meeting: date | None = None,
                        decision: date | None = None, outcome: str = "",
                        amended_final: date | None = None) -> RiskStatus:
    """Whether a phase transfer review will be reviewed and amended by the reg 18 date.

    Done means the amended final plan issued (after a decision to amend) or the decision
    made (to maintain or cease). Not done: missed after the deadline; at risk when the
    statutory steps left cannot all fit before it - without a meeting, 12 weeks (4 to the
    decision, 8 to the amended plan: reg 20(10), 22(3)); after a meeting, the amended plan's
    own last day (`amended_plan_due`) falls after the deadline.
    """
    done = amended_final if outcome == AMEND else decision
    if done is not None:
        return RiskStatus.DONE_ON_TIME if done <= deadline else RiskStatus.DONE_LATE
    if today > deadline:
        return RiskStatus.MISSED
    if meeting is None:
        latest_meeting = add_days(deadline, -clock.AMENDED_PLAN_DAYS)
        return RiskStatus.AT_RISK if today > latest_meeting else RiskStatus.ON_TRACK
    if decision is None and clock.review_decision_due(meeting) < today:
        return RiskStatus.AT_RISK
    return (RiskStatus.AT_RISK if amended_plan_due(meeting, decision) > deadline
            else RiskStatus.ON_TRACK)


# --- the figures, as DfE's annual_reviews.csv counts them --------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewFacts:
    """One review of a plan, as the figures need it."""

    meeting: date | None = None
    decision: date | None = None
    outcome: str = ""
    phase_transfer_due: date | None = None
    amended_final: date | None = None


@dataclass(frozen=True, slots=True)
class PlanReviews:
    """One plan and its reviews (SEN2 ActivePlans: the plan, its review meeting and decision)."""

    first_issued: date
    cease_date: date | None = None
    first_review_due: date | None = None  # set for a transfer in (reg 15); else a year on
    reviews: Sequence[ReviewFacts] = field(default_factory=tuple)

    def in_force(self, on: date) -> bool:
        return self.first_issued <= on and (self.cease_date is None or self.cease_date > on)

    @property
    def first_due(self) -> date:
        return self.first_review_due or next_review_due(self.first_issued)

    def latest_meeting(self, as_of: date) -> ReviewFacts | None:
        held = [r for r in self.reviews if r.meeting is not None and r.meeting <= as_of]
        return max(held, key=lambda r: r.meeting or date.min, default=None)


@dataclass(frozen=True)
class ReviewFigures:
    """The figures of `ehcflow reviews` (docs/domain/annual-reviews.md), DfE's columns in ()."""

    plans_maintained: int = 0  # total_ehc_plans
    reviews_due: int = 0  # review_expected
    meetings_held: int = 0  # total_review_meeting
    decisions: int = 0  # number_decsion_4weeks + number_decision_gt_4weeks
    decisions_within_4_weeks: int = 0  # number_decsion_4weeks
    maintain: int = 0  # outcome_maintan
    amend: int = 0  # outcome_amend
    cease: int = 0  # outcome_cease
    overdue_reviews: int = 0
    phase_transfers_due: int = 0
    phase_transfers_final_by_deadline: int = 0

    @property
    def pct_decisions_within_4_weeks(self) -> float | None:
        """pc_decsion_4weeks: within ÷ decisions, one decimal place, half up; None for none."""
        if not self.decisions:
            return None
        return round_half_up(100 * self.decisions_within_4_weeks / self.decisions, 1)

    def as_json(self) -> dict[str, object]:
        return {
            "plans_maintained": self.plans_maintained,
            "reviews_due": self.reviews_due,
            "meetings_held": self.meetings_held,
            "decisions": self.decisions,
            "decisions_within_4_weeks": self.decisions_within_4_weeks,
            "pct_decisions_within_4_weeks": self.pct_decisions_within_4_weeks,
            "outcomes": {"maintain": self.maintain, "amend": self.amend, "cease": self.cease},
            "overdue_reviews": self.overdue_reviews,
            "phase_transfers": {"due": self.phase_transfers_due,
                                "final_by_deadline": self.phase_transfers_final_by_deadline},
        }


def count_reviews(plans: Iterable[PlanReviews], period: Period, as_of: date) -> ReviewFigures:
    """The annual review figures of `period` as DfE's annual_reviews.csv counts them.

    - the plans: those in force on `as_of` (the census day; total_ehc_plans);
    - reviews due: those whose first review fell due by the period's end (review_expected);
    - meetings held: those with a review meeting recorded on or before `as_of`, in the period
      or before or after it (total_review_meeting);
    - decisions: the latest meeting's decision recorded by `as_of`, within 4 weeks when on or
      before the meeting + 28 days (reg 20(10); number_decsion_4weeks), and its outcome;
    - overdue: plans whose review (12 months after the latest meeting, or the first review)
      was due before `as_of` and not held;
    - phase transfers: transfer reviews whose reg 18 date falls in the period, of plans in
      force on that date, and those finalised (amended plan, or decision without amendment)
      on or before it.
    """
    counts = dict.fromkeys(ReviewFigures.__dataclass_fields__, 0)
    for plan in plans:
        for review in plan.reviews:
            deadline = review.phase_transfer_due
            if deadline is None or not period.contains(deadline) or not plan.in_force(deadline):
                continue
            counts["phase_transfers_due"] += 1
            done = review.amended_final if review.outcome == AMEND else review.decision
            if done is not None and done <= deadline and done <= as_of:
                counts["phase_transfers_final_by_deadline"] += 1
        if not plan.in_force(as_of):
            continue
        counts["plans_maintained"] += 1
        latest = plan.latest_meeting(as_of)
        due_now = next_review_due(latest.meeting) if latest and latest.meeting else plan.first_due
        if due_now < as_of:
            counts["overdue_reviews"] += 1
        if plan.first_due > period.end:
            continue
        counts["reviews_due"] += 1
        if latest is None or latest.meeting is None:
            continue
        counts["meetings_held"] += 1
        if latest.decision is None or latest.decision > as_of:
            continue
        counts["decisions"] += 1
        if latest.decision <= clock.review_decision_due(latest.meeting):
            counts["decisions_within_4_weeks"] += 1
        if latest.outcome in OUTCOMES:
            counts[latest.outcome] += 1
    return ReviewFigures(**counts)
