"""The SEN2 XML file: written from a `Sen2Return`, validated against the year's schema, and
read back into one.

Element names, order and cardinalities are those of the schemas in `schemas/` (decision 0016):
the 2024 liia-tools schema, and the 2025 and 2026 schemas written from DfE's guides as
docs/domain/sen2.md describes. Flags are written 1 / 0. Reading accepts what the schema accepts
(true/false/TRUE/FALSE too) and names the element path of anything it cannot use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from ehcflow.sen2 import items
from ehcflow.sen2.items import Collection

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"

__all__ = ["FileProblem", "SchemaProblem", "parse", "render", "schema_problems"]


@dataclass(frozen=True)
class SchemaProblem:
    """One way a file breaks the schema: where (element path and line) and what."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path} (line {self.line}): {self.message}"


class FileProblem(ValueError):
    """A SEN2 file that cannot be read; `problems` name each element path."""

    def __init__(self, summary: str, problems: list[SchemaProblem] | None = None) -> None:
        super().__init__(summary)
        self.problems = problems or []


@cache
def schema(coll: Collection) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / coll.schema)))


# --- writing --------------------------------------------------------------------------------


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _day(value: date) -> str:
    return value.isoformat()


def _sub(parent: Any, tag: str, text: str | None = None) -> Any:
    element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def _placement(parent: Any, tag: str, p: items.Placement, *, detail: bool) -> None:
    el = _sub(parent, tag)
    if p.urn:
        _sub(el, "URN", p.urn)
    if p.ukprn:
        _sub(el, "UKPRN", p.ukprn)
    if p.sen_setting:
        _sub(el, "SENSetting", p.sen_setting)
    if p.sen_setting_other:
        _sub(el, "SENSettingOther", p.sen_setting_other)
    _sub(el, "PlacementRank", str(p.rank))
    if not detail:
        if p.entry_date is not None:
            _sub(el, "EntryDate", _day(p.entry_date))
        if p.leaving_date is not None:
            _sub(el, "LeavingDate", _day(p.leaving_date))
    _sub(el, "SENunitIndicator", _flag(p.sen_unit))
    _sub(el, "ResourcedProvisionIndicator", _flag(p.resourced_provision))


def _named_plan(parent: Any, plan: items.NamedPlan) -> None:
    el = _sub(parent, "NamedPlan")
    _sub(el, "StartDate", _day(plan.start_date))
    for detail in plan.details:
        _placement(el, "PlanDetail", detail, detail=True)
    _sub(el, "PB", _flag(plan.personal_budget))
    _sub(el, "OA", _flag(plan.organised_arrangements))
    if plan.cease_date is not None:
        _sub(el, "CeaseDate", _day(plan.cease_date))
    if plan.cease_reason:
        _sub(el, "CeaseReason", plan.cease_reason)


def _active_plan(parent: Any, active: items.ActivePlan) -> None:
    el = _sub(parent, "ActivePlans")
    for placement in active.placements:
        _placement(el, "PlacementDetail", placement, detail=False)
    for need in active.needs:
        need_el = _sub(el, "SENneed")
        _sub(need_el, "SENtype", need.sen_type)
        _sub(need_el, "SENtypeRank", str(need.rank))
    optional_dates = (
        ("ReviewMeeting", active.review_meeting), ("ReviewOutcome", active.review_outcome),
        ("LastReview", active.last_review), ("ReviewDraft", active.review_draft),
        ("PhaseTransferDueDate", active.phase_transfer_due),
        ("PhaseTransferFinalDate", active.phase_transfer_final),
    )
    for tag, value in optional_dates:
        if isinstance(value, date):
            _sub(el, tag, _day(value))
        elif value:
            _sub(el, tag, value)


def _request(parent: Any, req: items.Request, coll: Collection) -> None:
    el = _sub(parent, "Requests")
    if req.received_date is not None:
        _sub(el, "ReceivedDate", _day(req.received_date))
    if req.source:
        _sub(el, "RequestSource", req.source)
    _sub(el, "RYA", _flag(req.rya))
    if req.outcome_date is not None:
        _sub(el, "RequestOutcomeDate", _day(req.outcome_date))
    _sub(el, "RequestOutcome", req.outcome)
    _sub(el, "RequestMediation", _flag(req.mediation))
    _sub(el, "RequestTribunal", _flag(req.tribunal))
    if coll.has_exported_flag:
        _sub(el, "Exported", _flag(req.exported))
    if req.assessment is not None:
        a = req.assessment
        a_el = _sub(el, "Assessment")
        _sub(a_el, "AssessmentOutcome", a.outcome)
        if a.outcome_date is not None:
            _sub(a_el, "AssessmentOutcomeDate", _day(a.outcome_date))
        _sub(a_el, "AssessmentMediation", _flag(a.mediation))
        _sub(a_el, "AssessmentTribunal", _flag(a.tribunal))
        _sub(a_el, "OtherMediation", _flag(a.other_mediation))
        _sub(a_el, "OtherTribunal", _flag(a.other_tribunal))
        if a.week20 is not None:
            _sub(a_el, "Week20", _flag(a.week20))
        if a.named_plan is not None:
            _named_plan(a_el, a.named_plan)
    if req.active_plan is not None:
        _active_plan(el, req.active_plan)


