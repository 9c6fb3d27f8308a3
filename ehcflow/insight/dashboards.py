"""What each dashboard page shows: tables, charts and the links behind every figure.

One builder per page, each taking a `Query` (the as-of date and the period) and returning a
`Page` of sections; the views render them as HTML and the board pack as PDF and Excel, so the
three always agree. The figures come from `ehcflow.insight.figures` (the case records, counted
as `ehcflow kpis` counts them) and `ehcflow.insight.selectors` (DfE's published figures for
England, the region and the chosen neighbours).

Longer than 500 lines on purpose: one builder per dashboard, each a page's worth of figures
and their national comparison; they share the period, scope and comparison helpers here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from ehcflow.casework import choices as c
from ehcflow.casework import selectors as casework
from ehcflow.insight import charts, figures, selectors, snapshots
from ehcflow.insight.charts import Chart, Series
from ehcflow.insight.models import Authority
from ehcflow.insight.tables import (
    Cell,
    Column,
    Table,
    cell,
    columns,
    head,
    long_date,
    month_label,
    short_date,
)
from ehcflow.reviews import selectors as review_selectors
from ehcflow.statutory import measures
from ehcflow.statutory.periods import Period, calendar_month, calendar_year
from ehcflow.statutory.reviews import ReviewFigures

PERIODS: dict[str, str] = {
    "12m": "12 months to the date",
    "month": "Calendar month to the date",
    "year": "Calendar year to the date",
    "fy": "Financial year (April to March) to the date",
    "ay": "Academic year (September to August) to the date",
}
YEARS_SHOWN = 10
MONTHS_SHOWN = 24


def _month_start(day: date, back: int) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Query:
    """The as-of date and period a page is asked for, and the first request on record."""

    as_of: date
    period_key: str = "12m"
    first: date = date(2000, 1, 1)

    @property
    def period(self) -> Period:
        d = self.as_of
        if self.period_key == "month":
            return calendar_month(d.year, d.month)
        if self.period_key == "year":
            return calendar_year(d.year)
        if self.period_key == "fy":
            start_year = d.year if d.month >= 4 else d.year - 1
            return Period(date(start_year, 4, 1), date(start_year + 1, 3, 31))
        if self.period_key == "ay":
            start_year = d.year if d.month >= 9 else d.year - 1
            return Period(date(start_year, 9, 1), date(start_year + 1, 8, 31))
        return measures.twelve_months_ending(d)

    @property
    def counted(self) -> Period:
        """The period up to the as-of date (what is counted)."""
        window = self.period.ending_by(self.as_of)
        assert window is not None  # the period always contains the as-of date
        return window

    @property
    def period_label(self) -> str:
        p = self.counted
        return f"{long_date(p.start)} to {long_date(p.end)}"

    @property
    def years(self) -> list[int]:
        first_year = max(self.first.year, self.as_of.year - YEARS_SHOWN + 1)
        return list(range(first_year, self.as_of.year + 1))

    def is_full_year(self, year: int) -> bool:
        """Whether the records cover all of a calendar year: not the year they begin in
        (unless on 1 January), nor a year the as-of date has not reached the end of.

        A part-year's counts are not comparable with a whole year's: charts leave it out,
        growth is not worked out against it, and tables say which part it is.
        """
        return (self.first <= date(year, 1, 1)) and self.as_of >= date(year, 12, 31)

    def year_label(self, year: int) -> str:
        """'2026 (to 4 December)', '2019 (from 2 September)' or '2024'."""
        if self.as_of < date(year, 12, 31):
            return f"{year} (to {self.as_of:%-d %B})"
        if self.first > date(year, 1, 1) and self.first.year == year:
            return f"{year} (from {self.first:%-d %B})"
        return str(year)

    def full_years_only(self, values: list[float | None]) -> list[float | None]:
        """A year's values for a chart, with part-years left out (see is_full_year)."""
        return [v if self.is_full_year(y) else None
                for y, v in zip(self.years, values, strict=True)]

    @property
    def months(self) -> list[Period]:
        starts = [_month_start(self.as_of, back) for back in range(MONTHS_SHOWN - 1, -1, -1)]
        return [calendar_month(s.year, s.month) for s in starts if s >= _month_start(
            self.first, 0)] or [calendar_month(self.as_of.year, self.as_of.month)]

    @property
    def points(self) -> list[date]:
        """Month ends before the as-of date (back to the first request), then the as-of date."""
        ends = [calendar_month(s.year, s.month).end for s in
                (_month_start(self.as_of, back) for back in range(MONTHS_SHOWN, 0, -1))]
        return [e for e in ends if e >= self.first and e < self.as_of] + [self.as_of]

    def link(self, measure: str, **params: object) -> dict[str, object]:
        return {"measure": measure, "as_of": self.as_of.isoformat(), **params}

    def period_link(self, measure: str, period: Period, **params: object) -> dict[str, object]:
        return self.link(measure, **{"from": period.start.isoformat(),
                                     "to": period.end.isoformat()}, **params)

    def params(self) -> dict[str, str]:
        return {"as_of": self.as_of.isoformat(), "period": self.period_key}


