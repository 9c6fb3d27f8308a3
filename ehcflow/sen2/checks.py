"""Pre-submission checks on a SEN2 return: DfE's validation themes, before COLLECT sees them.

Every check is a pure function over the return (`items`), so the same checks run on the return built
from the records and on a file read back. DfE publishes its validation rules as a spreadsheet per
year (docs/domain/sen2.md §2.4) that could not be retrieved; the checks here follow the themes
docs/domain/sen2.md lists, from the guide's own words: identifiers (UPN or a UPNunknown reason),
dates in order and inside the census windows, outcomes with their dates, modules only where the
outcome allows them, ranks 1-2, a setting for each placement, and duplicate keys.

Severity follows COLLECT's: an **error** must be put right before the return is accepted; a
**query** must be checked and either corrected or explained. Each finding names the case (its
reference) where the record can be put right.

Longer than 500 lines on purpose: 61 short checks, each a few lines with its code and
message; kept in one list so the page, the command and the tests read the same set.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Literal

from ehcflow.sen2.items import ActivePlan, NamedPlan, Person, Placement, Request, Sen2Return
from ehcflow.statutory import clock
from ehcflow.statutory.dates import age_on

Severity = Literal["error", "query"]
ERROR: Severity = "error"
QUERY: Severity = "query"

UPN_FORM = re.compile(r"[A-Za-z]\d{12}|[A-Za-z]\d{11}[A-Za-z]")
ULN_FORM = re.compile(r"\d{10}")
URN_FORM = re.compile(r"\d{6}")
UKPRN_FORM = re.compile(r"\d{8}")
LA_FORM = re.compile(r"\d{3}")
OFFICER_CODES = ("Y", "N", "R")
NOT_IN_EDUCATION = ("NEET", "NIEC", "NIEO")
MAX_AGE = 25  # a plan can run to the end of the academic year in which the YP turns 25
YEAR_DAYS = 365


@dataclass(frozen=True)
class Finding:
    """One problem: the check's code, how serious, the case, and what to do, in plain words."""

    code: str
    severity: Severity
    message: str
    case_ref: str = ""
    request_id: str = ""  # the request's public_id (a link to the case), when there is one
    child_id: str = ""  # the child's public_id, for a plan with no request on record

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "severity": self.severity, "case_ref": self.case_ref,
                "message": self.message}


@dataclass(frozen=True)
class Check:
    code: str
    severity: Severity
    title: str
    run: Callable[[Sen2Return], Iterator[Finding]]


CHECKS: list[Check] = []


def check(code: str, severity: Severity, title: str
          ) -> Callable[[Callable[[Sen2Return], Iterator[Finding]]],
                        Callable[[Sen2Return], Iterator[Finding]]]:
    """Register a check (each code once)."""

    def register(fn: Callable[[Sen2Return], Iterator[Finding]]
                 ) -> Callable[[Sen2Return], Iterator[Finding]]:
        assert all(c.code != code for c in CHECKS), code
        CHECKS.append(Check(code, severity, title, fn))
        return fn

    return register


def _at(code: str, severity: Severity, message: str, req: Request) -> Finding:
    return Finding(code=code, severity=severity, message=message, case_ref=req.case_ref,
                   request_id=req.request_id, child_id=req.child_id)


def _first(person: Person) -> Request | None:
    return person.requests[0] if person.requests else None


def _person_finding(code: str, severity: Severity, message: str, person: Person) -> Finding:
    req = _first(person)
    if req is None:
        return Finding(code=code, severity=severity, message=message)
    return _at(code, severity, message, req)


# The (person, request) pairs of the return being checked, listed once per run: 61 checks each
# listing 40,000 pairs would be most of the checks' time.
_LISTED: list[tuple[Sen2Return, list[tuple[Person, Request]]]] = []


