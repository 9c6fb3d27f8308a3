"""The statutory clock: every deadline of an EHC needs assessment, plan, review and appeal.

Sources are in docs/domain/statutory-timescales.md. The rules that shape every function:

- The clock starts on the day the local authority receives the request (or becomes
  responsible under CFA 2014 s.24): SEND Regulations 2014 (SI 2014/1530) reg 5(1), 10(1), 13(2).
- A week is 7 calendar days. Holidays do not stop the clock; only the mediation steps count
  working days (reg 34(1)).
- A deadline is the last day on which the act is in time: a final plan dated exactly
  request + 140 days is within 20 weeks (docs/domain/measures.md, "20-week deadline").

Functions take and return `datetime.date`; nothing here knows about Django or the database.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from ehcflow.statutory.bank_holidays import add_working_days, working_day_on_or_after
from ehcflow.statutory.dates import add_days, add_months, add_years, days_between

__all__ = [
    "ADVICE_DAYS",
    "AMENDED_PLAN_DAYS",
    "AMENDMENT_COMMENT_DAYS",
    "AMENDMENT_FINAL_DAYS",
    "APPEAL_AFTER_CERTIFICATE_MONTHS",
    "APPEAL_MONTHS",
    "CERTIFICATE_WORKING_DAYS",
    "COMMENT_PERIOD_DAYS",
    "DAYS_PER_WEEK",
    "DECISION_NOT_TO_ISSUE_DAYS",
    "DECISION_TO_ASSESS_DAYS",
    "FINAL_PLAN_DAYS",
    "LONDON",
    "MEDIATION_ARRANGED_DAYS",
    "MEDIATION_CONTACT_MONTHS",
    "PHASE_TRANSFER_POST16_OTHER_MONTHS",
    "REASSESSMENT_DECISION_DAYS",
    "REASSESSMENT_FINAL_DAYS",
    "REVIEW_ADVICE_DAYS",
    "REVIEW_DECISION_DAYS",
    "REVIEW_NOTICE_DAYS",
    "REVIEW_REPORT_DAYS",
    "TRIBUNAL_AMENDED_PLAN_DAYS",
    "TRIBUNAL_ASSESSMENT_NOTICE_DAYS",
    "TRIBUNAL_DRAFT_PLAN_DAYS",
    "TRIBUNAL_FINAL_PLAN_DAYS",
    "TRIBUNAL_MAKE_PLAN_FINAL_DAYS",
    "TRIBUNAL_NO_PLAN_DECISION_DAYS",
    "TRIBUNAL_PLACEMENT_DAYS",
    "advice_due",
    "amended_plan_due",
    "amendment_comment_period_ends",
    "amendment_final_due",
    "appeal_deadline",
    "certificate_due",
    "comment_period_ends",
    "commissioning_body_notice_due",
    "decision_not_to_issue_due",
    "decision_to_assess_due",
    "earliest_final_plan_date",
    "final_plan_due",
    "is_within_20_weeks",
    "mediation_arranged_due",
    "mediation_contact_deadline",
    "next_review_due",
    "phase_transfer_deadline",
    "phase_transfer_post16_other",
    "reassessment_decision_due",
    "reassessment_final_due",
    "review_advice_due",
    "review_decision_due",
    "review_notice_due",
    "review_report_due",
    "today",
    "tribunal_amended_plan_due",
    "tribunal_assessment_notice_due",
    "tribunal_draft_plan_due",
    "tribunal_final_plan_due",
    "tribunal_make_plan_final_due",
    "tribunal_no_plan_decision_due",
    "tribunal_placement_due",
    "weeks_elapsed",
]

#: The time zone of the law's days: a council in England counts its deadlines in local days.
LONDON: Final = ZoneInfo("Europe/London")


def today() -> date:
    """Today's date in England, whatever the server's own clock zone.

    A request received at 00:30 on 1 April British Summer Time is received on 1 April, though
    a server on UTC would still say 31 March; every "today" of the law is this one.
    """
    return datetime.now(LONDON).date()

DAYS_PER_WEEK = 7

# Initial assessment (SEND Regulations 2014, Part 2).
DECISION_TO_ASSESS_DAYS = 6 * DAYS_PER_WEEK  # reg 5(1)
ADVICE_DAYS = 6 * DAYS_PER_WEEK  # reg 8(1)
DECISION_NOT_TO_ISSUE_DAYS = 16 * DAYS_PER_WEEK  # reg 10(1)
COMMENT_PERIOD_DAYS = 15  # reg 13(1)(a): calendar days, not weeks
FINAL_PLAN_DAYS = 20 * DAYS_PER_WEEK  # reg 13(2)

# Re-assessment.
REASSESSMENT_DECISION_DAYS = 15  # reg 25
REASSESSMENT_FINAL_DAYS = 14 * DAYS_PER_WEEK  # reg 27(2)

# Annual review and amendment.
REVIEW_NOTICE_DAYS = 2 * DAYS_PER_WEEK  # reg 20(3), 21(3)
REVIEW_ADVICE_DAYS = 2 * DAYS_PER_WEEK  # reg 20(4), 21(4)
REVIEW_REPORT_DAYS = 2 * DAYS_PER_WEEK  # reg 20(7)-(8), 21(7)
REVIEW_DECISION_DAYS = 4 * DAYS_PER_WEEK  # reg 20(10)
AMENDMENT_COMMENT_DAYS = 15  # reg 22(2)(c)
AMENDMENT_FINAL_DAYS = 8 * DAYS_PER_WEEK  # reg 22(3)
AMENDED_PLAN_DAYS = REVIEW_DECISION_DAYS + AMENDMENT_FINAL_DAYS  # Devon [2022]: 12 weeks

# Phase transfer.
PHASE_TRANSFER_POST16_OTHER_MONTHS = 5  # reg 18(2)

# Mediation and appeal.
MEDIATION_CONTACT_MONTHS = 2  # reg 33
MEDIATION_ARRANGED_DAYS = 30  # reg 37
CERTIFICATE_WORKING_DAYS = 3  # reg 34(1)
APPEAL_MONTHS = 2
APPEAL_AFTER_CERTIFICATE_MONTHS = 1

# Compliance with the Tribunal: reg 44 (orders) and reg 45 (unopposed appeals).
TRIBUNAL_ASSESSMENT_NOTICE_DAYS = 2 * DAYS_PER_WEEK
TRIBUNAL_NO_PLAN_DECISION_DAYS = 10 * DAYS_PER_WEEK
TRIBUNAL_FINAL_PLAN_DAYS = 14 * DAYS_PER_WEEK
TRIBUNAL_AMENDED_PLAN_DAYS = 5 * DAYS_PER_WEEK
TRIBUNAL_PLACEMENT_DAYS = 2 * DAYS_PER_WEEK
TRIBUNAL_DRAFT_PLAN_DAYS = 5 * DAYS_PER_WEEK
TRIBUNAL_MAKE_PLAN_FINAL_DAYS = 11 * DAYS_PER_WEEK


# --- Initial assessment -------------------------------------------------------------------


def weeks_elapsed(request_date: date, on: date) -> float:
    """Weeks since the request at `on`: (on - request date) in days ÷ 7
    (docs/domain/measures.md)."""
    return days_between(request_date, on) / DAYS_PER_WEEK


def decision_to_assess_due(request_date: date) -> date:
    """Last day to notify the decision whether to assess: 6 weeks (SEND Regs 2014, reg 5(1)).

    The same limit governs a decision not to assess (reg 4(1), 5(3)).
    """
    return add_days(request_date, DECISION_TO_ASSESS_DAYS)


def advice_due(advice_requested_on: date) -> date:
    """Last day for an adviser to comply with a request for advice: 6 weeks (reg 8(1)).

    The clock runs from the day the body received the request; we take the day the request
    was sent, as case records rarely hold the day of receipt.
    """
    return add_days(advice_requested_on, ADVICE_DAYS)


def decision_not_to_issue_due(request_date: date) -> date:
    """Last day to notify a decision not to issue a plan: 16 weeks (reg 10(1))."""
    return add_days(request_date, DECISION_NOT_TO_ISSUE_DAYS)


def comment_period_ends(draft_served_on: date) -> date:
    """Last day of the parent's or young person's comment period on a draft plan.

    Reg 13(1)(a) gives "at least 15 days, beginning with the day on which the draft plan was
    served", so the serving day is day 1 and the period's last day is served + 14. The final
    plan may be issued the day after (`earliest_final_plan_date`).
    """
    return add_days(draft_served_on, COMMENT_PERIOD_DAYS - 1)


def earliest_final_plan_date(draft_served_on: date) -> date:
    """First day a final plan may be issued after serving the draft (reg 13(1)(a))."""
    return add_days(comment_period_ends(draft_served_on), 1)


def final_plan_due(request_date: date) -> date:
    """Last day to issue the final EHC plan: 20 weeks from the request (reg 13(2))."""
    return add_days(request_date, FINAL_PLAN_DAYS)


def is_within_20_weeks(request_date: date, final_date: date) -> bool:
    """True when the final plan is dated on or before request + 140 days (reg 13(2)).

    The deadline day itself counts as within (docs/domain/measures.md, "20-week deadline").
    """
    return days_between(request_date, final_date) <= FINAL_PLAN_DAYS


# --- Re-assessment ------------------------------------------------------------------------


def reassessment_decision_due(request_date: date) -> date:
    """Last day to notify whether the authority will re-assess: 15 days (reg 25)."""
    return add_days(request_date, REASSESSMENT_DECISION_DAYS)


def reassessment_final_due(notified_on: date) -> date:
    """Last day to issue the plan after a re-assessment: 14 weeks (reg 27(2)).

    The clock runs from the reg 25(1) notification or the s.44(3) decision to re-assess.
    """
    return add_days(notified_on, REASSESSMENT_FINAL_DAYS)


# --- Annual review and amendment --------------------------------------------------------


def next_review_due(plan_start_or_last_review_meeting: date) -> date:
    """Last day for the next review: within 12 months (CFA 2014 s.44(1)).

    Twelve months are one calendar year on; a plan made on 29 February is next due on
    28 February, which keeps the review inside the 12 months.
    """
    return add_years(plan_start_or_last_review_meeting, 1)


def review_notice_due(meeting_date: date) -> date:
    """Last day to invite people to a review meeting: 2 weeks' notice (reg 20(3), 21(3))."""
    return add_days(meeting_date, -REVIEW_NOTICE_DAYS)