@dataclass
class Section:
    heading: str
    intro: str = ""
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Page:
    key: str
    title: str
    summary: str
    sections: list[Section]

    def table(self, key: str) -> Table:
        for section in self.sections:
            for t in section.tables:
                if t.key == key:
                    return t
        raise KeyError(key)

    def all_charts(self) -> list[Chart]:
        return [chart for section in self.sections for chart in section.charts]


# --- national comparison ------------------------------------------------------------------


@dataclass
class NationalColumns:
    """DfE's figures to set beside ours: England, region, neighbours, ours as published."""

    labels: list[str]
    values: list[dict[int, Decimal | None]]

    def cells(self, year: int) -> list[Cell]:
        return [cell(v.get(year), suffix="") for v in self.values]

    def series(self, years: Sequence[int]) -> list[Series]:
        out = []
        for n, (label, values) in enumerate(zip(self.labels, self.values, strict=True)):
            out.append(Series(label, [_float(values.get(y)) for y in years], dashed=True,
                              colour=(charts.DARK_GREY, charts.PURPLE, charts.TURQUOISE,
                                      charts.GREEN)[n % 4]))
        return out


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def national(measure: str, years: Sequence[int], ours: Authority | None) -> NationalColumns:
    """England always; with our authority chosen, its region, neighbours and its own DfE figure."""
    if ours is None:
        england = selectors.england_series(measure=measure, years=years)
        return NationalColumns(["England"], [{y: p.value for y, p in england.items()}])
    table = selectors.comparison_table(our_la=ours, measure=measure, years=years)
    labels = ["England"]
    values: list[dict[int, Decimal | None]] = [
        {r.year: r.england.value if r.england else None for r in table.rows}]
    if table.region_name:
        labels.append(table.region_name)
        values.append({r.year: r.region.value if r.region else None for r in table.rows})
    if any(r.neighbours for r in table.rows):
        labels.append("Neighbours' average")
        values.append({r.year: r.neighbours_mean for r in table.rows})
    labels.append(f"{ours.name} (DfE published)")
    values.append({r.year: r.ours.value if r.ours else None for r in table.rows})
    return NationalColumns(labels, values)


# --- pages --------------------------------------------------------------------------------


def timeliness(q: Query, ours: Authority | None) -> Page:
    """Report 000, tables 1 to 3: timeliness by year and by month, with England."""
    years = [calendar_year(y) for y in q.years]
    by_year = figures.period_figures(years, as_of=q.as_of)
    dfe = national("pct_within_20_weeks_excl_exceptions", q.years, ours)
    year_table = Table(
        key="timeliness_by_year",
        title="New EHC plans issued within 20 weeks, by calendar year",
        columns=[*columns("Year", "Requests received", "New plans issued",
                          "Issued within 20 weeks", "% within 20 weeks",
                          "% within 20 weeks excluding exceptions"),
                 *(Column(f"{label} % excluding exceptions") for label in dfe.labels),
                 Column("Average weeks to issue")],
        notes=["Our figures are counted from the case records up to the as-of date; a year "
               "not yet over is counted to that date. DfE publishes each council's figure "
               "excluding exceptions; England's is the published national figure."],
    )
    for year, f in zip(q.years, by_year, strict=True):
        p = calendar_year(year)
        year_table.rows.append([
            head(q.year_label(year), year),
            cell(f.requests_received, link=q.period_link("received", p)),
            cell(f.plans_issued, link=q.period_link("plans_issued", p)),
            cell(f.issued_within_20_weeks, link=q.period_link("issued_within", p)),
            cell(f.pct_within_20_weeks, link=q.period_link("issued_late", p)),
            cell(f.pct_within_20_weeks_excl_exceptions,
                 link=q.period_link("issued_late_excl", p)),
            *dfe.cells(year),
            cell(f.avg_weeks_to_issue, link=q.period_link("plans_issued", p)),
        ])
    year_chart = Chart(
        key="timeliness-years", title="% of new plans issued within 20 weeks, by year",
        kind="line", labels=[str(y) for y in q.years], percent=True, y_max=100,
        series=[Series("Ours, excluding exceptions", q.full_years_only(
                           [f.pct_within_20_weeks_excl_exceptions for f in by_year])),
                Series("Ours, all plans",
                       q.full_years_only([f.pct_within_20_weeks for f in by_year]),
                       colour=charts.ORANGE),
                *dfe.series(q.years)],
        y_label="%",
    )
    by_month = figures.period_figures(q.months, as_of=q.as_of)
    recorded = snapshots.recorded(min(m.end, q.as_of) for m in q.months)
    month_table = Table(
        key="timeliness_by_month",
        title="New EHC plans by month: within 20 weeks and average time to issue",
        columns=columns("Month", "New plans issued", "Issued within 20 weeks",
                        "% within 20 weeks", "% within 20 weeks excluding exceptions",
                        "Average weeks to issue", "% within 20 weeks as recorded that month"),
        notes=["“As recorded that month” is the figure of the nightly snapshot on the month's "
               "last day (or the as-of date); it differs from the figure beside it when records "
               "of that month were changed later. – means no snapshot was taken."],
    )
    for m, f in zip(q.months, by_month, strict=True):
        snap = recorded.get(min(m.end, q.as_of))
        month_table.rows.append([
            head(month_label(m.start), m.start),
            cell(f.plans_issued, link=q.period_link("plans_issued", m)),
            cell(f.issued_within_20_weeks, link=q.period_link("issued_within", m)),
            cell(f.pct_within_20_weeks, link=q.period_link("issued_late", m)),
            cell(f.pct_within_20_weeks_excl_exceptions,
                 link=q.period_link("issued_late_excl", m)),
            cell(f.avg_weeks_to_issue, link=q.period_link("plans_issued", m)),
            cell(snap.kpis_month["pct_within_20_weeks"] if snap else None),
        ])
    england_year = dfe.values[0]
    month_chart = Chart(
        key="timeliness-months", title="% of new plans issued within 20 weeks, by month",
        kind="line", labels=[month_label(m.start) for m in q.months], y_max=100, y_label="%",
        series=[Series("Ours", [f.pct_within_20_weeks for f in by_month]),
                Series("England (its calendar-year figure)",
                       [_float(england_year.get(m.start.year)) for m in q.months], dashed=True,
                       colour=charts.DARK_GREY)],
    )
    weeks_chart = Chart(
        key="weeks-to-issue", title="Average weeks from request to final plan, by month",
        kind="line", labels=[month_label(m.start) for m in q.months], y_label="weeks",
        series=[Series("Ours", [f.avg_weeks_to_issue for f in by_month]),
                Series("The 20-week limit", [20.0] * len(q.months), dashed=True,
                       colour=charts.RED)],
    )
    # The headline speaks of the last whole month: a month a few days old says nothing yet.
    whole = [i for i, m in enumerate(q.months) if m.end <= q.as_of] or [len(q.months) - 1]
    latest, month = by_month[whole[-1]], q.months[whole[-1]]
    summary = (f"In {month.start:%B %Y}, {_pct_text(latest.pct_within_20_weeks)} "
               f"of the {latest.plans_issued:,} new plans issued were within 20 weeks; the "
               f"average time to issue was {_weeks_text(latest.avg_weeks_to_issue)}.")
    return Page("timeliness", "Timeliness of new EHC plans", summary, [
        Section("By year", "Timeliness and requests by calendar year, beside England.",
                [year_chart], [year_table]),
        Section("By month", "Each month's new plans, the share issued within 20 weeks and the "
                "average time from request to final plan.",
                [month_chart, weeks_chart], [month_table]),
    ])