def _requests(ret: Sen2Return) -> list[tuple[Person, Request]]:
    for listed_ret, pairs in _LISTED:
        if listed_ret is ret:
            return pairs
    return ret.requests()


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _placements(ret: Sen2Return) -> Iterator[tuple[Person, Request, Placement, str]]:
    for person, req in _requests(ret):
        plan = req.assessment.named_plan if req.assessment else None
        if plan is not None:
            for p in plan.details:
                yield person, req, p, "setting named in the plan"
        if req.active_plan is not None:
            for p in req.active_plan.placements:
                yield person, req, p, "placement"


def _active(ret: Sen2Return) -> Iterator[tuple[Person, Request, ActivePlan]]:
    for person, req in _requests(ret):
        if req.active_plan is not None:
            yield person, req, req.active_plan


# --- header ---------------------------------------------------------------------------------


@check("H01", ERROR, "LA number")
def la_number(ret: Sen2Return) -> Iterator[Finding]:
    if not LA_FORM.fullmatch(ret.header.la_number):
        yield Finding("H01", ERROR, "The authority's three-digit LA number is not set. Ask the "
                      "system administrator to set it before the return is made.")


@check("H02", ERROR, "Designated officers")
def designated_officers(ret: Sen2Return) -> Iterator[Finding]:
    h = ret.header
    officers = [("Designated Medical Officer", h.dmo), ("Designated Clinical Officer", h.dco)]
    if ret.collection.has_dsco:
        officers.append(("Designated Social Care Officer", h.dsco))
    for name, value in officers:
        if value not in OFFICER_CODES:
            yield Finding("H02", ERROR, f"Whether there is a {name} is not set (Y, N or R). "
                          "Ask the system administrator to set it.")


# --- person ---------------------------------------------------------------------------------


@check("P01", ERROR, "UPN, ULN or a reason")
def identifier_missing(ret: Sen2Return) -> Iterator[Finding]:
    for p in ret.persons:
        if not p.upn and not p.uln and not p.upn_unknown:
            yield _person_finding("P01", ERROR, "The child has no unique pupil number, no unique "
                                  "learner number and no reason recorded for the number being "
                                  "unknown. Record one of them.", p)


@check("P02", ERROR, "UPN form")
def upn_form(ret: Sen2Return) -> Iterator[Finding]:
    for p in ret.persons:
        if p.upn and not UPN_FORM.fullmatch(p.upn):
            yield _person_finding("P02", ERROR, "The unique pupil number is not in the right "
                                  "form: a letter, 11 digits, then a digit or a letter.", p)


@check("P03", QUERY, "UPN and a reason")
def upn_and_reason(ret: Sen2Return) -> Iterator[Finding]:
    for p in ret.persons:
        if p.upn and p.upn_unknown:
            yield _person_finding("P03", QUERY, "The child has a unique pupil number and also a "
                                  "reason for it being unknown. Remove the one that is wrong.", p)


@check("P04", ERROR, "ULN form")
def uln_form(ret: Sen2Return) -> Iterator[Finding]:
    for p in ret.persons:
        if p.uln and not ULN_FORM.fullmatch(p.uln):
            yield _person_finding("P04", ERROR, "The unique learner number is not 10 digits.", p)


@check("P05", ERROR, "Born before the request")
def born_after_request(ret: Sen2Return) -> Iterator[Finding]:
    for p, req in _requests(ret):
        if req.received_date is not None and p.birth_date > req.received_date:
            yield _at("P05", ERROR, "The date of birth is after the date the request was "
                      "received. Check both dates.", req)


@check("P06", QUERY, "Over 25 with a plan")
def over_age(ret: Sen2Return) -> Iterator[Finding]:
    census = ret.collection.census_day
    for p, req, _active_plan in _active(ret):
        if age_on(p.birth_date, census) > MAX_AGE:
            yield _at("P06", QUERY, f"The young person is over {MAX_AGE} on census day and "
                      "still has a plan in force. Check whether the plan should have ceased.", req)


