"""Disagreements after a decision: mediation, appeals to the Tribunal, orders, the appeal rate.

Pure law, no Django. The deadlines of the notice, mediation and the appeal itself live in
`clock` (reg 33, 34, 37; CFA 2014 s.51, s.55) and are reused here, not restated; this module
adds what the casework of a disagreement needs on top:

- which decisions can be appealed, and whether a mediation certificate is needed first;
- the authority's response to an appeal (Tribunal Procedure Rules 2008, rule 21);
- the compliance period of every kind of Tribunal order (SEND Regulations 2014, reg 44(2))
  and of an appeal the authority does not oppose (reg 45, as substituted by SI 2015/359);
- whether each deadline was met, missed, is still open or is overdue;
- the appeal rate as the Ministry of Justice and DfE count it (docs/domain/measures.md).

Periods of weeks are calendar days (7 a week) like every other period of the regulations;
periods of working days skip weekends and bank holidays in England and Wales
(`bank_holidays.add_working_days`), which is also the Tribunal Procedure Rules' "working day"
(rule 1(3): not a Saturday, Sunday, Christmas Day, Good Friday or bank holiday).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

from ehcflow.statutory import clock
from ehcflow.statutory.bank_holidays import add_working_days
from ehcflow.statutory.dates import add_days
from ehcflow.statutory.measures import percentage

__all__ = [
    "REG45_SUBSTITUTED_ON",
    "RESPONSE_WORKING_DAYS",
    "DeadlineStatus",
    "DisputedDecision",
    "OrderKind",
    "Section",
    "appeal_rate",
    "appealable",
    "appealable_decisions",
    "certificate_deadline",
    "certificate_needed",
    "compliance_days",
    "deadline_status",
    "mediation_deadline",
    "order_due",
    "response_due",
    "sen2_census_day",
]

#: Tribunal Procedure (First-tier Tribunal) (Health, Education and Social Care Chamber) Rules
#: 2008 (SI 2008/2699), rule 21: in a special educational needs case the respondent's response
#: must reach the Tribunal within 30 working days of the Tribunal sending it the notice of
#: appeal. [S] IPSEA, "What happens after I submit my appeal? LA response"; the registration
#: letter gives the same date.
RESPONSE_WORKING_DAYS: Final = 30

#: SI 2015/359 reg 8 substituted reg 45(3)-(6) (unopposed appeals) from 23 March 2015; before
#: it the authority had 4 weeks to make an assessment or amend a plan, 2 weeks to name a school.
REG45_SUBSTITUTED_ON: Final = date(2015, 3, 23)
_ORIGINAL_REG45_DAYS: Final = 4 * clock.DAYS_PER_WEEK

#: Reg 44(2)(d) (a case referred back to reconsider whether to make a plan): 2 weeks. [S]
RECONSIDER_DAYS: Final = 2 * clock.DAYS_PER_WEEK
#: Reg 44(2)(a) and (g): cease, or continue to maintain, "immediately".
IMMEDIATELY: Final = 0


class DisputedDecision(StrEnum):
    """The decision a parent or young person disagrees with (CFA 2014 s.51(2))."""

    REFUSE_ASSESS = "refuse_assess"  # s.51(2)(a): not to secure an EHC needs assessment
    REFUSE_ISSUE = "refuse_issue"  # s.51(2)(b): not to make a plan after assessment
    PLAN_CONTENT = "plan_content"  # s.51(2)(c): the plan's sections B, F or I
    CEASE = "cease"  # s.51(2)(f): to cease to maintain the plan
    OTHER = "other"  # anything else carried over from an older record


class Section(StrEnum):
    """The sections of a plan an appeal on its content may be about (s.51(2)(c))."""

    B = "B"  # special educational needs
    F = "F"  # special educational provision
    I = "I"  # noqa: E741 - the plan's own letter: the school or other institution named


class OrderKind(StrEnum):
    """What the Tribunal ordered, one kind per period of reg 44(2) (and reg 45)."""

    CEASE_PLAN = "cease_plan"  # (a) appeal against ceasing dismissed: cease immediately
    ASSESSMENT_NOTICE = "assessment_notice"  # (b) notify that the assessment will be made
    NO_PLAN_DECISION = "no_plan_decision"  # (b)(i) after it, a decision not to issue
    FINAL_PLAN_AFTER_ASSESSMENT = "final_after_assessment"  # (b)(ii) or the final plan
    DRAFT_PLAN = "draft_plan"  # (c)(i) make and maintain a plan: the draft
    FINAL_PLAN = "final_plan"  # (c)(ii) ... and the final plan
    RECONSIDER = "reconsider"  # (d) referred back to reconsider
    AMEND_PLAN = "amend_plan"  # (e) amend the needs or provision: the amended plan
    NAME_SCHOOL = "name_school"  # (f) name the school or type in section I
    CONTINUE_PLAN = "continue_plan"  # (g) continue to maintain the plan
    CONTINUE_AND_AMEND = "continue_and_amend"  # (h) continue to maintain and amend


#: Reg 44(2): the period from the order (or, reg 45, from the authority's notice that it will
#: not oppose the appeal) within which each action must be taken. The weeks of (b), (c), (e)
#: and (f) are `clock`'s TRIBUNAL_* constants, defined once there.
_COMPLIANCE_DAYS: Final[dict[OrderKind, int]] = {
    OrderKind.CEASE_PLAN: IMMEDIATELY,
    OrderKind.ASSESSMENT_NOTICE: clock.TRIBUNAL_ASSESSMENT_NOTICE_DAYS,
    OrderKind.NO_PLAN_DECISION: clock.TRIBUNAL_NO_PLAN_DECISION_DAYS,
    OrderKind.FINAL_PLAN_AFTER_ASSESSMENT: clock.TRIBUNAL_FINAL_PLAN_DAYS,
    OrderKind.DRAFT_PLAN: clock.TRIBUNAL_DRAFT_PLAN_DAYS,
    OrderKind.FINAL_PLAN: clock.TRIBUNAL_MAKE_PLAN_FINAL_DAYS,
    OrderKind.RECONSIDER: RECONSIDER_DAYS,
    OrderKind.AMEND_PLAN: clock.TRIBUNAL_AMENDED_PLAN_DAYS,
    OrderKind.NAME_SCHOOL: clock.TRIBUNAL_PLACEMENT_DAYS,
    OrderKind.CONTINUE_PLAN: IMMEDIATELY,
    OrderKind.CONTINUE_AND_AMEND: clock.TRIBUNAL_AMENDED_PLAN_DAYS,
}


class DeadlineStatus(StrEnum):
    """Where one deadline stands on a day."""

    MET = "met"  # done on or before the deadline
    MISSED = "missed"  # done, but after the deadline
    OPEN = "open"  # not done, and the deadline has not passed
    OVERDUE = "overdue"  # not done, and the deadline has passed


def appealable(decision: DisputedDecision, sections: Iterable[Section] = ()) -> bool:
    """Whether a decision can be appealed to the First-tier Tribunal (SEND): CFA 2014 s.51(2).

    A refusal to assess (s.51(2)(a)), a refusal to issue a plan (s.51(2)(b)), a decision to
    cease (s.51(2)(f)), and a plan's content only where the appeal is about section B, F or I
    (s.51(2)(c)): the other sections (health and social care) are not the Tribunal's to
    decide, except as recommendations. `OTHER` is for older records and is not appealable.
    """
    if decision is DisputedDecision.PLAN_CONTENT:
        return bool(set(sections))
    return decision in (DisputedDecision.REFUSE_ASSESS, DisputedDecision.REFUSE_ISSUE,
                        DisputedDecision.CEASE)


def certificate_needed(decision: DisputedDecision, sections: Iterable[Section] = ()) -> bool:
    """Whether the parent or young person needs a mediation certificate before appealing.

    CFA 2014 s.55(3)-(4): yes, except for an appeal only about the school or other institution
    named in the plan (section I, or its type); [S] IPSEA and docs/domain/statutory-timescales.md
    §1.8.
    """
    chosen = set(sections)
    return not (decision is DisputedDecision.PLAN_CONTENT and chosen == {Section.I})


def mediation_deadline(informed_on: date) -> date:
    """Last day for the mediation to take place: 30 days after the authority is told (reg 37).

    `clock.mediation_arranged_due` holds the rule; named here for the disagreement's page.
    """
    return clock.mediation_arranged_due(informed_on)


def certificate_deadline(informed_on: date, mediation_held_on: date | None = None) -> date:
    """Last day to issue the mediation certificate: 3 working days (reg 34(1), reg 39(3), 42(3)).

    Counted from the day the mediation adviser is told the parent does not wish to mediate
    (reg 34(1)), or from the day the mediation ends when it is held (reg 42(3)). The day
    itself is not counted (`clock.certificate_due`).
    """
    return clock.certificate_due(mediation_held_on if mediation_held_on else informed_on)


def response_due(notice_sent_on: date) -> date:
    """Last day for the authority's response to reach the Tribunal: 30 working days.

    Tribunal Procedure (First-tier Tribunal) (HESC) Rules 2008, rule 21: counted from the day
    the Tribunal sent the authority the notice of appeal (the registration letter), that day
    not counted, skipping weekends and bank holidays (rule 1(3), "working day").
    """
    return add_working_days(notice_sent_on, RESPONSE_WORKING_DAYS)


def compliance_days(kind: OrderKind, *, unopposed_on: date | None = None) -> int:
    """Days the authority has to comply with an order of `kind` (SEND Regulations 2014).

    Reg 44(2) for an order of the Tribunal: immediately (a), (g); 2 weeks to notify that the
    assessment will be made, then 10 weeks for a decision not to issue or 14 weeks for the
    final plan (b); 5 weeks for the draft and 11 weeks for the final plan when ordered to
    make one (c); 2 weeks to reconsider (d) [S]; 5 weeks to amend (e), (h); 2 weeks to name
    the school (f). Reg 45 (the authority tells the Tribunal it will not oppose the appeal,
    `unopposed_on`) applies the same periods from that notice since SI 2015/359 reg 8 (23
    March 2015); before that the original reg 45(3)-(4) gave 4 weeks to assess or amend.
    """
    if unopposed_on is not None and unopposed_on < REG45_SUBSTITUTED_ON and kind in (
            OrderKind.ASSESSMENT_NOTICE, OrderKind.AMEND_PLAN):
        return _ORIGINAL_REG45_DAYS
    return _COMPLIANCE_DAYS[kind]


def order_due(kind: OrderKind, made_on: date, *, unopposed: bool = False) -> date:
    """Last day to comply with an order made (or an appeal conceded) on `made_on`.

    Reg 44(2) from the date of the order; reg 45 from the authority's notice to the Tribunal
    when `unopposed` (see `compliance_days`).
    """
    days = compliance_days(kind, unopposed_on=made_on if unopposed else None)
    return add_days(made_on, days)


def deadline_status(due: date, done: date | None, today: date) -> DeadlineStatus:
    """Met, missed, open or overdue. The deadline day itself is in time
    (docs/domain/measures.md)."""
    if done is not None:
        return DeadlineStatus.MET if done <= due else DeadlineStatus.MISSED
    return DeadlineStatus.OPEN if today <= due else DeadlineStatus.OVERDUE


def sen2_census_day(year: int) -> date:
    """The SEN2 census day of `year`: the third Thursday of January (docs/domain/sen2.md;
    [S] DfE guide).

    Plans "in place in January" are those maintained on this day.
    """
    first = date(year, 1, 1)
    first_thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + timedelta(days=14)


@dataclass(frozen=True, slots=True)
class AppealRate:
    """The appeal rate of one calendar year, with the counts it is made of."""

    year: int
    appeals_registered: int
    refusals_to_assess: int
    refusals_to_issue: int
    plans_in_january: int
    plans_ceased: int

    @property
    def appealable_decisions(self) -> int:
        return appealable_decisions(self.refusals_to_assess, self.refusals_to_issue,
                                    self.plans_in_january, self.plans_ceased)

    @property
    def rate(self) -> float | None:
        return appeal_rate(self.appeals_registered, self.appealable_decisions)


def appealable_decisions(refusals_to_assess: int, refusals_to_issue: int,
                         plans_in_january: int, plans_ceased: int) -> int:
    """The denominator of the appeal rate, as the Ministry of Justice and DfE count it.

    Refusals to assess + decisions not to issue a plan after assessment + plans in place in
    January + plans ceased because needs are met without one (docs/domain/measures.md,
    "Tribunal appeal rate"; [S] "SEND Tribunals and appeal rate 2014-2024", DfE). For calendar
    year Y the plans are those of the January census that closes Y's activity (January Y+1): England
    2024 is 22,276 ÷ 689,739 = 3.2%, and 689,739 less January 2025's 638,745 plans leaves
    the year's refusals and cessations.
    """
    return refusals_to_assess + refusals_to_issue + plans_in_january + plans_ceased


def appeal_rate(appeals_registered: int, appealable: int) -> float | None:
    """Appeals registered ÷ appealable decisions, a percentage to one decimal place.

    `measures.percentage` rounds (half up) and gives None when there were no decisions.
    """
    return percentage(appeals_registered, appealable)