def _index(value: Decimal | None, base: Decimal | None) -> float | None:
    if value is None or not base:
        return None
    return round(100 * float(value) / float(base), 1)


def _pct_text(value: float | None) -> str:
    return "none" if value is None else f"{value:.1f}%"


def _weeks_text(value: float | None) -> str:
    return "not known (no plans)" if value is None else f"{value:.1f} weeks"


def backlog(q: Query, ours: Authority | None) -> Page:
    """Report 000, table 4, and the backlog by age band over time."""
    points = q.points
    bands = figures.backlog_series(points)
    now = bands[-1]
    month = casework.kpis(as_of=q.as_of, period=snapshots.month_to_date(q.as_of))
    m = month.period
    table4 = Table(
        key="table_4", title=f"The backlog on {long_date(q.as_of)}",
        columns=columns("Measure", short_date(q.as_of)),
        notes=[f"Percentage and average are for plans issued from {long_date(m.start)} to "
               f"{long_date(m.end)}. A request open exactly 20 weeks is not yet over 20 weeks."],
    )
    table4.rows += [
        [head("% new plans issued within 20 weeks (month to date)"),
         cell(month.pct_within_20_weeks, suffix="%", link=q.period_link("issued_late", m))],
        [head("Requests open over 20 weeks"),
         cell(now.over_20_weeks, link=q.link("over_20_weeks"))],
        [head("Requests open over 30 weeks"),
         cell(now.over_30_weeks, link=q.link("over_30_weeks"))],
        [head("Requests open over 50 weeks"),
         cell(now.over_50_weeks, link=q.link("over_50_weeks"))],
        [head("Total in backlog (open over 20 weeks)"),
         cell(now.over_20_weeks, link=q.link("over_20_weeks"))],
        [head("All open requests"), cell(now.open, link=q.link("open"))],
        [head("Average weeks to issue a new plan (month to date)"),
         cell(month.avg_weeks_to_issue, link=q.period_link("plans_issued", m))],
    ]
    recorded = snapshots.recorded(points)
    band_table = Table(
        key="backlog_bands", title="Open requests by time since the request",
        columns=[*columns("Date", *figures.BAND_LABELS.values(), "All open",
                          "Over 20 weeks", "Over 20 weeks as recorded that night")],
        notes=["Counted from the records as they stand; “as recorded that night” is the "
               "nightly snapshot of that day (– where none was taken)."],
    )
    for point in bands:
        snap = recorded.get(point.on)
        band_table.rows.append([
            head(short_date(point.on), point.on),
            *(cell(n, link=q.link("band", band=key, on=point.on.isoformat()))
              for key, n in point.bands().items()),
            cell(point.open, link=q.link("open", on=point.on.isoformat())),
            cell(point.over_20_weeks, link=q.link("over_20_weeks", on=point.on.isoformat())),
            cell(snap.over_20_weeks if snap else None),
        ])
    chart = Chart(
        key="backlog-bands", title="Open requests by time since the request", kind="stacked",
        labels=[month_label(p.on) if p.on != q.as_of else short_date(p.on) for p in bands],
        series=[Series(label, [p.bands()[key] for p in bands])
                for key, label in figures.BAND_LABELS.items()],
        y_label="open requests",
    )
    first = bands[0]
    summary = (f"On {long_date(q.as_of)}, {now.over_20_weeks:,} requests had been open more than "
               f"20 weeks ({now.over_30_weeks:,} over 30 weeks, {now.over_50_weeks:,} over 50 "
               f"weeks), against {first.over_20_weeks:,} on {long_date(first.on)}.")
    return Page("backlog", "The backlog", summary, [
        Section("Open requests and how long they have waited", "", [], [table4]),
        Section("By age band over time", "Each bar is one month's end: requests still open "
                "and how long since they were received.", [chart], [band_table]),
    ])