@check("P07", ERROR, "Born by census day")
def born_after_census(ret: Sen2Return) -> Iterator[Finding]:
    census = ret.collection.census_day
    for p in ret.persons:
        if p.birth_date > census:
            yield _person_finding("P07", ERROR, "The date of birth is after census day. "
                                  "Check the date of birth.", p)


@check("P08", QUERY, "Sex not known")
def sex_unknown(ret: Sen2Return) -> Iterator[Finding]:
    for p in ret.persons:
        if p.sex not in ("M", "F"):
            yield _person_finding("P08", QUERY, "The child's sex is not recorded. Record it if "
                                  "it is known.", p)


@check("P09", QUERY, "Ethnicity not recorded")
def ethnicity_missing(ret: Sen2Return) -> Iterator[Finding]:
    for p in ret.persons:
        if not p.ethnicity_recorded:
            yield _person_finding("P09", QUERY, "The child's ethnicity is not recorded; the "
                                  "return will say 'information not yet obtained'.", p)


@check("P10", QUERY, "Postcode")
def postcode_missing(ret: Sen2Return) -> Iterator[Finding]:
    for p in ret.persons:
        if not p.postcode.strip():
            yield _person_finding("P10", QUERY, "The child's postcode is not recorded.", p)


@check("P11", ERROR, "Name")
def name_missing(ret: Sen2Return) -> Iterator[Finding]:
    for p in ret.persons:
        if not p.surname.strip() or not p.forename.strip():
            yield _person_finding("P11", ERROR, "The child's forename or surname is missing.", p)


@check("P12", ERROR, "Duplicate UPN")
def duplicate_upn(ret: Sen2Return) -> Iterator[Finding]:
    counts = Counter(p.upn.upper() for p in ret.persons if p.upn)
    for p in ret.persons:
        if p.upn and counts[p.upn.upper()] > 1:
            yield _person_finding("P12", ERROR, "Another child in the return has the same "
                                  "unique pupil number. One record may be a duplicate.", p)


@check("P13", QUERY, "Possible duplicate child")
def duplicate_person(ret: Sen2Return) -> Iterator[Finding]:
    def key(p: Person) -> tuple[str, str, date]:
        return (p.surname.strip().lower(), p.forename.strip().lower(), p.birth_date)

    counts = Counter(key(p) for p in ret.persons if p.surname.strip())
    for p in ret.persons:
        if p.surname.strip() and counts[key(p)] > 1:
            yield _person_finding("P13", QUERY, "Another child in the return has the same name "
                                  "and date of birth. Check they are not the same child.", p)


@check("P14", ERROR, "UN1 and age")
def un1_over_six(ret: Sen2Return) -> Iterator[Finding]:
    census = ret.collection.census_day
    for p in ret.persons:
        if p.upn_unknown == "UN1" and age_on(p.birth_date, census) >= 6:
            yield _person_finding("P14", ERROR, "The reason for no unique pupil number is 'aged "
                                  "under 6', but the child is 6 or over on census day.", p)


# --- requests -------------------------------------------------------------------------------


