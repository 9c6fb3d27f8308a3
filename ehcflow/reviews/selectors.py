"""Reads for the pages and figures after a plan is issued. Views and commands stay thin.

The figures (`review_figures`) read each plan and its reviews once, as plain records, and
count them with `ehcflow.statutory.reviews.count_reviews`, so the command, the dashboard and
the demo's calibration all count exactly as the pure function (and its tests) say.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ehcflow.casework import choices as c
from ehcflow.casework.events import EventAction
from ehcflow.casework.models import AnnualReview, CaseEvent, EHCPlan, PlanAmendment
from ehcflow.casework.selectors import DOUBLE_SUBMIT_WINDOW
from ehcflow.people.access import plan_scope
from ehcflow.people.models import Role, StaffMember
from ehcflow.statutory import clock
from ehcflow.statutory import reviews as law
from ehcflow.statutory.periods import Period

#: How far ahead "due soon" looks on the team view and My work: time to invite people with
#: 2 weeks' notice and gather advice before the review falls due.
DUE_SOON_DAYS = 8 * 7


def in_force_on(day: date) -> Q:
    return Q(first_issued_date__lte=day) & (Q(cease_date__isnull=True) | Q(cease_date__gt=day))


# --- the figures ----------------------------------------------------------------------------


def plan_records(period: Period, as_of: date) -> list[law.PlanReviews]:
    """Every plan that can count in `period` at `as_of`, with its reviews: two queries.

    A plan counts if it is in force on `as_of`, or if it was in force on a phase transfer
    deadline in the period (it may have ceased since).
    """
    earliest_end = min(period.start, as_of)
    plans = EHCPlan.objects.filter(first_issued_date__lte=max(as_of, period.end)).filter(
        Q(cease_date__isnull=True) | Q(cease_date__gt=earliest_end))
    rows = list(plans.values_list("pk", "first_issued_date", "cease_date", "first_review_due"))
    reviews: dict[int, list[law.ReviewFacts]] = defaultdict(list)
    review_rows = (AnnualReview.objects.filter(plan__in=plans)
                   .filter(Q(meeting_date__lte=as_of) | Q(phase_transfer_due__isnull=False))
                   .values_list("plan_id", "meeting_date", "decision_date", "outcome",
                                "phase_transfer_due", "amended_final_date"))
    for plan_id, meeting, decision, outcome, transfer_due, amended in review_rows.iterator(
            chunk_size=5000):
        reviews[plan_id].append(law.ReviewFacts(meeting, decision, outcome, transfer_due,
                                                amended))
    return [law.PlanReviews(first_issued=issued, cease_date=cease, first_review_due=first_due,
                            reviews=tuple(reviews.get(pk, ())))
            for pk, issued, cease, first_due in rows]


def review_figures(period: Period, as_of: date) -> law.ReviewFigures:
    """The figures of `ehcflow reviews` for `period` at `as_of` (docs/domain/annual-reviews.md)."""
    return law.count_reviews(plan_records(period, as_of), period, as_of)


# --- one plan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRow:
    review: AnnualReview
    timeline: list[law.TimelineStep]

    @property
    def is_open(self) -> bool:
        """Still has a step to record."""
        r = self.review
        if r.meeting_date is None or r.decision_date is None:
            return True
        return r.outcome == c.ReviewOutcome.AMEND and r.amended_final_date is None


@dataclass(frozen=True)
class AmendmentRow:
    """An amendment outside a review with its 15 days for comments and its 8 weeks (reg 22)."""

    amendment: PlanAmendment

    @property
    def comments_until(self) -> date:
        return law.amendment_comment_period_ends(self.amendment.notice_date)

    @property
    def final_due(self) -> date:
        return law.amendment_final_due(self.amendment.notice_date)


@dataclass(frozen=True)
class PlanPage:
    plan: EHCPlan
    reviews: list[ReviewRow]
    amendments: list[AmendmentRow]
    open_review: AnnualReview | None
    open_amendment: PlanAmendment | None
    transfer_notice_due: date | None
    cease_responses_until: date | None
    #: For a child under five, the earlier review the Code of Practice suggests (9.178).
    interim_review_due: date | None = None


def review_row(review: AnnualReview, today: date) -> ReviewRow:
    return ReviewRow(review, law.review_timeline(
        due=review.due_date, today=today, meeting=review.meeting_date,
        invitations=review.invitations_sent_date, advice=review.advice_circulated_date,
        report=review.report_date, decision=review.decision_date, outcome=review.outcome,
        amended_final=review.amended_final_date))


def plan_page(plan: EHCPlan, *, today: date) -> PlanPage:
    """A plan's reviews, newest first, each with its timeline; amendments; transfer notes."""
    rows = [review_row(r, today) for r in plan.reviews.order_by("-due_date", "-id")]
    amendments = list(plan.amendments.order_by("-notice_date", "-id"))
    open_review = next((row.review for row in rows if row.is_open), None)
    open_amendment = next((a for a in amendments if a.amended_final_date is None
                           and a.not_amended_date is None), None)
    return PlanPage(
        plan=plan, reviews=rows, amendments=[AmendmentRow(a) for a in amendments],
        open_review=open_review,
        open_amendment=open_amendment,
        transfer_notice_due=(law.transfer_in_notice_due(plan.first_issued_date)
                             if plan.transferred_in else None),
        cease_responses_until=(law.cease_consultation_ends(plan.cease_proposed_date)
                               if plan.cease_proposed_date else None),
        interim_review_due=_interim_review_due(plan, rows),
    )


