"""Invented people for the records tests: records past retention, and the staff who review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from ehcflow.casework import choices as c
from ehcflow.casework import services
from ehcflow.casework.models import AssessmentRequest, Child, RecordAccess
from ehcflow.disagreements import services as disagreements
from ehcflow.people.models import User

#: Born 1 January 1995: 25 on 1 January 2020, so past retention (25 + 6) from 1 January 2026.
OLD_BIRTH = date(1995, 1, 1)


@dataclass
class Old:
    """Two people past retention: one with nothing open, one with an open request."""

    done: Child
    done_request: AssessmentRequest
    open: Child
    viewer: User


@pytest.fixture
def staff(db: None) -> dict[str, User]:
    return {name: User.objects.create_user(username=name, password="not-a-real-password-1",
                                           first_name=name.title(), last_name="Tester")
            for name in ("proposer", "reviewer", "runner")}


@pytest.fixture
def old(db: None, system_actor: services.Actor, staff: dict[str, User]) -> Old:
    done = services.child_create(person_ref="R0001", date_of_birth=OLD_BIRTH,
                                 forename="Ada", surname="Invented", by=system_actor)
    request = services.request_register(child=done, case_ref="RC-1", by=system_actor,
                                        received_date=date(2015, 6, 1))
    services.request_close(request=request, on=date(2015, 9, 1),
                           closed_reason=c.ClosedReason.WITHDRAWN, by=system_actor)
    disagreements.disagreement_record(
        child=done, request=request, kind=c.DisagreementKind.MEDIATION,
        stage=c.DisagreementStage.REQUEST, by=system_actor,
        decision_notice_date=date(2015, 7, 1), started_on=date(2015, 7, 10))
    from ehcflow.disagreements.models import Disagreement
    Disagreement.objects.filter(child=done).update(concluded_on=date(2015, 8, 1))
    open_child = services.child_create(person_ref="R0002", date_of_birth=OLD_BIRTH,
                                       forename="Bea", surname="Invented", by=system_actor)
    # Still open long after the 25th birthday cannot happen through the services (requests
    # are for under-25s), so the open request is one received before, never finished.
    services.request_register(child=open_child, case_ref="RC-2", by=system_actor,
                              received_date=date(2019, 6, 1))
    viewer = staff["runner"]
    RecordAccess.objects.create(user=viewer, kind=RecordAccess.Kind.VIEW, child=done,
                                page="child")
    RecordAccess.objects.create(user=viewer, kind=RecordAccess.Kind.VIEW, request=request,
                                page="request")
    request.refresh_from_db()
    return Old(done=done, done_request=request, open=open_child, viewer=viewer)


@pytest.fixture(autouse=True)
def _no_national_figures_left_by_other_tests(db: None) -> None:
    """The insight tests load DfE's figures once per session (tests/insight/conftest.py): a
    restore test needs an empty database, so they are removed inside this test's
    transaction, which puts them back afterwards."""
    from ehcflow.insight.models import (
        Authority,
        NationalFigure,
        Neighbour,
        OurAuthority,
        Release,
    )

    for model in (NationalFigure, Neighbour, OurAuthority, Release, Authority):
        model.objects.all().delete()