def demand(q: Query, ours: Authority | None) -> Page:
    """Requests by source and their growth, decisions within 6 weeks, requests to plans."""
    years = [calendar_year(y) for y in q.years]
    by_year = figures.period_figures(years, as_of=q.as_of)
    used = [s for s in figures.SOURCES if any(f.received_by_source[s] for f in by_year)]
    dfe_requests = national("requests_received", q.years, None).values[0]
    source_table = Table(
        key="requests_by_source", title="Requests for an EHC needs assessment, by who asked",
        columns=[*columns("Year", *(figures.SOURCE_LABELS[s] for s in used), "All requests",
                          "Growth on the year before", "England's growth")],
        notes=["Growth is the change from the previous calendar year's requests, in percent. "
               "A part-year is counted to the date shown and has no growth figure: it cannot "
               "be compared with a whole year."],
    )
    previous: int | None = None
    for year, f in zip(q.years, by_year, strict=True):
        p = calendar_year(year)
        england_before, england_now = dfe_requests.get(year - 1), dfe_requests.get(year)
        england_growth = (measures.growth_pct(int(england_before), int(england_now))
                          if england_before is not None and england_now is not None else None)
        # Growth only between two whole years: a part-year against a whole one is no trend.
        comparable = q.is_full_year(year) and q.is_full_year(year - 1)
        source_table.rows.append([
            head(q.year_label(year), year),
            *(cell(f.received_by_source[s], link=q.period_link("received", p, source=s or "none"))
              for s in used),
            cell(f.requests_received, link=q.period_link("received", p)),
            cell(measures.growth_pct(previous, f.requests_received)
                 if previous is not None and comparable else None, suffix="%"),
            cell(england_growth, suffix="%"),
        ])
        previous = f.requests_received
    latest_12 = measures.twelve_months_ending(q.as_of)
    before_12 = measures.twelve_months_ending(latest_12.start - timedelta(days=1))
    earlier, recent = figures.period_figures([before_12, latest_12], as_of=q.as_of,
                                             received_only=True)
    growth_table = Table(
        key="growth_by_source",
        title=f"Growth by source: the 12 months to {long_date(q.as_of)} against the 12 before",
        columns=columns("Who asked", f"To {short_date(before_12.end)}",
                        f"To {short_date(latest_12.end)}", "Growth"),
    )
    for s in [*used, None]:
        label = "All requests" if s is None else figures.SOURCE_LABELS[s]
        then = earlier.requests_received if s is None else earlier.received_by_source[s]
        now = recent.requests_received if s is None else recent.received_by_source[s]
        extra = {} if s is None else {"source": s or "none"}
        growth_table.rows.append([
            head(label),
            cell(then, link=q.period_link("received", before_12, **extra)),
            cell(now, link=q.period_link("received", latest_12, **extra)),
            cell(measures.growth_pct(then, now), suffix="%"),
        ])
    # One base year for both lines: the first whole year in which we and England both have
    # requests, so the two indices start together and part-years never set the scale.
    whole = [y for y, f in zip(q.years, by_year, strict=True)
             if q.is_full_year(y) and f.requests_received]
    with_england = [y for y in whole if dfe_requests.get(y)]
    base_year: int | None = (with_england or whole)[0] if whole else None
    base = next((f.requests_received for y, f in zip(q.years, by_year, strict=True)
                 if y == base_year), None)
    england_base = dfe_requests.get(base_year) if base_year is not None else None
    growth_chart = Chart(
        key="requests-index",
        title=(f"Requests received, as a share of {base_year}'s" if base_year is not None
               else "Requests received (no whole year to compare yet)"),
        kind="line", labels=[str(y) for y in q.years],
        y_label=f"{base_year} = 100" if base_year is not None else "",
        series=[Series("Ours", q.full_years_only(
                    [round(100 * f.requests_received / base, 1) if base else None
                     for f in by_year])),
                Series("England", [_index(dfe_requests.get(y), england_base)
                                   if base_year is not None and y >= base_year else None
                                   for y in q.years],
                       dashed=True, colour=charts.DARK_GREY)],
    )
    dfe_decisions = national("pct_decisions_within_6_weeks", q.years, ours)
    decision_table = Table(
        key="decisions", title="Decisions whether to assess made within 6 weeks",
        columns=[*columns("Year", "Decisions made", "Within 6 weeks", "% within 6 weeks"),
                 *(Column(f"{label} %") for label in dfe_decisions.labels)],
        notes=["A decision is within 6 weeks when made on or before the 42nd day after the "
               "request (reg 5(1))."],
    )
    for year, f in zip(q.years, by_year, strict=True):
        p = calendar_year(year)
        decision_table.rows.append([
            head(str(year), year),
            cell(f.decisions_made, link=q.period_link("decisions", p)),
            cell(f.decisions_within_6_weeks, link=q.period_link("decisions_within", p)),
            cell(f.pct_decisions_within_6_weeks, link=q.period_link("decisions_late", p)),
            *dfe_decisions.cells(year),
        ])
    funnel = figures.funnel(q.period, as_of=q.as_of)
    funnel_table = Table(
        key="funnel", title=f"What became of the requests received, {q.period_label}",
        columns=columns("Step", "Requests"),
        notes=[f"As known on {long_date(q.as_of)}; {funnel.still_open:,} of these requests "
               "are still open."],
    )
    for key, label, value in funnel.steps():
        funnel_table.rows.append([head(label), cell(value, link=q.period_link(
            "funnel", q.counted, step=key))])
    funnel_table.rows.append([head("Still open"), cell(funnel.still_open, link=q.period_link(
        "funnel", q.counted, step="still_open"))])
    funnel_chart = Chart(
        key="funnel", title="From requests to plans", kind="funnel",
        labels=[label for _, label, _ in funnel.steps()],
        series=[Series("Requests", [v for _, _, v in funnel.steps()])],
    )
    latest, before = by_year[-1], by_year[-2] if len(by_year) > 1 else None
    summary = f"{latest.requests_received:,} requests in {q.years[-1]} to {long_date(q.as_of)}"
    if before is not None:
        summary += f", against {before.requests_received:,} in all of {q.years[-2]}"
    summary += "."
    return Page("demand", "Requests and decisions", summary, [
        Section("Requests by source", "Where requests come from, and how demand has grown "
                "beside England's.", [growth_chart], [source_table, growth_table]),
        Section("Decisions within 6 weeks", "", [], [decision_table]),
        Section("From requests to plans", "", [funnel_chart], [funnel_table]),
    ])


