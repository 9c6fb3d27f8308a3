"""A small invented authority for the Insight tests: two teams, every role, and requests,
plans, advice and reviews whose figures on 31 July 2023 are known (docs/domain/measures.md's worked
example, plus a few more)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ehcflow.casework.models import AdviceRequest, AnnualReview, AssessmentRequest, Child, EHCPlan
from ehcflow.people.models import Role, StaffMember, Team, User
from ehcflow.statutory import clock
from ehcflow.statutory.records import RequestRecord
from tests.factories import request_row
from tests.worked_example import WORKED_EXAMPLE

AS_OF = date(2023, 7, 31)
PASSWORD = "correct horse battery"

# docs/domain/measures.md's worked example (as of 31 July 2023) and three older requests.
RECORDS = [
    *WORKED_EXAMPLE,
    RequestRecord("i", date(2021, 3, 1), decision="assess", decision_date=date(2021, 4, 1),
                  outcome="plan", outcome_date=date(2021, 6, 1), final_date=date(2021, 7, 1)),
    RequestRecord("j", date(2021, 5, 3), decision="assess", decision_date=date(2021, 7, 1),
                  outcome="plan", outcome_date=date(2021, 12, 1), final_date=date(2022, 3, 1)),
    RequestRecord("k", date(2022, 2, 1), decision="assess", decision_date=date(2022, 3, 1)),
]
NORTH_CASES = {"a", "b", "e", "k"}  # allocated to the north team's officer; the rest to south


@dataclass
class World:
    users: dict[str, User]
    requests: dict[str, AssessmentRequest]
    north: Team
    south: Team


def _staff(username: str, role: str, team: Team | None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    StaffMember.objects.create(user=user, staff_ref=username.upper(), name=username.title(),
                               role=role, team=team, start_date=date(2020, 1, 6))
    return user


def build_world() -> World:
    north, south = Team.objects.create(name="North"), Team.objects.create(name="South")
    users = {
        "head": _staff("head", Role.HEAD_OF_SERVICE, None),
        "analyst": _staff("analyst", Role.ANALYST, None),
        "manager": _staff("manager", Role.TEAM_MANAGER, north),
        "officer": _staff("officer", Role.CASE_OFFICER, north),
        "south_officer": _staff("southofficer", Role.CASE_OFFICER, south),
        "ep": _staff("ep", Role.EDUCATIONAL_PSYCHOLOGIST, None),
        "support": _staff("support", Role.BUSINESS_SUPPORT, None),
        "admin": _staff("admin", Role.ADMINISTRATOR, None),
    }
    officers = {"north": users["officer"].staff, "south": users["south_officer"].staff}  # type: ignore[attr-defined]
    requests: dict[str, AssessmentRequest] = {}
    for n, r in enumerate(RECORDS):
        child = Child.objects.create(person_ref=f"P{n:03d}", forename="Ada",
                                     surname=f"Example{n}", date_of_birth=date(2014, 5, 1))
        row = request_row(r, child=child, source="school" if n % 2 else "parent",
                          officer=officers["north" if r.case_ref in NORTH_CASES else "south"])
        row.save()
        requests[r.case_ref] = row
        if r.decision == "assess" and r.decision_date is not None:
            for kind, days in (("educational_psychology", 60), ("health", 40),
                               ("social_care", 42)):
                asked = r.decision_date + timedelta(days=3)
                back = asked + timedelta(days=days)
                AdviceRequest.objects.create(
                    request=row, adviser_type=kind, requested_on=asked,
                    due_on=clock.advice_due(asked),
                    received_on=back if back <= date(2023, 9, 30) else None,
                    adviser=users["ep"].staff if kind == "educational_psychology" else None)  # type: ignore[attr-defined]
        if r.final_date is not None:
            plan = EHCPlan.objects.create(
                child=child, request=row, start_date=r.final_date,
                first_issued_date=r.final_date, officer=row.officer,
                next_review_due=clock.next_review_due(r.final_date))
            due = clock.next_review_due(r.final_date)
            meeting = due - timedelta(days=10) if r.case_ref != "j" else None
            AnnualReview.objects.create(
                plan=plan, due_date=due, meeting_date=meeting,
                decision_date=meeting + timedelta(days=20) if meeting else None,
                outcome="maintain" if meeting else "",
                phase_transfer=r.case_ref == "c", transfer_year=2024 if r.case_ref == "c"
                else None)
    return World(users=users, requests=requests, north=north, south=south)
