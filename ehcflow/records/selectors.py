"""Reads for records management: who is past retention, and everything held about a child."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from ehcflow.casework import choices as c
from ehcflow.casework.models import (
    AdviceRequest,
    AnnualReview,
    AssessmentRequest,
    CaseEvent,
    Child,
    EHCPlan,
    PlanNeed,
    PlanSetting,
    RecordAccess,
    StatutoryException,
)
from ehcflow.disagreements.models import Disagreement, TribunalOrder
from ehcflow.records import schedule
from ehcflow.records.models import DisposalBatch, DisposalItem


def retention_years() -> int:
    """The council's period after the 25th birthday (EHCFLOW_RETENTION_YEARS), checked."""
    return schedule.parse_years(getattr(settings, "EHCFLOW_RETENTION_YEARS",
                                        schedule.DEFAULT_YEARS))


@dataclass(frozen=True)
class RetentionStatus:
    """A child whose retention date has passed: due for disposal, or held and why."""

    child_id: int
    person_ref: str
    retain_until: date
    held: str  # empty when the record may be disposed of
    in_batch: str  # the reference of an undisposed batch already holding it, or empty

    @property
    def due(self) -> bool:
        return not self.held


def past_retention(as_of: date, years: int) -> list[RetentionStatus]:
    """Every child whose record has passed 25th birthday + `years` on `as_of`, oldest first."""
    latest_birth = schedule.anniversary(as_of, -(schedule.AGE_LIMIT + years))
    open_request = AssessmentRequest.objects.filter(child=OuterRef("pk"),
                                                    stage__in=c.OPEN_STAGES)
    plan_in_force = EHCPlan.objects.filter(
        Q(cease_date__isnull=True) | Q(cease_date__gt=as_of), child=OuterRef("pk"),
        first_issued_date__lte=as_of)
    open_disagreement = Disagreement.objects.filter(child=OuterRef("pk"),
                                                    concluded_on__isnull=True)
    # The date filter may let in a day too many around 29 February; the pure rule decides.
    rows = (Child.objects.filter(date_of_birth__lte=latest_birth)
            .annotate(open_request=Exists(open_request), plan_in_force=Exists(plan_in_force),
                      open_disagreement=Exists(open_disagreement))
            .order_by("date_of_birth", "person_ref")
            .values_list("pk", "person_ref", "date_of_birth", "open_request",
                         "plan_in_force", "open_disagreement"))
    batches = dict(DisposalItem.objects.filter(
        child__isnull=False, batch__status__in=[DisposalBatch.Status.PROPOSED,
                                                DisposalBatch.Status.APPROVED])
        .values_list("child_id", "batch__reference"))
    found = []
    for pk, ref, born, has_request, has_plan, has_disagreement in rows:
        if not schedule.is_past_retention(born, years, as_of):
            continue
        reasons = [reason for flag, reason in (
            (has_request, "an open request"), (has_plan, "a plan in force"),
            (has_disagreement, "an unresolved disagreement")) if flag]
        held = f"held: {' and '.join(reasons)}" if reasons else ""
        found.append(RetentionStatus(pk, ref, schedule.retain_until(born, years), held,
                                     batches.get(pk, "")))
    return found


def find_child(identifier: str) -> Child | None:
    """A child by public id (UUID) or the authority's person reference."""
    text = identifier.strip()
    try:
        from uuid import UUID

        return Child.objects.filter(public_id=UUID(text)).first()
    except ValueError:
        return Child.objects.filter(person_ref=text).first()


@dataclass(frozen=True)
class Section:
    """One kind of record held about the child, as rows of (label, value) for people and
    the raw field values for machines."""

    key: str
    title: str
    columns: list[tuple[str, str]]  # (field name, label)
    rows: list[dict[str, Any]]


#: Internal columns shown to nobody: database ids and the audit chain's bookkeeping.
_INTERNAL = {"id", "seq", "chain_hash"}


def _section(key: str, title: str, model: type[Any], query: Any) -> Section:
    fields = [field for field in model._meta.concrete_fields if field.name not in _INTERNAL]
    columns = [(field.name, str(field.verbose_name).capitalize()) for field in fields]
    rows = []
    for obj in query:
        row: dict[str, Any] = {}
        for field in fields:
            if field.is_relation:
                related = getattr(obj, field.name)
                row[field.name] = None if related is None else _describe(related)
            elif field.choices:
                value = getattr(obj, field.attname)
                row[field.name] = getattr(obj, f"get_{field.name}_display")() if value else value
            else:
                row[field.name] = getattr(obj, field.attname)
        rows.append(row)
    return Section(key, title, columns, rows)


def _describe(obj: Any) -> str:
    """How a linked record is named in the summary (a user by name, a request by reference)."""
    if hasattr(obj, "get_full_name"):
        return str(obj.get_full_name() or obj.get_username())
    return str(obj)


def subject_access(child: Child) -> list[Section]:
    """Everything held about one child, section by section (UK GDPR art. 15)."""
    requests = AssessmentRequest.objects.filter(child=child).order_by("received_date", "id")
    plans = EHCPlan.objects.filter(child=child).order_by("first_issued_date", "id")
    return [
        _section("child", "The child or young person", Child, [child]),
        _section("requests", "Requests for an assessment", AssessmentRequest,
                 requests.select_related("officer", "school_requested")),
        _section("advice", "Advice and information sought", AdviceRequest,
                 AdviceRequest.objects.filter(request__child=child)
                 .select_related("request", "adviser").order_by("requested_on", "id")),
        _section("exceptions", "Exceptions to time limits", StatutoryException,
                 StatutoryException.objects.filter(request__child=child)
                 .select_related("request").order_by("start_date", "id")),
        _section("plans", "EHC plans", EHCPlan, plans.select_related("request", "officer")),
        _section("settings", "Settings named in plans", PlanSetting,
                 PlanSetting.objects.filter(plan__child=child)
                 .select_related("plan", "institution").order_by("plan_id", "rank")),
        _section("needs", "Special educational needs recorded in plans", PlanNeed,
                 PlanNeed.objects.filter(plan__child=child).select_related("plan")
                 .order_by("plan_id", "rank")),
        _section("reviews", "Reviews of plans", AnnualReview,
                 AnnualReview.objects.filter(plan__child=child).select_related("plan")
                 .order_by("due_date", "id")),
        _section("disagreements", "Mediation and appeals", Disagreement,
                 Disagreement.objects.filter(Q(child=child) | Q(request__child=child))
                 .select_related("child", "request", "plan").order_by("started_on", "id")),
        _section("orders", "Orders of the Tribunal", TribunalOrder,
                 TribunalOrder.objects.filter(appeal__child=child).select_related("appeal")
                 .order_by("made_on", "id")),
        _section("events", "What happened on the record", CaseEvent,
                 CaseEvent.objects.filter(child=child)
                 .select_related("child", "request", "plan", "actor")
                 .order_by("occurred_at", "id")),
        _section("access", "Who looked at or changed the record", RecordAccess,
                 RecordAccess.objects.filter(Q(child=child) | Q(request__child=child))
                 .select_related("user", "child", "request").order_by("at", "id")),
    ]