ADVICE_LABELS = dict(c.AdviserType.choices)


def advice(q: Query, ours: Authority | None) -> Page:
    """Advice returned within 6 weeks by adviser type: the bottleneck (report 000, para 13e–f)."""
    (period_advice,) = figures.advice_by_period([q.counted], as_of=q.as_of)
    kinds = [k for k in (*figures.DASHBOARD_ADVISERS, *(k for k in sorted(period_advice)
                                                        if k not in figures.DASHBOARD_ADVISERS))]
    overdue_now = figures.advice_overdue_by_type(q.as_of)
    table = Table(
        key="advice", title=f"Advice due {q.period_label}, by adviser",
        columns=columns("Adviser", "Advice due", "Returned within 6 weeks", "Returned late",
                        "Overdue, not returned", "Not yet due", "% within 6 weeks",
                        f"Overdue on {short_date(q.as_of)} (any due date)"),
        notes=["Advice is due 6 weeks after it was requested (reg 8(1)); it counts in the period "
               "its due day falls in. The percentage is of advice returned or overdue."],
    )
    p = q.counted
    for kind in kinds:
        t = period_advice.get(kind) or measures.AdviceTimeliness()
        label = ADVICE_LABELS.get(kind, kind)
        table.rows.append([
            head(label),
            cell(t.due, link=q.period_link("advice", p, type=kind)),
            cell(t.within_6_weeks, link=q.period_link("advice", p, type=kind, status="within")),
            cell(t.late, link=q.period_link("advice", p, type=kind, status="late")),
            cell(t.outstanding_overdue, link=q.period_link("advice", p, type=kind,
                                                           status="overdue")),
            cell(t.outstanding_not_yet_due, link=q.period_link("advice", p, type=kind,
                                                               status="not_yet_due")),
            cell(t.pct_within_6_weeks),
            cell(overdue_now.get(kind, 0), link=q.link("advice_overdue_now", type=kind)),
        ])
    months = q.months[-13:]
    by_month = figures.advice_by_period(months, as_of=q.as_of,
                                        adviser_types=figures.DASHBOARD_ADVISERS)
    month_table = Table(
        key="advice_by_month", title="% of advice returned within 6 weeks, by month it fell due",
        columns=columns("Month", *(ADVICE_LABELS[k] for k in figures.DASHBOARD_ADVISERS)),
    )
    for m, row in zip(months, by_month, strict=True):
        month_table.rows.append([
            head(month_label(m.start), m.start),
            *(cell(row[k].pct_within_6_weeks if k in row else None,
                   link=q.period_link("advice", m, type=k))
              for k in figures.DASHBOARD_ADVISERS),
        ])
    chart = Chart(
        key="advice", title="% of advice returned within 6 weeks", kind="line",
        labels=[month_label(m.start) for m in months], y_max=100, y_label="%",
        series=[Series(ADVICE_LABELS[k], [row[k].pct_within_6_weeks if k in row else None
                                          for row in by_month])
                for k in figures.DASHBOARD_ADVISERS],
    )
    settled = [(k, period_advice[k].pct_within_6_weeks) for k in figures.DASHBOARD_ADVISERS
               if k in period_advice and period_advice[k].pct_within_6_weeks is not None]
    if settled:
        worst = min(settled, key=lambda item: item[1] or 0)
        summary = (f"{ADVICE_LABELS[worst[0]]} advice was the slowest: "
                   f"{_pct_text(worst[1])} returned within 6 weeks, {q.period_label}.")
    else:
        summary = f"No advice fell due {q.period_label}."
    return Page("advice", "Advice from partners", summary, [
        Section("By adviser", "Which partner's advice is holding plans up.", [], [table]),
        Section("By month", "", [chart], [month_table]),
    ])


