"""Keeping a file: check its size and kind, scan it, store it, record it on the case.

`store_file` is the one way in, for a family's upload, a letter or a draft plan. In order:

1. size: over `EHCFLOW_UPLOAD_MAX_BYTES` (10 MB by default) is refused before it is read;
2. kind: the contents must be a PDF, DOCX, JPEG or PNG and the name must agree (`kinds`);
3. virus scan by clamd: a virus refuses the file (nothing is kept, nothing recorded); a clamd
   that does not answer leaves the file kept but "waiting for the virus check", and nobody can
   open it until `rescan_pending` (or the next attempt to open it) gets a clean answer;
4. stored in the "files" storage under a random name, with a row and a case event, in one
   transaction (the stored content is removed again if the transaction fails).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from ehcflow.casework.events import EventAction
from ehcflow.casework.models import AssessmentRequest, CaseEvent, Child
from ehcflow.casework.services import Actor, record_event
from ehcflow.files import clamd, kinds
from ehcflow.files.models import FileKind, ScanStatus, StoredFile

log = logging.getLogger(__name__)

#: A common council limit (docs/domain/families-and-partners.md).
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


class FileRefused(Exception):
    """The file is not kept; the message says why, for the person who chose it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def max_bytes() -> int:
    return int(getattr(settings, "EHCFLOW_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_size_text() -> str:
    return f"{max_bytes() / (1024 * 1024):g} MB"


def daemon() -> clamd.Daemon:
    """Where clamd listens (settings: EHCFLOW_CLAMD_SOCKET, or EHCFLOW_CLAMD_HOST and _PORT)."""
    return clamd.Daemon(
        socket_path=getattr(settings, "EHCFLOW_CLAMD_SOCKET", ""),
        host=getattr(settings, "EHCFLOW_CLAMD_HOST", ""),
        port=int(getattr(settings, "EHCFLOW_CLAMD_PORT", 3310)))


def storage() -> Storage:
    """The "files" storage of settings.STORAGES (the default storage if none is named)."""
    return storages["files"] if "files" in settings.STORAGES else storages["default"]


def _read(upload: UploadedFile | ContentFile[bytes]) -> bytes:
    size = upload.size or 0
    if size > max_bytes():
        raise FileRefused(f"The selected file must be smaller than {max_size_text()}.")
    data = b"".join(upload.chunks())
    if len(data) > max_bytes():  # the size the browser claimed is not trusted
        raise FileRefused(f"The selected file must be smaller than {max_size_text()}.")
    if not data:
        raise FileRefused("The selected file is empty.")
    return data


@dataclass(frozen=True)
class Stored:
    file: StoredFile
    event: CaseEvent


#: A second upload of the same bytes to the same request by the same person this soon after
#: the first is a double submit (a second press, a reloaded form), not a second document.
DOUBLE_SUBMIT_SECONDS = 60


def add_staff_document(*, upload: UploadedFile, request: AssessmentRequest, by: Actor,
                       kind: str, title: str, shared_with_family: bool) -> StoredFile:
    """A document staff put on a request: a letter sent to the family, advice, anything else.

    Returns the file already kept when the same person sent the same bytes to this request
    within `DOUBLE_SUBMIT_SECONDS` (nothing new is kept); otherwise the file `store_file` keeps.
    """
    data = _read(upload)
    since = timezone.now() - timedelta(seconds=DOUBLE_SUBMIT_SECONDS)
    earlier = StoredFile.objects.filter(
        request=request, uploaded_by=by.user, sha256=hashlib.sha256(data).hexdigest(),
        uploaded_at__gte=since).first() if by.user is not None else None
    if earlier is not None:
        return earlier
    # The case history names the kind, not the title: the title may say what the document is
    # about, and the history is read by roles that may not see that (files.access).
    shared = "shared with the family" if shared_with_family else "not shared with the family"
    label = dict(FileKind.choices)[kind].lower() if kind in FileKind.values else "document"
    return store_file(upload=ContentFile(data), name=upload.name or "document",
                      child=request.child, request=request, by=by, kind=kind, title=title,
                      shared_with_family=shared_with_family,
                      description=f"Document added: {label} ({shared})").file


def store_file(
    *, upload: UploadedFile | ContentFile[bytes], name: str, child: Child, by: Actor,
    kind: str, title: str, request: AssessmentRequest | None = None,
    shared_with_family: bool = False, description: str = "",
) -> Stored:
    """Check, scan and keep a file on a child's case; raises FileRefused with the reason."""
    if kind not in FileKind.values:
        raise FileRefused("Choose what kind of document this is.")
    title = " ".join(title.split())[:120]
    if not title:
        raise FileRefused("Enter what the document is.")
    data = _read(upload)
    problem = kinds.problem(name, data)
    if problem is not None:
        raise FileRefused(problem)
    detected = kinds.kind_of(data[:16], data)
    assert detected is not None
    result = clamd.scan_bytes(daemon(), data)
    if result.verdict is clamd.Verdict.INFECTED:
        # Nothing is kept; an opaque line for the operators (no names: personal data).
        log.warning("refused an upload on child %s: virus %s", child.public_id, result.detail)
        raise FileRefused("The selected file contains a virus, so it has not been kept. "
                          "Do not open it again on your device. Choose another file.")
    status = (ScanStatus.CLEAN if result.verdict is clamd.Verdict.CLEAN
              else ScanStatus.PENDING)
    if status == ScanStatus.PENDING:
        log.warning("virus scanner unavailable (%s): file kept, waiting", result.detail)
    storage_name = f"{timezone.now():%Y/%m}/{secrets.token_hex(16)}"
    store = storage()
    saved_as = store.save(storage_name, ContentFile(data))
    try:
        with transaction.atomic():
            row = StoredFile.objects.create(
                child=child, request=request, kind=kind, title=title,
                original_name=name.replace("/", "_").replace("\\", "_")[-200:],
                content_type=detected.content_type, size=len(data),
                sha256=hashlib.sha256(data).hexdigest(), storage_name=saved_as,
                scan_status=status,
                scanned_at=timezone.now() if status == ScanStatus.CLEAN else None,
                uploaded_by=by.user, uploaded_by_name=by.label,
                shared_with_family=shared_with_family,
            )
            event = record_event(
                child=child, request=request, action=EventAction.FILE_ADDED, by=by,
                on=timezone.localdate(),
                description=description or f"Document added: {title}",
                changes={"file": str(row.public_id), "kind": kind, "size": len(data),
                         "scan": status},
            )
    except Exception:
        store.delete(saved_as)
        raise
    return Stored(file=row, event=event)


def rescan(stored: StoredFile) -> StoredFile:
    """Scan a file still waiting for its virus check; an infected one is removed from storage.

    The row stays (the case event names it), marked infected, so it can never be opened.
    """
    if stored.scan_status != ScanStatus.PENDING:
        return stored
    store = storage()
    with store.open(stored.storage_name, "rb") as handle:
        result = clamd.scan_chunks(daemon(), iter(lambda: handle.read(clamd.CHUNK_SIZE), b""))
    if result.verdict is clamd.Verdict.UNAVAILABLE:
        return stored
    with transaction.atomic():
        locked = StoredFile.objects.select_for_update().get(pk=stored.pk)
        if locked.scan_status != ScanStatus.PENDING:
            return locked
        locked.scanned_at = timezone.now()
        if result.verdict is clamd.Verdict.CLEAN:
            locked.scan_status = ScanStatus.CLEAN
        else:
            locked.scan_status = ScanStatus.INFECTED
            log.warning("virus %s found in kept file %s: removed", result.detail,
                        locked.public_id)
        locked.save(update_fields=["scan_status", "scanned_at"])
    if locked.scan_status == ScanStatus.INFECTED:
        store.delete(locked.storage_name)
    return locked


def rescan_pending(limit: int = 500) -> dict[str, int]:
    """Scan the files waiting for their check (`ehcflow files-scan`); counts by outcome."""
    counts = {s.value: 0 for s in ScanStatus}
    for stored in StoredFile.objects.filter(scan_status=ScanStatus.PENDING)[:limit]:
        counts[rescan(stored).scan_status] += 1
    return counts
