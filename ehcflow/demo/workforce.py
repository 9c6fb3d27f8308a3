"""The SEND service's teams and staff over time: turnover, agency staff and the backlog project.

Case officers are simulated month by month: people leave (more often in 2019-2022, and
agency staff more often than permanent staff: report 000 para 13a, 13d) and the service
recruits to a funded establishment that grows with demand. The establishment is set so that
plans maintained per case-officer FTE sit near 145 in 2023 (report 000 para 13b) and open
assessments per FTE in report 004 table 2's range (25-37). Managers, the head of service,
educational psychologists and support staff follow a fixed history that matches report 000:
interim heads until a permanent head of service in June 2022 (para 13a), EP vacancies filled
by locums (para 13e) and the backlog project of September 2023 (table 6).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from ehcflow.demo import names, targets
from ehcflow.demo.common import at, curve, month_end, stream, working_day_between
from ehcflow.demo.rows import TeamRow
from ehcflow.people.models import Role, productivity

AREA_TEAMS = ("EHC Team North", "EHC Team South", "EHC Team East")
BACKLOG_TEAM = "Backlog Project Team"
EP_TEAM = "Educational Psychology Service"
SUPPORT_TEAM = "SEND Business Support"
SYSTEMS_TEAM = "SEND Performance and Systems"
LEADERSHIP_TEAM = "SEND Leadership"
TEAM_NAMES = (*AREA_TEAMS, BACKLOG_TEAM, EP_TEAM, SUPPORT_TEAM, SYSTEMS_TEAM, LEADERSHIP_TEAM)

# Funded case-officer FTE (excluding the backlog project), by date.
CASE_OFFICER_FTE = curve([
    (date(2018, 9, 1), 14.5), (date(2020, 1, 1), 15.5), (date(2021, 1, 1), 16.5),
    (date(2022, 1, 1), 19.5), (date(2023, 1, 1), 22.5), (date(2023, 8, 1), 24.5),
    (date(2024, 6, 1), 27.0), (date(2025, 6, 1), 30.0), (date(2026, 6, 1), 33.0),
    (date(2040, 1, 1), 33.0),
])
# Monthly chance that a permanent case officer leaves (high turnover 2019-2022, para 13a).
LEAVING_PERMANENT = curve([
    (date(2018, 9, 1), 0.022), (date(2022, 5, 31), 0.022), (date(2022, 6, 1), 0.018),
    (date(2023, 6, 30), 0.018), (date(2023, 7, 1), 0.011), (date(2040, 1, 1), 0.011),
])
LEAVING_AGENCY = 0.06
# Share of new case officers who are interim or agency staff (para 13b: "reliant on interim
# and agency staff").
AGENCY_SHARE = curve([
    (date(2018, 9, 1), 0.10), (date(2020, 6, 1), 0.25), (date(2021, 6, 1), 0.45),
    (date(2023, 8, 31), 0.45), (date(2024, 1, 1), 0.15), (date(2025, 1, 1), 0.08),
    (date(2040, 1, 1), 0.08),
])
FTE_CHOICES = ("1.00", "1.00", "1.00", "1.00", "1.00", "1.00", "1.00", "0.80", "0.60", "0.50")


@dataclass
class Person:
    """A member of staff with their real dates (the end may lie after `today`)."""

    key: int
    staff_ref: str
    name: str
    role: str
    team: int | None
    fte: str
    start: date
    end: date | None
    agency: bool

    def in_post(self, on: date) -> bool:
        return self.start <= on and (self.end is None or self.end >= on)

    def capacity(self, on: date) -> float:
        """FTE x the new-starter ramp of people.models (report 000 para 13d)."""
        if not self.in_post(on):
            return 0.0
        return float(self.fte) * productivity(self.start, on)


class _Names:
    def __init__(self, seed: int) -> None:
        self.rng = stream(seed, "staff-names")
        self.used: set[str] = set()

    def __call__(self) -> str:
        while True:
            first = names.STAFF_FIRST_NAMES[int(self.rng.integers(len(names.STAFF_FIRST_NAMES)))]
            last = names.SURNAMES[int(self.rng.integers(len(names.SURNAMES)))]
            name = f"{first} {last}"
            if name not in self.used:
                self.used.add(name)
                return name


# (role, team, fte, start, end, agency): the history of everyone but case officers.
_FIXED: tuple[tuple[str, str | None, str, date, date | None, bool], ...] = (
    # Heads of service: interims after local government reorganisation, a permanent head
    # from June 2022 (report 000 para 13a).
    (Role.HEAD_OF_SERVICE, LEADERSHIP_TEAM, "1.00", date(2018, 4, 3), date(2019, 8, 30), True),
    (Role.HEAD_OF_SERVICE, LEADERSHIP_TEAM, "1.00", date(2019, 9, 2), date(2020, 10, 30), False),
    (Role.HEAD_OF_SERVICE, LEADERSHIP_TEAM, "1.00", date(2020, 11, 2), date(2022, 5, 27), True),
    (Role.HEAD_OF_SERVICE, LEADERSHIP_TEAM, "1.00", targets.PERMANENT_HEAD_OF_SERVICE_FROM,
     None, False),
    # Team managers, one per area team at a time.
    (Role.TEAM_MANAGER, AREA_TEAMS[0], "1.00", date(2015, 6, 1), date(2021, 7, 30), False),
    (Role.TEAM_MANAGER, AREA_TEAMS[0], "1.00", date(2021, 9, 6), None, False),
    (Role.TEAM_MANAGER, AREA_TEAMS[1], "1.00", date(2017, 1, 9), date(2020, 3, 31), False),
    (Role.TEAM_MANAGER, AREA_TEAMS[1], "1.00", date(2020, 4, 14), date(2022, 8, 26), True),
    (Role.TEAM_MANAGER, AREA_TEAMS[1], "1.00", date(2022, 9, 5), None, False),
    (Role.TEAM_MANAGER, AREA_TEAMS[2], "1.00", date(2018, 1, 8), date(2023, 3, 31), False),
    (Role.TEAM_MANAGER, AREA_TEAMS[2], "1.00", date(2023, 4, 17), None, False),
    # The backlog project (report 000 table 6): 0.5 FTE team manager for 9 months.
    (Role.TEAM_MANAGER, BACKLOG_TEAM, "0.50", targets.BACKLOG_PROJECT_STARTS,
     targets.BACKLOG_PROJECT_ENDS, True),
    # Educational psychologists: vacancies from 2020, locums (para 13e), then recruitment.
    (Role.EDUCATIONAL_PSYCHOLOGIST, EP_TEAM, "1.00", date(2012, 9, 3), None, False),
    (Role.EDUCATIONAL_PSYCHOLOGIST, EP_TEAM, "1.00", date(2014, 1, 6), date(2020, 8, 31), False),
    (Role.EDUCATIONAL_PSYCHOLOGIST, EP_TEAM, "0.80", date(2015, 9, 1), date(2021, 3, 31), False),
    (Role.EDUCATIONAL_PSYCHOLOGIST, EP_TEAM, "1.00", date(2016, 4, 4), date(2021, 12, 17), False),
    (Role.EDUCATIONAL_PSYCHOLOGIST, EP_TEAM, "1.00", date(2017, 9, 4), date(2022, 7, 22), False),
    (Role.EDUCATIONAL_PSYCHOLOGIST, EP_TEAM, "0.60", date(2018, 1, 8), None, False),
    (Role.EDUCATIONAL_PSYCHOLOGIST, EP_TEAM, "1.00", date(2018, 4, 16), None, False),
    (Role.EDUCATIONAL_PSYCHOLOGIST, EP_TEAM, "1.00", date(2022, 1, 4), date(2023, 12, 22), True),
    (Role.EDUCATIONAL_PSYCHOLOGIST, EP_TEAM, "1.00", date(2022, 9, 5), date(2024, 7, 19), True),
    (Role.EDUCATIONAL_PSYCHOLOGIST, EP_TEAM, "1.00", date(2024, 1, 8), None, False),
    (Role.EDUCATIONAL_PSYCHOLOGIST, EP_TEAM, "1.00", date(2024, 4, 15), None, False),
    (Role.EDUCATIONAL_PSYCHOLOGIST, EP_TEAM, "0.80", date(2024, 9, 2), None, False),
    (Role.EDUCATIONAL_PSYCHOLOGIST, EP_TEAM, "1.00", date(2025, 1, 6), None, False),
    # Business support, the analyst, the administrator and the partner advisers.
    (Role.BUSINESS_SUPPORT, SUPPORT_TEAM, "1.00", date(2013, 5, 7), None, False),
    (Role.BUSINESS_SUPPORT, SUPPORT_TEAM, "1.00", date(2016, 2, 1), date(2021, 5, 28), False),
    (Role.BUSINESS_SUPPORT, SUPPORT_TEAM, "0.60", date(2017, 6, 5), None, False),
    (Role.BUSINESS_SUPPORT, SUPPORT_TEAM, "1.00", date(2018, 3, 5), date(2023, 1, 31), False),
    (Role.BUSINESS_SUPPORT, SUPPORT_TEAM, "1.00", date(2021, 7, 5), None, False),
    (Role.BUSINESS_SUPPORT, SUPPORT_TEAM, "1.00", date(2023, 3, 13), None, False),
    (Role.BUSINESS_SUPPORT, SUPPORT_TEAM, "1.00", date(2025, 4, 1), None, False),
    (Role.ANALYST, SYSTEMS_TEAM, "1.00", date(2019, 1, 7), date(2022, 3, 31), False),
    (Role.ANALYST, SYSTEMS_TEAM, "1.00", date(2022, 5, 9), None, False),
    (Role.ADMINISTRATOR, SYSTEMS_TEAM, "1.00", date(2018, 1, 8), None, False),
    (Role.HEALTH_ADVISER, None, "0.60", date(2017, 5, 1), None, False),
    (Role.SOCIAL_CARE_ADVISER, None, "0.50", date(2019, 2, 4), None, False),
)


def _backlog_project() -> list[tuple[str, str | None, str, date, date | None, bool]]:
    """Report 000 table 6: 4 FTE case officers (2 for 6 months, 2 for 9), 2 FTE business
    support for 9 months, 6 FTE locum EPs for 6 months."""
    six_months = date(2024, 2, 29)
    start, end = targets.BACKLOG_PROJECT_STARTS, targets.BACKLOG_PROJECT_ENDS
    rows = [(Role.CASE_OFFICER, BACKLOG_TEAM, "1.00", start, six_months, True)] * 2
    rows += [(Role.CASE_OFFICER, BACKLOG_TEAM, "1.00", start, end, True)] * 2
    rows += [(Role.BUSINESS_SUPPORT, BACKLOG_TEAM, "1.00", start, end, True)] * 2
    rows += [(Role.EDUCATIONAL_PSYCHOLOGIST, BACKLOG_TEAM, "1.00", start, six_months, True)] * 6
    return [(str(r), t, f, s, e, a) for r, t, f, s, e, a in rows]


def build(seed: int, scale: float, last_day: date) -> tuple[list[TeamRow], list[Person]]:
    """The teams and everyone who worked in the service from 2018 to `last_day`."""
    teams = [TeamRow(key=i, name=name) for i, name in enumerate(TEAM_NAMES)]
    team_key = {t.name: t.key for t in teams}
    new_name = _Names(seed)
    people: list[Person] = []

    def add(role: str, team: str | None, fte: str, start: date, end: date | None,
            agency: bool) -> Person:
        person = Person(key=len(people), staff_ref=f"S{10001 + len(people)}", name=new_name(),
                        role=str(role), team=team_key[team] if team else None, fte=fte,
                        start=start, end=end, agency=agency)
        people.append(person)
        return person

    for role, team_name, fte, start, end, agency in (*_FIXED, *_backlog_project()):
        add(role, team_name, fte, start, end, agency)
    _case_officers(seed, scale, last_day, add)
    for row in teams:
        managers = [p for p in people if p.role == Role.TEAM_MANAGER and p.team == row.key]
        if row.name == LEADERSHIP_TEAM:
            managers = [p for p in people if p.role == Role.HEAD_OF_SERVICE]
        if managers:
            row.manager = max(managers, key=lambda p: p.start).key
    return teams, people


AddPerson = Callable[[str, str | None, str, date, date | None, bool], Person]


def _case_officers(seed: int, scale: float, last_day: date, add: AddPerson) -> None:
    """Month by month: leavers by hazard, then recruitment up to the funded FTE."""
    officers: list[Person] = []
    start_rng = stream(seed, "workforce", "initial")

    def fte_on(on: date, last: date) -> float:
        """FTE in post on `on`, counting people already recruited to start by `last`."""
        return sum(float(p.fte) for p in officers
                   if p.start <= last and (p.end is None or p.end >= on))

    def hire(on_or_after: date, last: date, rng: np.random.Generator, team: int) -> None:
        agency = bool(rng.random() < float(at(AGENCY_SHARE, on_or_after)))
        fte = FTE_CHOICES[int(rng.integers(len(FTE_CHOICES)))]
        start = working_day_between(rng, on_or_after, last)
        officers.append(add(Role.CASE_OFFICER, AREA_TEAMS[team], fte, start, None, agency))

    def quietest_team() -> int:
        totals = [0.0, 0.0, 0.0]
        for p in officers:
            if p.end is None and p.team is not None and p.team < 3:
                totals[p.team] += float(p.fte)
        return int(np.argmin(totals))

    first = targets.HISTORY_STARTS
    while fte_on(first, first) < float(at(CASE_OFFICER_FTE, first)) * scale - 0.25:
        hire(date(2011, 1, 3), date(2018, 8, 31), start_rng, quietest_team())
    month = first
    while month <= last_day:
        rng = stream(seed, "workforce", month.year, month.month)
        last = month_end(month.year, month.month)
        for p in officers:
            if p.end is not None or p.start > month:
                continue
            hazard = LEAVING_AGENCY if p.agency else float(at(LEAVING_PERMANENT, month))
            if rng.random() < hazard:
                p.end = working_day_between(rng, max(month, p.start + timedelta(days=60)),
                                            last)
                if p.end > last:
                    p.end = None
        mid = month + timedelta(days=14)
        while fte_on(mid, last) < float(at(CASE_OFFICER_FTE, mid)) * scale - 0.25:
            hire(month, last, rng, quietest_team())
        month = last + timedelta(days=1)
