"""The dashboards' figures from the case records, counted in the database in a few queries.

Every figure here is a measure of docs/domain/measures.md, counted exactly as
`ehcflow.casework.selectors.kpis()` and the pure functions count it (the flow measures of a
period are `casework.counts.period_figures`, which `kpis()` uses too);
tests/insight/test_figures.py proves each equal on random histories. What changes is the
shape: a dashboard wants one figure per year or month, so instead of one `kpis()` call per
column the queries here group the rows by date once and share them out among the periods
(`period_figures`), or fetch the few columns a series needs and count every date with NumPy
(`backlog_series`, `plans_maintained_series`). Each page stays within its 300 ms on an
authority of 40,000 requests.

Only initial requests count (docs/domain/measures.md; decision 0004). "As of" means as known that
day: an event dated after the as-of date has not happened yet.

Longer than 500 lines on purpose: every dashboard figure counted in SQL, each beside the others
it shares its scans with; the flow measures of a period are already in `casework.counts`, the
caseload and review counts could follow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    F,
    Min,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least

from ehcflow.casework import choices as c

# The flow measures of periods are counted in casework (one definition for the home page,
# `ehcflow kpis` and the dashboards); the dashboards reach them through this module.
from ehcflow.casework.counts import SOURCES as SOURCES
from ehcflow.casework.counts import dicts, initial_requests, on_or_before_deadline, period_index
from ehcflow.casework.counts import kpis_fields as kpis_fields
from ehcflow.casework.counts import period_figures as period_figures
from ehcflow.casework.models import AdviceRequest, AnnualReview, AssessmentRequest, EHCPlan
from ehcflow.casework.selectors import open_on
from ehcflow.insight import definitions as d
from ehcflow.people.models import Role, StaffMember, Team
from ehcflow.statutory import measures
from ehcflow.statutory.advice import AdviceTimeliness
from ehcflow.statutory.clock import ADVICE_DAYS, FINAL_PLAN_DAYS
from ehcflow.statutory.periods import Period

FAR_FUTURE = date(9999, 12, 31)
SOURCE_LABELS: dict[str, str] = {**dict(c.RequestSource.choices), "": "Not recorded"}
DASHBOARD_ADVISERS: tuple[str, ...] = (
    c.AdviserType.EDUCATIONAL_PSYCHOLOGY, c.AdviserType.HEALTH, c.AdviserType.SOCIAL_CARE,
)

# Age bands of the backlog, nested with docs/domain/measures.md's strict thresholds: a request
# open exactly 140 days is in "6 to 20 weeks", not over 20 weeks (docs/domain/measures.md,
# worked example a).
BANDS: tuple[tuple[str, str, int, int | None], ...] = (
    ("up_to_6", "Up to 6 weeks", 0, 42),
    ("6_to_20", "Over 6, up to 20 weeks", 42, measures.OVER_20_WEEKS_DAYS),
    ("20_to_30", "Over 20, up to 30 weeks", measures.OVER_20_WEEKS_DAYS,
     measures.OVER_30_WEEKS_DAYS),
    ("30_to_50", "Over 30, up to 50 weeks", measures.OVER_30_WEEKS_DAYS,
     measures.OVER_50_WEEKS_DAYS),
    ("over_50", "Over 50 weeks", measures.OVER_50_WEEKS_DAYS, None),
)
BAND_LABELS = {key: label for key, label, _, _ in BANDS}


def first_request_date() -> date | None:
    """The day the first initial request on record was received (None: no requests at all)."""
    first: date | None = initial_requests().aggregate(first=Min("received_date"))["first"]
    return first


# --- periods ------------------------------------------------------------------------------


# --- the backlog and caseloads over time ------------------------------------------------


def end_date_expression() -> Least:
    """The day a request stopped being open (docs/domain/measures.md), or FAR_FUTURE while it is
    open."""
    far = Value(FAR_FUTURE, output_field=DateField())
    return Least(
        Coalesce(Case(When(decision=c.Decision.NOT_ASSESS, then=F("decision_date")),
                      default=Value(None, output_field=DateField()),
                      output_field=DateField()), far),
        Coalesce(Case(When(outcome=c.Outcome.NO_PLAN, then=F("outcome_date")),
                      default=Value(None, output_field=DateField()),
                      output_field=DateField()), far),
        Coalesce(F("final_date"), far),
        Coalesce(F("closed_date"), far),
        output_field=DateField(),
    )


@dataclass(frozen=True)
class BacklogBands:
    """Requests open at a date, split by how long they have been open (days, strict)."""

    on: date
    up_to_6: int
    over_6_to_20: int
    over_20_to_30: int
    over_30_to_50: int
    over_50: int

    @property
    def open(self) -> int:
        return (self.up_to_6 + self.over_6_to_20 + self.over_20_to_30 + self.over_30_to_50
                + self.over_50)

    @property
    def over_20_weeks(self) -> int:
        return self.over_20_to_30 + self.over_30_to_50 + self.over_50

    @property
    def over_30_weeks(self) -> int:
        return self.over_30_to_50 + self.over_50

    @property
    def over_50_weeks(self) -> int:
        return self.over_50

    def as_backlog(self) -> measures.Backlog:
        return measures.Backlog(open=self.open, over_20_weeks=self.over_20_weeks,
                                over_30_weeks=self.over_30_weeks,
                                over_50_weeks=self.over_50_weeks)

    def bands(self) -> dict[str, int]:
        return {"up_to_6": self.up_to_6, "6_to_20": self.over_6_to_20,
                "20_to_30": self.over_20_to_30, "30_to_50": self.over_30_to_50,
                "over_50": self.over_50}


def _ordinals(days: Sequence[date]) -> np.ndarray:
    return np.fromiter((d.toordinal() for d in days), dtype=np.int64, count=len(days))


def backlog_series(dates: Sequence[date],
                   requests: QuerySet[AssessmentRequest] | None = None) -> list[BacklogBands]:
    """The backlog by age band at each date: one query, whatever the number of dates.

    At each date equal to `selectors.backlog(on=date)` (the nested over 20/30/50 figures).
    """
    if not dates:
        return []
    first, last = min(dates), max(dates)
    base = requests if requests is not None else initial_requests()
    rows = list(
        base.filter(received_date__lte=last).annotate(ended=end_date_expression())
        .filter(ended__gt=first).values_list("received_date", "ended")
        .annotate(n=Count("id")).order_by()
    )
    if not rows:
        return [BacklogBands(day, 0, 0, 0, 0, 0) for day in dates]
    received = _ordinals([r[0] for r in rows])
    ended = _ordinals([r[1] for r in rows])
    weight = np.fromiter((r[2] for r in rows), dtype=np.int64, count=len(rows))
    result = []
    for day in dates:
        on = day.toordinal()
        open_now = (received <= on) & (ended > on)
        ages = on - received[open_now]
        counts = weight[open_now]
        # open requests in all, then those open for more than 6, 20, 30 and 50 weeks
        banded = [int(counts.sum())] + [int(counts[ages > edge].sum())
                                         for edge in (42, 140, 210, 350)]
        result.append(BacklogBands(
            on=day,
            up_to_6=banded[0] - banded[1], over_6_to_20=banded[1] - banded[2],
            over_20_to_30=banded[2] - banded[3], over_30_to_50=banded[3] - banded[4],
            over_50=banded[4],
        ))
    return result


def plans_maintained_series(dates: Sequence[date]) -> list[int]:
    """`plans_maintained` at each date (docs/domain/measures.md, Caseloads): one query."""
    if not dates:
        return []
    far = Value(FAR_FUTURE, output_field=DateField())
    rows = list(
        EHCPlan.objects.filter(first_issued_date__lte=max(dates))
        .annotate(ceased=Coalesce(F("cease_date"), far))
        .filter(ceased__gt=min(dates)).values_list("first_issued_date", "ceased")
        .annotate(n=Count("id")).order_by()
    )
    if not rows:
        return [0 for _ in dates]
    start = _ordinals([r[0] for r in rows])
    ceased = _ordinals([r[1] for r in rows])
    weight = np.fromiter((r[2] for r in rows), dtype=np.int64, count=len(rows))
    return [int(weight[(start <= day.toordinal()) & (ceased > day.toordinal())].sum())
            for day in dates]


def _officers_in_post(on: date) -> QuerySet[StaffMember]:
    return StaffMember.objects.filter(role=Role.CASE_OFFICER, start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on))


def officer_fte_series(dates: Sequence[date]) -> list[float]:
    """Case-officer FTE in post at each date (report 004, table 2's "FTE"): one query."""
    staff = list(StaffMember.objects.filter(role=Role.CASE_OFFICER)
                 .values_list("start_date", "end_date", "fte"))
    totals = []
    for day in dates:
        total = sum((fte for start, end, fte in staff
                     if start <= day and (end is None or end >= day)), Decimal(0))
        totals.append(float(total))
    return totals


@dataclass(frozen=True)
class CaseloadRow:
    """Plans maintained and open assessments per case-officer FTE (report 004, table 2)."""

    name: str
    fte: float
    plans_maintained: int
    open_assessments: int
    team: str = ""  # "" for the whole service, a team's id, "left" or "none" (see held_by)

    @property
    def plans_per_fte(self) -> float | None:
        return measures.per_fte(self.plans_maintained, self.fte)

    @property
    def assessments_per_fte(self) -> float | None:
        return measures.per_fte(self.open_assessments, self.fte)


PLANS_PER_FTE_BENCHMARK = (150, 200)
ASSESSMENTS_PER_FTE_BENCHMARK = 25


def held_by(holder: str, on: date, field: str = "officer") -> Q:
    """Cases whose officer (`field`) is, at `on`: of team `holder` (an id) and in post; "left"
    (in no post at `on`: the case waits for reallocation); or "none" (no officer, or an
    officer in post with no team). Caseload figures and their lists both use this.
    """
    in_post = Q(**{f"{field}__start_date__lte": on}) & (
        Q(**{f"{field}__end_date__isnull": True}) | Q(**{f"{field}__end_date__gte": on}))
    if holder == "none":
        return Q(**{f"{field}__isnull": True}) | (in_post & Q(**{f"{field}__team__isnull": True}))
    if holder == "left":
        return Q(**{f"{field}__isnull": False}) & ~in_post
    return in_post & Q(**{f"{field}__team_id": int(holder)})


def _holder(on: date) -> Case:
    """Each case's `held_by` group at `on`, as text: a team's id, "left" or "none"."""
    return Case(When(held_by("none", on), then=Value("none")),
                When(held_by("left", on), then=Value("left")),
                default=Cast(F("officer__team_id"), CharField()), output_field=CharField())


HOLDER_NAMES = {"none": "No team or unallocated",
                "left": "Held by staff who have left (to be reallocated)"}


def caseloads_at(on: date) -> tuple[CaseloadRow, list[CaseloadRow]]:
    """The service's caseload at `on`, and each team's (by the officer now holding the case).

    The service total counts every plan in force and every open initial request, allocated or
    not, over the FTE of case officers in post at `on`. A team's figure counts the plans and
    requests whose officer is in the team and in post at `on` (`held_by`); cases still held by
    someone who has left are a row of their own, so no team shows cases with no one to hold
    them. The records keep who holds a case, not who held it on a past date.
    """
    in_force = Q(first_issued_date__lte=on) & (Q(cease_date__isnull=True) | Q(cease_date__gt=on))
    plans: dict[str, int] = dict(
        EHCPlan.objects.filter(in_force).annotate(holder=_holder(on)).values("holder")
        .annotate(n=Count("id")).values_list("holder", "n"))
    opened: dict[str, int] = dict(
        initial_requests().filter(open_on(on)).annotate(holder=_holder(on)).values("holder")
        .annotate(n=Count("id")).values_list("holder", "n"))
    fte: dict[str, Decimal] = {}
    for member_team, value in _officers_in_post(on).values_list("team_id", "fte"):
        key = "none" if member_team is None else str(member_team)
        fte[key] = fte.get(key, Decimal(0)) + value
    names: dict[str, str] = {str(k): v for k, v in Team.objects.values_list("id", "name")}
    teams = []
    for key in sorted({*plans, *opened, *fte} - set(HOLDER_NAMES),
                      key=lambda t: names.get(t, "")):
        teams.append(CaseloadRow(name=names.get(key, "Team"), fte=float(fte.get(key, 0)),
                                 plans_maintained=plans.get(key, 0),
                                 open_assessments=opened.get(key, 0), team=key))
    for key, label in HOLDER_NAMES.items():
        if key in plans or key in opened or key in fte:
            teams.append(CaseloadRow(name=label, fte=float(fte.get(key, 0)),
                                     plans_maintained=plans.get(key, 0),
                                     open_assessments=opened.get(key, 0), team=key))
    total = CaseloadRow(name="Whole service", fte=float(sum(fte.values(), Decimal(0))),
                        plans_maintained=sum(plans.values()),
                        open_assessments=sum(opened.values()))
    return total, teams


# --- advice -------------------------------------------------------------------------------


def advice_by_period(periods: Sequence[Period], *, as_of: date,
                     adviser_types: Sequence[str] | None = None
                     ) -> list[dict[str, AdviceTimeliness]]:
    """Advice due in each period by adviser type, as returned by `as_of`: one query.

    Equal, period by period, to `statutory.advice.advice_returned_within_6_weeks(advice,
    period, as_of=as_of)`: advice counts in the period its due day (requested + 6 weeks,
    reg 8(1)) falls in. Advice for any request counts (advice is sought for re-assessments
    too). Keys are sorted adviser types, those with advice due only.
    """
    out: list[dict[str, AdviceTimeliness]] = [{} for _ in periods]
    if not periods:
        return out
    start = min(p.start for p in periods) - timedelta(days=ADVICE_DAYS)
    end = max(p.end for p in periods) - timedelta(days=ADVICE_DAYS)
    if end < start:
        return out
    returned = Q(received_on__isnull=False, received_on__lte=as_of)
    in_time = returned & on_or_before_deadline("received_on", "requested_on", ADVICE_DAYS)
    excused = ~Q(exception="")
    past_due = Q(requested_on__lt=as_of - timedelta(days=ADVICE_DAYS))  # as_of > due day
    rows = (
        _whole_table_range(AdviceRequest.objects.all(), "requested_on", (start, end))
        .filter(**({"adviser_type__in": list(adviser_types)} if adviser_types else {}))
        .annotate(bucket=period_index("requested_on", periods, shift=ADVICE_DAYS),
                  kind=Coalesce(F("adviser_type"), F("adviser_type")))
        .values("bucket", "kind")
        .annotate(due=Count("id"), within=Count("id", filter=in_time),
                  returned=Count("id", filter=returned),
                  overdue=Count("id", filter=~returned & past_due),
                  excused=Count("id", filter=excused & ((returned & ~in_time)
                                                        | (~returned & past_due))))
    )
    for row in dicts(rows):
        if row["bucket"] is None:
            continue
        outstanding = row["due"] - row["returned"]
        out[row["bucket"]][row["kind"]] = AdviceTimeliness(
            due=row["due"], within_6_weeks=row["within"], late=row["returned"] - row["within"],
            outstanding_overdue=row["overdue"],
            outstanding_not_yet_due=outstanding - row["overdue"], excused=row["excused"])
    return [dict(sorted(kinds.items())) for kinds in out]


def advice_overdue_by_type(as_of: date) -> dict[str, int]:
    """Advice past its due day and not returned on `as_of`, whenever it fell due, by type."""
    rows = (
        _whole_table_range(AdviceRequest.objects.all(), "requested_on",
                           (date.min, as_of - timedelta(days=ADVICE_DAYS + 1)))
        .filter(Q(received_on__isnull=True) | Q(received_on__gt=as_of))
        .annotate(kind=Coalesce(F("adviser_type"), F("adviser_type")))
        .values("kind").annotate(n=Count("id")).values_list("kind", "n")
    )
    return dict(rows)


# --- annual reviews and phase transfers ---------------------------------------------------


def _whole_table_range(queryset: QuerySet[Any], field_name: str,
                       window: tuple[date, date]) -> QuerySet[Any]:
    """`field` in `window` as `<field>_scanned`, read by scanning the table, not its index.

    The yearly review table asks for ten years, nearly every row: filtering and grouping on the
    indexed date makes SQLite walk the index and fetch each row (and its plan) at random,
    three times slower than reading the table through and sorting (measured on the benchmark
    authority). COALESCE(x, x) keeps the meaning and lets the database choose the scan. Group
    by the `_scanned` alias too.
    """
    alias = f"{field_name}_scanned"
    return queryset.annotate(**{alias: Coalesce(F(field_name), F(field_name))}).filter(
        **{f"{alias}__range": window})


def _plan_in_force_on(day_field: str) -> Q:
    return Q(plan__cease_date__isnull=True) | Q(plan__cease_date__gt=F(day_field))


def reviews_summary(periods: Sequence[Period], *, as_of: date
                    ) -> tuple[list[d.ReviewFigures], int]:
    """`definitions.review_figures` for each period, and `definitions.overdue_reviews` at
    `as_of`, from the same scan.

    A review whose plan had ceased by its due date is in neither; every other review due
    before `as_of` is read once, shared out among the periods by its due date, and counted as
    overdue now if it has had no meeting and its plan is still in force.
    """
    tallies = [dict.fromkeys(d.ReviewFigures.__dataclass_fields__, 0) for _ in periods]
    if not periods:
        return [], overdue_reviews_query(as_of).count()
    start, end = min(p.start for p in periods), max(p.end for p in periods)
    held = Q(meeting_date__isnull=False, meeting_date__lte=as_of)
    still_in_force = Q(plan__cease_date__isnull=True) | Q(plan__cease_date__gt=as_of)
    due_rows = (
        _whole_table_range(AnnualReview.objects.all(), "due_date",
                           (date.min, max(end, as_of)))
        .filter(_plan_in_force_on("due_date"))
        .annotate(bucket=period_index("due_date", periods)).values("bucket")
        .annotate(due=Count("id"),
                  on_time=Count("id", filter=held & Q(meeting_date__lte=F("due_date"))),
                  held=Count("id", filter=held),
                  overdue=Count("id", filter=~held & Q(due_date__lt=as_of)),
                  overdue_now=Count("id", filter=~held & Q(due_date__lt=as_of)
                                    & still_in_force))
    )
    overdue_now = 0
    for row in dicts(due_rows):
        overdue_now += row["overdue_now"]
        if row["bucket"] is None:
            continue
        t = tallies[row["bucket"]]
        t["due"] = row["due"]
        t["held_on_time"] = row["on_time"]
        t["held_late"] = row["held"] - row["on_time"]
        t["overdue"] = row["overdue"]
        t["not_yet_due"] = row["due"] - row["held"] - row["overdue"]
    if start <= as_of:
        decided = Q(decision_date__isnull=False, decision_date__lte=as_of)
        past_deadline = Q(meeting_date__lt=as_of - timedelta(days=d.DECISION_DAYS))
        meeting_rows = (
            _whole_table_range(AnnualReview.objects.all(), "meeting_date",
                               (start, min(end, as_of)))
            .annotate(bucket=period_index("meeting_date", periods, until=as_of))
            .values("bucket")
            .annotate(meetings=Count("id"), decided=Count("id", filter=decided),
                      within=Count("id", filter=decided & on_or_before_deadline(
                          "decision_date", "meeting_date", d.DECISION_DAYS)),
                      overdue=Count("id", filter=~decided & past_deadline))
        )
        for row in dicts(meeting_rows):
            if row["bucket"] is None:
                continue
            t = tallies[row["bucket"]]
            t["meetings"] = row["meetings"]
            t["decided_within_4_weeks"] = row["within"]
            t["decided_late"] = row["decided"] - row["within"]
            t["decision_overdue"] = row["overdue"]
            t["decision_not_yet_due"] = row["meetings"] - row["decided"] - row["overdue"]
    return [d.ReviewFigures(**t) for t in tallies], overdue_now


def overdue_reviews_query(as_of: date) -> QuerySet[AnnualReview]:
    """Reviews of plans in force at `as_of`, past their due date with no meeting held."""
    return AnnualReview.objects.filter(due_date__lt=as_of).filter(
        Q(meeting_date__isnull=True) | Q(meeting_date__gt=as_of)).filter(
        Q(plan__cease_date__isnull=True) | Q(plan__cease_date__gt=as_of))


def _transfer_done() -> Case:
    return Case(When(outcome=c.ReviewOutcome.AMEND, then=F("amended_final_date")),
                default=F("decision_date"), output_field=DateField())


def phase_transfer_query(year: int, secondary_to_post16: bool) -> QuerySet[AnnualReview]:
    """The transfer year's phase transfer reviews for one deadline, of plans then in force."""
    deadline = date(year, 3, 31) if secondary_to_post16 else date(year, 2, 15)
    return AnnualReview.objects.filter(
        phase_transfer=True, transfer_year=year, secondary_to_post16=secondary_to_post16,
    ).filter(Q(plan__cease_date__isnull=True) | Q(plan__cease_date__gt=deadline)).annotate(
        done=_transfer_done())


def phase_transfers(*, year: int, as_of: date
                    ) -> tuple[d.PhaseTransferFigures, d.PhaseTransferFigures]:
    """`definitions.phase_transfers` in SQL: 15 February, then 31 March (post-16)."""
    found = phase_transfers_for(years=[year], as_of=as_of)
    return found[(year, False)], found[(year, True)]


def phase_transfers_for(*, years: Sequence[int], as_of: date
                        ) -> dict[tuple[int, bool], d.PhaseTransferFigures]:
    """Every (transfer year, to post-16?) of `years`, in one query."""
    deadlines = {(y, post16): date(y, 3, 31) if post16 else date(y, 2, 15)
                 for y in years for post16 in (False, True)}
    done = Q(done__isnull=False, done__lte=as_of)
    aggregates: dict[str, Any] = {}
    for (y, post16), deadline in deadlines.items():
        group = Q(transfer_year=y, secondary_to_post16=post16) & (
            Q(plan__cease_date__isnull=True) | Q(plan__cease_date__gt=deadline))
        tag = f"{y}_{int(post16)}"
        aggregates[f"due_{tag}"] = Count("id", filter=group)
        aggregates[f"done_{tag}"] = Count("id", filter=group & done)
        aggregates[f"on_time_{tag}"] = Count("id", filter=group & done & Q(done__lte=deadline))
    counts = (AnnualReview.objects.filter(phase_transfer=True, transfer_year__in=list(years))
              .annotate(done=_transfer_done()).aggregate(**aggregates))
    out = {}
    for (y, post16), deadline in deadlines.items():
        tag = f"{y}_{int(post16)}"
        outstanding = counts[f"due_{tag}"] - counts[f"done_{tag}"]
        out[(y, post16)] = d.PhaseTransferFigures(
            deadline=deadline, due=counts[f"due_{tag}"], done_on_time=counts[f"on_time_{tag}"],
            done_late=counts[f"done_{tag}"] - counts[f"on_time_{tag}"],
            outstanding_overdue=outstanding if as_of > deadline else 0,
            outstanding_not_yet_due=0 if as_of > deadline else outstanding,
        )
    return out


def transfer_year_for(as_of: date) -> int:
    """The transfer year whose deadlines are next: this year's until 31 March, then next."""
    return as_of.year if as_of <= date(as_of.year, 3, 31) else as_of.year + 1


# --- from requests to plans ---------------------------------------------------------------


@dataclass(frozen=True)
class Funnel:
    """What became, by `as_of`, of the initial requests received in a period."""

    period: Period
    received: int = 0
    decided: int = 0
    assessed: int = 0
    plan_decided: int = 0
    final_issued: int = 0
    within_20_weeks: int = 0
    still_open: int = 0

    def steps(self) -> list[tuple[str, str, int]]:
        return [
            ("received", "Requests received", self.received),
            ("assessed", "Decided to assess", self.assessed),
            ("plan_decided", "Decided to issue a plan", self.plan_decided),
            ("final_issued", "Final plan issued", self.final_issued),
            ("within_20_weeks", "Final plan issued within 20 weeks", self.within_20_weeks),
        ]


def funnel_query(period: Period, as_of: date) -> QuerySet[AssessmentRequest]:
    window = period.ending_by(as_of)
    if window is None:
        return initial_requests().none()
    return initial_requests().filter(received_date__range=(window.start, window.end))


FUNNEL_FILTERS: dict[str, Any] = {
    "received": lambda as_of: Q(),
    "decided": lambda as_of: Q(decision_date__lte=as_of),
    "assessed": lambda as_of: Q(decision=c.Decision.ASSESS, decision_date__lte=as_of),
    "plan_decided": lambda as_of: Q(outcome=c.Outcome.PLAN, outcome_date__lte=as_of),
    "final_issued": lambda as_of: Q(final_date__lte=as_of),
    "within_20_weeks": lambda as_of: Q(final_date__lte=as_of) & on_or_before_deadline(
        "final_date", "received_date", FINAL_PLAN_DAYS),
    "still_open": lambda as_of: open_on(as_of),
}


def funnel(period: Period, *, as_of: date) -> Funnel:
    """One aggregate query over the period's requests (see `Funnel`)."""
    figures = funnel_query(period, as_of).aggregate(
        **{key: Count("id", filter=make(as_of)) for key, make in FUNNEL_FILTERS.items()})
    return Funnel(period=period, **figures)
