"""Writing the access log. Called by every view that shows or exports a child's record."""

from __future__ import annotations

from django.http import HttpRequest

from ehcflow.casework.models import AssessmentRequest, Child, RecordAccess


def record_access(
    http_request: HttpRequest, kind: str, *, page: str, child: Child | None = None,
    case: AssessmentRequest | None = None,
) -> None:
    user = http_request.user
    if not user.is_authenticated:
        return
    RecordAccess.objects.create(
        user=user, kind=kind, page=page, child=child or (case.child if case else None),
        request=case,
    )
