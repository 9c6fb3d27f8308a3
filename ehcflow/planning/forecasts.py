"""Every open request's likely final-plan date, worked out in the background and kept.

The planner's per-request forecast (`planning.backtest.likely_final_plans`: the same model and
the same day's queues as `ehcflow forecast`, calibrated by `plan backtest`) takes seconds, so
no page runs it. `refresh` works it out and replaces the kept set in one transaction; the
nightly snapshot task queues it, `ehcflow likely-plans` runs it by hand, and pages read the
latest set with `kept_for`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from ehcflow.casework.models import AssessmentRequest
from ehcflow.planning.models import LikelyFinalPlan

#: replications behind the kept forecast: enough for stable 10th and 90th percentiles of one
#: request's date (about ±3 days between runs on the demo authority), quick enough for a
#: nightly task.
REPLICATIONS = 200


@dataclass(frozen=True)
class Refreshed:
    as_of: date
    requests: int


def refresh(*, today: date | None = None, replications: int = REPLICATIONS) -> Refreshed:
    """Work out every open request's likely final plan from the records as they stand today,
    and keep that set in place of the last one."""
    from ehcflow.planning.backtest import likely_final_plans
    from ehcflow.planning.estimate import load_history

    on = today or timezone.localdate()
    found = likely_final_plans(load_history(), as_of=on, replications=replications)
    ids = dict(AssessmentRequest.objects.filter(case_ref__in=[p.case_ref for p in found])
               .values_list("case_ref", "pk"))
    rows = [LikelyFinalPlan(request_id=ids[p.case_ref], as_of=on, p_plan=p.p_plan,
                            final_p10=p.final_p10, final_p50=p.final_p50,
                            final_p90=p.final_p90)
            for p in found if p.case_ref in ids]
    with transaction.atomic():
        LikelyFinalPlan.objects.all().delete()
        LikelyFinalPlan.objects.bulk_create(rows, batch_size=1000)
    return Refreshed(as_of=on, requests=len(rows))


@task()
def refresh_likely_plans() -> dict[str, object]:
    """The background task: today's likely final plans for every open request."""
    done = refresh()
    return {"as_of": done.as_of.isoformat(), "requests": done.requests}


#: how old a kept forecast may be and still be shown (a weekend without a worker is fine; a
#: month-old date would mislead)
SHOWN_FOR_DAYS = 7


@dataclass(frozen=True)
class LikelyDates:
    """What a page says about one request's likely final plan."""

    as_of: date
    p_plan: float
    earliest: date | None
    likeliest: date | None
    latest: date | None
    horizon: date

    @property
    def text(self) -> str:
        """'3 to 17 March 2027', '28 February to 17 March 2027' or 'after 4 December 2027'."""
        if self.earliest is None:
            return f"after {self.horizon:%-d %B %Y}"
        if self.latest is None:
            return f"from {self.earliest:%-d %B %Y}, possibly after {self.horizon:%-d %B %Y}"
        return span(self.earliest, self.latest)

    @property
    def chance(self) -> str:
        return f"{round(self.p_plan * 100)}%"


def span(first: date, last: date) -> str:
    if first == last:
        return f"{first:%-d %B %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day} to {last:%-d %B %Y}"
    if first.year == last.year:
        return f"{first:%-d %B} to {last:%-d %B %Y}"
    return f"{first:%-d %B %Y} to {last:%-d %B %Y}"


def kept_for(requests: Iterable[AssessmentRequest], *, today: date
             ) -> dict[int, LikelyDates]:
    """The kept likely final plans of these requests, if worked out in the last week."""
    ids = [r.pk for r in requests]
    kept = LikelyFinalPlan.objects.filter(request_id__in=ids,
                                          as_of__gte=today - timedelta(days=SHOWN_FOR_DAYS))
    return {k.request_id: LikelyDates(
        as_of=k.as_of, p_plan=k.p_plan, earliest=k.final_p10, likeliest=k.final_p50,
        latest=k.final_p90, horizon=k.as_of + timedelta(days=365)) for k in kept}