def _interim_review_due(plan: EHCPlan, rows: list[ReviewRow]) -> date | None:
    """Counted from the latest review meeting held, or the plan's date if none yet."""
    if plan.cease_date is not None:
        return None
    held = [row.review.meeting_date for row in rows if row.review.meeting_date is not None]
    return law.interim_review_due(max(held, default=plan.start_date), plan.child.date_of_birth)


# --- lists ------------------------------------------------------------------------------------


def reviews_due(plans: QuerySet[EHCPlan], *, today: date, status: str | None = None
                ) -> QuerySet[EHCPlan]:
    """Plans in force with a review overdue or due within `DUE_SOON_DAYS`, soonest first.

    `status` "overdue" or "soon" narrows the list. One query.
    """
    horizon = today + timedelta(days=DUE_SOON_DAYS)
    queue = plans.filter(in_force_on(today), next_review_due__isnull=False)
    if status == "overdue":
        queue = queue.filter(next_review_due__lt=today)
    elif status == "soon":
        queue = queue.filter(next_review_due__gte=today, next_review_due__lte=horizon)
    else:
        queue = queue.filter(next_review_due__lte=horizon)
    return queue.select_related("child", "officer").order_by("next_review_due", "id")


def decisions_owed(plans: QuerySet[EHCPlan], *, today: date) -> QuerySet[AnnualReview]:
    """Reviews held with no decision yet, of plans in force: oldest meeting first."""
    return (AnnualReview.objects.filter(plan__in=plans.filter(in_force_on(today)),
                                        meeting_date__isnull=False, decision_date__isnull=True)
            .select_related("plan", "plan__child", "plan__officer").order_by("meeting_date"))


def amended_plans_owed(plans: QuerySet[EHCPlan], *, today: date) -> QuerySet[AnnualReview]:
    """Reviews decided "amend" whose amended plan is not yet issued."""
    return (AnnualReview.objects.filter(plan__in=plans.filter(in_force_on(today)),
                                        outcome=c.ReviewOutcome.AMEND,
                                        amended_final_date__isnull=True)
            .select_related("plan", "plan__child", "plan__officer").order_by("meeting_date"))


@dataclass(frozen=True)
class WorkReviews:
    """Reviews on My work: the first `rows` by due date, and how many are overdue or due."""

    rows: list[EHCPlan]
    overdue: int
    due: int