@check("R01", ERROR, "Received date")
def received_missing(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req in _requests(ret):
        if req.received_date is None and req.outcome != "H":
            yield _at("R01", ERROR, "The request has no date received.", req)


@check("R02", ERROR, "Decision before request")
def decision_before_request(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req in _requests(ret):
        if (req.received_date is not None and req.outcome_date is not None
                and req.outcome_date < req.received_date):
            yield _at("R02", ERROR, "The decision whether to assess is dated before the request "
                      "was received.", req)


@check("R03", ERROR, "Decision date")
def decision_without_date(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req in _requests(ret):
        if req.outcome in ("Y", "N") and req.outcome_date is None:
            yield _at("R03", ERROR, "A decision whether to assess is recorded without the date "
                      "the family was told.", req)


@check("R04", QUERY, "Request open over a year")
def request_open_long(ret: Sen2Return) -> Iterator[Finding]:
    census = ret.collection.census_day
    for _p, req in _requests(ret):
        if (req.outcome == "A" and req.received_date is not None
                and (census - req.received_date).days > YEAR_DAYS):
            yield _at("R04", QUERY, "The request has waited over a year for a decision whether "
                      "to assess. Record the decision, or close the request.", req)


@check("R05", QUERY, "Decision over 6 weeks")
def decision_late(ret: Sen2Return) -> Iterator[Finding]:
    start = ret.collection.activity_year.start
    for _p, req in _requests(ret):
        if (req.outcome in ("Y", "N") and req.received_date is not None
                and req.outcome_date is not None and req.outcome_date >= start
                and req.outcome_date > clock.decision_to_assess_due(req.received_date)):
            yield _at("R05", QUERY, "The decision whether to assess was made more than 6 weeks "
                      "after the request. DfE will ask why; check the dates.", req)


@check("R06", ERROR, "Request source")
def source_missing(ret: Sen2Return) -> Iterator[Finding]:
    coll = ret.collection
    if not coll.has_request_source:
        return
    severity: Severity = ERROR if coll.year >= 2026 else QUERY
    for _p, req in _requests(ret):
        if req.received_date is not None and not req.source:
            yield _at("R06", severity, "Who made the request is not recorded.", req)


@check("R07", ERROR, "Duplicate request")
def duplicate_request(ret: Sen2Return) -> Iterator[Finding]:
    for p in ret.persons:
        counts = Counter(r.received_date for r in p.requests if r.received_date is not None)
        for req in p.requests:
            if req.received_date is not None and counts[req.received_date] > 1:
                yield _at("R07", ERROR, "The child has another request received on the same "
                          "day. One of them may be a duplicate.", req)


@check("R08", ERROR, "Assessment without a decision to assess")
def assessment_without_yes(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req in _requests(ret):
        if req.assessment is not None and req.outcome not in ("Y", "H"):
            yield _at("R08", ERROR, "An assessment is recorded, but no decision to assess.", req)


@check("R09", ERROR, "Plan without a decision to assess")
def plan_without_yes(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req in _requests(ret):
        if req.active_plan is not None and req.outcome not in ("Y", "H"):
            yield _at("R09", ERROR, "A plan is in force for this request, but no decision to "
                      "assess is recorded.", req)


# --- assessments ----------------------------------------------------------------------------


@check("A01", ERROR, "No-plan decision date")
def no_plan_without_date(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req in _requests(ret):
        a = req.assessment
        if a is not None and a.outcome == "N" and a.outcome_date is None:
            yield _at("A01", ERROR, "A decision not to issue a plan is recorded without its "
                      "date.", req)


@check("A02", ERROR, "Assessment dates in order")
def assessment_before_decision(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req in _requests(ret):
        a = req.assessment
        if a is None or a.outcome_date is None:
            continue
        if req.received_date is not None and a.outcome_date < req.received_date:
            yield _at("A02", ERROR, "The outcome of the assessment is dated before the request "
                      "was received.", req)
        elif req.outcome_date is not None and a.outcome_date < req.outcome_date:
            yield _at("A02", ERROR, "The outcome of the assessment is dated before the decision "
                      "to assess.", req)


@check("A03", ERROR, "20-week exceptions")
def week20_missing(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req in _requests(ret):
        a = req.assessment
        if a is not None and a.outcome == "Y" and a.outcome_date is not None and a.week20 is None:
            yield _at("A03", ERROR, "A plan was issued but whether an exception to the 20 weeks "
                      "applied is not recorded.", req)


@check("A04", QUERY, "Plan issued over a year")
def issued_over_a_year(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req in _requests(ret):
        a = req.assessment
        if (a is not None and a.outcome == "Y" and a.outcome_date is not None
                and req.received_date is not None
                and (a.outcome_date - req.received_date).days > 52 * 7):
            yield _at("A04", QUERY, "The plan was issued more than 52 weeks after the request. "
                      "Check the dates.", req)


@check("A05", ERROR, "Plan without a decision to issue")
def named_plan_without_yes(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req in _requests(ret):
        a = req.assessment
        if a is not None and a.named_plan is not None and a.outcome not in ("Y", "H"):
            yield _at("A05", ERROR, "A plan is recorded, but the assessment outcome is not a "
                      "decision to issue one.", req)


@check("A06", ERROR, "Issued plan missing")
def issued_without_plan(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req in _requests(ret):
        a = req.assessment
        if a is not None and a.outcome == "Y" and a.outcome_date is not None \
                and a.named_plan is None:
            yield _at("A06", ERROR, "A final plan was issued, but the plan itself (its date and "
                      "settings) is not recorded.", req)


@check("A07", ERROR, "Decision to assess without an assessment")
def yes_without_assessment(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req in _requests(ret):
        if req.outcome in ("Y", "H") and req.assessment is None:
            yield _at("A07", ERROR, "A decision to assess is recorded, but there is no "
                      "assessment.", req)


# --- plans ----------------------------------------------------------------------------------


def _plans(ret: Sen2Return) -> Iterator[tuple[Request, NamedPlan]]:
    for _p, req in _requests(ret):
        if req.assessment is not None and req.assessment.named_plan is not None:
            yield req, req.assessment.named_plan


@check("N01", ERROR, "Cease reason without a date")
def cease_reason_without_date(ret: Sen2Return) -> Iterator[Finding]:
    for req, plan in _plans(ret):
        if plan.cease_reason and plan.cease_date is None:
            yield _at("N01", ERROR, "A reason for ceasing the plan is recorded without the date "
                      "it ceased.", req)


@check("N02", ERROR, "Cease date without a reason")
def cease_date_without_reason(ret: Sen2Return) -> Iterator[Finding]:
    for req, plan in _plans(ret):
        if plan.cease_date is not None and not plan.cease_reason:
            yield _at("N02", ERROR, "The plan ceased but the reason is not recorded.", req)


@check("N03", ERROR, "Cease date before start")
def cease_before_start(ret: Sen2Return) -> Iterator[Finding]:
    for req, plan in _plans(ret):
        cease, start = plan.cease_date, plan.start_date
        if cease is not None and cease < start:
            yield _at("N03", ERROR, "The plan ceased before the date of the plan.", req)


@check("N04", ERROR, "No setting named")
def plan_without_setting(ret: Sen2Return) -> Iterator[Finding]:
    for req, plan in _plans(ret):
        if not plan.details:
            yield _at("N04", ERROR, "The plan names no school, college or other setting "
                      "(section I).", req)


@check("N05", QUERY, "Ceased for another reason")
def cease_reason_other(ret: Sen2Return) -> Iterator[Finding]:
    for req, plan in _plans(ret):
        if plan.cease_reason == "9":
            yield _at("N05", QUERY, "The plan ceased for 'another reason'. DfE queries this; use "
                      "a specific reason if one applies.", req)


@check("N06", ERROR, "Plan before request")
def plan_before_request(ret: Sen2Return) -> Iterator[Finding]:
    for req, plan in _plans(ret):
        if (req.outcome != "H" and req.received_date is not None
                and plan.start_date < req.received_date):
            yield _at("N06", ERROR, "The date of the plan is before the request was "
                      "received.", req)


# --- settings and placements ----------------------------------------------------------------


@check("S01", ERROR, "Setting identified")
def setting_unidentified(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req, place, what in _placements(ret):
        if not place.urn and not place.ukprn and not place.sen_setting:
            yield _at("S01", ERROR, f"A {what} has no URN, no UKPRN and no type of setting.", req)


@check("S02", ERROR, "URN and UKPRN form")
def setting_number_form(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req, place, what in _placements(ret):
        if (place.urn and not URN_FORM.fullmatch(place.urn)) or (
                place.ukprn and not UKPRN_FORM.fullmatch(place.ukprn)):
            yield _at("S02", ERROR, f"The {what}'s URN is not 6 digits or its UKPRN not "
                      "8 digits.", req)


@check("S03", QUERY, "Setting and URN both given")
def setting_and_number(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req, place, what in _placements(ret):
        if (place.urn or place.ukprn) and place.sen_setting:
            yield _at("S03", QUERY, f"A {what} has a URN or UKPRN and also a type of setting; "
                      "the type is only for settings with neither.", req)


@check("S04", ERROR, "Placement rank")
def placement_rank(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req, place, what in _placements(ret):
        if place.rank not in (1, 2):
            yield _at("S04", ERROR, f"A {what} is ranked {place.rank}; only 1 (main) and "
                      "2 (second) are allowed.", req)


def _ranked_groups(ret: Sen2Return) -> Iterator[tuple[Request, list[Placement], str]]:
    for req, plan in _plans(ret):
        yield req, plan.details, "settings named in the plan"
    for _p, req, active in _active(ret):
        yield req, active.placements, "placements"


@check("S05", ERROR, "Duplicate placement rank")
def placement_rank_duplicate(ret: Sen2Return) -> Iterator[Finding]:
    for req, group, what in _ranked_groups(ret):
        counts = Counter(p.rank for p in group)
        if any(n > 1 for n in counts.values()):
            yield _at("S05", ERROR, f"Two {what} have the same rank.", req)


@check("S06", ERROR, "Main placement")
def placement_no_main(ret: Sen2Return) -> Iterator[Finding]:
    for req, group, what in _ranked_groups(ret):
        if group and all(p.rank != 1 for p in group):
            yield _at("S06", ERROR, f"None of the {what} is ranked 1 (main).", req)


@check("S07", ERROR, "SEN unit and resourced provision")
def unit_and_resourced(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req, place, what in _placements(ret):
        if place.sen_unit and place.resourced_provision:
            yield _at("S07", ERROR, f"A {what} is marked both as an SEN unit and as resourced "
                      "provision; it can only be one.", req)


@check("S08", ERROR, "Unexpected SEN unit indicator")
def unit_without_school(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req, place, what in _placements(ret):
        if (place.sen_unit or place.resourced_provision) and not place.urn:
            yield _at("S08", ERROR, f"A {what} without a school URN is marked as an SEN unit or "
                      "resourced provision, which only a school has.", req)


@check("S09", QUERY, "Other setting described")
def other_text(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req, place, what in _placements(ret):
        if place.sen_setting == "OTH" and not place.sen_setting_other.strip():
            yield _at("S09", QUERY, f"A {what} is 'other' with no description of the setting.",
                      req)


@check("S10", ERROR, "Placement dates in order")
def leaving_before_entry(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req, place, what in _placements(ret):
        if (place.leaving_date is not None and place.entry_date is not None
                and place.leaving_date < place.entry_date):
            yield _at("S10", ERROR, f"A {what} ends before it starts.", req)


@check("S11", QUERY, "Not in education under 16")
def neet_under_16(ret: Sen2Return) -> Iterator[Finding]:
    census = ret.collection.census_day
    for p, req, active in _active(ret):
        if any(pl.sen_setting == "NEET" for pl in active.placements) \
                and age_on(p.birth_date, census) < 16:
            yield _at("S11", QUERY, "A child under 16 on census day is recorded as not in "
                      "education, employment or training, which applies from 16 to 25.", req)


@check("S12", QUERY, "Early years setting and age")
def early_years_over_5(ret: Sen2Return) -> Iterator[Finding]:
    census = ret.collection.census_day
    for p, req, active in _active(ret):
        if any(pl.sen_setting == "EYP" for pl in active.placements) \
                and age_on(p.birth_date, census) >= 6:
            yield _at("S12", QUERY, "A child aged 6 or over on census day is placed with an early "
                      "years provider.", req)


@check("S13", QUERY, "Placement start")
def entry_not_recorded(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req, active in _active(ret):
        if any(not pl.entry_date_recorded for pl in active.placements):
            yield _at("S13", QUERY, "The date the child started at the placement is not "
                      "recorded; the date of the plan is reported instead.", req)


@check("S14", QUERY, "Placement ended before census")
def placement_left(ret: Sen2Return) -> Iterator[Finding]:
    census = ret.collection.census_day
    for _p, req, active in _active(ret):
        if active.placements and all(pl.leaving_date is not None and pl.leaving_date <= census
                                     for pl in active.placements):
            yield _at("S14", QUERY, "Every placement of a plan in force on census day had ended "
                      "by then. Record the current placement.", req)


# --- needs ----------------------------------------------------------------------------------


@check("D01", ERROR, "Need recorded")
def need_missing(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req, active in _active(ret):
        if not active.needs:
            yield _at("D01", ERROR, "The plan in force has no primary need recorded.", req)


@check("D02", ERROR, "Primary need")
def need_no_primary(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req, active in _active(ret):
        if active.needs and all(n.rank != 1 for n in active.needs):
            yield _at("D02", ERROR, "The plan's needs have no primary need (rank 1).", req)


@check("D03", ERROR, "Need ranks")
def need_ranks(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req, active in _active(ret):
        counts = Counter(n.rank for n in active.needs)
        if any(n > 1 for n in counts.values()) or any(n.rank not in (1, 2) for n in active.needs):
            yield _at("D03", ERROR, "The plan's needs are not ranked 1 (primary) and 2 "
                      "(secondary), once each.", req)


@check("D04", ERROR, "Same need twice")
def need_repeated(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req, active in _active(ret):
        types = [n.sen_type for n in active.needs]
        if len(types) != len(set(types)):
            yield _at("D04", ERROR, "The same need is recorded as both primary and "
                      "secondary.", req)


# --- active plans and reviews ---------------------------------------------------------------


@check("C01", QUERY, "Annual review")
def review_overdue(ret: Sen2Return) -> Iterator[Finding]:
    coll = ret.collection
    if not coll.has_reviews:
        return
    census = coll.census_day
    for _p, req, active in _active(ret):
        start = active.plan_start
        if start is None or (census - start).days <= YEAR_DAYS:
            continue
        if active.review_meeting is None or (census - active.review_meeting).days > YEAR_DAYS:
            yield _at("C01", QUERY, "The plan has been in force over a year with no annual review "
                      "meeting in the 12 months before census day.", req)


@check("C02", ERROR, "Review outcome date")
def review_outcome_without_date(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req, active in _active(ret):
        if active.review_outcome and active.last_review is None:
            yield _at("C02", ERROR, "An annual review decision is recorded without its date.", req)


@check("C03", ERROR, "Review dates in order")
def review_dates_order(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req, active in _active(ret):
        meeting = active.review_meeting
        if meeting is None:
            continue
        if (active.last_review is not None and active.last_review < meeting) or (
                active.review_draft is not None and active.review_draft < meeting):
            yield _at("C03", ERROR, "The annual review decision or draft amended plan is dated "
                      "before the review meeting.", req)


@check("C04", QUERY, "Phase transfer late")
def phase_transfer_late(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req, active in _active(ret):
        due, final = active.phase_transfer_due, active.phase_transfer_final
        if due is not None and final is not None and final > due:
            yield _at("C04", QUERY, f"The amended plan for the phase transfer was issued after "
                      f"its deadline of {_day(due)}.", req)


@check("C05", ERROR, "Review before plan")
def review_before_plan(ret: Sen2Return) -> Iterator[Finding]:
    for _p, req, active in _active(ret):
        if (active.review_meeting is not None and active.plan_start is not None
                and active.review_meeting < active.plan_start):
            yield _at("C05", ERROR, "The annual review meeting is dated before the plan.", req)


def run_checks(ret: Sen2Return) -> list[Finding]:
    """Every check over the return: errors first, then queries, each by code then case."""
    _LISTED.append((ret, ret.requests()))
    try:
        findings = [f for c in CHECKS for f in c.run(ret)]
    finally:
        _LISTED.pop()
    return sorted(findings, key=lambda f: (f.severity != ERROR, f.code, f.case_ref))
