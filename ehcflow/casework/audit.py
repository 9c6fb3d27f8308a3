"""Writing the access log. Called by every view that shows or exports a child's record.

Each row is a link of the access log's hash chain: `RecordAccess.save()` numbers and hashes
it under the chain head's lock (`ehcflow.audit.chain`, decision 0008), so `ehcflow audit
verify` shows any row changed, removed or inserted around the application.
"""

from __future__ import annotations

from django.http import HttpRequest

from ehcflow.casework.models import AssessmentRequest, Child, RecordAccess


def record_access(
    http_request: HttpRequest, kind: str, *, page: str, child: Child | None = None,
    case: AssessmentRequest | None = None,
) -> None:
    """Log that the signed-in user viewed, changed, exported or was refused a record.

    Anonymous requests are not logged (they reach no record). `page` is an internal page
    name, never personal data; at most 80 characters are kept.
    """
    user = http_request.user
    if not user.is_authenticated:
        return
    RecordAccess.objects.create(
        user=user, kind=kind, page=page[:80], child=child or (case.child if case else None),
        request=case,
    )
