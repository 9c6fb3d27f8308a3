"""Download one version of a plan as PDF or Word: permission-checked and audited.

Only the casework roles with the case in scope may download a plan (`plans.access.sees_document`,
which asks `people.access`); anyone else gets the same 404 as for a plan that does not exist,
and the refusal is logged. Every download is an export of the child's record in the access
log (`RecordAccess.Kind.EXPORT`). The file name carries the case reference and version, never
the child's name.
"""

from __future__ import annotations

import logging
import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from ehcflow.casework.audit import record_access
from ehcflow.casework.models import RecordAccess
from ehcflow.plans import access, selectors
from ehcflow.plans.models import PlanDocument
from ehcflow.plans.output import FORMATS, download_name, render

log = logging.getLogger(__name__)


@login_required
@require_GET
def download(http_request: HttpRequest, document_id: uuid.UUID, number: int,
             fmt: str) -> HttpResponse:
    """The version as a file: `fmt` is "pdf" (accessible, tagged) or "docx" (Word)."""
    if fmt not in FORMATS:
        raise Http404("No such format")
    page = f"plan:download:{fmt}"
    document = (PlanDocument.objects.select_related("child", "request", "plan")
                .filter(public_id=document_id).first())
    if document is None:
        raise Http404("No such plan")
    if not access.sees_document(http_request.user, document):
        record_access(http_request, RecordAccess.Kind.REFUSED, page=page, child=document.child,
                      case=document.request)
        log.warning("refused plan download for user %s", http_request.user.pk)
        raise Http404("No such plan")
    version = document.versions.filter(number=number).select_related(
        "document", "document__request").first()
    if version is None:
        raise Http404("No such version")
    data = render(selectors.plan_content(version), fmt)
    record_access(http_request, RecordAccess.Kind.EXPORT, page=page, child=document.child,
                  case=document.request)
    response = HttpResponse(data, content_type=FORMATS[fmt].content_type)
    response["Content-Disposition"] = f'attachment; filename="{download_name(version, fmt)}"'
    return response
