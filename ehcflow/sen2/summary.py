"""What the SEN2 page shows, kept until the records change.

Building a collection's return for a large authority takes seconds (the whole authority is
read), and the page is opened again and again while the errors are put right. The summary
(checks, reconciliation, counts) is kept in the cache under a fingerprint of the records:
the last case event (every service writes one), and the number of rows and latest change of
each table the return reads, so an import, a disposal or an edit makes a new one. The settings
the header uses are in the key too. A summary is kept at most `KEEP_SECONDS` in any case.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max

from ehcflow.casework.models import (
    AnnualReview,
    AssessmentRequest,
    CaseEvent,
    Child,
    EHCPlan,
    Institution,
    PlanNeed,
    PlanSetting,
    StatutoryException,
)
from ehcflow.disagreements.models import Disagreement
from ehcflow.sen2 import checks, reconcile, selectors
from ehcflow.sen2.checks import Finding
from ehcflow.sen2.items import Collection
from ehcflow.sen2.reconcile import Line

KEEP_SECONDS = 15 * 60
_CHANGED = (Child, AssessmentRequest, EHCPlan, AnnualReview, Disagreement)
_ADDED = (PlanNeed, PlanSetting, Institution, StatutoryException)


@dataclass(frozen=True)
class Summary:
    findings: list[Finding]
    lines: list[Line]
    persons: int
    requests: int


def fingerprint() -> str:
    """Changes whenever anything the return reads changes (one small query per table)."""
    parts: list[object] = [CaseEvent.objects.aggregate(last=Max("seq"))["last"]]
    for model in _CHANGED:
        parts.append(tuple(model.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
                           .values()))
    for added in _ADDED:
        parts.append(tuple(added.objects.aggregate(n=Count("pk"), last=Max("pk")).values()))
    parts += [getattr(settings, name, "") for name in (
        "EHCFLOW_SEN2_LA_NUMBER", "EHCFLOW_SEN2_DMO", "EHCFLOW_SEN2_DCO", "EHCFLOW_SEN2_DSCO")]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def summary(coll: Collection) -> Summary:
    """The collection's checks, reconciliation and counts: from the cache when unchanged."""
    key = f"ehcflow:sen2-summary:{coll.year}:{fingerprint()}"
    found = cache.get(key)
    if isinstance(found, Summary):
        return found
    ret = selectors.build_return(coll)
    made = Summary(findings=checks.run_checks(ret), lines=reconcile.reconcile(ret),
                   persons=len(ret.persons), requests=len(ret.requests()))
    cache.set(key, made, KEEP_SECONDS)
    return made
