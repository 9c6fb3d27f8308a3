"""The cases behind a figure: every dashboard number links to the list it counts.

A drill-down is named by a measure and opaque parameters (dates, an adviser type, an age band)
in the query string; `resolve` turns them into a queryset counted the same way as the figure,
then filtered through `casework.access.visible_requests`, so a team manager sees only the cases
of their team among those a figure counts. For the people who see every case (head of
service, analysts) the list's length equals the figure: the tests check it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import F, Q, QuerySet

from ehcflow.casework import choices as c
from ehcflow.casework.access import visible_requests
from ehcflow.casework.models import AdviceRequest, AnnualReview, EHCPlan
from ehcflow.casework.selectors import initial_requests, open_on
from ehcflow.insight import definitions as d
from ehcflow.insight import figures
from ehcflow.insight.tables import long_date
from ehcflow.people.access import request_scope
from ehcflow.statutory.clock import ADVICE_DAYS, DECISION_TO_ASSESS_DAYS, FINAL_PLAN_DAYS
from ehcflow.statutory.measures import (
    OVER_20_WEEKS_DAYS,
    OVER_30_WEEKS_DAYS,
    OVER_50_WEEKS_DAYS,
)
from ehcflow.statutory.periods import Period


class BadDrilldown(ValueError):
    """Parameters that name no list; the message says which and why."""


@dataclass(frozen=True)
class Params:
    as_of: date
    start: date | None = None
    end: date | None = None
    on: date | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    def get(self, key: str, default: str = "") -> str:
        return self.extra.get(key, default)

    @property
    def day(self) -> date:
        """The date of a stock figure (a backlog point): `on`, else the as-of date."""
        return min(self.on or self.as_of, self.as_of)

    @property
    def window(self) -> tuple[date, date] | None:
        """The period up to the as-of date, as `kpis()` counts it (None: nothing counted)."""
        if self.start is None or self.end is None:
            raise BadDrilldown("This list needs a period: 'from' and 'to' dates.")
        counted = Period(self.start, self.end).ending_by(self.as_of)
        return None if counted is None else (counted.start, counted.end)

    @property
    def period_text(self) -> str:
        if self.start is None or self.end is None:
            return ""
        return f"{long_date(self.start)} to {long_date(min(self.end, self.as_of))}"


@dataclass(frozen=True)
class Drilldown:
    """A resolved list: what it is, what kind of rows, and the rows the user may see."""

    title: str
    kind: str  # requests, advice, reviews or plans
    total: int  # the figure: every row the measure counts
    rows: QuerySet[Any]  # those the user may see


def _within(field_name: str, start: str, days: int) -> Q:
    return figures.on_or_before_deadline(field_name, start, days)


def _ranged(field_name: str, p: Params) -> Q:
    window = p.window
    if window is None:
        return Q(pk__in=[])
    return Q(**{f"{field_name}__range": window})


RequestFilter = Callable[[Params], Q]

REQUEST_MEASURES: dict[str, tuple[str, RequestFilter]] = {
    "received": ("Requests received", lambda p: _ranged("received_date", p) & (
        Q(source="" if p.get("source") == "none" else p.get("source")) if p.get("source")
        else Q())),
    "plans_issued": ("New plans issued", lambda p: _ranged("final_date", p)),
    "issued_within": ("New plans issued within 20 weeks", lambda p: _ranged("final_date", p)
                      & _within("final_date", "received_date", FINAL_PLAN_DAYS)),
    "issued_late": ("New plans issued after 20 weeks", lambda p: _ranged("final_date", p)
                    & ~_within("final_date", "received_date", FINAL_PLAN_DAYS)),
    "issued_late_excl": ("New plans issued after 20 weeks, no exception applying",
                         lambda p: _ranged("final_date", p) & Q(week20_exception=False)
                         & ~_within("final_date", "received_date", FINAL_PLAN_DAYS)),
    "decisions": ("Decisions whether to assess", lambda p: _ranged("decision_date", p)),
    "decisions_within": ("Decisions whether to assess made within 6 weeks",
                         lambda p: _ranged("decision_date", p)
                         & _within("decision_date", "received_date", DECISION_TO_ASSESS_DAYS)),
    "decisions_late": ("Decisions whether to assess made after 6 weeks",
                       lambda p: _ranged("decision_date", p)
                       & ~_within("decision_date", "received_date", DECISION_TO_ASSESS_DAYS)),
    "open": ("Open requests", lambda p: open_on(p.day)),
    "over_20_weeks": ("Requests open over 20 weeks", lambda p: open_on(p.day) & Q(
        received_date__lt=p.day - timedelta(days=OVER_20_WEEKS_DAYS))),
    "over_30_weeks": ("Requests open over 30 weeks", lambda p: open_on(p.day) & Q(
        received_date__lt=p.day - timedelta(days=OVER_30_WEEKS_DAYS))),
    "over_50_weeks": ("Requests open over 50 weeks", lambda p: open_on(p.day) & Q(
        received_date__lt=p.day - timedelta(days=OVER_50_WEEKS_DAYS))),
}


def _band(p: Params) -> tuple[str, Q]:
    bands = {key: (label, low, high) for key, label, low, high in figures.BANDS}
    key = p.get("band")
    if key not in bands:
        raise BadDrilldown(f"Unknown age band '{key}'. Bands: {', '.join(bands)}.")
    label, low, high = bands[key]
    # age > low (or ≥ 0 for the first band) and age ≤ high
    condition = open_on(p.day)
    if low:
        condition &= Q(received_date__lt=p.day - timedelta(days=low))
    if high is not None:
        condition &= Q(received_date__gte=p.day - timedelta(days=high))
    return f"Requests open: {label.lower()}", condition


def _funnel(p: Params) -> tuple[str, Q]:
    step = p.get("step")
    if step not in figures.FUNNEL_FILTERS:
        raise BadDrilldown(f"Unknown step '{step}'.")
    labels = {key: label for key, label, _ in figures.Funnel(period=Period(p.as_of, p.as_of))
              .steps()} | {"still_open": "Still open", "decided": "Decided"}
    return (f"Requests received {p.period_text}: {labels[step].lower()}",
            _ranged("received_date", p) & figures.FUNNEL_FILTERS[step](p.as_of))


def _advice(p: Params, user: Any, measure: str) -> Drilldown:
    kind = p.get("type")
    status = p.get("status")
    rows = AdviceRequest.objects.all()
    if kind:
        rows = rows.filter(adviser_type=kind)
    label = dict(c.AdviserType.choices).get(kind, "All") + " advice"
    if measure == "advice_overdue_now":
        rows = rows.filter(requested_on__lt=p.as_of - timedelta(days=ADVICE_DAYS)).filter(
            Q(received_on__isnull=True) | Q(received_on__gt=p.as_of))
        title = f"{label} overdue and not returned on {long_date(p.as_of)}"
    else:
        if p.start is None or p.end is None:
            raise BadDrilldown("This list needs a period: 'from' and 'to' dates.")
        rows = rows.filter(requested_on__range=(p.start - timedelta(days=ADVICE_DAYS),
                                                p.end - timedelta(days=ADVICE_DAYS)))
        returned = Q(received_on__isnull=False, received_on__lte=p.as_of)
        in_time = returned & _within("received_on", "requested_on", ADVICE_DAYS)
        past_due = Q(requested_on__lt=p.as_of - timedelta(days=ADVICE_DAYS))
        statuses = {
            "": ("due", Q()),
            "within": ("returned within 6 weeks", in_time),
            "late": ("returned late", returned & ~in_time),
            "overdue": ("overdue, not returned", ~returned & past_due),
            "not_yet_due": ("not yet due", ~returned & ~past_due),
        }
        if status not in statuses:
            raise BadDrilldown(f"Unknown status '{status}'.")
        words, condition = statuses[status]
        rows = rows.filter(condition)
        title = f"{label} due {long_date(p.start)} to {long_date(p.end)}: {words}"
    total = rows.count()
    visible = rows.filter(request__in=visible_requests(user))
    return Drilldown(title=title, kind="advice", total=total,
                     rows=visible.select_related("request", "request__child").order_by(
                         "requested_on", "id"))


def _team(p: Params, officer_field: str) -> Q:
    """Cases held on the list's day by an officer of one team (`team`: a team's id), by
    someone who has left ("left"), or by no team ("none"): `figures.held_by`."""
    team = p.get("team")
    if not team:
        return Q()
    if team not in ("none", "left") and not (team.isdigit() and len(team) < 10):
        raise BadDrilldown("'team' must be a team's number.")
    return figures.held_by(team, p.day, officer_field)


def _plans_of(user: Any) -> Q:
    """Plans the user may see: all for those who see every case, else through their requests."""
    if request_scope(user) == Q():
        return Q()
    return Q(request__in=visible_requests(user))


def _reviews(p: Params, user: Any, measure: str) -> Drilldown:
    status = p.get("status")
    rows = AnnualReview.objects.all()
    if measure == "reviews_overdue_now":
        rows = figures.overdue_reviews_query(p.as_of)
        title = f"Annual reviews overdue on {long_date(p.as_of)}"
    elif measure == "reviews":
        if p.start is None or p.end is None:
            raise BadDrilldown("This list needs a period: 'from' and 'to' dates.")
        rows = rows.filter(due_date__range=(p.start, p.end)).filter(
            Q(plan__cease_date__isnull=True) | Q(plan__cease_date__gt=F("due_date")))
        held = Q(meeting_date__isnull=False, meeting_date__lte=p.as_of)
        statuses = {
            "": ("due", Q()),
            "on_time": ("held by the due date", held & Q(meeting_date__lte=F("due_date"))),
            "late": ("held late", held & Q(meeting_date__gt=F("due_date"))),
            "overdue": ("overdue, not held", ~held & Q(due_date__lt=p.as_of)),
            "not_yet_due": ("not yet due", ~held & Q(due_date__gte=p.as_of)),
        }
        if status not in statuses:
            raise BadDrilldown(f"Unknown status '{status}'.")
        words, condition = statuses[status]
        rows = rows.filter(condition)
        title = f"Annual reviews due {p.period_text}: {words}"
    elif measure == "review_meetings":
        window = p.window
        rows = rows.filter(meeting_date__range=window) if window else rows.none()
        decided = Q(decision_date__isnull=False, decision_date__lte=p.as_of)
        within = decided & _within("decision_date", "meeting_date", d.DECISION_DAYS)
        statuses = {
            "": ("meetings held", Q()),
            "within": ("decided within 4 weeks", within),
            "late": ("not decided within 4 weeks", ~within),
        }
        if status not in statuses:
            raise BadDrilldown(f"Unknown status '{status}'.")
        words, condition = statuses[status]
        rows = rows.filter(condition)
        title = f"Annual review meetings {p.period_text}: {words}"
    else:  # phase_transfer
        try:
            year = int(p.get("year"))
        except ValueError:
            raise BadDrilldown("A phase transfer list needs a year.") from None
        post16 = p.get("transfer") == "post16"
        deadline = date(year, 3, 31) if post16 else date(year, 2, 15)
        rows = figures.phase_transfer_query(year, post16)
        done = Q(done__isnull=False, done__lte=p.as_of)
        statuses = {
            "": ("due", Q()),
            "on_time": ("done by the deadline", done & Q(done__lte=deadline)),
            "late": ("done late", done & Q(done__gt=deadline)),
            "overdue": ("outstanding, overdue", Q(pk__in=[]) if p.as_of <= deadline else ~done),
            "not_yet_due": ("outstanding, not yet due", ~done if p.as_of <= deadline
                            else Q(pk__in=[])),
        }
        if status not in statuses:
            raise BadDrilldown(f"Unknown status '{status}'.")
        words, condition = statuses[status]
        rows = rows.filter(condition)
        title = f"Phase transfer reviews due by {long_date(deadline)}: {words}"
    total = rows.count()
    visible = rows.filter(_plans_of_review(user))
    return Drilldown(title=title, kind="reviews", total=total,
                     rows=visible.select_related("plan", "plan__child", "plan__request")
                     .order_by("due_date", "id"))


def _plans_of_review(user: Any) -> Q:
    if request_scope(user) == Q():
        return Q()
    return Q(plan__request__in=visible_requests(user))


def resolve(measure: str, p: Params,
            user: AbstractBaseUser | AnonymousUser) -> Drilldown:
    """The list behind a figure, as this user may see it. Raises BadDrilldown."""
    if measure in REQUEST_MEASURES or measure in ("band", "funnel"):
        if measure == "band":
            title, condition = _band(p)
            title += f" on {long_date(p.day)}"
        elif measure == "funnel":
            title, condition = _funnel(p)
        else:
            label, make = REQUEST_MEASURES[measure]
            condition = make(p)
            when = p.period_text or long_date(p.day)
            title = f"{label}, {when}" if p.period_text else f"{label} on {when}"
        rows = initial_requests().filter(condition & _team(p, "officer"))
        total = rows.count()
        visible = visible_requests(user, rows)
        return Drilldown(title=title, kind="requests", total=total,
                         rows=visible.select_related("child", "officer").order_by(
                             "received_date", "id"))
    if measure in ("advice", "advice_overdue_now"):
        return _advice(p, user, measure)
    if measure in ("reviews", "review_meetings", "reviews_overdue_now", "phase_transfer"):
        return _reviews(p, user, measure)
    if measure == "plans_maintained":
        on = p.day
        plans = EHCPlan.objects.filter(first_issued_date__lte=on).filter(
            Q(cease_date__isnull=True) | Q(cease_date__gt=on)).filter(_team(p, "officer"))
        return Drilldown(title=f"EHC plans maintained on {long_date(on)}", kind="plans",
                         total=plans.count(), rows=plans.filter(_plans_of(user))
                         .select_related("child", "request", "officer")
                         .order_by("first_issued_date", "id"))
    known = sorted([*REQUEST_MEASURES, "band", "funnel", "advice", "advice_overdue_now",
                    "reviews", "review_meetings", "reviews_overdue_now", "phase_transfer",
                    "plans_maintained"])
    raise BadDrilldown(f"Unknown list '{measure}'. Lists: {', '.join(known)}.")
