"""Timeliness of advice for EHC needs assessments (SEND Regulations 2014, reg 8(1)).

Bodies asked for advice must comply within 6 weeks of the request. This counts, for each
adviser type, the advice falling due in a period and how it was returned, so a service can see
which partner is holding plans up (docs/domain/measures.md, "Advice timeliness").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ehcflow.statutory import clock
from ehcflow.statutory.periods import Period
from ehcflow.statutory.rounding import round_half_up

__all__ = ["AdviceRecord", "AdviceTimeliness", "advice_returned_within_6_weeks"]


@dataclass(frozen=True)
class AdviceRecord:
    """A request for advice (reg 6(1)) and when the advice came back.

    `exception` records that a reg 8(2) exception applied (personal circumstances, absence
    of 4 weeks or more, a missed appointment).
    """

    adviser_type: str
    requested_on: date
    received_on: date | None = None
    exception: bool = False


@dataclass(frozen=True)
class AdviceTimeliness:
    """Advice due in a period, split by how it was returned.

    `due` = `within_6_weeks` + `late` + `outstanding_overdue` + `outstanding_not_yet_due`.
    `excused` counts the late and overdue advice to which an exception applied.
    """

    due: int = 0
    within_6_weeks: int = 0
    late: int = 0
    outstanding_overdue: int = 0
    outstanding_not_yet_due: int = 0
    excused: int = 0

    @property
    def pct_within_6_weeks(self) -> float | None:
        """Percentage returned in time, of the advice whose timeliness is settled."""
        settled = self.due - self.outstanding_not_yet_due
        if settled == 0:
            return None
        return round_half_up(100 * self.within_6_weeks / settled)


def advice_returned_within_6_weeks(
    advice: Iterable[AdviceRecord], period: Period, *, as_of: date | None = None
) -> dict[str, AdviceTimeliness]:
    """For each adviser type, the advice due in `period` and how it was returned by `as_of`.

    Advice is due on requested + 42 days (reg 8(1)); it counts in the period when that day
    falls in it. Returned on or before the due day is within 6 weeks, after it is late.
    Advice not received by `as_of` (default: the period's last day) is overdue once `as_of`
    is past its due day, and otherwise not yet due. Keys are sorted adviser types.
    """
    reference = period.end if as_of is None else as_of
    tallies: dict[str, Counter[str]] = {}
    for item in advice:
        due = clock.advice_due(item.requested_on)
        if not period.contains(due):
            continue
        counts = tallies.setdefault(item.adviser_type, Counter())
        counts["due"] += 1
        received = item.received_on if item.received_on and item.received_on <= reference else None
        if received is not None and received <= due:
            counts["within_6_weeks"] += 1
            continue
        if received is not None:
            counts["late"] += 1
        elif reference > due:
            counts["outstanding_overdue"] += 1
        else:
            counts["outstanding_not_yet_due"] += 1
            continue
        if item.exception:
            counts["excused"] += 1
    return {kind: AdviceTimeliness(**tallies[kind]) for kind in sorted(tallies)}
