"""Reading the documents kept on a case."""

from __future__ import annotations

from django.db.models import QuerySet

from ehcflow.casework.models import AssessmentRequest
from ehcflow.files.models import StoredFile


def documents_for(case: AssessmentRequest) -> QuerySet[StoredFile]:
    """Every document on the request, newest first (one query)."""
    return StoredFile.objects.filter(request=case).order_by("-uploaded_at", "-id")