def review_advice_due(meeting_date: date) -> date:
    """Last day to circulate advice before the review meeting: 2 weeks before (reg 20(4), 21(4))."""
    return add_days(meeting_date, -REVIEW_ADVICE_DAYS)


def review_report_due(meeting_date: date) -> date:
    """Last day for the review report: 2 weeks after the meeting (reg 20(7)-(8), 21(7))."""
    return add_days(meeting_date, REVIEW_REPORT_DAYS)


def review_decision_due(meeting_date: date) -> date:
    """Last day to notify the decision to maintain, amend or cease: 4 weeks (reg 20(10))."""
    return add_days(meeting_date, REVIEW_DECISION_DAYS)


def amendment_comment_period_ends(proposal_sent_on: date) -> date:
    """Last day of the 15-day comment period on proposed amendments (reg 22(2)(c)).

    Counted like reg 13(1)(a): the day the proposal is sent is day 1.
    """
    return add_days(proposal_sent_on, AMENDMENT_COMMENT_DAYS - 1)


def amendment_final_due(proposal_sent_on: date) -> date:
    """Last day to issue the amended plan: 8 weeks after sending the proposal (reg 22(3))."""
    return add_days(proposal_sent_on, AMENDMENT_FINAL_DAYS)


def amended_plan_due(meeting_date: date) -> date:
    """Last day to issue an amended plan after a review: 12 weeks after the meeting.

    R (L, M and P) v Devon CC [2022] EWHC 493 (Admin): the reg 20(10) notice within 4 weeks
    must carry the proposed amendments (reg 22(2)(a)), and the final amended plan follows
    within 8 weeks of that notice (reg 22(3)), so 4 + 8 weeks from the meeting at the latest.
    """
    return add_days(meeting_date, AMENDED_PLAN_DAYS)