def caseloads(q: Query, ours: Authority | None) -> Page:
    """Plans and assessments per case-officer FTE against DfE's benchmarks (report 004, table 2)."""
    total, teams = figures.caseloads_at(q.as_of)
    low, high = figures.PLANS_PER_FTE_BENCHMARK
    table = Table(
        key="caseloads", title=f"Caseloads on {long_date(q.as_of)}",
        columns=columns("Team", "Case officer FTE", "Plans maintained", "Plans per FTE",
                        "Open assessments", "Assessments per FTE"),
        notes=[f"DfE benchmarks: {low}–{high} plans and "
               f"{figures.ASSESSMENTS_PER_FTE_BENCHMARK} assessments per case officer. A team's "
               "figures count the cases its officers hold now; the whole service counts every "
               "plan and open request."],
    )
    for row in [total, *teams]:
        plans_flag = "Over 200" if (row.plans_per_fte or 0) > high else ""
        assess_flag = "Over 25" if (row.assessments_per_fte or 0) > 25 else ""
        table.rows.append([
            head(row.name), cell(row.fte),
            cell(row.plans_maintained, link=q.link("plans_maintained", team=row.team or None)),
            cell(row.plans_per_fte, flag=plans_flag),
            cell(row.open_assessments, link=q.link("open", team=row.team or None)),
            cell(row.assessments_per_fte, flag=assess_flag),
        ])
    points = q.points
    plans = figures.plans_maintained_series(points)
    fte = figures.officer_fte_series(points)
    open_ = [b.open for b in figures.backlog_series(points)]
    trend = Table(
        key="caseloads_over_time", title="Caseloads over time",
        columns=columns("Date", "Case officer FTE", "Plans maintained", "Plans per FTE",
                        "Open assessments", "Assessments per FTE"),
    )
    for day, n_plans, n_fte, n_open in zip(points, plans, fte, open_, strict=True):
        trend.rows.append([
            head(short_date(day), day), cell(round(n_fte, 2)),
            cell(n_plans, link=q.link("plans_maintained", on=day.isoformat())),
            cell(measures.per_fte(n_plans, n_fte)),
            cell(n_open, link=q.link("open", on=day.isoformat())),
            cell(measures.per_fte(n_open, n_fte)),
        ])
    labels = [month_label(d) if d != q.as_of else short_date(d) for d in points]
    plans_chart = Chart(
        key="plans-per-fte", title="Plans maintained per case officer FTE", kind="line",
        labels=labels, bands=[(low, high, "DfE benchmark 150–200")],
        series=[Series("Ours", [measures.per_fte(p, f) for p, f in zip(plans, fte, strict=True)])],
    )
    assess_chart = Chart(
        key="assessments-per-fte", title="Open assessments per case officer FTE", kind="line",
        labels=labels,
        series=[Series("Ours", [measures.per_fte(o, f) for o, f in zip(open_, fte, strict=True)]),
                Series("DfE benchmark 25", [25.0] * len(points), dashed=True,
                       colour=charts.RED)],
    )
    summary = (f"On {long_date(q.as_of)} each case officer FTE held "
               f"{_num(total.plans_per_fte)} plans (DfE benchmark {low}–{high}) and "
               f"{_num(total.assessments_per_fte)} open assessments (benchmark 25).")
    return Page("caseloads", "Caseloads", summary, [
        Section("By team", "Plans maintained and open assessments per case officer, by team.",
                [], [table]),
        Section("Over time", "", [plans_chart, assess_chart], [trend]),
    ])


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}"


