"""Identifiers of children and young people: the UPN and its check letter, and the ULN.

The Unique Pupil Number is 13 characters: a check letter, the 3-digit LA number, the 4-digit
establishment number, the 2-digit year of allocation and a 3-character serial (the last may
be a letter in a temporary UPN). The check letter is DfE's modulus-23 check (DfE, "Unique
Pupil Numbers (UPNs): guidance for schools and local authorities", Annex A).
"""

from __future__ import annotations

import re

CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN = re.compile(r"^[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]$")
_ULN = re.compile(r"^[1-9][0-9]{9}$")


def upn_check_letter(body: str) -> str:
    """The check letter for the 12 characters after it (weights 2..13, modulus 23)."""
    total = 0
    for weight, char in enumerate(body, start=2):
        value = int(char) if char.isdigit() else CHECK_LETTERS.index(char)
        total += value * weight
    return CHECK_LETTERS[total % 23]


def upn_problem(upn: str) -> str | None:
    """Why a UPN is not valid, in words a person can act on; None when it is valid."""
    value = upn.strip().upper()
    if len(value) != 13:
        return f"A UPN has 13 characters; this one has {len(value)}."
    if not _UPN.match(value):
        return "A UPN is a check letter, 11 digits and a final digit or letter (not I, O or S)."
    expected = upn_check_letter(value[1:])
    if value[0] != expected:
        return f"The UPN's check letter is wrong: it should be {expected} for these digits."
    return None


def uln_problem(uln: str) -> str | None:
    """Why a Unique Learner Number is not valid (10 digits, Learning Records Service)."""
    if not _ULN.match(uln.strip()):
        return "A ULN is 10 digits and does not start with 0."
    return None


def make_upn(la_number: int, establishment: int, year: int, serial: int) -> str:
    """Build a valid permanent UPN, for invented children in demos and tests."""
    body = f"{la_number:03d}{establishment:04d}{year % 100:02d}{serial % 1000:03d}"
    return upn_check_letter(body) + body


def case_reference(year: int, number: int) -> str:
    """A request's reference, EHC-YYYY-NNNNN: the year it was received and its number in that
    year, always five digits so that references line up and sort as they read."""
    return f"EHC-{year}-{number:05d}"
