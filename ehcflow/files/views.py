"""Opening a kept file (permission first, then the virus check, then the download, audited),
and staff putting a document on a request."""

from __future__ import annotations

import logging
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ehcflow.casework.access import visible_requests
from ehcflow.casework.audit import record_access
from ehcflow.casework.models import RecordAccess
from ehcflow.casework.services import Actor
from ehcflow.files import kinds, services
from ehcflow.files.access import may_add_documents, may_open
from ehcflow.files.forms import StaffDocumentForm
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


@login_required
@require_http_methods(["GET", "POST"])
def add(http_request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Put a document on a request: staff who record the steps of cases in their scope.

    A request outside the person's scope answers 404, as a guessed address does; a role that
    may not record steps is refused (403). A file refused for its size, kind or a virus is
    named in words and nothing is kept.
    """
    case = visible_requests(http_request.user).select_related("child").filter(
        public_id=public_id).first()
    if case is None:
        raise Http404("No such request")
    if not may_add_documents(http_request.user):
        record_access(http_request, RecordAccess.Kind.REFUSED, page="file:add", case=case)
        raise PermissionDenied
    posted = http_request.method == "POST"
    form = StaffDocumentForm(http_request.POST if posted else None,
                             http_request.FILES if posted else None)
    if posted and form.is_valid():
        d = form.cleaned_data
        try:
            services.add_staff_document(
                upload=d["document"], request=case, by=Actor(user=http_request.user),  # type: ignore[arg-type]
                kind=d["kind"], title=d["title"], shared_with_family=d["shared_with_family"])
        except services.FileRefused as refused:
            form.add_error("document", refused.message)
        else:
            messages.success(http_request, "The document has been added to the request.")
            return redirect("casework:request", case.public_id)
    record_access(http_request, RecordAccess.Kind.VIEW, page="file:add", case=case)
    return render(http_request, "files/add.html", {
        "form": form, "case": case, "accepted": kinds.ACCEPTED_TEXT,
        "max_size": services.max_size_text()})