def reviews(q: Query, ours: Authority | None) -> Page:
    """Annual reviews due, overdue and decided within 4 weeks; phase transfers."""
    years = [calendar_year(y) for y in q.years]
    by_year, overdue_now = figures.reviews_summary(years, as_of=q.as_of)
    dfe = national("pct_review_decisions_within_4_weeks", q.years, ours)
    table = Table(
        key="reviews", title="Annual reviews by calendar year",
        columns=[*columns("Year", "Reviews due", "Held by the due date", "Held late",
                          "Overdue, not held", "Not yet due", "% held by the due date",
                          "Meetings held", "Decisions within 4 weeks", "% decided within 4 weeks"),
                 *(Column(f"{label} % within 4 weeks") for label in dfe.labels)],
        notes=["A review is due 12 months after the plan or the last review; the decision to "
               "maintain, amend or cease is due 4 weeks after the meeting (reg 20(10)). DfE "
               "counts decisions by the year of the meeting."],
    )
    for year, f in zip(q.years, by_year, strict=True):
        p = calendar_year(year)
        table.rows.append([
            head(str(year), year),
            cell(f.due, link=q.period_link("reviews", p)),
            cell(f.held_on_time, link=q.period_link("reviews", p, status="on_time")),
            cell(f.held_late, link=q.period_link("reviews", p, status="late")),
            cell(f.overdue, link=q.period_link("reviews", p, status="overdue")),
            cell(f.not_yet_due, link=q.period_link("reviews", p, status="not_yet_due")),
            cell(f.pct_held_on_time),
            cell(f.meetings, link=q.period_link("review_meetings", p)),
            cell(f.decided_within_4_weeks, link=q.period_link("review_meetings", p,
                                                              status="within")),
            cell(f.pct_decided_within_4_weeks, link=q.period_link("review_meetings", p,
                                                                  status="late")),
            *dfe.cells(year),
        ])
    stock = Table(key="reviews_overdue", title=f"Reviews overdue on {long_date(q.as_of)}",
                  columns=columns("Measure", "Reviews"))
    stock.rows.append([head("Past the due date with no meeting held"),
                       cell(overdue_now, link=q.link("reviews_overdue_now"))])
    year = figures.transfer_year_for(q.as_of)
    transfer = Table(
        key="phase_transfers", title="Phase transfer reviews (reg 18)",
        columns=columns("Transfer", "Due", "Done by the deadline", "Done late",
                        "Outstanding, overdue", "Outstanding, not yet due", "% on time"),
        notes=["Plans of children moving between phases must be reviewed and amended by 15 "
               "February (31 March from secondary school to post-16) of the transfer year."],
    )
    transfers = figures.phase_transfers_for(years=[year - 1, year], as_of=q.as_of)
    for y in (year - 1, year):
        for post16 in (False, True):
            f_t = transfers[(y, post16)]
            which = "post16" if post16 else "school"
            label = f"{y}: by {long_date(f_t.deadline)}" + (" (to post-16)" if post16 else "")
            transfer.rows.append([
                head(label),
                cell(f_t.due, link=q.link("phase_transfer", year=y, transfer=which)),
                cell(f_t.done_on_time, link=q.link("phase_transfer", year=y, transfer=which,
                                                 status="on_time")),
                cell(f_t.done_late, link=q.link("phase_transfer", year=y, transfer=which,
                                              status="late")),
                cell(f_t.outstanding_overdue, link=q.link("phase_transfer", year=y,
                                                        transfer=which, status="overdue")),
                cell(f_t.outstanding_not_yet_due, link=q.link(
                    "phase_transfer", year=y, transfer=which, status="not_yet_due")),
                cell(f_t.pct_on_time),
            ])
    chart = Chart(
        key="reviews", title="% of review decisions sent within 4 weeks", kind="line",
        labels=[str(y) for y in q.years], y_max=100, y_label="%",
        series=[Series("Ours", [f.pct_decided_within_4_weeks for f in by_year]),
                *dfe.series(q.years)],
    )
    summary = (f"{overdue_now:,} annual reviews were overdue on {long_date(q.as_of)}.")
    return Page("reviews", "Annual reviews and phase transfers", summary, [
        Section("Annual reviews", "", [chart], [table, stock]),
        Section("Annual reviews as DfE counts them", "", [], dfe_reviews_tables(q, ours)),
        Section("Phase transfers", "", [], [transfer]),
    ])


def dfe_review_period(q: Query, year: int) -> tuple[Period, date]:
    """The period and as-of date of a year's row: the calendar year, or the part of it to
    the as-of date (`ehcflow reviews --from --to --as-of` gives the same figures)."""
    end = min(date(year, 12, 31), q.as_of)
    return Period(date(year, 1, 1), end), end


# (label, our figure's attribute, DfE measure key) of the comparison with DfE's figures.
DFE_REVIEW_ROWS: tuple[tuple[str, str, str], ...] = (
    ("Plans", "plans_maintained", "review_plans"),
    ("Reviews due", "reviews_due", "reviews_expected"),
    ("Review meetings held", "meetings_held", "review_meetings_held"),
    ("Decisions within 4 weeks", "decisions_within_4_weeks", "review_decisions_within_4_weeks"),
    ("% of decisions within 4 weeks", "pct_decisions_within_4_weeks",
     "pct_review_decisions_within_4_weeks"),
    ("Decided to maintain", "maintain", "review_outcome_maintain"),
    ("Decided to amend", "amend", "review_outcome_amend"),
    ("Decided to cease", "cease", "review_outcome_cease"),
)


