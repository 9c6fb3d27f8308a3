"""The pure plan content: storage round trip, the golden thread and the checks."""

from __future__ import annotations

from datetime import date

import pytest

from ehcflow.plans import content as pc

SRC = pc.Source("advice", "Health advice", "abc", date(2026, 3, 2))

FULL = pc.PlanContent(
    views=(pc.Paragraph("Likes trains", pc.Source("family", "Views", "f1", date(2026, 3, 1)),
                        "About me"),),
    needs=(pc.Need("N1", "B", "Reading", SRC, "Cognition and learning"),
           pc.Need("N2", "C", "Asthma")),
    outcomes=(pc.Outcome("O1", "Reads", ("Sounds", "Words"), "Year 4", ("N1",)),),
    provision=(pc.Provision("P1", "F", "Phonics", "Daily", "20 minutes", "TA",
                            date(2026, 9, 1), ("N1",), ("O1",), SRC),
               pc.Provision("P2", "G", "Inhaler", "Before PE", "2 puffs", "School nurse",
                            need_keys=("N2",))),
    placement=pc.Placement("Mainstream primary", "Hill School", "123456", "From September"),
    personal_budget=pc.PersonalBudget("Swimming lessons", "£600 a year", "Direct payment",
                                      ("O1",)),
    appendices=(pc.Appendix("Health advice", "NHS", date(2026, 3, 2), "abc"),),
)


def test_round_trip_through_json() -> None:
    import json

    stored = json.loads(json.dumps(pc.to_dict(FULL)))
    assert pc.from_dict(stored) == FULL
    assert pc.from_dict({}) == pc.PlanContent()


def test_every_section_has_a_title_in_plan_order() -> None:
    assert list(pc.SECTION_TITLES) == list(pc.ALL_SECTIONS)
    assert pc.SECTION_TITLES["F"] == "Section F: Special educational provision"
    assert all(t.startswith(f"Section {s}: ") for s, t in pc.SECTION_TITLES.items())


def test_golden_thread_read_from_the_need() -> None:
    assert [o.key for o in pc.outcomes_for(FULL, "N1")] == ["O1"]
    assert [p.key for p in pc.provision_for(FULL, "N2")] == ["P2"]
    assert pc.outcomes_for(FULL, "N2") == ()


def test_a_complete_plan_has_no_findings() -> None:
    assert pc.all_findings(FULL, final=True) == []


def test_each_check() -> None:
    gaps = pc.PlanContent(
        needs=(pc.Need("N1", "B", "Reading"), pc.Need("N2", "D", "Respite")),
        outcomes=(pc.Outcome("O1", "Reads", ("  ",)),),
        provision=(pc.Provision("P1", "F", "Support", by_whom="TA", need_keys=("N1",)),),
    )
    assert [(f.code, f.key) for f in pc.needs_without_provision(gaps)] == [
        ("need_without_provision", "N2")]
    assert [f.message for f in pc.unspecified_provision(gaps)] == [
        "Provision P1 in section F does not say how often or how much."]
    assert [f.key for f in pc.outcomes_without_steps(gaps)] == ["O1"]
    assert [f.section for f in pc.empty_mandatory_sections(gaps)] == ["A", "K"]
    assert [f.section for f in pc.empty_mandatory_sections(gaps, final=True)] == ["A", "I", "K"]
    assert pc.empty_mandatory_sections(pc.PlanContent())[0].message == (
        "Section A: The views, interests and aspirations of the child or young person and "
        "their parents is empty.")


@pytest.mark.parametrize(("section", "empty"), [("C", False), ("D", True), ("H1", True),
                                                 ("J", False), ("I", False)])
def test_section_is_empty(section: str, empty: bool) -> None:
    assert pc.section_is_empty(FULL, section) is empty


def test_section_lines() -> None:
    lines = pc.section_lines(FULL)
    assert lines["A"] == ["About me: Likes trains (from Views)"]
    assert lines["F"] == ["P1. Phonics; how often: Daily; how much: 20 minutes; by whom: TA; "
                          "from: 2026-09-01; needs: N1"]
    assert lines["E"] == ["O1. Reads By: Year 4. Needs: N1.", "  Step: Sounds", "  Step: Words"]
    assert lines["I"] == ["Mainstream primary: Hill School (From September)"]
    assert lines["K"] == ["Health advice, NHS, 2026-03-02"]


def test_next_key() -> None:
    assert pc.next_key("N", []) == "N1"
    assert pc.next_key("N", ["N1", "N7", "O9", "Nx"]) == "N8"