#: My work lists this many reviews; the team view lists them all.
WORK_REVIEWS_SHOWN = 20


def work_plans(user: Any, staff: StaffMember, *, mine: bool) -> QuerySet[EHCPlan]:
    """The plans whose reviews My work shows: those the officer maintains ("mine"), or those
    the officer's team maintains; all the user may see for a role without a team.

    Both are within `plan_scope` (a case officer or manager sees their team's plans), and
    filter on the maintaining officer alone, which an index answers without reading the
    requests the wider scope also reaches through.
    """
    if mine:
        return EHCPlan.objects.filter(officer=staff)
    if staff.team_id is not None and staff.role != Role.HEAD_OF_SERVICE:
        return EHCPlan.objects.filter(officer__team_id=staff.team_id)
    return EHCPlan.objects.filter(plan_scope(user))


def work_reviews(plans: QuerySet[EHCPlan], *, today: date) -> WorkReviews:
    """Reviews overdue or due within `DUE_SOON_DAYS` for My work: two queries, any caseload."""
    queue = reviews_due(plans, today=today)
    counts = queue.order_by().aggregate(total=Count("id"),
                                        overdue=Count("id", filter=Q(next_review_due__lt=today)))
    return WorkReviews(list(queue[:WORK_REVIEWS_SHOWN]), counts["overdue"],
                       counts["total"] - counts["overdue"])


#: Above this many plans a scope is kept as a filter rather than a list of ids.
SCOPE_IDS_LIMIT = 20_000


def scoped_in_force(scope: Q, *, today: date) -> QuerySet[EHCPlan]:
    """The plans in force within `scope` (`plan_scope`), as a list of ids read once.

    A team's scope (`people.access.plan_scope`) is an OR across the plan's officer and its
    request's officer; repeated in each of a page's queries it makes SQLite read every plan
    each time. Reading the ids once (a few thousand for a team) and filtering by them after
    keeps each later query on the primary key. A scope that is everything stays a filter.
    """
    in_force = EHCPlan.objects.filter(scope).filter(in_force_on(today))
    if scope == Q():
        return in_force
    ids = list(in_force.values_list("pk", flat=True)[:SCOPE_IDS_LIMIT + 1])
    if len(ids) > SCOPE_IDS_LIMIT:
        return in_force
    return EHCPlan.objects.filter(pk__in=ids)


@dataclass(frozen=True)
class DueCounts:
    overdue: int
    due_soon: int
    decisions_owed: int
    decisions_overdue: int


def due_counts(plans: QuerySet[EHCPlan], *, today: date) -> DueCounts:
    """The counts behind the team view (all an analyst sees): two queries."""
    horizon = today + timedelta(days=DUE_SOON_DAYS)
    counts = plans.filter(in_force_on(today)).aggregate(
        overdue=Count("id", filter=Q(next_review_due__lt=today)),
        soon=Count("id", filter=Q(next_review_due__gte=today, next_review_due__lte=horizon)))
    owed = decisions_owed(plans, today=today)
    late_meeting = today - timedelta(days=clock.REVIEW_DECISION_DAYS)
    decided = owed.aggregate(n=Count("id"),
                             late=Count("id", filter=Q(meeting_date__lt=late_meeting)))
    return DueCounts(counts["overdue"], counts["soon"], decided["n"], decided["late"])


# --- phase transfers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortRow:
    plan: EHCPlan
    review: AnnualReview | None
    status: law.RiskStatus

    @property
    def status_label(self) -> str:
        return law.RISK_LABELS[self.status]


def transfer_year_for(today: date) -> int:
    """The transfer year worked on now: from 1 September, next year's cohort (the autumn
    before its 15 February and 31 March deadlines)."""
    return today.year + 1 if today.month >= 9 else today.year


