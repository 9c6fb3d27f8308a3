"""When to remind a partner about advice, and when a consultation answer is due: pure functions.

No Django here (like `ehcflow.statutory`): the daily chaser task asks `chasers_due` what is
owed today and records each reminder once.

Advice is due 6 weeks after it was asked for (SEND Regulations 2014, reg 8(1); the due day
comes from `ehcflow.statutory.clock.advice_due`). The council's reminder rule (issue "Families,
young people and partners"): 7 days before the due day, on the due day, then every 7 days
after it; from the first weekly reminder after the due day, the case officer's manager is told
as well (escalation). Advice received, or excused by a reg 8(2) exception, is never chased.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ehcflow.statutory import clock

DUE_SOON_DAYS = 7
OVERDUE_EVERY_DAYS = 7
# The SEND Code of Practice (2015), para 9.83: a school or setting consulted on being named in
# a plan should answer within 15 calendar days. Guidance, not regulation: the duty to consult
# is the Children and Families Act 2014, s.39(2)-(3) and s.40(2).
CONSULTATION_DAYS = 15


@dataclass(frozen=True)
class Due:
    """One reminder owed: its kind, the week after the due day (0 up to it), the day it fell
    due, and whether the officer's manager is told too."""

    kind: str  # "due_soon", "due_today", "overdue"
    week: int
    on: date
    escalate: bool


def consultation_due(sent_on: date) -> date:
    """Last day for a consulted school to answer: 15 calendar days counted from the day the
    consultation was sent, that day included (as the 15 days of reg 13(1)(a) are counted)."""
    return sent_on + timedelta(days=CONSULTATION_DAYS - 1)


def chaser_dates(requested_on: date, until: date) -> list[Due]:
    """Every reminder for advice asked for on `requested_on`, up to and including `until`."""
    due = clock.advice_due(requested_on)
    owed: list[Due] = []
    soon = due - timedelta(days=DUE_SOON_DAYS)
    if requested_on < soon <= until:
        owed.append(Due("due_soon", 0, soon, False))
    if due <= until:
        owed.append(Due("due_today", 0, due, False))
    week = 1
    while (on := due + timedelta(days=week * OVERDUE_EVERY_DAYS)) <= until:
        owed.append(Due("overdue", week, on, True))
        week += 1
    return owed


def chasers_due(*, requested_on: date, received_on: date | None, excused: bool,
                today: date) -> list[Due]:
    """The reminders that should have gone by `today` for one piece of advice.

    Received advice and advice excused by a reg 8(2) exception owe nothing. The caller sends
    those not yet recorded as sent: a missed day (the task did not run) is caught up with the
    latest reminder of each kind only, so a partner is never sent a burst of old reminders.
    """
    if received_on is not None or excused:
        return []
    owed = chaser_dates(requested_on, today)
    latest: dict[str, Due] = {}
    for item in owed:
        latest[item.kind] = item  # later weeks replace earlier ones of the same kind
    # Before the due day only "due soon" is owed; on or after it "due soon" is stale.
    due = clock.advice_due(requested_on)
    if today >= due:
        latest.pop("due_soon", None)
    if "overdue" in latest:
        latest.pop("due_today", None)
    return sorted(latest.values(), key=lambda d: d.on)
