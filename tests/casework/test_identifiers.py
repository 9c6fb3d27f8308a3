from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ehcflow.casework.identifiers import make_upn, uln_problem, upn_check_letter, upn_problem


def test_a_known_upn_check_letter() -> None:
    # Weights 2..13 over "820200101003": 16+6+0+10+0+0+8+0+10+0+0+39 = 89; 89 mod 23 = 20,
    # and the 21st letter of ABCDEFGHJKLMNPQRTUVWXYZ is X.
    assert upn_check_letter("820200101003") == "X"
    assert upn_problem("X820200101003") is None
    assert upn_problem("A820200101003") == (
        "The UPN's check letter is wrong: it should be X for these digits."
    )


def test_upn_length_and_shape_messages() -> None:
    assert upn_problem("R82020010100") == "A UPN has 13 characters; this one has 12."
    assert upn_problem("R82020010I003") is not None


@given(st.integers(0, 999), st.integers(0, 9999), st.integers(0, 99), st.integers(0, 999))
def test_made_upns_are_valid(la: int, school: int, year: int, serial: int) -> None:
    assert upn_problem(make_upn(la, school, year, serial)) is None


def test_uln() -> None:
    assert uln_problem("1234567890") is None
    assert uln_problem("0234567890") is not None


def test_every_reference_has_five_digits() -> None:
    """References line up and sort as they read, whoever makes them (demo, casework)."""
    from ehcflow.casework.identifiers import case_reference

    assert case_reference(2026, 1199) == "EHC-2026-01199"
    assert case_reference(2026, 1231) == "EHC-2026-01231"
    assert sorted([case_reference(2026, 1231), case_reference(2026, 1199)])[0].endswith("1199")


def test_the_casework_exception_reasons_are_the_statutory_ones() -> None:
    """The forms offer exactly the reasons the law's rules know (statutory.exceptions)."""
    from ehcflow.casework import choices as c
    from ehcflow.statutory.exceptions import ExceptionReason

    assert set(c.ExceptionReason.values) == {reason.value for reason in ExceptionReason}