def phase_transfer_cohort(plans: QuerySet[EHCPlan], *, year: int, kind: str, today: date
                          ) -> list[CohortRow]:
    """Every child with a plan in force making a `kind` transfer in `year`, with the status
    of their phase transfer review (reg 18): three queries, any cohort size.

    A child is in the cohort by date of birth (`statutory.reviews.phase_transfer_birth_range`)
    or by a phase transfer review recorded for the year and kind.
    """
    first, last = law.phase_transfer_birth_range(year, kind)
    post16 = kind == "post16"
    deadline = law.phase_transfer_deadline(year, secondary_to_post16=post16)
    on = min(today, deadline)
    reviews = AnnualReview.objects.filter(phase_transfer=True, transfer_year=year,
                                          secondary_to_post16=post16)
    cohort = (plans.filter(in_force_on(on))
              .filter(Q(child__date_of_birth__range=(first, last))
                      | Q(pk__in=reviews.values("plan_id")))
              .select_related("child", "officer").order_by("child__surname", "child__forename",
                                                           "id"))
    found = list(cohort)
    by_plan: dict[int, AnnualReview] = {}
    for found_review in reviews.filter(plan__in=[p.pk for p in found]).order_by("due_date",
                                                                                 "id"):
        by_plan[found_review.plan_id] = found_review
    rows = []
    for plan in found:
        review = by_plan.get(plan.pk)
        status = law.phase_transfer_risk(
            deadline=deadline, today=today,
            meeting=review.meeting_date if review else None,
            decision=review.decision_date if review else None,
            outcome=review.outcome if review else "",
            amended_final=review.amended_final_date if review else None)
        rows.append(CohortRow(plan, review, status))
    order = {law.RiskStatus.MISSED: 0, law.RiskStatus.AT_RISK: 1, law.RiskStatus.ON_TRACK: 2,
             law.RiskStatus.DONE_LATE: 3, law.RiskStatus.DONE_ON_TIME: 4}
    return sorted(rows, key=lambda r: order[r.status])


def cohort_counts(rows: Iterable[CohortRow]) -> dict[str, int]:
    counts = dict.fromkeys(law.RiskStatus, 0)
    for row in rows:
        counts[row.status] += 1
    return {str(k): v for k, v in counts.items()}


__all__ = [
    "DUE_SOON_DAYS",
    "AmendmentRow",
    "CohortRow",
    "DueCounts",
    "PlanPage",
    "ReviewRow",
    "WorkReviews",
    "amended_plans_owed",
    "cohort_counts",
    "decisions_owed",
    "due_counts",
    "in_force_on",
    "phase_transfer_cohort",
    "plan_page",
    "plan_records",
    "review_figures",
    "review_row",
    "reviews_due",
    "scoped_in_force",
    "transfer_year_for",
    "work_plans",
    "work_reviews",
]


# --- double submits ----------------------------------------------------------------------------


def plan_changed_just_now_by(plan: EHCPlan, user_id: int | None) -> bool:
    """Whether this user changed the plan within the double-submit window of casework: a step
    form pressed twice finds its first press recorded, and says so instead of refusing."""
    recent = timezone.now() - DOUBLE_SUBMIT_WINDOW
    return CaseEvent.objects.filter(plan=plan, actor_id=user_id,
                                    occurred_at__gte=recent).exists()


def transferred_in_just_now_by(user_id: int | None, *, transferred_on: date,
                               date_of_birth: date, surname: str) -> EHCPlan | None:
    """The plan this user took on for the same child and day within the double-submit window:
    a second press of the transfer form, not a second plan."""
    recent = timezone.now() - DOUBLE_SUBMIT_WINDOW
    return (EHCPlan.objects.filter(
        events__actor_id=user_id, events__occurred_at__gte=recent,
        events__action=EventAction.PLAN_TRANSFERRED_IN, first_issued_date=transferred_on,
        child__date_of_birth=date_of_birth, child__surname__iexact=surname.strip())
        .order_by("-id").first())
