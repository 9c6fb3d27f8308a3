"""Annual review and phase transfer figures, defined over plain records. Pure Python, no Django.

docs/domain/measures.md ("Annual reviews and phase transfers") defines these; the dashboards
count them as below, and `ehcflow.insight.figures` counts the same in SQL (tests prove the two
equal).

Annual reviews (Children and Families Act 2014 s.44; SEND Regulations 2014 regs 18–22):

- A review is **due** in a period when its `due_date` (the last day for the meeting, 12 months
  after the plan or the last review) falls in it, and the plan was still in force on that day.
- It was **held on time** when the meeting was on or before the due date, **held late** when
  after it; a review with no meeting by the as-of date is **overdue** once the as-of date is
  past its due date, and otherwise **not yet due**. Meetings after the as-of date are unknown.
- The decision to maintain, amend or cease must be sent within **4 weeks** of the meeting
  (reg 20(10)); DfE's `number_decsion_4weeks` counts these by the year of the meeting. Of the
  meetings held in a period, a decision on or before meeting + 28 days is within 4 weeks; a
  later one is late; none by the as-of date is overdue once meeting + 28 days has passed.

Phase transfers (reg 18(1)): a plan of a child moving between phases must be reviewed and
amended by **15 February** of the transfer year (**31 March** from secondary school to
post-16). A transfer review is **done** when the amended plan is issued (outcome `amend`) or
the decision to maintain or cease is sent (other outcomes), on or before the as-of date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from ehcflow.statutory import clock
from ehcflow.statutory.measures import percentage
from ehcflow.statutory.periods import Period

__all__ = [
    "DECISION_DAYS",
    "PhaseTransferFigures",
    "ReviewFigures",
    "ReviewRecord",
    "overdue_reviews",
    "pct",
    "phase_transfers",
    "review_figures",
]

#: reg 20(10): the review decision 4 weeks from the meeting (defined once, in the clock).
DECISION_DAYS = clock.REVIEW_DECISION_DAYS

#: 100 × numerator ÷ denominator to one decimal place (docs/domain/measures.md's one percentage
#: rule).
pct = percentage


@dataclass(frozen=True)
class ReviewRecord:
    """One annual review of a plan, as the dashboards need it."""

    due_date: date
    meeting_date: date | None = None
    decision_date: date | None = None
    outcome: str | None = None  # maintain / amend / cease
    amended_final_date: date | None = None
    plan_cease_date: date | None = None
    phase_transfer: bool = False
    transfer_year: int | None = None
    secondary_to_post16: bool = False
    phase_transfer_due: date | None = None


def _known(day: date | None, as_of: date) -> date | None:
    return day if day is not None and day <= as_of else None


def _in_force(record: ReviewRecord, on: date) -> bool:
    return record.plan_cease_date is None or record.plan_cease_date > on


@dataclass(frozen=True)
class ReviewFigures:
    """Reviews due in a period and the decisions after the meetings held in it."""

    due: int = 0
    held_on_time: int = 0
    held_late: int = 0
    overdue: int = 0
    not_yet_due: int = 0
    meetings: int = 0
    decided_within_4_weeks: int = 0
    decided_late: int = 0
    decision_overdue: int = 0
    decision_not_yet_due: int = 0

    @property
    def pct_held_on_time(self) -> float | None:
        """Of the reviews whose timeliness is settled (held, or overdue), those held in time."""
        return pct(self.held_on_time, self.due - self.not_yet_due)

    @property
    def pct_decided_within_4_weeks(self) -> float | None:
        """Of the meetings whose decision is settled, those decided within 4 weeks (DfE's %)."""
        return pct(self.decided_within_4_weeks, self.meetings - self.decision_not_yet_due)


def review_figures(records: Iterable[ReviewRecord], period: Period, *, as_of: date
                   ) -> ReviewFigures:
    """Reviews due in `period` and decisions after meetings in `period`, as known at `as_of`."""
    counts = dict.fromkeys(ReviewFigures.__dataclass_fields__, 0)
    for r in records:
        if period.contains(r.due_date) and _in_force(r, r.due_date):
            counts["due"] += 1
            meeting = _known(r.meeting_date, as_of)
            if meeting is not None:
                counts["held_on_time" if meeting <= r.due_date else "held_late"] += 1
            elif as_of > r.due_date:
                counts["overdue"] += 1
            else:
                counts["not_yet_due"] += 1
        meeting = _known(r.meeting_date, as_of)
        if meeting is not None and period.contains(meeting):
            counts["meetings"] += 1
            deadline = meeting + timedelta(days=DECISION_DAYS)
            decision = _known(r.decision_date, as_of)
            if decision is not None:
                counts["decided_within_4_weeks" if decision <= deadline else "decided_late"] += 1
            elif as_of > deadline:
                counts["decision_overdue"] += 1
            else:
                counts["decision_not_yet_due"] += 1
    return ReviewFigures(**counts)


def overdue_reviews(records: Iterable[ReviewRecord], *, as_of: date) -> int:
    """Reviews of plans in force at `as_of` whose due date has passed with no meeting held."""
    return sum(
        1 for r in records
        if r.due_date < as_of and _known(r.meeting_date, as_of) is None and _in_force(r, as_of)
    )


@dataclass(frozen=True)
class PhaseTransferFigures:
    """Phase transfer reviews of one transfer year and deadline (15 February or 31 March)."""

    deadline: date
    due: int = 0
    done_on_time: int = 0
    done_late: int = 0
    outstanding_overdue: int = 0
    outstanding_not_yet_due: int = 0

    @property
    def pct_on_time(self) -> float | None:
        return pct(self.done_on_time, self.due - self.outstanding_not_yet_due)


def done_on(record: ReviewRecord) -> date | None:
    """The day a phase transfer review was completed: the amended plan, or the decision."""
    if record.outcome == "amend":
        return record.amended_final_date
    return record.decision_date


def phase_transfers(records: Iterable[ReviewRecord], *, year: int, as_of: date
                    ) -> tuple[PhaseTransferFigures, PhaseTransferFigures]:
    """The transfer year's reviews due by 15 February, then those due by 31 March (post-16)."""
    tallies = {False: dict.fromkeys(("due", "done_on_time", "done_late", "outstanding_overdue",
                                     "outstanding_not_yet_due"), 0),
               True: dict.fromkeys(("due", "done_on_time", "done_late", "outstanding_overdue",
                                    "outstanding_not_yet_due"), 0)}
    deadlines = {False: date(year, 2, 15), True: date(year, 3, 31)}
    for r in records:
        if not r.phase_transfer or r.transfer_year != year:
            continue
        deadline = deadlines[r.secondary_to_post16]
        if not _in_force(r, deadline):
            continue
        counts = tallies[r.secondary_to_post16]
        counts["due"] += 1
        done = _known(done_on(r), as_of)
        if done is not None:
            counts["done_on_time" if done <= deadline else "done_late"] += 1
        elif as_of > deadline:
            counts["outstanding_overdue"] += 1
        else:
            counts["outstanding_not_yet_due"] += 1
    return (PhaseTransferFigures(deadline=deadlines[False], **tallies[False]),
            PhaseTransferFigures(deadline=deadlines[True], **tallies[True]))
