"""The dashboards' grouped queries equal `selectors.kpis()` and the pure measures.

`insight.figures` counts many periods or dates in one query (decision 0004's rule: SQL proved
equal to the definition). Each test generates random legal histories, loads them, and compares
period by period, date by date, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from ehcflow.casework import selectors
from ehcflow.casework.models import AdviceRequest, AnnualReview, AssessmentRequest, Child, EHCPlan
from ehcflow.insight import definitions as d
from ehcflow.insight import figures
from ehcflow.people.models import Role, StaffMember
from ehcflow.statutory import measures
from ehcflow.statutory.advice import AdviceRecord, advice_returned_within_6_weeks
from ehcflow.statutory.periods import Period, calendar_month, calendar_year
from ehcflow.statutory.records import PlanRecord, RequestRecord
from tests.casework.test_kpis import load
from tests.statutory.strategies import (
    MAX_DATE,
    MIN_DATE,
    advice_records,
    as_of_dates,
    periods,
    plan_records,
    request_record_lists,
)

# A narrow window, so that random dates fall in the periods asked about often.
NEAR_START, NEAR_END = date(2022, 1, 1), date(2023, 12, 31)
GAPS = (0, 1, 27, 28, 29, 41, 42, 43, 60, 140, 141)


def near_dates() -> st.SearchStrategy[date]:
    return st.dates(NEAR_START, NEAR_END)


SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def month_runs(draw: st.DrawFn, near: bool = False) -> list[Period]:
    """A run of consecutive calendar months or years, as the dashboards ask for them."""
    low, high = (NEAR_START, NEAR_END) if near else (MIN_DATE, MAX_DATE)
    years = draw(st.booleans())
    if years:
        first = draw(st.integers(low.year, high.year))
        count = draw(st.integers(1, 6))
        return [calendar_year(y) for y in range(first, min(first + count, MAX_DATE.year + 1))]
    start = draw(st.dates(low, high))
    out = []
    year, month = start.year, start.month
    for _ in range(draw(st.integers(1, 14))):
        out.append(calendar_month(year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


class PeriodFiguresEqualKpis(HypothesisTestCase):
    @SETTINGS
    @given(records=request_record_lists(max_size=30), as_of=as_of_dates(), runs=month_runs())
    def test_each_period_equals_kpis(self, records: list[RequestRecord], as_of: date,
                                     runs: list[Period]) -> None:
        load(records)
        grouped = figures.period_figures(runs, as_of=as_of)
        for period, row in zip(runs, grouped, strict=True):
            expected = figures.kpis_fields(selectors.kpis(as_of=as_of, period=period))
            assert row.as_kpis_fields() == expected
            pure = measures.kpis(records, as_of=as_of, period=period)
            assert row.requests_received == pure.requests_received
            assert row.avg_weeks_to_issue == pure.avg_weeks_to_issue
            assert sum(row.received_by_source.values()) == row.requests_received


class BacklogSeriesEqualsBacklog(HypothesisTestCase):
    @SETTINGS
    @given(records=request_record_lists(max_size=30),
           days=st.lists(as_of_dates(), min_size=1, max_size=6))
    def test_each_date_equals_the_backlog(self, records: list[RequestRecord],
                                          days: list[date]) -> None:
        load(records)
        series = figures.backlog_series(days)
        for day, point in zip(days, series, strict=True):
            assert point.as_backlog() == selectors.backlog(on=day)
            assert point.as_backlog() == measures.backlog(records, day)
            assert sum(point.bands().values()) == point.open


class FunnelEqualsPureCounts(HypothesisTestCase):
    @SETTINGS
    @given(records=request_record_lists(max_size=30), as_of=as_of_dates(), period=periods())
    def test_the_funnel(self, records: list[RequestRecord], as_of: date,
                        period: Period) -> None:
        load(records)
        funnel = figures.funnel(period, as_of=as_of)
        window = period.ending_by(as_of)
        cohort = [r for r in records if window is not None and window.contains(r.request_date)]

        def by(day: date | None) -> bool:
            return day is not None and day <= as_of

        assert funnel.received == len(cohort)
        assert funnel.assessed == sum(1 for r in cohort
                                      if r.decision == "assess" and by(r.decision_date))
        assert funnel.plan_decided == sum(1 for r in cohort
                                          if r.outcome == "plan" and by(r.outcome_date))
        assert funnel.final_issued == sum(1 for r in cohort if by(r.final_date))
        assert funnel.within_20_weeks == sum(
            1 for r in cohort if by(r.final_date) and r.final_date is not None
            and (r.final_date - r.request_date).days <= 140)
        assert funnel.still_open == sum(1 for r in cohort if measures.is_open(r, as_of))


def load_advice(items: list[AdviceRecord]) -> None:
    child = Child.objects.create(person_ref="P-ADV", date_of_birth=date(2010, 1, 1))
    request = AssessmentRequest.objects.create(child=child, case_ref="ADV-1",
                                               received_date=MIN_DATE)
    AdviceRequest.objects.bulk_create([
        AdviceRequest(request=request, adviser_type=a.adviser_type, requested_on=a.requested_on,
                      due_on=a.requested_on + timedelta(days=42), received_on=a.received_on,
                      exception="missed_appointment" if a.exception else "")
        for a in items])


@st.composite
def near_advice(draw: st.DrawFn) -> AdviceRecord:
    requested = draw(near_dates())
    received = draw(st.none() | st.sampled_from(GAPS).map(
        lambda n: requested + timedelta(days=n)))
    return AdviceRecord(adviser_type=draw(st.sampled_from(("educational_psychology", "health"))),
                        requested_on=requested, received_on=received,
                        exception=draw(st.booleans()))


class AdviceEqualsPureAdvice(HypothesisTestCase):
    @SETTINGS
    @given(items=st.lists(advice_records() | near_advice(), max_size=30),
           as_of=as_of_dates() | near_dates(), runs=month_runs(near=True))
    def test_each_period_equals_the_pure_advice_measure(
            self, items: list[AdviceRecord], as_of: date, runs: list[Period]) -> None:
        load_advice(items)
        grouped = figures.advice_by_period(runs, as_of=as_of)
        for period, row in zip(runs, grouped, strict=True):
            assert row == advice_returned_within_6_weeks(items, period, as_of=as_of)


@st.composite
def review_records(draw: st.DrawFn) -> d.ReviewRecord:
    due = draw(near_dates())
    meeting = draw(st.none() | st.sampled_from((-30, -1, 0, 1, 90)).map(
        lambda n: due + timedelta(days=n)))
    decision = None
    if meeting is not None:
        decision = draw(st.none() | st.sampled_from((0, 27, 28, 29, 60)).map(
            lambda n: meeting + timedelta(days=n)))
    outcome = draw(st.sampled_from(("maintain", "amend", "cease"))) if decision else None
    amended = (draw(st.none() | st.integers(0, 90).map(lambda n: decision + timedelta(days=n)))
               if outcome == "amend" and decision is not None else None)
    transfer = draw(st.booleans())
    year = draw(st.sampled_from((2022, 2023))) if transfer else None
    post16 = transfer and draw(st.booleans())
    cease = draw(st.none() | near_dates())
    return d.ReviewRecord(due_date=due, meeting_date=meeting, decision_date=decision,
                          outcome=outcome, amended_final_date=amended, plan_cease_date=cease,
                          phase_transfer=transfer, transfer_year=year,
                          secondary_to_post16=post16)


def load_reviews(items: list[d.ReviewRecord]) -> None:
    child = Child.objects.create(person_ref="P-REV", date_of_birth=date(2010, 1, 1))
    for r in items:
        plan = EHCPlan.objects.create(child=child, start_date=MIN_DATE,
                                      first_issued_date=MIN_DATE, cease_date=r.plan_cease_date)
        AnnualReview.objects.create(
            plan=plan, due_date=r.due_date, meeting_date=r.meeting_date,
            decision_date=r.decision_date, outcome=r.outcome or "",
            amended_final_date=r.amended_final_date, phase_transfer=r.phase_transfer,
            transfer_year=r.transfer_year, secondary_to_post16=r.secondary_to_post16)


class ReviewsEqualTheDefinitions(HypothesisTestCase):
    @SETTINGS
    @given(items=st.lists(review_records(), max_size=20), as_of=near_dates(),
           runs=month_runs(near=True), year=st.sampled_from((2022, 2023)))
    def test_reviews_overdue_and_phase_transfers(
            self, items: list[d.ReviewRecord], as_of: date, runs: list[Period],
            year: int) -> None:
        load_reviews(items)
        grouped, overdue_now = figures.reviews_summary(runs, as_of=as_of)
        for period, row in zip(runs, grouped, strict=True):
            assert row == d.review_figures(items, period, as_of=as_of)
        assert overdue_now == d.overdue_reviews(items, as_of=as_of)
        assert figures.overdue_reviews_query(as_of).count() == d.overdue_reviews(
            items, as_of=as_of)
        assert figures.phase_transfers(year=year, as_of=as_of) == d.phase_transfers(
            items, year=year, as_of=as_of)


class CaseloadsEqualTheMeasures(HypothesisTestCase):
    @SETTINGS
    @given(plans=st.lists(plan_records(), max_size=20),
           days=st.lists(as_of_dates(), min_size=1, max_size=5),
           staff=st.lists(st.tuples(st.dates(MIN_DATE, MAX_DATE), st.integers(0, 2000),
                                    st.sampled_from(("1.00", "0.50", "0.80"))), max_size=5))
    def test_plans_maintained_and_fte(self, plans: list[PlanRecord], days: list[date],
                                      staff: list[tuple[date, int, str]]) -> None:
        child = Child.objects.create(person_ref="P-CASE", date_of_birth=date(2010, 1, 1))
        EHCPlan.objects.bulk_create([
            EHCPlan(child=child, start_date=p.start_date, first_issued_date=p.start_date,
                    cease_date=p.cease_date) for p in plans])
        for n, (start, length, fte) in enumerate(staff):
            StaffMember.objects.create(staff_ref=f"S{n}", name=f"Officer {n}",
                                       role=Role.CASE_OFFICER, start_date=start,
                                       end_date=start + timedelta(days=length), fte=fte)
        assert figures.plans_maintained_series(days) == [
            measures.plans_maintained(plans, day) for day in days]
        for day, total in zip(days, figures.officer_fte_series(days), strict=True):
            expected = sum((Decimal(fte) for start, length, fte in staff
                            if start <= day <= start + timedelta(days=length)), Decimal(0))
            assert total == float(expected)
            service, _ = figures.caseloads_at(day)
            assert service.plans_maintained == measures.plans_maintained(plans, day)
            assert service.fte == float(expected)