# --- Phase transfers ----------------------------------------------------------------------


def phase_transfer_deadline(transfer_year: int, *, secondary_to_post16: bool) -> date:
    """The reg 18(1) date for reviewing and amending a plan before a transfer between phases.

    31 March of the transfer's calendar year for secondary school to post-16 (reg 18(1)(a)),
    15 February otherwise (reg 18(1)(b)). The regulation says "before" the date and the SEND
    Code of Practice (para 9.179) says "by"; we return the date the regulation names, and an
    amended plan issued on that day is reported as on time, like every other deadline here.
    """
    if secondary_to_post16:
        return date(transfer_year, 3, 31)
    return date(transfer_year, 2, 15)


def phase_transfer_post16_other(transfer_date: date) -> date:
    """Latest review date for any other post-16 transfer: at least 5 months before (reg 18(2))."""
    return add_months(transfer_date, -PHASE_TRANSFER_POST16_OTHER_MONTHS)


# --- Mediation and appeal -----------------------------------------------------------------


def mediation_contact_deadline(decision_notice_sent: date) -> date:
    """Last day to contact the mediation adviser: 2 months after the notice was sent (reg 33).

    Calendar months with the corresponding-date rule: 31 December + 2 months is the last day
    of February.
    """
    return add_months(decision_notice_sent, MEDIATION_CONTACT_MONTHS)


