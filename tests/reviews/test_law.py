"""The law after a plan is issued (statutory/reviews.py): values, and properties by hypothesis."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ehcflow.statutory import reviews as law
from ehcflow.statutory.dates import add_months
from ehcflow.statutory.periods import Period, calendar_year

days = st.dates(min_value=date(2015, 1, 1), max_value=date(2090, 12, 31))


def test_review_due_12_months_after_the_plan_or_last_review() -> None:
    assert law.next_review_due(date(2024, 3, 15)) == date(2025, 3, 15)
    assert law.next_review_due(date(2024, 2, 29)) == date(2025, 2, 28)
    assert law.first_review_due(date(2024, 3, 15)) == date(2025, 3, 15)


def test_under_fives_every_3_months_until_their_fifth_birthday() -> None:
    assert law.interim_review_due(date(2024, 1, 10), date(2021, 6, 1)) == date(2024, 4, 10)
    assert law.interim_review_due(date(2026, 4, 1), date(2021, 6, 1)) is None


def test_a_timeline_with_every_deadline_met_and_missed() -> None:
    steps = law.review_timeline(
        due=date(2025, 3, 15), today=date(2025, 8, 1), meeting=date(2025, 3, 10),
        invitations=date(2025, 2, 24), advice=date(2025, 2, 25), report=date(2025, 3, 24),
        decision=date(2025, 4, 7), outcome=law.AMEND, amended_final=date(2025, 6, 5))
    got = {s.step: (s.due, s.done, s.met) for s in steps}
    assert got[law.Step.INVITATIONS] == (date(2025, 2, 24), date(2025, 2, 24), True)
    assert got[law.Step.ADVICE] == (date(2025, 2, 24), date(2025, 2, 25), False)
    assert got[law.Step.MEETING] == (date(2025, 3, 15), date(2025, 3, 10), True)
    assert got[law.Step.REPORT] == (date(2025, 3, 24), date(2025, 3, 24), True)
    assert got[law.Step.DECISION] == (date(2025, 4, 7), date(2025, 4, 7), True)
    # 8 weeks after the notice of 7 April is 2 June: 5 June is late (reg 22(3)).
    assert got[law.Step.AMENDED_PLAN] == (date(2025, 6, 2), date(2025, 6, 5), False)


def test_undone_steps_are_missed_only_once_their_day_has_passed() -> None:
    # invitations are due by 1 March: on that day they can still be sent, the day after not
    steps = law.review_timeline(due=date(2025, 3, 15), today=date(2025, 3, 1))
    assert {s.step: s.met for s in steps}[law.Step.INVITATIONS] is None
    steps = law.review_timeline(due=date(2025, 3, 15), today=date(2025, 3, 2))
    assert {s.step: s.met for s in steps}[law.Step.INVITATIONS] is False
    steps = law.review_timeline(due=date(2025, 3, 15), today=date(2025, 2, 20))
    assert {s.step: s.met for s in steps}[law.Step.INVITATIONS] is None
    assert [s.step for s in steps] == [law.Step.INVITATIONS, law.Step.ADVICE, law.Step.MEETING,
                                      law.Step.REPORT, law.Step.DECISION]


def test_a_late_notice_does_not_buy_more_time_than_12_weeks() -> None:
    meeting = date(2025, 1, 6)
    assert law.amended_plan_due(meeting, date(2025, 1, 20)) == date(2025, 3, 17)
    assert law.amended_plan_due(meeting, date(2025, 3, 1)) == date(2025, 3, 31)  # 12 weeks


@given(days, st.integers(0, 200))
def test_the_amended_plan_is_never_due_after_12_weeks(meeting: date, lag: int) -> None:
    due = law.amended_plan_due(meeting, meeting + timedelta(days=lag))
    assert due <= meeting + timedelta(weeks=12)
    assert due <= meeting + timedelta(days=lag, weeks=8)


def test_amendments_and_ceasing_give_15_days() -> None:
    assert law.amendment_comment_period_ends(date(2025, 5, 1)) == date(2025, 5, 15)
    assert law.amendment_final_due(date(2025, 5, 1)) == date(2025, 6, 26)
    assert law.cease_consultation_ends(date(2025, 5, 1)) == date(2025, 5, 15)


def test_moves_between_councils() -> None:
    assert law.transfer_in_notice_due(date(2025, 1, 6)) == date(2025, 2, 17)
    # 12 months after the last review is later than 3 months after the transfer
    assert law.transfer_in_review_due(date(2024, 11, 1), date(2025, 1, 6)) == date(2025, 11, 1)
    # the other way round
    assert law.transfer_in_review_due(date(2024, 2, 1), date(2025, 1, 6)) == date(2025, 4, 6)
    # told 4 weeks ahead: on the day of the move; told 2 days before: 15 working days on
    assert law.transfer_out_due(date(2025, 6, 30), date(2025, 6, 2)) == date(2025, 6, 30)
    assert law.transfer_out_due(date(2025, 6, 30), date(2025, 6, 27)) == date(2025, 7, 18)


@given(days, days)
def test_a_transferred_plan_is_reviewed_no_sooner_than_3_months(last: date, moved: date
                                                                ) -> None:
    due = law.transfer_in_review_due(last, moved)
    assert due >= law.next_review_due(last)
    assert due >= add_months(moved, law.TRANSFER_REVIEW_MONTHS)
    assert due in (law.next_review_due(last), add_months(moved, law.TRANSFER_REVIEW_MONTHS))


def test_phase_transfer_deadlines_and_cohorts() -> None:
    assert law.phase_transfer_deadline(2026, secondary_to_post16=False) == date(2026, 2, 15)
    assert law.phase_transfer_deadline(2026, secondary_to_post16=True) == date(2026, 3, 31)
    assert law.phase_transfer_birth_range(2026, "secondary") == (date(2014, 9, 1),
                                                                 date(2015, 8, 31))
    assert [(t.year, t.kind) for t in law.phase_transfers_of(date(2014, 9, 1))] == [
        (2019, "school"), (2026, "secondary"), (2031, "post16")]


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2080, 12, 31)))
def test_birth_ranges_and_transfers_agree(born: date) -> None:
    for transfer in law.phase_transfers_of(born):
        first, last = law.phase_transfer_birth_range(transfer.year, transfer.kind)
        assert first <= born <= last


def test_phase_transfer_risk() -> None:
    deadline = date(2026, 2, 15)
    risk = law.phase_transfer_risk
    assert risk(deadline=deadline, today=date(2025, 10, 1)) is law.RiskStatus.ON_TRACK
    assert risk(deadline=deadline, today=date(2025, 11, 24)) is law.RiskStatus.AT_RISK
    assert risk(deadline=deadline, today=date(2026, 2, 16)) is law.RiskStatus.MISSED
    assert risk(deadline=deadline, today=date(2026, 1, 1), meeting=date(2025, 12, 1),
                ) is law.RiskStatus.AT_RISK  # amended plan not due until 23 February
    assert risk(deadline=deadline, today=date(2025, 11, 1), meeting=date(2025, 10, 20),
                ) is law.RiskStatus.ON_TRACK
    assert risk(deadline=deadline, today=date(2026, 3, 1), meeting=date(2025, 10, 20),
                decision=date(2025, 11, 1), outcome=law.AMEND,
                amended_final=date(2026, 2, 10)) is law.RiskStatus.DONE_ON_TIME
    assert risk(deadline=deadline, today=date(2026, 3, 1), meeting=date(2025, 10, 20),
                decision=date(2025, 11, 1), outcome=law.MAINTAIN) is law.RiskStatus.DONE_ON_TIME
    assert risk(deadline=deadline, today=date(2026, 3, 1), meeting=date(2025, 10, 20),
                decision=date(2025, 11, 1), outcome=law.AMEND,
                amended_final=date(2026, 2, 20)) is law.RiskStatus.DONE_LATE


def _plan(issued: date, *reviews: law.ReviewFacts, cease: date | None = None,
          first_due: date | None = None) -> law.PlanReviews:
    return law.PlanReviews(first_issued=issued, cease_date=cease, first_review_due=first_due,
                           reviews=reviews)


def test_count_reviews_as_dfe_counts_them() -> None:
    year, as_of = calendar_year(2024), date(2025, 1, 16)
    f = law.ReviewFacts
    plans = [
        # in the cohort, review expected, meeting in 2024 decided in 3 weeks: amend
        _plan(date(2020, 5, 1), f(date(2023, 4, 1), date(2023, 4, 20), law.MAINTAIN),
              f(date(2024, 3, 1), date(2024, 3, 22), law.AMEND)),
        # meeting in 2024, decided after 5 weeks: maintain
        _plan(date(2021, 5, 1), f(date(2024, 6, 3), date(2024, 7, 8), law.MAINTAIN)),
        # latest meeting before 2024 (so overdue now), decided late: cease
        _plan(date(2019, 1, 1), f(date(2023, 6, 1), date(2023, 8, 1), law.CEASE)),
        # meeting in January 2025 (after the year, before the census): no decision yet
        _plan(date(2022, 9, 1), f(date(2025, 1, 10))),
        # expected, no meeting at all: overdue
        _plan(date(2023, 6, 1)),
        # too new: not expected
        _plan(date(2024, 6, 1)),
        # transferred in: first review 3 months after the transfer, in 2025: not expected
        _plan(date(2024, 12, 1), first_due=date(2025, 3, 1)),
        # ceased before the census: not counted at all
        _plan(date(2018, 1, 1), f(date(2024, 2, 1), date(2024, 2, 10), law.MAINTAIN),
              cease=date(2024, 12, 31)),
        # a phase transfer due 15 February 2024, finalised on time; last met November 2023,
        # so overdue now
        _plan(date(2016, 1, 1), f(date(2023, 11, 1), date(2023, 11, 20), law.AMEND,
                                  date(2024, 2, 15), date(2024, 2, 14))),
    ]
    got = law.count_reviews(plans, year, as_of)
    assert got.as_json() == {
        "plans_maintained": 8, "reviews_due": 6, "meetings_held": 5, "decisions": 4,
        "decisions_within_4_weeks": 2, "pct_decisions_within_4_weeks": 50.0,
        "outcomes": {"maintain": 1, "amend": 2, "cease": 1}, "overdue_reviews": 3,
        "phase_transfers": {"due": 1, "final_by_deadline": 1},
    }


facts = st.builds(law.ReviewFacts, meeting=st.none() | days, decision=st.none() | days,
                  outcome=st.sampled_from(["", *law.OUTCOMES]))
plans_st = st.builds(_plan, days, cease=st.none() | days,
                     first_due=st.none() | days).flatmap(
    lambda p: st.lists(facts, max_size=3).map(
        lambda rs: law.PlanReviews(p.first_issued, p.cease_date, p.first_review_due,
                                   tuple(rs))))


@given(st.lists(plans_st, max_size=12), days)
def test_the_figures_nest_as_dfe_publishes_them(plans: list[law.PlanReviews], as_of: date
                                                ) -> None:
    period = Period(as_of - timedelta(days=364), as_of)
    got = law.count_reviews(plans, period, as_of)
    assert got.plans_maintained >= got.reviews_due >= got.meetings_held >= got.decisions
    assert got.decisions >= got.decisions_within_4_weeks
    assert got.maintain + got.amend + got.cease <= got.decisions
    pct = got.pct_decisions_within_4_weeks
    assert pct is None or 0 <= pct <= 100
