"""The flow measures of periods, counted in the database: one definition for every page.

`period_figures` counts, for each of several periods as known at an as-of date, the requests
received, the plans issued (within 20 weeks, with and without exceptions, and the days they
took) and the decisions whether to assess, in three grouped queries. `selectors.kpis` (the
home page, `ehcflow kpis`, the board pack) takes its flow figures from it for one period, and
the dashboards for a year or month per column, so a headline figure is counted in one place
(docs/domain/measures.md; tests/casework/test_kpis.py proves it equal to the pure
`statutory.measures.kpis`). The SQL helpers here (`days_between`, `on_or_before_deadline`,
`period_index`) are shared with `insight.figures`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from django.db.models import Case, Count, F, Func, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.lookups import LessThanOrEqual

from ehcflow.casework import choices as c
from ehcflow.casework.models import AssessmentRequest
from ehcflow.statutory import measures
from ehcflow.statutory.clock import DECISION_TO_ASSESS_DAYS, FINAL_PLAN_DAYS
from ehcflow.statutory.periods import Period

__all__ = [
    "SOURCES",
    "DaysBetween",
    "PeriodFigures",
    "days_between",
    "dicts",
    "initial_requests",
    "kpis_fields",
    "on_or_before_deadline",
    "period_figures",
    "period_index",
]

#: Request sources as the dashboards split them ("" = not recorded).
SOURCES: tuple[str, ...] = (*c.RequestSource.values, "")


def initial_requests() -> QuerySet[AssessmentRequest]:
    """Initial requests only: every measure counts these (docs/domain/measures.md)."""
    return AssessmentRequest.objects.filter(kind=c.RequestKind.INITIAL)


class DaysBetween(Func):
    """Whole days from the second date to the first (end − start), counted by the database.

    SQLite's `julianday()` and PostgreSQL's date subtraction run inside the database; Django's
    own date arithmetic on SQLite calls back into Python for every row, which is what made a
    ten-year table slow.
    """

    arity = 2
    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection,
                           template="CAST(julianday(%(expressions)s) AS INTEGER)",
                           arg_joiner=") - julianday(", **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="(%(expressions)s)",
                           arg_joiner=" - ", **extra)


def days_between(end: str, start: str) -> DaysBetween:
    return DaysBetween(F(end), F(start))


def on_or_before_deadline(field_name: str, start: str, days: int) -> Q:
    """`field` on or before `start` + `days` (the statutory deadline counts as in time)."""
    return Q(LessThanOrEqual(days_between(field_name, start), days))


def dicts(rows: Any) -> list[dict[str, Any]]:
    """A values() queryset's rows, typed loosely (their keys are the annotations)."""
    return list(rows)


def period_index(field_name: str, periods: Sequence[Period], *, shift: int = 0,
                 until: date | None = None) -> Case:
    """The index of the period `field` + `shift` days falls in (up to `until`), else NULL.

    Grouping by this expression lets the database share the rows out among the periods, so
    a ten-year table comes back as ten rows instead of one row per day.
    """
    whens = []
    for i, p in enumerate(periods):
        end = p.end if until is None else min(p.end, until)
        if end < p.start:
            continue
        window = (p.start - timedelta(days=shift), end - timedelta(days=shift))
        whens.append(When(**{f"{field_name}__range": window}, then=Value(i)))
    return Case(*whens, default=Value(None), output_field=IntegerField())


def period_window(periods: Sequence[Period], as_of: date) -> tuple[date, date] | None:
    if not periods:
        return None
    start = min(p.start for p in periods)
    end = min(max(p.end for p in periods), as_of)
    return (start, end) if start <= end else None