def build_tree(ret: items.Sen2Return) -> Any:
    """The return as an XML element tree (root `Message`)."""
    h = ret.header
    coll = h.collection
    root = etree.Element("Message")
    header = _sub(root, "Header")
    details = _sub(header, "CollectionDetails")
    _sub(details, "Collection", "SEN2")
    _sub(details, "Year", str(coll.year))
    _sub(details, "ReferenceDate", _day(coll.census_day))
    source = _sub(header, "Source")
    for tag, text in (("SourceLevel", "L"), ("LEA", h.la_number), ("SoftwareCode", h.software),
                      ("Release", h.release), ("SerialNo", h.serial_no),
                      ("DateTime", h.generated_at), ("DMO", h.dmo), ("DCO", h.dco)):
        _sub(source, tag, text)
    if coll.has_dsco:
        _sub(source, "DSCO", h.dsco)
    persons = _sub(root, "Persons")
    for p in ret.persons:
        el = _sub(persons, "Person")
        _sub(el, "Surname", p.surname)
        _sub(el, "Forename", p.forename)
        _sub(el, "PersonBirthDate", _day(p.birth_date))
        _sub(el, "Sex", p.sex)
        _sub(el, "Ethnicity", p.ethnicity)
        _sub(el, "PostCode", p.postcode)
        if p.upn:
            _sub(el, "UPN", p.upn)
        if p.uln:
            _sub(el, "UniqueLearnerNumber", p.uln)
        if p.upn_unknown:
            _sub(el, "UPNunknown", p.upn_unknown)
        for req in p.requests:
            _request(el, req, coll)
    return root


def render(ret: items.Sen2Return) -> bytes:
    """The file's bytes: UTF-8, declared, indented two spaces, ending in a newline."""
    root = build_tree(ret)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def schema_problems(data: bytes, coll: Collection, limit: int = 20) -> list[SchemaProblem]:
    """What in `data` breaks the collection's schema (empty: valid), at most `limit`."""
    try:
        doc = _parse_bytes(data)
    except FileProblem as error:
        return error.problems
    xsd = schema(coll)
    if xsd.validate(doc):
        return []
    return [SchemaProblem(path=e.path or "/", line=e.line, message=e.message)
            for e in list(xsd.error_log)[:limit]]


# --- reading --------------------------------------------------------------------------------


def _parse_bytes(data: bytes) -> Any:
    # No network, no entities: a return is plain data.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True,
                             remove_blank_text=True)
    try:
        return etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as error:
        line = error.position[0] if error.position else 0
        problem = SchemaProblem(path="/", line=line, message=str(error.msg))
        raise FileProblem("The file is not well-formed XML.", [problem]) from None


class _Reader:
    """Reads one validated element tree; every value is looked up through its path."""

    def __init__(self, tree: Any) -> None:
        self.tree = tree

    def path(self, el: Any) -> str:
        return str(self.tree.getpath(el))

    def text(self, el: Any, tag: str) -> str:
        child = el.find(tag)
        return (child.text or "").strip() if child is not None else ""

    def day(self, el: Any, tag: str) -> date | None:
        value = self.text(el, tag)
        if not value:
            return None
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            child = el.find(tag)
            raise FileProblem("A date cannot be read.", [SchemaProblem(
                self.path(child), child.sourceline or 0,
                f"'{value[:20]}' is not a date")]) from None

    def flag(self, el: Any, tag: str) -> bool:
        return self.text(el, tag).lower() in ("1", "true")

    def rank(self, el: Any) -> int:
        return int(self.text(el, "PlacementRank") or self.text(el, "SENtypeRank") or 1)


def _read_placement(r: _Reader, el: Any) -> items.Placement:
    return items.Placement(
        rank=r.rank(el), urn=r.text(el, "URN"), ukprn=r.text(el, "UKPRN"),
        sen_setting=r.text(el, "SENSetting"), sen_setting_other=r.text(el, "SENSettingOther"),
        sen_unit=r.flag(el, "SENunitIndicator"),
        resourced_provision=r.flag(el, "ResourcedProvisionIndicator"),
        entry_date=r.day(el, "EntryDate"), leaving_date=r.day(el, "LeavingDate"),
    )


