"""Invented children and young people: names, dates of birth, sex, ethnicity, postcodes, UPNs.

Shares follow BCP's published figures (DfE annual_reviews.csv and caseload.csv, 2024/25):
about 69% male, 80% White British; ages at request follow the DfE "age when plan started"
shape (a peak at 3-5, another at 11). UPNs are valid (DfE modulus-23 check letter) with the
invented LA number 999; postcodes use the invented area DM.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from ehcflow.casework.identifiers import make_upn
from ehcflow.demo import names
from ehcflow.demo.common import add_years_safe
from ehcflow.demo.rows import ChildRow, InstitutionRow
from ehcflow.statutory.dates import age_on

ETHNICITY: tuple[tuple[str, int], ...] = (
    ("WBRI", 3556), ("WOTH", 253), ("NOBT", 142), ("MOTH", 77), ("MWBC", 60), ("MWAS", 52),
    ("MWBA", 52), ("OOTH", 50), ("AIND", 42), ("AOTH", 41), ("BAFR", 35), ("ABAN", 19),
    ("WIRI", 13), ("WROM", 12), ("BOTH", 12), ("CHNE", 7), ("APKN", 4), ("BCRB", 4),
    ("WIRT", 1),
)
# Age at the request (years 0-24): DfE newplans.csv "age when plan started", BCP 2022-2024.
AGE_AT_REQUEST = (1, 2, 6, 11, 15, 9, 6, 6, 6, 5, 6, 6, 4, 3.5, 3.5, 3, 2.5, 1.5, 0.8, 0.4,
                  0.3, 0.2, 0.1, 0.1, 0.05)
# Age of a young person with a plan (years 0-24): DfE caseload.csv, BCP, January 2025.
AGE_WITH_PLAN = (0.5, 1, 3, 42, 176, 186, 216, 248, 224, 251, 290, 307, 334, 350, 356, 351,
                 339, 237, 195, 117, 78, 52, 29, 30, 18)
POSTCODE_DISTRICTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15)


def pick_index(rng: np.random.Generator, weights: tuple[float, ...]) -> int:
    p = np.asarray(weights, dtype=float)
    return int(rng.choice(len(p), p=p / p.sum()))


def reception_year(date_of_birth: date) -> int:
    """The calendar year a child starts reception: the September after turning 4."""
    return date_of_birth.year + (4 if date_of_birth.month <= 8 else 5)


class ChildMaker:
    """Makes children in a fixed order; UPN serials count up per school and year.

    A child who has started school by `known_by` (the demo's today) has a UPN on the record;
    a younger one has SEN2's reason UN1 ("aged under 6 and not yet assigned a UPN").
    """

    def __init__(self, primaries: list[InstitutionRow], known_by: date) -> None:
        self.primaries = primaries
        self.known_by = known_by
        self.serials: dict[tuple[int, int], int] = {}
        self.children: list[ChildRow] = []
        self.born: dict[int, date] = {}

    def date_of_birth(self, rng: np.random.Generator, on: date, weights: tuple[float, ...]
                      ) -> date:
        age = pick_index(rng, weights)
        return add_years_safe(on, -age) - timedelta(days=int(rng.integers(0, 365)))

    def make(self, rng: np.random.Generator, date_of_birth: date, recorded_on: date
             ) -> ChildRow:
        key = len(self.children)
        male = bool(rng.random() < 0.69)
        forename_list = names.BOYS if male else names.GIRLS
        forename = forename_list[int(rng.integers(len(forename_list)))]
        surname = names.SURNAMES[int(rng.integers(len(names.SURNAMES)))]
        codes, weights = zip(*ETHNICITY, strict=True)
        ethnicity = codes[pick_index(rng, tuple(float(w) for w in weights))]
        district = POSTCODE_DISTRICTS[int(rng.integers(len(POSTCODE_DISTRICTS)))]
        units = names.UNIT_LETTERS
        postcode = (f"{names.POSTCODE_AREA}{district} {int(rng.integers(1, 10))}"
                    f"{units[int(rng.integers(len(units)))]}{units[int(rng.integers(len(units)))]}")
        upn, upn_unknown, uln = "", "", ""
        started = reception_year(date_of_birth)
        at_school = date(started, 9, 1) <= self.known_by
        school = self.primaries[int(rng.integers(len(self.primaries)))]
        if at_school and rng.random() < 0.97:
            serial = self.serials.get((school.establishment, started), 0) + 1
            self.serials[(school.establishment, started)] = serial
            upn = make_upn(names.LA_NUMBER, school.establishment, started, serial)
        elif not at_school:
            upn_unknown = "UN1"  # under 6 and not yet given a UPN
        else:
            upn_unknown = "UN2" if rng.random() < 0.5 else "UN8"
        if age_on(date_of_birth, self.known_by) >= 16 and rng.random() < 0.6:
            uln = str(int(rng.integers(1_000_000_000, 9_999_999_999)))
        child = ChildRow(
            key=key, person_ref=f"P{100001 + key}", forename=forename, surname=surname,
            date_of_birth=date_of_birth, sex="M" if male else "F", ethnicity=ethnicity,
            postcode=postcode, upn=upn, uln=uln, upn_unknown=upn_unknown,
            recorded_on=recorded_on,
        )
        self.children.append(child)
        self.born[key] = date_of_birth
        return child
