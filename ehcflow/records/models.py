"""The retention schedule's reviewed disposals.

A disposal runs in three steps, each by a named person: someone proposes a batch of the
children whose records have passed their retention date, a different person reviews and
approves it, and only then are the records deleted. What was deleted is kept for good in
`DisposalRecord` (append-only, enforced by database triggers like the case events), holding
internal references and counts only, never a name.
"""

from __future__ import annotations

from django.db import models


class DisposalBatch(models.Model):
    """A batch of children's records proposed for disposal at the end of retention."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed, awaiting review"
        APPROVED = "approved", "Approved by the reviewer"
        DISPOSED = "disposed", "Disposed of"

    reference = models.CharField(max_length=20, unique=True)
    as_of = models.DateField(help_text="The date retention was assessed on.")
    retention_years = models.PositiveSmallIntegerField(
        help_text="Years kept after the 25th birthday when the batch was proposed.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.CharField(max_length=150)
    proposed_at = models.DateTimeField(auto_now_add=True)
    reviewer = models.CharField(max_length=150, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    disposed_by = models.CharField(max_length=150, blank=True)
    disposed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]
        verbose_name_plural = "disposal batches"

    def __str__(self) -> str:
        return self.reference


class DisposalItem(models.Model):
    """One child's record in a batch. The child link goes when the record is deleted."""

    batch = models.ForeignKey(DisposalBatch, on_delete=models.CASCADE, related_name="items")
    child = models.ForeignKey("casework.Child", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    person_ref = models.CharField("person id", max_length=40,
                                  help_text="The authority's internal reference, kept as the "
                                            "record of what was disposed of.")
    retain_until = models.DateField()
    disposed = models.BooleanField(default=False)

    class Meta:
        ordering = ["person_ref"]
        constraints = [models.UniqueConstraint(fields=["batch", "person_ref"],
                                               name="records_item_once_per_batch")]

    def __str__(self) -> str:
        return f"{self.person_ref} in {self.batch_id}"


class DisposalRecord(models.Model):
    """The permanent record of one disposal: what went, on whose approval, and when.

    Append-only (migration 0001 installs triggers refusing UPDATE and DELETE), so a disposal
    can always be shown to the Information Commissioner or a court. Holds internal
    references and counts, no names or dates of birth.
    """

    batch_reference = models.CharField(max_length=20, unique=True)
    as_of = models.DateField()
    retention_years = models.PositiveSmallIntegerField()
    children = models.PositiveIntegerField()
    person_refs = models.JSONField(default=list)
    counts = models.JSONField(default=dict, help_text="Rows deleted, by kind of record.")
    proposed_by = models.CharField(max_length=150)
    reviewer = models.CharField(max_length=150)
    approved_at = models.DateTimeField()
    disposed_by = models.CharField(max_length=150)
    disposed_at = models.DateTimeField()

    class Meta:
        ordering = ["disposed_at", "id"]

    def __str__(self) -> str:
        return f"Disposal {self.batch_reference}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Disposal records are append-only.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("Disposal records are append-only and cannot be deleted.")