def dfe_reviews_tables(q: Query, ours: Authority | None) -> list[Table]:
    """Our reviews counted as annual_reviews.csv counts them, by year, and beside DfE's."""
    by_year = Table(
        key="reviews_dfe", title="Annual reviews by calendar year, counted as DfE counts them",
        columns=columns("Year", "Plans", "Reviews due", "Meetings held", "Decisions",
                        "Within 4 weeks", "% within 4 weeks", "Maintain", "Amend", "Cease"),
        notes=["Plans in force at the end of the year; of them, those whose review fell due "
               "in the year or before; of those, the ones with a review meeting recorded, and "
               "the decision after their latest meeting."],
    )
    figures_of: dict[int, ReviewFigures] = {}
    for year in q.years[-3:]:
        period, as_of = dfe_review_period(q, year)
        f = review_selectors.review_figures(period, as_of)
        figures_of[year] = f
        by_year.rows.append([
            head(q.year_label(year), year), cell(f.plans_maintained), cell(f.reviews_due),
            cell(f.meetings_held), cell(f.decisions), cell(f.decisions_within_4_weeks),
            cell(f.pct_decisions_within_4_weeks), cell(f.maintain), cell(f.amend),
            cell(f.cease)])
    full = [y for y in q.years[-3:] if q.is_full_year(y)]
    if not full:
        return [by_year]
    year = full[-1]
    first = national(DFE_REVIEW_ROWS[0][2], [year], ours)
    beside = Table(key="reviews_dfe_compared", title=f"Annual reviews in {year} beside DfE's "
                   "figures", columns=columns("Measure", "Ours", *first.labels),
                   notes=["DfE's figures are as published for the calendar year (the "
                          "neighbours' figure is their average)."])
    for label, attribute, measure in DFE_REVIEW_ROWS:
        theirs = national(measure, [year], ours)
        beside.rows.append([head(label), cell(getattr(figures_of[year], attribute)),
                            *theirs.cells(year)])
    return [by_year, beside]


def overview(q: Query, ours: Authority | None) -> Page:
    """The headline figures of the period (the figures of `ehcflow kpis`)."""
    k = casework.kpis(as_of=q.as_of, period=q.period)
    p = q.counted
    table = Table(key="headline", title=f"Headline figures, {q.period_label}",
                  columns=columns("Measure", "Value"))
    b = k.backlog
    table.rows += [
        [head("Requests received"), cell(k.requests_received,
                                         link=q.period_link("received", p))],
        [head("New plans issued"), cell(k.plans_issued, link=q.period_link("plans_issued", p))],
        [head("% issued within 20 weeks"), cell(k.pct_within_20_weeks, suffix="%",
                                                link=q.period_link("issued_late", p))],
        [head("% issued within 20 weeks, excluding exceptions"),
         cell(k.pct_within_20_weeks_excl_exceptions, suffix="%",
              link=q.period_link("issued_late_excl", p))],
        [head("Average weeks to issue"), cell(k.avg_weeks_to_issue,
                                              link=q.period_link("plans_issued", p))],
        [head("Decisions within 6 weeks"), cell(k.pct_decisions_within_6_weeks, suffix="%",
                                                link=q.period_link("decisions_late", p))],
        [head(f"Open requests on {short_date(q.as_of)}"), cell(b.open, link=q.link("open"))],
        [head("Open over 20 weeks"), cell(b.over_20_weeks, link=q.link("over_20_weeks"))],
        [head("Open over 30 weeks"), cell(b.over_30_weeks, link=q.link("over_30_weeks"))],
        [head("Open over 50 weeks"), cell(b.over_50_weeks, link=q.link("over_50_weeks"))],
    ]
    were = "new plan was" if k.plans_issued == 1 else "new plans were"
    summary = (f"{k.plans_issued:,} {were} issued {q.period_label}, "
               f"{_pct_text(k.pct_within_20_weeks)} of them within 20 weeks; "
               f"{b.over_20_weeks:,} requests were open over 20 weeks on {long_date(q.as_of)}.")
    return Page("overview", "Overview", summary, [Section("", "", [], [table])])


BUILDERS: dict[str, tuple[str, Callable[[Query, Authority | None], Page]]] = {
    "overview": ("Overview", overview),
    "timeliness": ("Timeliness", timeliness),
    "backlog": ("Backlog", backlog),
    "demand": ("Requests and decisions", demand),
    "advice": ("Advice", advice),
    "caseloads": ("Caseloads", caseloads),
    "reviews": ("Reviews and transfers", reviews),
}


def build(key: str, q: Query) -> Page:
    """The page `key` for the query, with our authority's national comparators."""
    ours = selectors.our_authority()
    return BUILDERS[key][1](q, ours)

