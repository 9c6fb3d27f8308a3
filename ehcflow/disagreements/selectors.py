"""Reads for the disagreement pages: a child's timeline, open appeals, the dashboard's counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from ehcflow.casework import choices as c
from ehcflow.casework.models import AssessmentRequest, Child, EHCPlan
from ehcflow.disagreements.models import (
    FOR_FAMILY,
    AppealOutcome,
    Disagreement,
    Kind,
    TribunalOrder,
)
from ehcflow.statutory import clock
from ehcflow.statutory import disagreements as law
from ehcflow.statutory.periods import calendar_year


@dataclass(frozen=True)
class Step:
    """One deadline on a disagreement's timeline: what, by when, when done, and how it stands."""

    label: str
    due: date
    done: date | None
    status: law.DeadlineStatus


def timeline(item: Disagreement, today: date) -> list[Step]:
    """Every deadline of one mediation or appeal, in date order, with met/missed/open/overdue."""
    steps: list[tuple[str, date, date | None]] = []
    if item.kind == Kind.MEDIATION:
        steps.append(("Family contacts the mediation adviser (2 months)",
                      clock.mediation_contact_deadline(item.decision_notice_date),
                      item.started_on))
        if item.mediation_outcome != "declined":
            steps.append(("Mediation held (30 days)", law.mediation_deadline(item.started_on),
                          item.mediation_on))
        if item.mediation_outcome != "agreed" or item.certificate_on:
            steps.append(("Mediation certificate issued (3 working days)",
                          law.certificate_deadline(item.started_on, item.mediation_on),
                          item.certificate_on))
    else:
        steps.append(("Appeal reaches the Tribunal",
                      clock.appeal_deadline(item.decision_notice_date), item.started_on))
        if item.notice_sent_on:
            responded = item.response_sent_on or item.unopposed_on
            steps.append(("Council's response to the Tribunal (30 working days)",
                          law.response_due(item.notice_sent_on), responded))
        for order in item.orders.all():
            steps.append((f"Order: {order.get_kind_display()}", order.due_on,
                          order.complied_on))
    found = [Step(label, due, done, law.deadline_status(due, done, today))
             for label, due, done in steps]
    return sorted(found, key=lambda s: s.due)


@dataclass(frozen=True)
class ChildDisagreements:
    child: Child
    items: list[tuple[Disagreement, list[Step]]]


def for_child(child: Child, *, today: date, requests: QuerySet[AssessmentRequest],
              plans: QuerySet[EHCPlan]) -> ChildDisagreements:
    """The child's mediations and appeals the user may see: those of a visible request or
    plan, or of neither (recorded against the child alone)."""
    rows = (Disagreement.objects.filter(child=child)
            .filter(Q(request__in=requests) | Q(plan__in=plans)
                    | Q(request__isnull=True, plan__isnull=True))
            .select_related("request", "plan").prefetch_related("orders")
            .order_by("started_on", "id"))
    return ChildDisagreements(child, [(item, timeline(item, today)) for item in rows])


@dataclass(frozen=True)
class OpenAppeal:
    appeal: Disagreement
    next_label: str
    next_due: date | None
    status: law.DeadlineStatus | None


def open_appeals(children: QuerySet[Child], today: date) -> list[OpenAppeal]:
    """Appeals not yet ended, and ended appeals with an order not yet complied with, by the
    next deadline (the earliest one not done)."""
    rows = (Disagreement.objects.filter(kind=Kind.APPEAL, child__in=children)
            .filter(Q(concluded_on__isnull=True) | Q(orders__complied_on__isnull=True,
                                                     orders__isnull=False))
            .distinct().select_related("child", "request").prefetch_related("orders"))
    found = []
    for appeal in rows:
        pending = [s for s in timeline(appeal, today) if s.done is None]
        first = pending[0] if pending else None
        found.append(OpenAppeal(appeal, first.label if first else "Hearing or outcome",
                                first.due if first else None, first.status if first else None))
    return sorted(found, key=lambda o: (o.next_due or date.max, o.appeal.started_on))


