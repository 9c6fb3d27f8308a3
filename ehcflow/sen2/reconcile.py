"""The return's counts beside the dashboards' for the same year: they must be equal.

The return side is counted from the return itself (what DfE will count from the file: pure
functions over `items`). The dashboard side is the dashboards' own functions, not a copy of
their rules: `insight.figures.period_figures` for the calendar year as known on census day, and
`insight.figures.plans_maintained_series` on census day (docs/domain/measures.md). A difference
means a record the return reads differently from the dashboards; the checks say which.
"""

from __future__ import annotations

from dataclasses import dataclass

from ehcflow.insight import figures
from ehcflow.sen2.items import Collection, Sen2Return
from ehcflow.statutory import clock


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    in_return: int
    on_dashboards: int

    @property
    def equal(self) -> bool:
        return self.in_return == self.on_dashboards


LABELS: dict[str, str] = {
    "requests_received": "Requests for an assessment received",
    "decisions": "Decisions whether to assess",
    "plans_issued": "New plans issued",
    "within_20_weeks": "New plans issued within 20 weeks, including exceptions",
    "plans_issued_excl_exceptions": "New plans issued without an exception",
    "within_20_weeks_excl_exceptions": "New plans issued within 20 weeks, excluding exceptions",
    "active_on_census_day": "Plans in force on census day",
}


def return_counts(ret: Sen2Return) -> dict[str, int]:
    """The counts DfE makes from the file: activity in the calendar year, plans on census day."""
    year = ret.collection.activity_year
    counts = dict.fromkeys(LABELS, 0)
    for _person, req in ret.requests():
        if year.contains(req.received_date):
            counts["requests_received"] += 1
        if req.outcome in ("Y", "N") and year.contains(req.outcome_date):
            counts["decisions"] += 1
        a = req.assessment
        if a is not None and a.outcome == "Y" and year.contains(a.outcome_date):
            assert a.outcome_date is not None
            within = req.received_date is not None and clock.is_within_20_weeks(
                req.received_date, a.outcome_date)
            counts["plans_issued"] += 1
            counts["within_20_weeks"] += within
            if not a.week20:
                counts["plans_issued_excl_exceptions"] += 1
                counts["within_20_weeks_excl_exceptions"] += within
        if req.active_plan is not None:
            counts["active_on_census_day"] += 1
    return counts


def dashboard_counts(coll: Collection) -> dict[str, int]:
    """The same figures from the dashboards' functions, as known on census day."""
    (period,) = figures.period_figures([coll.activity_year], as_of=coll.census_day)
    (maintained,) = figures.plans_maintained_series([coll.census_day])
    return {
        "requests_received": period.requests_received,
        "decisions": period.decisions_made,
        "plans_issued": period.plans_issued,
        "within_20_weeks": period.issued_within_20_weeks,
        "plans_issued_excl_exceptions": period.plans_issued_excl_exceptions,
        "within_20_weeks_excl_exceptions": period.issued_within_20_weeks_excl_exceptions,
        "active_on_census_day": maintained,
    }


def reconcile(ret: Sen2Return) -> list[Line]:
    ours = return_counts(ret)
    theirs = dashboard_counts(ret.collection)
    return [Line(key, label, ours[key], theirs[key]) for key, label in LABELS.items()]
