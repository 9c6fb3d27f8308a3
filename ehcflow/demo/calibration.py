"""The demo's calibration table: each figure of the reports against what the database gives.

Every achieved figure is counted by `casework.selectors.kpis` (what `ehcflow kpis` prints),
or for caseloads by the docs/domain/measures.md definition over the plan and staff tables, so the
table proves the demo as a user would see it.

Tolerance ("within 3%"): counts and averages within 3% of the target; percentages within 3%
of the target, or within 1 percentage point when that is wider (a 3% band around 4.8% is
0.14 points, less than one plan in 700: the figures are exact by construction but DfE's own
rounding of a count to one decimal cannot always be matched to the decimal).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

from ehcflow.casework import selectors
from ehcflow.casework.models import EHCPlan
from ehcflow.demo import targets
from ehcflow.people.models import Role, StaffMember
from ehcflow.reviews import selectors as review_selectors
from ehcflow.statutory.measures import Kpis, Period
from ehcflow.statutory.periods import calendar_year
from ehcflow.statutory.reviews import ReviewFigures

RELATIVE = 0.03
PERCENTAGE_POINTS = 1.0


@dataclass(frozen=True)
class Figure:
    name: str
    source: str
    target: float
    achieved: float | None
    percentage: bool = False
    hard: bool = True  # part of the acceptance test (others are followed "roughly")

    @property
    def tolerance(self) -> float:
        band = abs(self.target) * RELATIVE
        return max(band, PERCENTAGE_POINTS) if self.percentage else band

    @property
    def ok(self) -> bool:
        return self.achieved is not None and abs(self.achieved - self.target) <= \
            self.tolerance + 1e-9


def _year(y: int) -> Kpis:
    return selectors.kpis(as_of=date(y, 12, 31), period=Period(date(y, 1, 1), date(y, 12, 31)))


def _month(y: int, m: int) -> Kpis:
    last = date(y, m, calendar.monthrange(y, m)[1])
    return selectors.kpis(as_of=last, period=Period(date(y, m, 1), last))


def plans_maintained(on: date) -> int:
    """docs/domain/measures.md `plans_maintained`: issued on or before `on`, not ceased by then."""
    return EHCPlan.objects.filter(first_issued_date__lte=on).filter(
        Q(cease_date__isnull=True) | Q(cease_date__gt=on)).count()


def case_officer_fte(on: date) -> float:
    total = StaffMember.objects.filter(role=Role.CASE_OFFICER, start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)).aggregate(fte=Sum("fte"))["fte"]
    return float(total or Decimal(0))


def open_requests(on: date) -> int:
    return selectors.initial_requests().filter(selectors.open_on(on)).count()


def dfe_reviews(year: int) -> ReviewFigures:
    """The year's annual reviews as `ehcflow reviews` counts annual_reviews.csv: the calendar
    year, as at the next January census (docs/domain/annual-reviews.md)."""
    return review_selectors.review_figures(calendar_year(year), targets.census_date(year + 1))


def review_decisions_within_4_weeks(year: int) -> float | None:
    """% of decisions notified within 4 weeks of the meeting (reg 20(10)), as DfE counts."""
    return dfe_reviews(year).pct_decisions_within_4_weeks


def measure() -> list[Figure]:
    """Every calibration figure, achieved as `ehcflow kpis` counts it in this database."""
    figures: list[Figure] = []
    for y, wanted in targets.REQUESTS_RECEIVED.items():
        figures.append(Figure(f"requests received {y}", "report 000 table 1 / DfE", wanted,
                              _year(y).requests_received))
    for y, pct in targets.PCT_WITHIN_20_WEEKS_EXCL_EXCEPTIONS.items():
        figures.append(Figure(f"% within 20 weeks excl. exceptions {y}",
                              "report 000 table 1 / DfE", pct,
                              _year(y).pct_within_20_weeks_excl_exceptions, percentage=True))
    backlog = selectors.kpis(as_of=targets.BACKLOG_DATE).backlog
    for label, wanted, got in (
        ("backlog over 20 weeks, 31 Jul 2023", targets.BACKLOG_OVER_20_WEEKS,
         backlog.over_20_weeks),
        ("backlog over 30 weeks, 31 Jul 2023", targets.BACKLOG_OVER_30_WEEKS,
         backlog.over_30_weeks),
        ("backlog over 50 weeks, 31 Jul 2023", targets.BACKLOG_OVER_50_WEEKS,
         backlog.over_50_weeks),
    ):
        figures.append(Figure(label, "report 000 table 4", wanted, got))
    for (y, m), weeks in targets.AVG_WEEKS_TO_ISSUE_BY_MONTH.items():
        figures.append(Figure(f"average weeks to issue {calendar.month_abbr[m]} {y}",
                              "report 000 table 3", weeks, _month(y, m).avg_weeks_to_issue,
                              hard=(y, m) == (2023, 7)))
    for y, wanted in targets.PLANS_MAINTAINED_JANUARY.items():
        on = targets.census_date(y)
        figures.append(Figure(f"plans maintained {on:%d %b %Y}", "DfE caseload.csv", wanted,
                              plans_maintained(on), hard=False))
    on = targets.BACKLOG_DATE
    fte = case_officer_fte(on)
    figures.append(Figure("plans per case-officer FTE, 31 Jul 2023", "report 000 para 13b",
                          targets.PLANS_PER_CASE_OFFICER_2023,
                          round(plans_maintained(on) / fte, 1) if fte else None, hard=False))
    for y, meetings in targets.REVIEW_MEETINGS_HELD.items():
        reviews = dfe_reviews(y)
        figures.append(Figure(f"plans, annual reviews {y}", "DfE annual_reviews.csv",
                              targets.PLANS_MAINTAINED_JANUARY[y + 1], reviews.plans_maintained))
        figures.append(Figure(f"review meetings held {y}", "DfE annual_reviews.csv", meetings,
                              reviews.meetings_held))
        figures.append(Figure(f"review decisions within 4 weeks {y}", "DfE annual_reviews.csv",
                              targets.REVIEW_DECISIONS_WITHIN_4_WEEKS_PCT[y],
                              reviews.pct_decisions_within_4_weeks, percentage=True))
    return figures


def assessments_per_officer(on: date) -> float | None:
    """Open requests per case-officer FTE (report 004 table 2: 16-37; DfE benchmark 25)."""
    fte = case_officer_fte(on)
    return round(open_requests(on) / fte, 1) if fte else None


def table(figures: list[Figure]) -> str:
    """The calibration table as text, for a person to read."""
    lines = [f"{'figure':<44} {'target':>8} {'achieved':>9}  ok"]
    for f in figures:
        got = "-" if f.achieved is None else f"{f.achieved:g}"
        mark = "yes" if f.ok else ("NO" if f.hard else "(no)")
        lines.append(f"{f.name:<44} {f.target:>8g} {got:>9}  {mark}")
    return "\n".join(lines)