def appeal_rate(year: int) -> law.AppealRate:
    """The appeal rate of calendar year `year` (`law.appealable_decisions` says how)."""
    period = calendar_year(year)
    within = {"gte": period.start, "lte": period.end}
    census = law.sen2_census_day(year + 1)
    # Re-assessments too: a refusal to re-assess is appealable like a refusal to assess.
    requests = AssessmentRequest.objects.all()
    return law.AppealRate(
        year=year,
        appeals_registered=Disagreement.objects.filter(
            kind=Kind.APPEAL, started_on__gte=within["gte"], started_on__lte=within["lte"]
        ).count(),
        refusals_to_assess=requests.filter(
            decision=c.Decision.NOT_ASSESS, decision_date__gte=within["gte"],
            decision_date__lte=within["lte"]).count(),
        refusals_to_issue=requests.filter(
            outcome=c.Outcome.NO_PLAN, outcome_date__gte=within["gte"],
            outcome_date__lte=within["lte"]).count(),
        plans_in_january=EHCPlan.objects.filter(
            Q(cease_date__isnull=True) | Q(cease_date__gt=census),
            start_date__lte=census).count(),
        plans_ceased=EHCPlan.objects.filter(
            cease_reason=c.CeaseReason.NEEDS_MET, cease_date__gte=within["gte"],
            cease_date__lte=within["lte"]).count(),
    )


@dataclass(frozen=True)
class Dashboard:
    year: int
    rate: law.AppealRate
    outcomes: list[tuple[str, int]]
    for_family: int
    decided: int
    orders_due: int
    orders_met: int
    orders_missed: int
    orders_overdue: int
    cost: Decimal
    appeals_costed: int
    mediations: int
    mediations_agreed: int
    responses_due: int
    responses_in_time: int


def dashboard(year: int, today: date) -> Dashboard:
    """The year's appeals: the rate, outcomes (ended in the year), orders due in the year and
    whether they were met, the council's recorded cost, mediations and their agreements."""
    period = calendar_year(year)
    ended = Disagreement.objects.filter(kind=Kind.APPEAL, concluded_on__gte=period.start,
                                        concluded_on__lte=period.end)
    counts = Counter(dict(ended.values_list("appeal_outcome").annotate(n=Count("id"))
                          .values_list("appeal_outcome", "n")))
    outcomes = [(label, counts.get(value, 0)) for value, label in AppealOutcome.choices]
    decided = sum(counts.values())
    statuses = Counter(law.deadline_status(due, done, today) for due, done in
                       TribunalOrder.objects.filter(due_on__gte=period.start,
                                                    due_on__lte=period.end)
                       .values_list("due_on", "complied_on"))
    costed = ended.filter(cost__isnull=False).aggregate(total=Sum("cost"), n=Count("id"))
    mediations = Disagreement.objects.filter(kind=Kind.MEDIATION, concluded_on__gte=period.start,
                                             concluded_on__lte=period.end)
    responses = [law.deadline_status(law.response_due(sent), done, today) for sent, done in
                 Disagreement.objects.filter(kind=Kind.APPEAL, notice_sent_on__gte=period.start,
                                             notice_sent_on__lte=period.end)
                 .values_list("notice_sent_on", "response_sent_on") if sent is not None]
    return Dashboard(
        year=year, rate=appeal_rate(year), outcomes=outcomes,
        for_family=sum(counts.get(o.value, 0) for o in FOR_FAMILY), decided=decided,
        orders_due=sum(statuses.values()), orders_met=statuses[law.DeadlineStatus.MET],
        orders_missed=statuses[law.DeadlineStatus.MISSED],
        orders_overdue=statuses[law.DeadlineStatus.OVERDUE],
        cost=costed["total"] or Decimal(0), appeals_costed=costed["n"],
        mediations=mediations.count(),
        mediations_agreed=mediations.filter(mediation_outcome__in=["agreed", "partly_agreed"])
        .count(),
        responses_due=len(responses),
        responses_in_time=sum(1 for s in responses if s is law.DeadlineStatus.MET),
    )


def as_context(board: Dashboard) -> dict[str, Any]:
    return {"board": board, "rate": board.rate}
