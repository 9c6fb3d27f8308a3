"""Opening a kept file: permission first, then the virus check, then the download, audited."""

from __future__ import annotations

import logging
import uuid

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.shortcuts import render

from ehcflow.casework.audit import record_access
from ehcflow.casework.models import RecordAccess
from ehcflow.files import services
from ehcflow.files.access import may_open
from ehcflow.files.models import ScanStatus, StoredFile

log = logging.getLogger(__name__)


@login_required
def download(http_request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    """The file, to someone who may open it and only once the virus check has passed.

    Someone who may not open it is told there is no such page (404), as for a guessed address,
    and the attempt is logged. A file waiting for its check is scanned again now; if the
    scanner still does not answer, or it found a virus, the person is told so in words.
    """
    stored = (StoredFile.objects.select_related("request", "child")
              .filter(public_id=public_id).first())
    if stored is None:
        raise Http404("No such file")
    if not may_open(http_request.user, stored):
        record_access(http_request, RecordAccess.Kind.REFUSED, page="file:download",
                      child=stored.child, case=stored.request)
        log.warning("refused file %s to user %s", stored.public_id, http_request.user.pk)
        raise Http404("No such file")
    if stored.scan_status == ScanStatus.PENDING:
        stored = services.rescan(stored)
    if not stored.openable:
        record_access(http_request, RecordAccess.Kind.REFUSED, page="file:not-scanned",
                      child=stored.child, case=stored.request)
        return render(http_request, "files/not_openable.html", {"file": stored}, status=409)
    record_access(http_request, RecordAccess.Kind.VIEW, page="file:download",
                  child=stored.child, case=stored.request)
    handle = services.storage().open(stored.storage_name, "rb")
    return FileResponse(handle, as_attachment=True, filename=stored.original_name,
                        content_type=stored.content_type)
