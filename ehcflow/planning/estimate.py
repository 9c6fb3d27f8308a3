"""A recovery-planner scenario from the authority's own records (planner-model.md).

The starting state is every request open at the as-of date, with the step it has reached and
the advice already in. Demand, outcome rates and advice delays are estimated from the 12
months before the as-of date. Effort per task is not recorded in case files, so the example
efforts of planner-model.md are used, and the hours each person gives to statutory assessment
work are estimated so that the staff in post, at those efforts, would have done last year's
work: a service whose backlog grew was working at capacity, so its output measures its
capacity. Every estimate is returned with a sentence saying how it was made.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Q

from ehcflow.casework import choices as c
from ehcflow.casework.models import AdviceRequest, AssessmentRequest
from ehcflow.casework.selectors import initial_requests, open_on
from ehcflow.people.models import Role, StaffMember
from ehcflow.statutory import clock
from ehcflow.statutory.periods import Period, twelve_months_ending

#: planner-model.md's example efforts (hours), used because case files do not record effort.
DEFAULT_EFFORT = {
    "decision_hours": {"median": 3.0, "p90": 6.0},
    "ep_hours": {"median": 12.0, "p90": 20.0},
    "draft_hours": {"median": 10.0, "p90": 18.0},
    "final_hours": {"median": 3.0, "p90": 6.0},
}
DEFAULT_COST = {"case_officer": 42000.0, "educational_psychologist": 70000.0}
EXTERNAL_ADVICE = {
    c.AdviserType.HEALTH: "health",
    c.AdviserType.SOCIAL_CARE: "social care",
    c.AdviserType.EDUCATION: "education",
}
EP_ADVICE = "educational_psychologist"
HOURS_RANGE = (4.0, 37.0)


@dataclass
class Estimate:
    """The scenario as a TOML-ready mapping, and how each figure was estimated."""

    scenario: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def _step(case: AssessmentRequest, as_of: date) -> str:
    if case.stage == c.Stage.AWAITING_DECISION or case.decision_date is None or \
            case.decision_date > as_of:
        return "awaiting_decision"
    if not case.outcome or case.outcome_date is None or case.outcome_date > as_of:
        return "in_assessment"
    if case.draft_date is None or case.draft_date > as_of:
        return "awaiting_draft"
    if as_of <= clock.comment_period_ends(case.draft_date):
        return "in_comment"
    return "awaiting_final"


def _quantiles(values: list[int]) -> dict[str, float] | None:
    if len(values) < 5:
        return None
    ordered = sorted(values)
    median = float(statistics.median(ordered))
    p90 = float(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))])
    median = max(median, 1.0)
    return {"median": median, "p90": max(p90, median)}


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def _staff_fte(role: str, on: date, period: Period) -> tuple[list[StaffMember], float]:
    """Staff in post at `on`, and the FTE-weeks they worked during `period`."""
    people = list(StaffMember.objects.filter(role=role, start_date__lte=period.end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=period.start)))
    fte_weeks = 0.0
    for person in people:
        first = max(person.start_date, period.start)
        last = min(person.end_date or period.end, period.end)
        if last >= first:
            fte_weeks += float(person.fte) * ((last - first).days + 1) / 7
    in_post = [p for p in people if p.in_post(on)]
    return in_post, fte_weeks


def scenario_from_caseload(*, as_of: date, months: int = 24, replications: int = 1000,
                           seed: int = 1) -> Estimate:
    """Build a planner scenario from the live casework at `as_of`."""
    notes: list[str] = []
    year = twelve_months_ending(as_of)
    previous = twelve_months_ending(year.start - timedelta(days=1))
    requests = initial_requests()

    received = requests.filter(received_date__range=(year.start, year.end)).count()
    received_before = requests.filter(
        received_date__range=(previous.start, previous.end)).count()
    growth = (received / received_before - 1) if received_before else 0.0
    growth = _clamp(growth, -0.5, 1.0)
    notes.append(f"Demand: {received} requests received in the 12 months to {as_of:%d %B %Y}; "
                 f"growth {growth:+.1%} on the 12 months before ({received_before}).")

    decided = requests.filter(decision_date__range=(year.start, year.end))
    n_decided = decided.count()
    n_assess = decided.filter(decision=c.Decision.ASSESS).count()
    assess_rate = n_assess / n_decided if n_decided else 0.75
    outcomes = requests.filter(outcome_date__range=(year.start, year.end))
    n_outcomes = outcomes.count()
    n_plan = outcomes.filter(outcome=c.Outcome.PLAN).count()
    plan_rate = n_plan / n_outcomes if n_outcomes else 0.9
    notes.append(f"Assess rate {assess_rate:.2f} ({n_assess} of {n_decided} decisions) and plan "
                 f"rate {plan_rate:.2f} ({n_plan} of {n_outcomes} decisions after assessment), "
                 "over the same 12 months.")

    assessments = max(n_assess, 1)
    advice_rows = AdviceRequest.objects.filter(
        request__kind=c.RequestKind.INITIAL, requested_on__range=(year.start, year.end))
    advice_tables = []
    for adviser_type, name in EXTERNAL_ADVICE.items():
        rows = advice_rows.filter(adviser_type=adviser_type)
        asked = rows.values("request_id").distinct().count()
        delays = [(received - requested).days for requested, received in
                  rows.filter(received_on__isnull=False).values_list("requested_on",
                                                                     "received_on")
                  if received is not None]
        delay = _quantiles(delays)
        if asked == 0 or delay is None:
            continue
        probability = round(min(asked / assessments, 1.0), 3)
        advice_tables.append({"name": name, "probability": probability, "delay_days": delay})
        notes.append(f"Advice '{name}': asked for {probability:.0%} of assessments; returned "
                     f"after a median of {delay['median']:.0f} days (90th percentile "
                     f"{delay['p90']:.0f}) over {len(delays)} returns.")

    # Capacity: the staff in post, at the default efforts, did last year's work.
    decisions_done = n_decided
    drafts_done = requests.filter(draft_date__range=(year.start, year.end)).count()
    finals_done = requests.filter(final_date__range=(year.start, year.end)).count()
    officer_hours = (decisions_done * DEFAULT_EFFORT["decision_hours"]["median"]
                     + drafts_done * DEFAULT_EFFORT["draft_hours"]["median"]
                     + finals_done * DEFAULT_EFFORT["final_hours"]["median"])
    officers, officer_fte_weeks = _staff_fte(Role.CASE_OFFICER, as_of, year)
    officer_rate = officer_hours / officer_fte_weeks if officer_fte_weeks else 24.0
    officer_rate = _clamp(officer_rate, *HOURS_RANGE)
    ep_done = advice_rows.filter(adviser_type=c.AdviserType.EDUCATIONAL_PSYCHOLOGY,
                                 received_on__isnull=False).count()
    eps, ep_fte_weeks = _staff_fte(Role.EDUCATIONAL_PSYCHOLOGIST, as_of, year)
    ep_rate = (ep_done * DEFAULT_EFFORT["ep_hours"]["median"] / ep_fte_weeks
               if ep_fte_weeks else 30.0)
    ep_rate = _clamp(ep_rate, *HOURS_RANGE)
    notes.append(
        f"Efforts per task are planner-model.md's examples (case files do not record effort). "
        f"Case officers' hours on statutory assessments: {officer_rate:.1f} a week per FTE, so "
        f"that the officers in post would have made last year's {decisions_done} decisions, "
        f"{drafts_done} drafts and {finals_done} final plans; EPs' {ep_rate:.1f} a week per "
        f"FTE for last year's {ep_done} pieces of EP advice.")

    staff: list[dict[str, Any]] = []
    ramp_cutoff = as_of - timedelta(weeks=26)
    settled = [p for p in officers if p.start_date <= ramp_cutoff]
    new = [p for p in officers if p.start_date > ramp_cutoff]
    for label, people, extra in (
        ("case officers in post", settled, {}),
        ("new case officers (protected caseloads)", new,
         {"start": min((p.start_date for p in new), default=as_of),
          "ramp_from": 0.5, "ramp_weeks": 26}),
    ):
        if not people:
            continue
        mean_fte = sum(float(p.fte) for p in people) / len(people)
        staff.append({"name": label, "role": "case_officer", "count": len(people),
                      "hours_per_week": round(officer_rate * mean_fte, 1),
                      "cost_per_year": DEFAULT_COST["case_officer"], **extra})
    if eps:
        mean_fte = sum(float(p.fte) for p in eps) / len(eps)
        staff.append({"name": "EPs in post", "role": "educational_psychologist",
                      "count": len(eps), "hours_per_week": round(ep_rate * mean_fte, 1),
                      "cost_per_year": DEFAULT_COST["educational_psychologist"]})
    notes.append(f"Staff in post on {as_of:%d %B %Y}: {len(officers)} case officers "
                 f"({len(new)} within 26 weeks of starting) and {len(eps)} EPs; costs are "
                 "placeholders to edit (£42,000 and £70,000 a year with on-costs).")

    open_cases = (requests.filter(open_on(as_of)).prefetch_related("advice_requests")
                  .order_by("received_date", "id"))
    advice_names = {a["name"] for a in advice_tables}
    open_requests = []
    for case in open_cases:
        advice_in = sorted(
            {EP_ADVICE if a.adviser_type == c.AdviserType.EDUCATIONAL_PSYCHOLOGY
             else EXTERNAL_ADVICE.get(a.adviser_type, "")  # type: ignore[call-overload]
             for a in case.advice_requests.all()
             if a.received_on is not None and a.received_on <= as_of}
            & (advice_names | {EP_ADVICE}))
        entry: dict[str, Any] = {"case_ref": case.case_ref, "request_date": case.received_date,
                                 "step": _step(case, as_of)}
        if advice_in:
            entry["advice_in"] = advice_in
        if entry["step"] == "in_comment" and case.draft_date:
            entry["draft_date"] = case.draft_date
        open_requests.append(entry)
    notes.append(f"Starting state: the {len(open_requests)} requests open on {as_of:%d %B %Y}, "
                 "each at the step it had reached and with the advice already in.")

    scenario: dict[str, Any] = {
        "name": f"From the caseload on {as_of:%d %B %Y}",
        "start": as_of + timedelta(days=1),
        "months": months,
        "replications": replications,
        "seed": seed,
        "policy": "oldest_first",
        "cleared_at": 0,
        "demand": {"requests_per_year": received, "growth_per_year": round(growth, 3),
                   "assess_rate": round(assess_rate, 3), "plan_rate": round(plan_rate, 3)},
        "work": {**DEFAULT_EFFORT, "comment_days": clock.COMMENT_PERIOD_DAYS},
        "advice": advice_tables,
        "staff": staff,
        "start_state": {"requests": open_requests},
    }
    return Estimate(scenario=scenario, notes=notes)

