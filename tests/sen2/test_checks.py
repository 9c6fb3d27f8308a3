"""Each pre-submission check fires on a record crafted to break it, and none on a good return."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date

import pytest

from ehcflow.sen2 import checks, items
from ehcflow.sen2.items import (
    ActivePlan,
    Assessment,
    NamedPlan,
    Need,
    Person,
    Placement,
    Request,
    Sen2Return,
)


def good_return(year: int = 2026) -> Sen2Return:
    """A return that breaks no check: one child with a plan issued in time, reviewed."""
    coll = items.collection(year)
    header = items.Header(collection=coll, la_number="999", dmo="Y", dco="N", dsco="R",
                          software="ehcflow", release="0.1.0", serial_no="001",
                          generated_at="2026-02-01T09:00:00")
    school = Placement(rank=1, urn="123456", entry_date=date(2025, 9, 1))
    request = Request(
        outcome="Y", received_date=date(2025, 3, 3), source="1", outcome_date=date(2025, 4, 7),
        case_ref="REQ-1", request_id="00000000-0000-0000-0000-000000000001",
        assessment=Assessment(outcome="Y", outcome_date=date(2025, 7, 1), week20=False,
                              named_plan=NamedPlan(start_date=date(2025, 7, 1),
                                                   details=[copy.copy(school)])),
        active_plan=ActivePlan(
            placements=[copy.copy(school)], needs=[Need("ASD", 1), Need("SLCN", 2)],
            review_meeting=date(2025, 12, 10), review_outcome="M", last_review=date(2025, 12, 20),
            phase_transfer_due=date(2026, 2, 15), plan_start=date(2025, 7, 1)),
    )
    person = Person(surname="Example", forename="Ada", birth_date=date(2016, 5, 1), sex="F",
                    ethnicity="WBRI", postcode="ZZ99 3AB", upn="A123456789012",
                    requests=[request])
    return Sen2Return(header=header, persons=[person])


def req(ret: Sen2Return) -> Request:
    return ret.persons[0].requests[0]


def plan(ret: Sen2Return) -> NamedPlan:
    a = req(ret).assessment
    assert a is not None and a.named_plan is not None
    return a.named_plan


def active(ret: Sen2Return) -> ActivePlan:
    a = req(ret).active_plan
    assert a is not None
    return a


def second_person(ret: Sen2Return, **values: object) -> None:
    other = copy.deepcopy(ret.persons[0])
    other.requests[0].case_ref = "REQ-2"
    setattrs(other, **values)
    ret.persons.append(other)


def setattrs(obj: object, **values: object) -> None:
    for name, value in values.items():
        setattr(obj, name, value)


# code -> how to break a good return so that the check fires
BREAK: dict[str, Callable[[Sen2Return], object]] = {
    "H01": lambda r: setattr(r.header, "la_number", ""),
    "H02": lambda r: setattr(r.header, "dsco", ""),
    "P01": lambda r: setattr(r.persons[0], "upn", ""),
    "P02": lambda r: setattr(r.persons[0], "upn", "A12345678901234"),
    "P03": lambda r: setattr(r.persons[0], "upn_unknown", "UN8"),
    "P04": lambda r: setattr(r.persons[0], "uln", "12345"),
    "P05": lambda r: setattr(r.persons[0], "birth_date", date(2025, 3, 4)),
    "P06": lambda r: setattr(r.persons[0], "birth_date", date(1998, 1, 1)),
    "P07": lambda r: setattr(r.persons[0], "birth_date", date(2026, 2, 1)),
    "P08": lambda r: setattr(r.persons[0], "sex", "U"),
    "P09": lambda r: setattrs(r.persons[0], ethnicity="NOBT", ethnicity_recorded=False),
    "P10": lambda r: setattr(r.persons[0], "postcode", ""),
    "P11": lambda r: setattr(r.persons[0], "surname", ""),
    "P12": lambda r: second_person(r, surname="Other"),
    "P13": lambda r: second_person(r, upn="B123456789012"),
    "P14": lambda r: setattrs(r.persons[0], upn="", upn_unknown="UN1"),
    "R01": lambda r: setattr(req(r), "received_date", None),
    "R02": lambda r: setattr(req(r), "outcome_date", date(2025, 2, 1)),
    "R03": lambda r: setattr(req(r), "outcome_date", None),
    "R04": lambda r: setattrs(req(r), outcome="A", outcome_date=None, assessment=None,
                              active_plan=None, received_date=date(2024, 12, 1)),
    "R05": lambda r: setattr(req(r), "outcome_date", date(2025, 5, 1)),
    "R06": lambda r: setattr(req(r), "source", ""),
    "R07": lambda r: r.persons[0].requests.append(
        Request(outcome="A", received_date=date(2025, 3, 3), source="2", case_ref="REQ-9")),
    "R08": lambda r: setattrs(req(r), outcome="N", active_plan=None),
    "R09": lambda r: setattrs(req(r), outcome="W", outcome_date=None, assessment=None),
    "A01": lambda r: setattrs(req(r).assessment, outcome="N", outcome_date=None,
                              named_plan=None, week20=None),
    "A02": lambda r: setattr(req(r).assessment, "outcome_date", date(2025, 4, 1)),
    "A03": lambda r: setattr(req(r).assessment, "week20", None),
    "A04": lambda r: setattr(req(r).assessment, "outcome_date", date(2026, 3, 10)),
    "A05": lambda r: setattrs(req(r).assessment, outcome="N", week20=None),
    "A06": lambda r: setattr(req(r).assessment, "named_plan", None),
    "A07": lambda r: setattr(req(r), "assessment", None),
    "N01": lambda r: setattr(plan(r), "cease_reason", "5"),
    "N02": lambda r: setattr(plan(r), "cease_date", date(2025, 12, 1)),
    "N03": lambda r: setattrs(plan(r), cease_date=date(2025, 6, 1), cease_reason="5"),
    "N04": lambda r: setattr(plan(r), "details", []),
    "N05": lambda r: setattrs(plan(r), cease_date=date(2025, 12, 1), cease_reason="9"),
    "N06": lambda r: setattr(plan(r), "start_date", date(2025, 2, 1)),
    "S01": lambda r: setattr(active(r).placements[0], "urn", ""),
    "S02": lambda r: setattr(active(r).placements[0], "urn", "12345"),
    "S03": lambda r: setattr(active(r).placements[0], "sen_setting", "OLA"),
    "S04": lambda r: setattr(active(r).placements[0], "rank", 3),
    "S05": lambda r: active(r).placements.append(Placement(rank=1, urn="654321")),
    "S06": lambda r: setattr(active(r).placements[0], "rank", 2),
    "S07": lambda r: setattrs(active(r).placements[0], sen_unit=True, resourced_provision=True),
    "S08": lambda r: setattrs(active(r).placements[0], urn="", ukprn="12345678",
                              sen_unit=True),
    "S09": lambda r: setattrs(active(r).placements[0], urn="", sen_setting="OTH"),
    "S10": lambda r: setattr(active(r).placements[0], "leaving_date", date(2025, 8, 1)),
    "S11": lambda r: setattrs(active(r).placements[0], urn="", sen_setting="NEET"),
    "S12": lambda r: setattrs(active(r).placements[0], urn="", sen_setting="EYP"),
    "S13": lambda r: setattr(active(r).placements[0], "entry_date_recorded", False),
    "S14": lambda r: setattr(active(r).placements[0], "leaving_date", date(2026, 1, 1)),
    "D01": lambda r: setattr(active(r), "needs", []),
    "D02": lambda r: setattr(active(r), "needs", [Need("ASD", 2)]),
    "D03": lambda r: setattr(active(r), "needs", [Need("ASD", 1), Need("MLD", 1)]),
    "D04": lambda r: setattr(active(r), "needs", [Need("ASD", 1), Need("ASD", 2)]),
    "C01": lambda r: setattrs(active(r), review_meeting=None, review_outcome="",
                              last_review=None, plan_start=date(2024, 7, 1)),
    "C02": lambda r: setattr(active(r), "last_review", None),
    "C03": lambda r: setattr(active(r), "last_review", date(2025, 12, 1)),
    "C04": lambda r: setattr(active(r), "phase_transfer_final", date(2026, 3, 1)),
    "C05": lambda r: setattrs(active(r), review_meeting=date(2025, 6, 1),
                              last_review=date(2025, 6, 2)),
}


def codes(ret: Sen2Return) -> set[str]:
    return {f.code for f in checks.run_checks(ret)}


def test_there_are_at_least_30_checks_each_with_a_breaking_record() -> None:
    registered = {c.code for c in checks.CHECKS}
    assert len(registered) >= 30
    assert registered == set(BREAK)


def test_a_good_return_passes_every_check() -> None:
    assert checks.run_checks(good_return()) == []


@pytest.mark.parametrize("code", sorted(BREAK))
def test_each_check_fires_on_a_record_that_breaks_it(code: str) -> None:
    ret = good_return()
    BREAK[code](ret)
    found = [f for f in checks.run_checks(ret) if f.code == code]
    assert found, f"{code} did not fire"
    registered = next(c for c in checks.CHECKS if c.code == code)
    for f in found:
        assert f.message and f.message[0].isupper() and f.message.endswith(".")
        assert f.severity in ("error", "query")
        if code == "R06":
            continue  # error from 2026, a query in 2025
        assert f.severity == registered.severity
    if not code.startswith("H"):
        assert any(f.case_ref for f in found)


def test_request_source_is_a_query_in_2025_and_an_error_from_2026() -> None:
    for year, severity in ((2025, "query"), (2026, "error")):
        ret = good_return(year)
        req(ret).source = ""
        assert [f.severity for f in checks.run_checks(ret) if f.code == "R06"] == [severity]
    ret = good_return(2024)
    req(ret).source = ""
    assert "R06" not in codes(ret)


def test_findings_are_errors_first_and_shaped_for_json() -> None:
    ret = good_return()
    BREAK["P08"](ret)
    BREAK["P01"](ret)
    found = checks.run_checks(ret)
    assert [f.severity for f in found] == ["error", "query"]
    assert found[0].as_json() == {
        "code": "P01", "severity": "error", "case_ref": "REQ-1",
        "message": "The child has no unique pupil number, no unique learner number and no "
                   "reason recorded for the number being unknown. Record one of them."}
