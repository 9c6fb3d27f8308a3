"""The draft and final plan sent to the family as a file they can open from their case page.

When a draft goes out for consultation, or a version is made final, the PDF of exactly that
version is kept as a file on the child's case and shared with the family (regs 13 and 14 send
the draft and the final plan to the parent or young person). The file goes through the same
checks and virus scan as every other (`files.services.store_file`). Rendering takes about half
a second, so it runs as a background task after the change is committed.
"""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.tasks import task

from ehcflow.casework.services import Actor
from ehcflow.files.models import FileKind, StoredFile
from ehcflow.files.services import FileRefused, store_file
from ehcflow.people.models import User
from ehcflow.plans import selectors
from ehcflow.plans.models import PlanVersion, VersionStatus
from ehcflow.plans.output import download_name, render

log = logging.getLogger(__name__)


def _title(version: PlanVersion) -> tuple[str, str]:
    amended = version.is_amendment
    if version.status == VersionStatus.FINAL:
        return FileKind.FINAL_PLAN, "Final amended EHC plan" if amended else "Final EHC plan"
    return FileKind.DRAFT_PLAN, "Proposed amendments to the EHC plan" if amended \
        else "Draft EHC plan"


def share_version(version: PlanVersion, *, by: Actor) -> StoredFile | None:
    """Keep the version's PDF on the case, shared with the family; None if refused."""
    document = version.document
    kind, title = _title(version)
    data = render(selectors.plan_content(version), "pdf")
    try:
        stored = store_file(upload=ContentFile(data), name=download_name(version, "pdf"),
                            child=document.child, request=document.request, by=by, kind=kind,
                            title=title, shared_with_family=True)
    except FileRefused as refusal:
        # Only a misconfigured size limit could refuse our own PDF; say so to the operators.
        log.error("plan version %s not shared: %s", version.pk, refusal)
        return None
    return stored.file


@task()
def share_version_task(version_id: int, user_id: int | None) -> str:
    """The background half of `share_when_committed`."""
    version = (PlanVersion.objects.select_related("document__child", "document__request")
               .filter(pk=version_id).first())
    if version is None:
        return "gone"
    user = User.objects.filter(pk=user_id).first() if user_id is not None else None
    stored = share_version(version, by=Actor(user=user, name="plan sharing"))
    return "shared" if stored is not None else "refused"


def share_when_committed(version: PlanVersion, *, by: Actor) -> None:
    """Queue the version's PDF for the family once the change that sent it is committed."""
    user_id = by.user.pk if by.user is not None else None
    transaction.on_commit(lambda: share_version_task.enqueue(version.pk, user_id))
