"""Each casework service's values: what it stores, the event it writes, and what it refuses.

Together with test_services.py (the legal order of a request) every service of
`casework.services` has a test that checks values (the review and disagreement services have
their own apps and tests).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ehcflow.casework import choices as c
from ehcflow.casework import services
from ehcflow.casework.models import AdviceRequest, AssessmentRequest, Child, Institution
from ehcflow.casework.services import CaseworkError
from ehcflow.people.models import Role, StaffMember, Team

pytestmark = pytest.mark.django_db


def _assessing(child: Child, actor: services.Actor) -> AssessmentRequest:
    request = services.request_register(child=child, case_ref="EHC-0001",
                                        received_date=date(2024, 1, 8), by=actor)
    return services.request_record_decision(request=request, decision=c.Decision.ASSESS,
                                            on=date(2024, 2, 12), by=actor)


def _last_event(request: AssessmentRequest) -> tuple[str, str, dict[str, object]]:
    event = request.events.order_by("-id").first()
    assert event is not None
    return event.action, event.description, event.changes


def test_chasing_advice_counts_each_chase_and_says_whom(
    child: Child, system_actor: services.Actor,
) -> None:
    request = _assessing(child, system_actor)
    advice = services.advice_request(request=request, adviser_type="health",
                                     requested_on=date(2024, 2, 13), by=system_actor)
    services.advice_record_chase(advice=advice, on=date(2024, 3, 27), by=system_actor)
    chased = services.advice_record_chase(advice=advice, on=date(2024, 4, 3), by=system_actor)
    assert (chased.chase_count, chased.last_chased_on) == (2, date(2024, 4, 3))
    assert _last_event(request) == ("advice_chased", "Advice chased: health",
                                    {"chase_count": 2})


def test_chasing_refuses_received_advice_and_impossible_dates(
    child: Child, system_actor: services.Actor,
) -> None:
    request = _assessing(child, system_actor)
    advice = services.advice_request(request=request, adviser_type="health",
                                     requested_on=date(2024, 2, 13), by=system_actor)
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(CaseworkError, match="cannot be in the future"):
        services.advice_record_chase(advice=advice, on=tomorrow, by=system_actor)
    with pytest.raises(CaseworkError, match="cannot be before the date it was requested"):
        services.advice_record_chase(advice=advice, on=date(2024, 2, 12), by=system_actor)
    services.advice_record_received(advice=advice, received_on=date(2024, 3, 1),
                                    by=system_actor)
    with pytest.raises(CaseworkError, match="nothing to chase"):
        services.advice_record_chase(advice=advice, on=date(2024, 3, 2), by=system_actor)
    advice.refresh_from_db()
    assert (advice.chase_count, advice.last_chased_on) == (0, None)


def test_allocation_names_both_officers_and_refuses_an_adviser(
    child: Child, system_actor: services.Actor, officer: StaffMember, team: Team,
) -> None:
    request = _assessing(child, system_actor)
    version = request.version
    request = services.request_allocate(request=request, officer=officer, by=system_actor,
                                        reason="new starter")
    assert (request.officer, request.version) == (officer, version + 1)
    assert _last_event(request) == ("request_allocated", "Allocated to Alex Officer",
                                    {"officer": [None, "Alex Officer"]})
    request = services.request_allocate(request=request, officer=None, by=system_actor)
    assert _last_event(request) == ("request_allocated", "Allocation removed",
                                    {"officer": ["Alex Officer", None]})
    ep = StaffMember.objects.create(staff_ref="EP1", name="Eve Psych", team=team,
                                    role=Role.EDUCATIONAL_PSYCHOLOGIST,
                                    start_date=date(2020, 1, 6))
    with pytest.raises(CaseworkError, match="case officer or team manager"):
        services.request_allocate(request=request, officer=ep, by=system_actor)


def test_several_kinds_of_advice_are_asked_at_once_and_the_adviser_gets_their_own(
    child: Child, system_actor: services.Actor, team: Team,
) -> None:
    request = _assessing(child, system_actor)
    ep = StaffMember.objects.create(staff_ref="EP1", name="Eve Psych", team=team,
                                    role=Role.EDUCATIONAL_PSYCHOLOGIST,
                                    start_date=date(2020, 1, 6))
    created = services.advice_request_many(
        request=request, adviser_types=["health", "educational_psychology", "health"],
        requested_on=date(2024, 2, 13), by=system_actor, adviser=ep, organisation="NHS Trust")
    assert [(a.adviser_type, a.adviser, a.adviser_organisation, a.due_on) for a in created] == [
        ("health", None, "NHS Trust", date(2024, 3, 26)),
        ("educational_psychology", ep, "NHS Trust", date(2024, 3, 26)),
    ]
    with pytest.raises(CaseworkError, match="Choose the kind of advice"):
        services.advice_request_many(request=request, adviser_types=[],
                                     requested_on=date(2024, 2, 13), by=system_actor)
    assert AdviceRequest.objects.filter(request=request).count() == 2


def test_comments_are_recorded_with_the_school_asked_for(
    child: Child, system_actor: services.Actor,
) -> None:
    request = _assessing(child, system_actor)
    advice = services.advice_request(request=request, adviser_type="health",
                                     requested_on=date(2024, 2, 13), by=system_actor)
    with pytest.raises(CaseworkError, match="while a draft plan is out"):
        services.request_record_comments(request=request, on=date(2024, 4, 1), by=system_actor)
    services.advice_record_received(advice=advice, received_on=date(2024, 3, 20),
                                    by=system_actor)
    request = services.request_record_outcome(request=request, outcome=c.Outcome.PLAN,
                                              on=date(2024, 3, 25), by=system_actor)
    request = services.request_issue_draft(request=request, on=date(2024, 4, 2),
                                           by=system_actor)
    school = Institution.objects.create(name="Hill Primary School", urn="100001")
    with pytest.raises(CaseworkError, match="cannot be before the draft plan"):
        services.request_record_comments(request=request, on=date(2024, 4, 1), by=system_actor)
    request = services.request_record_comments(request=request, on=date(2024, 4, 10),
                                               by=system_actor, school_requested=school)
    assert (request.comments_received_date, request.school_requested) == (
        date(2024, 4, 10), school)
    assert request.stage == c.Stage.DRAFT_ISSUED
    assert _last_event(request) == ("comments_received", "Comments on the draft plan received",
                                    {"school_requested": "Hill Primary School"})


def test_an_exception_is_stored_with_its_period_and_marks_week20(
    child: Child, system_actor: services.Actor,
) -> None:
    request = _assessing(child, system_actor)
    exception = services.exception_apply(
        request=request, reason=c.ExceptionReason.PERSONAL_CIRCUMSTANCES,
        start=date(2024, 3, 1), end=date(2024, 3, 29), note="family bereavement",
        by=system_actor)
    request.refresh_from_db()
    assert (exception.start_date, exception.end_date, exception.note) == (
        date(2024, 3, 1), date(2024, 3, 29), "family bereavement")
    assert request.week20_exception is True
    action, description, changes = _last_event(request)
    assert action == "exception_applied"
    assert description.startswith("Exception to the time limit: ")
    assert changes == {"reason": "personal_circumstances", "start": "2024-03-01",
                       "end": "2024-03-29"}
    with pytest.raises(CaseworkError, match="Choose the reason"):
        services.exception_apply(request=request, reason="bad weather", start=date(2024, 3, 1),
                                 end=None, by=system_actor)
    with pytest.raises(CaseworkError, match="cannot be before the date the request"):
        services.exception_apply(request=request, reason=c.ExceptionReason.ABSENT_FROM_AREA,
                                 start=date(2024, 1, 1), end=None, by=system_actor)


def test_closing_as_moved_away_marks_the_request_exported_and_ends_it(
    child: Child, system_actor: services.Actor,
) -> None:
    request = _assessing(child, system_actor)
    with pytest.raises(CaseworkError, match="Choose why the request is closing"):
        services.request_close(request=request, on=date(2024, 3, 1), closed_reason="bored",
                               by=system_actor)
    request = services.request_close(request=request, on=date(2024, 3, 1),
                                     closed_reason=c.ClosedReason.MOVED_AWAY, by=system_actor,
                                     note="moved to Leeds")
    assert (request.stage, request.closed_date, request.exported) == (
        c.Stage.CLOSED, date(2024, 3, 1), True)
    assert _last_event(request) == ("request_closed", "Request closed: moved out of the area",
                                    {"closed_date": "2024-03-01", "closed_reason": "moved_away"})
    with pytest.raises(CaseworkError, match="no longer open"):
        services.request_close(request=request, on=date(2024, 3, 2),
                               closed_reason=c.ClosedReason.WITHDRAWN, by=system_actor)


def test_a_child_is_recorded_once_with_tidied_identifiers(system_actor: services.Actor) -> None:
    child = services.child_create(person_ref="P0009", date_of_birth=date(2016, 5, 1),
                                  postcode=" ab1 2cd ", by=system_actor)
    assert child.postcode == "AB1 2CD"
    event = child.events.get()
    assert (event.action, event.description) == ("child_recorded", "Child's record created")
    with pytest.raises(CaseworkError, match="already recorded"):
        services.child_create(person_ref="P0009", date_of_birth=date(2016, 5, 1),
                              by=system_actor)
    with pytest.raises(CaseworkError, match="must be in the past"):
        services.child_create(person_ref="P0010",
                              date_of_birth=timezone.localdate() + timedelta(days=1),
                              by=system_actor)


def test_registering_with_a_new_child_numbers_both(system_actor: services.Actor) -> None:
    first = services.request_register_with_child(
        child=None, by=system_actor, received_date=date(2024, 1, 8), source="parent",
        forename="Sam", surname="Lee", date_of_birth=date(2015, 6, 1))
    second = services.request_register_with_child(
        child=first.child, by=system_actor, received_date=date(2024, 2, 1), source="school")
    assert first.case_ref == "EHC-2024-00001"
    assert second.case_ref == "EHC-2024-00002"
    assert first.child.person_ref == "P0000001"
    assert services.next_case_ref(date(2025, 1, 2)) == "EHC-2025-00001"
    assert services.next_person_ref() == "P0000002"
    with pytest.raises(CaseworkError, match="date of birth"):
        services.request_register_with_child(child=None, by=system_actor,
                                             received_date=date(2024, 1, 8), source="parent")
