"""`ehcflow plan from-caseload`: a scenario from the open requests and last year's history."""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ehcflow.casework import services
from ehcflow.casework.models import Child
from ehcflow.people.models import Role, StaffMember
from ehcflow.planner.scenario import load_scenario

pytestmark = pytest.mark.django_db

AS_OF = date(2023, 7, 31)


def history(actor: services.Actor) -> None:
    StaffMember.objects.create(staff_ref="CO1", name="A", role=Role.CASE_OFFICER,
                               start_date=date(2019, 1, 1))
    StaffMember.objects.create(staff_ref="CO2", name="B", role=Role.CASE_OFFICER,
                               start_date=date(2023, 5, 1))
    StaffMember.objects.create(staff_ref="EP1", name="C", role=Role.EDUCATIONAL_PSYCHOLOGIST,
                               start_date=date(2019, 1, 1))
    child = Child.objects.create(person_ref="P1", date_of_birth=date(2012, 1, 1))
    for i in range(12):
        received = date(2022, 9, 1) + timedelta(days=14 * i)
        case = services.request_register(child=child, case_ref=f"R{i}", received_date=received,
                                         by=actor)
        if i == 11:
            continue  # awaiting a decision at the as-of date
        case = services.request_record_decision(request=case, decision="assess",
                                                on=received + timedelta(days=30), by=actor)
        for kind, delay in (("educational_psychology", 50 + i), ("health", 60 + 3 * i)):
            advice = services.advice_request(request=case, adviser_type=kind,
                                             requested_on=received + timedelta(days=31), by=actor)
            if i < 9:
                services.advice_record_received(
                    advice=advice, received_on=received + timedelta(days=31 + delay), by=actor)
        if i < 6:
            case = services.request_record_outcome(request=case, outcome="plan",
                                                   on=received + timedelta(days=120), by=actor)
            case = services.request_issue_draft(request=case, on=received + timedelta(days=121),
                                                by=actor)
            services.request_issue_final(request=case, on=received + timedelta(days=140),
                                         by=actor, allow_before_comment_period_end=True)


def test_it_writes_a_scenario_the_planner_loads(tmp_path: Path,
                                                system_actor: services.Actor) -> None:
    history(system_actor)
    out = tmp_path / "caseload.toml"
    stdout = StringIO()
    call_command("plan", "from-caseload", "--as-of", AS_OF.isoformat(), "--out", str(out),
                 stdout=stdout)
    raw = tomllib.loads(out.read_text())
    assert raw["start"] == date(2023, 8, 1)
    assert raw["demand"]["requests_per_year"] == 12
    assert raw["demand"]["assess_rate"] == 1.0
    steps = {r["case_ref"]: r["step"] for r in raw["start_state"]["requests"]}
    assert steps["R11"] == "awaiting_decision"
    assert steps["R8"] == "in_assessment"
    assert "R0" not in steps  # its final plan was issued
    health = next(a for a in raw["advice"] if a["name"] == "health")
    assert health["probability"] == 1.0
    # from the decision (asked a day after it): 61 + 3i returned for i = 0..8, and two still
    # waiting after longer, counted by Kaplan-Meier: the 6th of 11 is the median
    assert health["delay_days"]["median"] == 76.0
    officers = [s for s in raw["staff"] if s["role"] == "case_officer"]
    assert [s["count"] for s in officers] == [1, 1]
    assert officers[1]["ramp_weeks"] == 26
    scenario = load_scenario(out)
    assert scenario.start_state.total == len(steps)
    assert "Demand: 12 requests in the 12 months to 31 July 2023" in stdout.getvalue()


def test_bad_arguments_are_explained(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="is not a date"):
        call_command("plan", "from-caseload", "--as-of", "31/07/2023", "--out",
                     str(tmp_path / "x.toml"))
    with pytest.raises(CommandError, match=r"write the scenario to a \.toml file"):
        call_command("plan", "from-caseload", "--as-of", "2023-07-31", "--out",
                     str(tmp_path / "x.txt"))
    with pytest.raises(CommandError, match="no such scenario file"):
        call_command("plan", "run", str(tmp_path / "missing.toml"))
