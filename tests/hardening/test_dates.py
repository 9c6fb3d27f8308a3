"""Absurd dates are refused wherever a date comes in (issue 9, finding 9): dates in year 1,
exceptions running to 9999, a young person of 30, a year of twenty digits.

One definition, `statutory.dates.accepted_range`, serves the casework forms, the services
(so the command line and the demo obey it too), the register import and the commands.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ehcflow.casework import forms, services
from ehcflow.casework.models import AssessmentRequest, CaseEvent, Child, StatutoryException
from ehcflow.people.models import Role, StaffMember, Team, User
from ehcflow.statutory.dates import (
    EARLIEST_RECORD,
    LATEST_FIGURE,
    DateKind,
    DateRange,
    accepted_range,
    range_problem,
)
from tests.register.conftest import table_counts

TODAY = date(2026, 12, 4)

# --- the one definition -------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "start", "earliest", "latest"), [
    (DateKind.EVENT, None, date(2000, 1, 1), TODAY),
    (DateKind.BIRTH, None, date(1975, 1, 1), TODAY),
    # under 25 on the day of the request (Children and Families Act 2014 s.83(2))
    (DateKind.BIRTH, date(2023, 1, 9), date(1998, 1, 10), date(2023, 1, 9)),
    (DateKind.BIRTH, date(2024, 2, 29), date(1999, 3, 1), date(2024, 2, 29)),
    (DateKind.EXCEPTION_END, date(2023, 3, 1), date(2023, 3, 1), date(2025, 3, 1)),
    (DateKind.FIGURE, None, date(2000, 1, 1), date(2099, 12, 31)),
])
def test_each_kind_of_date_has_its_range(kind: DateKind, start: date | None, earliest: date,
                                         latest: date) -> None:
    assert accepted_range(kind, today=TODAY, start=start) == DateRange(earliest, latest)


def test_the_ends_of_the_calendar_are_outside_every_range() -> None:
    for kind in DateKind:
        accepted = accepted_range(kind, today=TODAY, start=date(2023, 3, 1))
        assert range_problem(date.min, accepted) == "early"
        assert range_problem(date.max, accepted) == "late"
        assert date.min not in accepted and date.max not in accepted
    assert date(2000, 1, 1) == EARLIEST_RECORD and date(2099, 12, 31) == LATEST_FIGURE


# --- the casework forms -------------------------------------------------------------------


def boxes(name: str, day: str, month: str, year: str) -> dict[str, str]:
    return {f"{name}_0": day, f"{name}_1": month, f"{name}_2": year}


def new_request(**dates: tuple[str, str, str]) -> forms.NewRequestForm:
    data = {"forename": "Ada", "surname": "Example", "source": "parent",
            **boxes("date_of_birth", "1", "5", "2016"), **boxes("received_date", "1", "9", "2025")}
    for name, (day, month, year) in dates.items():
        data |= boxes(name, day, month, year)
    form = forms.NewRequestForm(data)
    form.is_valid()
    return form


@pytest.mark.parametrize(("dates", "field", "message"), [
    ({"received_date": ("1", "1", "0001")}, "received_date",
     "Date the request was received must be the same as or after 1 January 2000"),
    ({"received_date": ("31", "12", "1999")}, "received_date",
     "Date the request was received must be the same as or after 1 January 2000"),
    ({"received_date": ("31", "12", "9999")}, "received_date",
     "The date the request was received must be today or in the past"),
    ({"received_date": ("1", "1", "99999999999999999999")}, "received_date",
     "The date the request was received must be a real date"),
    ({"received_date": ("１", "1", "2023")}, "received_date",
     "The date the request was received must be a real date"),
    ({"date_of_birth": ("1", "1", "1900")}, "date_of_birth",
     "Date of birth must be the same as or after 1 January 1975"),
    ({"date_of_birth": ("1", "9", "2000")}, "date_of_birth",
     "Date of birth must be the same as or after 2 September 2000: the child or young person "
     "must be under 25 on the date the request was received"),
])
def test_the_new_request_form_refuses_absurd_dates_in_govuk_words(
        db: None, dates: dict[str, tuple[str, str, str]], field: str, message: str) -> None:
    form = new_request(**dates)
    assert form.errors[field] == [message]


def test_the_new_request_form_takes_a_young_person_of_24(db: None) -> None:
    form = new_request(date_of_birth=("2", "9", "2000"))
    assert "date_of_birth" not in form.errors


@pytest.mark.parametrize(("end", "message"), [
    (("31", "12", "9999"), "End of the period must be the same as or before 1 March 2025"),
    (("2", "3", "2025"), "End of the period must be the same as or before 1 March 2025"),
    (("1", "3", "0001"), "The end of the period must be on or after its start"),
])
def test_an_exception_may_not_run_to_9999(end: tuple[str, str, str], message: str) -> None:
    form = forms.ExceptionForm({"version": "1", "reason": "personal_circumstances",
                                **boxes("start", "1", "3", "2023"), **boxes("end", *end)})
    assert not form.is_valid()
    assert form.errors["end"] == [message]


def test_an_exception_of_two_years_is_accepted() -> None:
    form = forms.ExceptionForm({"version": "1", "reason": "personal_circumstances",
                                **boxes("start", "1", "3", "2023"),
                                **boxes("end", "1", "3", "2025")})
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("form_class", [forms.DecisionForm, forms.OutcomeForm, forms.DraftForm,
                                        forms.CommentsForm, forms.CloseForm])
def test_every_step_refuses_year_one(db: None, form_class: type[forms.VersionedForm]) -> None:
    form = form_class({"version": "1", **boxes("on", "1", "1", "0001")})
    assert not form.is_valid()
    [message] = form.errors["on"]
    assert str(message).endswith(" must be the same as or after 1 January 2000")


# --- the services (the command line, the demo and every page go through them) -------------


@pytest.fixture
def actor() -> services.Actor:
    return services.Actor(name="test")


@pytest.fixture
def young(db: None, actor: services.Actor) -> Child:
    return services.child_create(person_ref="P1", date_of_birth=date(2016, 5, 1), by=actor)


def test_a_request_received_in_year_one_is_refused(young: Child, actor: services.Actor) -> None:
    with pytest.raises(services.CaseworkError, match="must be the same as or after 1 January "
                       "2000") as refused:
        services.request_register(child=young, case_ref="EHC-1", received_date=date(1, 1, 1),
                                  by=actor)
    assert refused.value.field == "received_date"
    assert not AssessmentRequest.objects.exists()


def test_a_child_born_in_1900_is_refused(db: None, actor: services.Actor) -> None:
    with pytest.raises(services.CaseworkError, match="Date of birth must be the same as or "
                       "after 1 January 1975"):
        services.child_create(person_ref="P9", date_of_birth=date(1900, 1, 1), by=actor)
    assert not Child.objects.exists()


def test_a_request_for_someone_of_25_is_refused(db: None, actor: services.Actor) -> None:
    adult = services.child_create(person_ref="P2", date_of_birth=date(1998, 1, 9), by=actor)
    with pytest.raises(services.CaseworkError, match="must be under 25 on the date the request "
                       "was received: their date of birth must be the same as or after "
                       "10 January 1998") as refused:
        services.request_register(child=adult, case_ref="EHC-2",
                                  received_date=date(2023, 1, 9), by=actor)
    assert refused.value.field == "date_of_birth"
    services.request_register(child=adult, case_ref="EHC-3", received_date=date(2023, 1, 8),
                              by=actor)


def test_an_exception_to_9999_is_refused_by_the_service(young: Child,
                                                        actor: services.Actor) -> None:
    case = services.request_register(child=young, case_ref="EHC-1",
                                     received_date=date(2023, 1, 9), by=actor)
    before = table_counts()
    with pytest.raises(services.CaseworkError, match="must be the same as or before "
                       "1 March 2025: an exception runs at most 2 years"):
        services.exception_apply(request=case, reason="personal_circumstances",
                                 start=date(2023, 3, 1), end=date(9999, 12, 31), by=actor)
    assert table_counts() == before


@pytest.mark.parametrize("step", [
    lambda case, actor: services.request_record_decision(request=case, decision="assess",
                                                         on=date(1, 1, 1), by=actor),
    lambda case, actor: services.request_close(request=case, on=date(1999, 12, 31),
                                               closed_reason="withdrawn", by=actor),
])
def test_a_step_dated_before_2000_is_refused(young: Child, actor: services.Actor,
                                            step: object) -> None:
    # a request carried over from before 2000 (the only way to have one that old)
    case = AssessmentRequest.objects.create(child=young, case_ref="EHC-OLD",
                                            received_date=date(1, 1, 1))
    before = table_counts()
    with pytest.raises(services.CaseworkError, match="must be the same as or after 1 January "
                       "2000"):
        step(case, actor)  # type: ignore[operator]
    assert table_counts() == before


# --- the pages ----------------------------------------------------------------------------


@pytest.fixture
def officer_client(db: None, actor: services.Actor) -> tuple[Client, AssessmentRequest]:
    team = Team.objects.create(name="North")
    user = User.objects.create_user(username="officer", password="correct horse battery")
    staff = StaffMember.objects.create(user=user, staff_ref="OFFICER", name="Officer",
                                       role=Role.CASE_OFFICER, team=team,
                                       start_date=date(2020, 1, 1))
    child = services.child_create(person_ref="P1", date_of_birth=date(2016, 5, 1), by=actor)
    case = services.request_register(child=child, case_ref="EHC-1", officer=staff, by=actor,
                                     received_date=timezone.localdate() - timedelta(days=60))
    client = Client()
    client.force_login(user)
    return client, case


def test_the_exception_page_refuses_an_end_in_9999(
        officer_client: tuple[Client, AssessmentRequest]) -> None:
    client, case = officer_client
    start = timezone.localdate() - timedelta(days=10)
    events = CaseEvent.objects.count()
    response = client.post(reverse("casework:step", args=[case.public_id, "exception"]), {
        "version": case.version, "reason": "personal_circumstances",
        **boxes("start", str(start.day), str(start.month), str(start.year)),
        **boxes("end", "31", "12", "9999")})
    assert response.status_code == 200
    assert "End of the period must be the same as or before" in response.content.decode()
    assert CaseEvent.objects.count() == events  # (the page view itself is in the access log)
    assert not StatutoryException.objects.exists()


def test_the_decision_page_refuses_year_one_and_a_twenty_digit_year(
        officer_client: tuple[Client, AssessmentRequest]) -> None:
    client, case = officer_client
    for year, message in [("0001", "Date the decision was notified must be the same as or "
                                   "after 1 January 2000"),
                          ("9" * 20, "The date the decision was notified must be a real date")]:
        response = client.post(reverse("casework:step", args=[case.public_id, "decision"]), {
            "version": case.version, "decision": "assess", **boxes("on", "1", "1", year)})
        assert response.status_code == 200
        assert message in response.content.decode()
    case.refresh_from_db()
    assert case.decision == ""