def _read_request(r: _Reader, el: Any) -> items.Request:
    req = items.Request(
        outcome=r.text(el, "RequestOutcome"), received_date=r.day(el, "ReceivedDate"),
        source=r.text(el, "RequestSource"), rya=r.flag(el, "RYA"),
        outcome_date=r.day(el, "RequestOutcomeDate"), mediation=r.flag(el, "RequestMediation"),
        tribunal=r.flag(el, "RequestTribunal"), exported=r.flag(el, "Exported"),
        case_ref=r.path(el),
    )
    a_el = el.find("Assessment")
    if a_el is not None:
        week20 = r.text(a_el, "Week20")
        a = items.Assessment(
            outcome=r.text(a_el, "AssessmentOutcome"),
            outcome_date=r.day(a_el, "AssessmentOutcomeDate"),
            mediation=r.flag(a_el, "AssessmentMediation"),
            tribunal=r.flag(a_el, "AssessmentTribunal"),
            other_mediation=r.flag(a_el, "OtherMediation"),
            other_tribunal=r.flag(a_el, "OtherTribunal"),
            week20=(week20.lower() in ("1", "true")) if week20 else None,
        )
        np_el = a_el.find("NamedPlan")
        if np_el is not None:
            start = r.day(np_el, "StartDate")
            assert start is not None  # required by every schema
            a.named_plan = items.NamedPlan(
                start_date=start,
                details=[_read_placement(r, d) for d in np_el.findall("PlanDetail")],
                personal_budget=r.flag(np_el, "PB"), organised_arrangements=r.flag(np_el, "OA"),
                cease_date=r.day(np_el, "CeaseDate"), cease_reason=r.text(np_el, "CeaseReason"),
            )
        req.assessment = a
    ap_el = el.find("ActivePlans")
    if ap_el is not None:
        req.active_plan = items.ActivePlan(
            placements=[_read_placement(r, p) for p in ap_el.findall("PlacementDetail")],
            needs=[items.Need(sen_type=r.text(n, "SENtype"), rank=r.rank(n))
                   for n in ap_el.findall("SENneed")],
            review_meeting=r.day(ap_el, "ReviewMeeting"),
            review_outcome=r.text(ap_el, "ReviewOutcome"),
            last_review=r.day(ap_el, "LastReview"), review_draft=r.day(ap_el, "ReviewDraft"),
            phase_transfer_due=r.day(ap_el, "PhaseTransferDueDate"),
            phase_transfer_final=r.day(ap_el, "PhaseTransferFinalDate"),
        )
    return req


_YEAR = re.compile(r"\s*(\d{4})")


def file_collection(doc: Any) -> Collection:
    """The collection a file says it belongs to (Header/CollectionDetails/Year)."""
    year_el = doc.find("Header/CollectionDetails/Year")
    text = (year_el.text or "") if year_el is not None else ""
    match = _YEAR.match(text)
    if match is None:
        line = year_el.sourceline if year_el is not None else 0
        raise FileProblem("The file does not say which collection it is for.", [SchemaProblem(
            "/Message/Header/CollectionDetails/Year", line or 0,
            "a four-digit collection year is needed here")])
    try:
        return items.collection(match.group(1))
    except items.UnknownCollection as error:
        raise FileProblem(str(error), [SchemaProblem(
            doc.getroottree().getpath(year_el), year_el.sourceline or 0,
            str(error))]) from None


def parse(data: bytes) -> items.Sen2Return:
    """Read a SEN2 file: well-formed, of a known collection, valid against its schema.

    Raises FileProblem naming the element path (and line) of each problem.
    """
    tree = _parse_bytes(data)
    root = tree.getroot()
    if root.tag != "Message":
        raise FileProblem("This is not a SEN2 return: its first element is not Message.",
                          [SchemaProblem(tree.getpath(root), root.sourceline or 0,
                                         f"expected Message, found {str(root.tag)[:40]}")])
    coll = file_collection(root)
    problems = schema_problems(data, coll)
    if problems:
        raise FileProblem(f"The file does not match the SEN2 {coll.year} schema.", problems)
    r = _Reader(tree)
    source = root.find("Header/Source")
    header = items.Header(
        collection=coll, la_number=r.text(source, "LEA"), dmo=r.text(source, "DMO"),
        dco=r.text(source, "DCO"), dsco=r.text(source, "DSCO"),
        software=r.text(source, "SoftwareCode"), release=r.text(source, "Release"),
        serial_no=r.text(source, "SerialNo"), generated_at=r.text(source, "DateTime"))
    ret = items.Sen2Return(header=header)
    for p_el in root.iterfind("Persons/Person"):
        birth = r.day(p_el, "PersonBirthDate")
        assert birth is not None  # required by every schema
        person = items.Person(
            surname=r.text(p_el, "Surname"), forename=r.text(p_el, "Forename"),
            birth_date=birth, sex=r.text(p_el, "Sex"), ethnicity=r.text(p_el, "Ethnicity"),
            postcode=r.text(p_el, "PostCode"), upn=r.text(p_el, "UPN"),
            uln=r.text(p_el, "UniqueLearnerNumber"), upn_unknown=r.text(p_el, "UPNunknown"),
        )
        person.requests = [_read_request(r, q) for q in p_el.findall("Requests")]
        ret.persons.append(person)
    return ret
