"""The invented schools, colleges and settings a demo plan can name.

URNs are 6 digits starting with 9 (no real establishment has one in this range in the demo's
invented authority); the 4-digit establishment number goes into the children's UPNs, in
DfE's ranges (2xxx primary, 4xxx secondary, 7xxx special, 1xxx nursery/AP).
"""

from __future__ import annotations

from ehcflow.demo import names
from ehcflow.demo.rows import InstitutionRow

EARLY_YEARS = "early_years"
PRIMARY = "primary"
SECONDARY = "secondary"
ALL_THROUGH = "all_through"
SPECIAL = "special"
AP = "ap"
COLLEGE = "college"
INDEPENDENT_SPECIAL = "independent_special"


def build() -> list[InstitutionRow]:
    """A fixed list: the same institutions for every seed."""
    rows: list[InstitutionRow] = []
    places = names.PLACES

    def add(name: str, kind: str, establishment: int, in_area: bool = True) -> None:
        rows.append(InstitutionRow(key=len(rows), urn=f"{900101 + len(rows)}", name=name,
                                   kind=kind, in_area=in_area, establishment=establishment))

    for i in range(6):
        add(f"{places[(i * 7) % len(places)]} Pre-School", EARLY_YEARS, 1001 + i)
    for i in range(40):
        place = places[i % len(places)]
        if i % 9 == 4:
            saint = names.SAINTS[i % len(names.SAINTS)]
            name = f"St {saint}'s Church of England Primary School, {place}"
        elif i % 11 == 7:
            name = f"{place} Infant and Nursery School"
        else:
            name = f"{place} Primary School"
        add(name, PRIMARY, 2001 + i)
    for i in range(10):
        place = places[(i * 3 + 1) % len(places)]
        name = f"{place} Academy" if i % 3 == 0 else f"{place} School"
        add(name, SECONDARY, 4001 + i)
    add(f"{places[5]} All-Through School", ALL_THROUGH, 4101)
    special = ("Brookside Special School", "The Willows Special School",
               "Harbourview School", "Oakmere Specialist Learning Centre",
               "Longmere Communication Academy", "Redwell Park School")
    for i, name in enumerate(special):
        add(name, SPECIAL, 7001 + i)
    add("Dunmore Pupil Referral Unit", AP, 1101)
    add("Saltmere Alternative Provision Academy", AP, 1102)
    for i, name in enumerate(("Dunmore College", "Saltmere Sixth Form College",
                              "Eastwold College of Further Education")):
        add(name, COLLEGE, 8001 + i)
    # Out of the area: independent and non-maintained special schools and a specialist
    # college, the costly placements of report 000 para 24.
    for i, name in enumerate(("Meadowgate Independent School", "Larkspur House School",
                              "Fairhaven Specialist College", "Heronsgate School",
                              "The Orchard Independent Special School",
                              "Kingfisher Lodge School", "Beacon Hill Residential School",
                              "Stonebridge Specialist Academy")):
        add(name, INDEPENDENT_SPECIAL, 6001 + i, in_area=False)
    for i, name in enumerate(("St Elphin's Non-Maintained Special School",
                              "Harrowdene School for the Deaf")):
        add(name, SPECIAL, 7101 + i, in_area=False)
    return rows


def by_kind(rows: list[InstitutionRow], *kinds: str, in_area: bool | None = None
            ) -> list[InstitutionRow]:
    return [r for r in rows if r.kind in kinds and (in_area is None or r.in_area == in_area)]
