"""Writes for records management: reviewed disposal at the end of retention, and logging a
subject access request.

Disposal is deliberately slow and named at every step (UK GDPR art. 5(1)(e) storage
limitation, and art. 5(2) accountability): a batch is proposed by one person, approved by a
different, named reviewer, and only then disposed of, in one transaction per batch. The
case events and access-log rows go through the audit's disposal API
(`ehcflow.audit.disposal`), which records each removed link so the hash chains still verify;
what was disposed of is kept in the append-only `DisposalRecord`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from ehcflow.audit import disposal
from ehcflow.casework.models import (
    AssessmentRequest,
    CaseEvent,
    Child,
    EHCPlan,
    RecordAccess,
)
from ehcflow.disagreements.models import Disagreement
from ehcflow.people.models import User
from ehcflow.records import selectors
from ehcflow.records.models import DisposalBatch, DisposalItem, DisposalRecord


class RecordsError(ValueError):
    """A records-management step that was refused; nothing changed. The message says why."""


def named_user(username: str, role: str) -> User:
    """The active account a step is recorded against (proposer, reviewer, disposer)."""
    user = User.objects.filter(username=username.strip()).first() if username else None
    if user is None or not user.is_active:
        raise RecordsError(f"The {role} must be named by the username of an active account; "
                           f"there is no active account '{username}'.")
    return user


def label(user: User) -> str:
    """How a person is named in the records of a disposal: name and username."""
    name = user.get_full_name()
    return f"{name} ({user.username})" if name else user.username


@transaction.atomic
def propose(*, as_of: date, by: str) -> DisposalBatch:
    """Put every child now due for disposal (and not already in a batch) in a new batch."""
    proposer = named_user(by, "person proposing the disposal")
    if as_of > timezone.localdate():
        raise RecordsError("A batch can only be proposed for today or an earlier date: no "
                           "record may be disposed of before its retention date.")
    years = selectors.retention_years()
    due = [status for status in selectors.past_retention(as_of, years)
           if status.due and not status.in_batch]
    if not due:
        raise RecordsError(f"No records are due for disposal on {as_of:%d %B %Y} that are not "
                           "already in a batch.")
    number = DisposalBatch.objects.filter(reference__startswith=f"RD-{as_of.year}-").count() + 1
    batch = DisposalBatch.objects.create(
        reference=f"RD-{as_of.year}-{number:04d}", as_of=as_of, retention_years=years,
        proposed_by=label(proposer))
    DisposalItem.objects.bulk_create([
        DisposalItem(batch=batch, child_id=status.child_id, person_ref=status.person_ref,
                     retain_until=status.retain_until) for status in due])
    return batch


def _batch(reference: str) -> DisposalBatch:
    batch = DisposalBatch.objects.select_for_update().filter(reference=reference).first()
    if batch is None:
        raise RecordsError(f"There is no disposal batch {reference}.")
    return batch


@transaction.atomic
def approve(reference: str, *, reviewer: str) -> DisposalBatch:
    """A named reviewer, not the proposer, approves a proposed batch."""
    batch = _batch(reference)
    if batch.status != DisposalBatch.Status.PROPOSED:
        raise RecordsError(f"Batch {reference} is {batch.get_status_display().lower()}; only "
                           "a proposed batch can be approved.")
    user = named_user(reviewer, "reviewer")
    if label(user) == batch.proposed_by:
        raise RecordsError("The reviewer must be someone other than the person who proposed "
                           "the batch.")
    batch.status = DisposalBatch.Status.APPROVED
    batch.reviewer = label(user)
    batch.approved_at = timezone.now()
    batch.save(update_fields=["status", "reviewer", "approved_at"])
    return batch


@dataclass
class DisposalResult:
    record: DisposalRecord
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (person_ref, why)


@transaction.atomic
def dispose(reference: str, *, by: str) -> DisposalResult:
    """Delete the records of every child in an approved batch that is still due.

    Each child is checked again first: one with new activity since the review (a new request,
    say) is kept and reported, never deleted on an old approval.
    """
    batch = _batch(reference)
    if batch.status != DisposalBatch.Status.APPROVED:
        raise RecordsError(f"Batch {reference} is {batch.get_status_display().lower()}; only "
                           "an approved batch can be disposed of.")
    runner = label(named_user(by, "person running the disposal"))
    years = batch.retention_years
    due = {status.child_id: status
           for status in selectors.past_retention(timezone.localdate(), years)}
    reason = (f"Retention: 25th birthday + {years} years; batch {batch.reference} approved by "
              f"{batch.reviewer}")[:300]
    counts: Counter[str] = Counter()
    result_skipped: list[tuple[str, str]] = []
    disposed_refs: list[str] = []
    for item in batch.items.select_related("child").order_by("person_ref"):
        status = due.get(item.child_id) if item.child_id else None
        if item.child is None:
            result_skipped.append((item.person_ref, "the record no longer exists"))
            continue
        if status is None or not status.due:
            why = status.held if status is not None else "no longer past retention"
            result_skipped.append((item.person_ref, why))
            continue
        counts.update(delete_child_records(item.child, reason=reason, by=runner[:150]))
        DisposalItem.objects.filter(pk=item.pk).update(disposed=True)
        disposed_refs.append(item.person_ref)
    now = timezone.now()
    assert batch.approved_at is not None
    record = DisposalRecord.objects.create(
        batch_reference=batch.reference, as_of=batch.as_of, retention_years=years,
        children=len(disposed_refs), person_refs=disposed_refs, counts=dict(sorted(counts.items())),
        proposed_by=batch.proposed_by, reviewer=batch.reviewer, approved_at=batch.approved_at,
        disposed_by=runner, disposed_at=now)
    batch.status = DisposalBatch.Status.DISPOSED
    batch.disposed_by = runner
    batch.disposed_at = now
    batch.save(update_fields=["status", "disposed_by", "disposed_at"])
    return DisposalResult(record=record, skipped=result_skipped)


def delete_child_records(child: Child, *, reason: str, by: str) -> Counter[str]:
    """Delete everything held about one child; return the rows deleted by kind.

    The case events and access log go first, through the audit's disposal API (the only way
    past their append-only triggers, leaving a disposal link so the chains verify); then
    disagreements, plans (with their settings, needs and reviews), requests (with advice and
    exceptions) and the child. Runs in the caller's transaction.
    """
    counts: Counter[str] = Counter()
    counts["case events"] = disposal.dispose(CaseEvent.objects.filter(child=child),
                                             reason=reason, by=by)
    counts["access-log entries"] = disposal.dispose(
        RecordAccess.objects.filter(Q(child=child) | Q(request__child=child)),
        reason=reason, by=by)
    try:
        for query in (Disagreement.objects.filter(Q(child=child) | Q(request__child=child)),
                      EHCPlan.objects.filter(child=child),
                      AssessmentRequest.objects.filter(child=child),
                      Child.objects.filter(pk=child.pk)):
            _total, by_model = query.delete()
            for model_label, count in by_model.items():
                if count and not model_label.startswith("records."):
                    counts[_plain(model_label)] += count
    except ProtectedError as error:
        raise RecordsError("A record elsewhere still refers to this child's records, so "
                           "nothing was disposed of.") from error
    return counts


def _plain(model_label: str) -> str:
    from django.apps import apps

    return str(apps.get_model(model_label)._meta.verbose_name_plural)


def record_subject_access(child: Child, *, by: str) -> User:
    """Write the gathering of a subject access request to the access log."""
    user = named_user(by, "person gathering the records")
    RecordAccess.objects.create(user=user, kind=RecordAccess.Kind.EXPORT, child=child,
                                page="subject access request")
    return user
