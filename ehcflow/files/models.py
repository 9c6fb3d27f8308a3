"""Files kept about a child's case: uploads, letters and draft plans.

The content lives in the "files" storage (settings.STORAGES: a folder under EHCFLOW_VAR_DIR,
outside the web root, or an S3-compatible bucket), under an opaque name; the row says whose
case it belongs to, who may see it and whether the virus scan has passed. Nothing is opened
before the scan says clean (`ScanStatus`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class ScanStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the virus check"
    CLEAN = "clean", "Checked, no virus found"
    INFECTED = "infected", "A virus was found"


class FileKind(models.TextChoices):
    FAMILY_UPLOAD = "family_upload", "Sent by the family"
    LETTER = "letter", "Letter"
    DRAFT_PLAN = "draft_plan", "Draft EHC plan"
    FINAL_PLAN = "final_plan", "Final EHC plan"
    ADVICE = "advice", "Advice"
    OTHER = "other", "Document"


class StoredFile(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey("casework.Child", on_delete=models.PROTECT, related_name="files")
    request = models.ForeignKey("casework.AssessmentRequest", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="files")
    kind = models.CharField(max_length=20, choices=FileKind.choices)
    title = models.CharField(max_length=120, help_text="What the document is, in plain words.")
    #: the name it came with: kept for the download's file name, never shown in a page
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    #: the name inside the storage: random, with no personal data
    storage_name = models.CharField(max_length=200, unique=True)
    scan_status = models.CharField(max_length=10, choices=ScanStatus.choices,
                                   default=ScanStatus.PENDING)
    scanned_at = models.DateTimeField(null=True, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_by_name = models.CharField(max_length=150)
    shared_with_family = models.BooleanField(
        default=False, help_text="The family may open it (letters, draft plans, their own).")

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["request", "uploaded_at"]),
                   models.Index(fields=["scan_status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.uploaded_at:%Y-%m-%d})"

    @property
    def openable(self) -> bool:
        return self.scan_status == ScanStatus.CLEAN