def mediation_arranged_due(notified_on: date) -> date:
    """Last day to hold the mediation: 30 days after the authority is told (reg 37).

    The same 30 days bind a health commissioning body arranging mediation on health issues.
    [S] IPSEA, "the mediation process"; the regulation numbers of the 30-day duties (regs
    36-37) have not been checked against the primary text.
    """
    return add_days(notified_on, MEDIATION_ARRANGED_DAYS)


def certificate_due(informed_on: date) -> date:
    """Last day to issue a mediation certificate: 3 working days (reg 34(1)).

    Also the limit for a deemed certificate when mediation cannot be arranged in time and for
    the certificate after a mediation ends. Working days exclude weekends and bank holidays in
    England and Wales; the day the adviser is told is not counted.
    """
    return add_working_days(informed_on, CERTIFICATE_WORKING_DAYS)


def commissioning_body_notice_due(informed_on: date) -> date:
    """Last day to tell the health commissioning body of health mediation issues: 3 working days.

    SEND Regulations 2014, reg 35 [S]: IPSEA, "the mediation process" (number unchecked).
    """
    return add_working_days(informed_on, CERTIFICATE_WORKING_DAYS)


def _is_christmas_closure(day: date) -> bool:
    return (day.month == 12 and day.day >= 25) or (day.month == 1 and day.day == 1)


def appeal_deadline(
    decision_letter_date: date, mediation_certificate_date: date | None = None
) -> date:
    """Last day for the First-tier Tribunal (SEND) to receive an appeal (CFA 2014 s.51, s.55).

    The later of 2 months from the decision letter and 1 month from the mediation
    certificate. A deadline falling from 25 December to 1 January moves to the next working
    day in January, and one falling in August to the first working day of September
    (docs/domain/statutory-timescales.md §1.8; [S] IPSEA). A deadline on another weekend or bank
    holiday is left where it falls: the earlier date is the safe one to tell a family.
    """
    deadline = add_months(decision_letter_date, APPEAL_MONTHS)
    if mediation_certificate_date is not None:
        deadline = max(
            deadline, add_months(mediation_certificate_date, APPEAL_AFTER_CERTIFICATE_MONTHS)
        )
    if _is_christmas_closure(deadline):
        january = deadline.year + 1 if deadline.month == 12 else deadline.year
        # 1 January is always a bank holiday, so the search starts on the 2nd.
        return working_day_on_or_after(date(january, 1, 2))
    if deadline.month == 8:
        return working_day_on_or_after(date(deadline.year, 9, 1))
    return deadline


# --- Compliance with the Tribunal ---------------------------------------------------------
# `from_date` is the date of the Tribunal's order (reg 44) or of the authority's notice that
# it will not oppose the appeal (reg 45, as substituted by SI 2015/359 reg 8).


def tribunal_assessment_notice_due(from_date: date) -> date:
    """Notify the parent that the assessment or re-assessment will be made: 2 weeks (reg 44, 45)."""
    return add_days(from_date, TRIBUNAL_ASSESSMENT_NOTICE_DAYS)


def tribunal_no_plan_decision_due(from_date: date) -> date:
    """Notify a decision not to issue a plan after an ordered assessment: 10 weeks (reg 44, 45)."""
    return add_days(from_date, TRIBUNAL_NO_PLAN_DECISION_DAYS)


def tribunal_final_plan_due(from_date: date) -> date:
    """Issue the final plan after an ordered assessment: 14 weeks (reg 44, 45)."""
    return add_days(from_date, TRIBUNAL_FINAL_PLAN_DAYS)


def tribunal_amended_plan_due(from_date: date) -> date:
    """Issue the amended plan after an appeal on its contents: 5 weeks (reg 44, 45)."""
    return add_days(from_date, TRIBUNAL_AMENDED_PLAN_DAYS)


def tribunal_placement_due(from_date: date) -> date:
    """Name the school or institution after a placement-only appeal: 2 weeks (reg 44, 45). [S]"""
    return add_days(from_date, TRIBUNAL_PLACEMENT_DAYS)


def tribunal_draft_plan_due(from_date: date) -> date:
    """Issue the draft plan after an appeal against a refusal to issue: 5 weeks (reg 44, 45). [S]"""
    return add_days(from_date, TRIBUNAL_DRAFT_PLAN_DAYS)


def tribunal_make_plan_final_due(from_date: date) -> date:
    """Issue the final plan after an appeal against a refusal to issue: 11 weeks (reg 44-45). [S]"""
    return add_days(from_date, TRIBUNAL_MAKE_PLAN_FINAL_DAYS)
