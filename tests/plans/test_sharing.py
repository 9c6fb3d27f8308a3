"""The draft and the final plan reach the family as files on their case, scanned like any other.

Sending the draft for consultation (and making a version final) queues the PDF of exactly that
version once the change is committed; the task keeps it on the child's case, shared with the
family, after the virus scan.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ehcflow.files.models import FileKind, ScanStatus, StoredFile
from ehcflow.files.services import storage
from ehcflow.plans import services, sharing
from tests.files.clamd_daemon import clamd_socket, scanner  # noqa: F401 - fixtures
from tests.plans.conftest import PlanWorld
from tests.plans.test_services import build_good_plan

pytestmark = pytest.mark.django_db


def test_the_draft_sent_for_consultation_is_shared_with_the_family(
        ready: PlanWorld, scanner: str, django_capture_on_commit_callbacks: object) -> None:  # noqa: F811
    v = build_good_plan(ready)
    sent = timezone.localdate() - timedelta(days=3)
    with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[operator]
        v = services.consultation_start(version=v, expected_revision=v.revision, on=sent,
                                        by=ready.actor())
    # the sharing task is queued only once the change is committed (beside the family's
    # message about the draft)
    assert any("share_when_committed" in c.__qualname__ for c in callbacks)
    assert not StoredFile.objects.exists()

    officer = ready.actor().user
    assert officer is not None
    assert sharing.share_version_task.call(v.pk, officer.pk) == "shared"
    stored = StoredFile.objects.get()
    assert (stored.kind, stored.title) == (FileKind.DRAFT_PLAN, "Draft EHC plan")
    assert stored.shared_with_family
    assert stored.scan_status == ScanStatus.CLEAN
    assert stored.request_id == ready.case.pk and stored.child_id == ready.case.child_id
    with storage().open(stored.storage_name) as kept:
        assert kept.read(5) == b"%PDF-"


def test_a_version_that_has_gone_is_not_shared(ready: PlanWorld) -> None:
    assert sharing.share_version_task.call(10**9, None) == "gone"
    assert not StoredFile.objects.exists()