@dataclass
class PeriodFigures:
    """The flow measures of one period (`selectors.kpis()` adds the backlog)."""

    period: Period
    requests_received: int = 0
    plans_issued: int = 0
    issued_within_20_weeks: int = 0
    plans_issued_excl_exceptions: int = 0
    issued_within_20_weeks_excl_exceptions: int = 0
    days_to_issue: int = 0
    decisions_made: int = 0
    decisions_within_6_weeks: int = 0
    received_by_source: dict[str, int] = field(default_factory=dict)

    @property
    def pct_within_20_weeks(self) -> float | None:
        return measures.percentage(self.issued_within_20_weeks, self.plans_issued)

    @property
    def pct_within_20_weeks_excl_exceptions(self) -> float | None:
        return measures.percentage(self.issued_within_20_weeks_excl_exceptions,
                                   self.plans_issued_excl_exceptions)

    @property
    def avg_weeks_to_issue(self) -> float | None:
        if not self.plans_issued:
            return None
        return measures.round_half_up(Fraction(self.days_to_issue, 7 * self.plans_issued))

    @property
    def pct_decisions_within_6_weeks(self) -> float | None:
        return measures.percentage(self.decisions_within_6_weeks, self.decisions_made)

    @property
    def issued_late(self) -> int:
        return self.plans_issued - self.issued_within_20_weeks

    def as_kpis_fields(self) -> dict[str, Any]:
        """The fields `measures.Kpis` has for a period, for comparing with `kpis()`."""
        return {
            "requests_received": self.requests_received,
            "plans_issued": self.plans_issued,
            "issued_within_20_weeks": self.issued_within_20_weeks,
            "pct_within_20_weeks": self.pct_within_20_weeks,
            "plans_issued_excl_exceptions": self.plans_issued_excl_exceptions,
            "issued_within_20_weeks_excl_exceptions": self.issued_within_20_weeks_excl_exceptions,
            "pct_within_20_weeks_excl_exceptions": self.pct_within_20_weeks_excl_exceptions,
            "avg_weeks_to_issue": self.avg_weeks_to_issue,
            "decisions_made": self.decisions_made,
            "decisions_within_6_weeks": self.decisions_within_6_weeks,
            "pct_decisions_within_6_weeks": self.pct_decisions_within_6_weeks,
        }


def kpis_fields(kpis: measures.Kpis) -> dict[str, Any]:
    """The same fields of a `measures.Kpis`."""
    full = kpis.as_dict()
    keys = PeriodFigures(kpis.period).as_kpis_fields()
    return {key: full[key] for key in keys}  # type: ignore[literal-required]


def period_figures(periods: Sequence[Period], *, as_of: date, received_only: bool = False
                   ) -> list[PeriodFigures]:
    """Requests, plans and decisions of each period as known at `as_of`: three queries.

    `selectors.kpis(as_of=as_of, period=p)` is this for one period, with the backlog. A period
    running past `as_of` counts its days up to `as_of`, one starting after counts nothing.
    Periods must not overlap. `received_only` counts the requests and no more (one
    query).
    """
    results = [PeriodFigures(period=p, received_by_source=dict.fromkeys(SOURCES, 0))
               for p in periods]
    window = period_window(periods, as_of)
    if window is None:
        return results
    requests = initial_requests()
    received = (
        requests.filter(received_date__range=window)
        .annotate(bucket=period_index("received_date", periods, until=as_of))
        .values("bucket")
        .annotate(n=Count("id"), **{f"s_{s or 'blank'}": Count("id", filter=Q(source=s))
                                    for s in SOURCES})
    )
    for row in dicts(received):
        if row["bucket"] is not None:
            r = results[row["bucket"]]
            r.requests_received += row["n"]
            for s in SOURCES:
                r.received_by_source[s] += row[f"s_{s or 'blank'}"]
    if received_only:
        return results
    no_exception = Q(week20_exception=False)
    within = on_or_before_deadline("final_date", "received_date", FINAL_PLAN_DAYS)
    plans = (
        requests.filter(final_date__range=window)
        .annotate(bucket=period_index("final_date", periods, until=as_of))
        .values("bucket")
        .annotate(
            plans=Count("id"), within=Count("id", filter=within),
            plans_ex=Count("id", filter=no_exception),
            within_ex=Count("id", filter=within & no_exception),
            total=Sum(days_between("final_date", "received_date")),
        )
    )
    for row in dicts(plans):
        if row["bucket"] is not None:
            r = results[row["bucket"]]
            r.plans_issued += row["plans"]
            r.issued_within_20_weeks += row["within"]
            r.plans_issued_excl_exceptions += row["plans_ex"]
            r.issued_within_20_weeks_excl_exceptions += row["within_ex"]
            r.days_to_issue += row["total"] or 0
    decisions = (
        requests.filter(decision_date__range=window)
        .annotate(bucket=period_index("decision_date", periods, until=as_of))
        .values("bucket")
        .annotate(made=Count("id"), within=Count("id", filter=on_or_before_deadline(
            "decision_date", "received_date", DECISION_TO_ASSESS_DAYS)))
    )
    for row in dicts(decisions):
        if row["bucket"] is not None:
            results[row["bucket"]].decisions_made += row["made"]
            results[row["bucket"]].decisions_within_6_weeks += row["within"]
    return results
