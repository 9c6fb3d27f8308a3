"""The EHC plan as a document: one outline that both the PDF and the Word file are drawn from.

`outline(content, authority=...)` turns a `PlanContent` into a flat list of blocks (headings,
paragraphs, tables, lists). Everything about what the document says and in which order lives
here, once: the HTML template (`plans/document.html`, rendered to a tagged PDF) and the Word
writer (`docx.py`) only know how to draw each kind of block, so the two formats cannot drift
apart.

Order and headings: sections A to K in the order of the SEND Regulations 2014, reg 12(1)(a) to
(k), each separately labelled as the Code of Practice (9.62) requires, with the headings of
`content.SECTION_TITLES`. The Department for Education has tested a standard plan template
with the Change Programme areas but has not published one for every council (decision 0020),
so the regulation's order is the national order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from ehcflow.plans.content import (
    ALL_SECTIONS,
    SECTION_TITLES,
    Need,
    PlanContent,
    Provision,
)
from ehcflow.statutory.dates import long_date

# What a section says when the plan honestly has nothing in it (reg 12(1) asks for each
# section to be set out, so an empty one says so rather than disappearing).
NOTHING: dict[str, str] = {
    "A": "No views have been recorded yet.",
    "B": "No special educational needs have been recorded yet.",
    "C": "No health care needs relating to special educational needs have been identified.",
    "D": "No social care needs relating to special educational needs or a disability have "
         "been identified.",
    "E": "No outcomes have been agreed yet.",
    "F": "No special educational provision has been recorded yet.",
    "G": "No health care provision is required.",
    "H1": "No social care provision is required under section 2 of the Chronically Sick and "
          "Disabled Persons Act 1970.",
    "H2": "No other social care provision is required.",
    "I": "The school or other institution is not named in a draft plan. It will be named in "
         "the final plan.",
    "J": "No personal budget has been requested or agreed.",
    "K": "No advice or information has been listed yet.",
}

PROVISION_COLUMNS: tuple[str, ...] = (
    "Provision", "How often", "How much", "Who provides it", "From", "Needs met",
)
PROVISION_CAPTIONS: dict[str, str] = {
    "F": "Special educational provision: what, how often, how much and who provides it",
    "G": "Health care provision: what, how often, how much and who provides it",
    "H1": "Social care provision under the 1970 Act: what, how often, how much and who "
          "provides it",
    "H2": "Other social care provision: what, how often, how much and who provides it",
}
APPENDIX_COLUMNS: tuple[str, ...] = ("Advice or information", "Given by", "Date")


@dataclass(frozen=True)
class Heading:
    level: int  # 1 for the title, 2 for a section, 3 within a section
    text: str
    section: str = ""  # the section letter for level 2 headings (anchors, bookmarks)
    kind: str = "heading"


@dataclass(frozen=True)
class Para:
    text: str
    label: str = ""  # a short bold lead-in, e.g. "N1" or "By"
    kind: str = "para"


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]
    kind: str = "bullets"


@dataclass(frozen=True)
class Table:
    """A data table. `header` is the column header row (repeated on each page); with
    `row_headers` the first cell of each row is a header for that row. A key and value table
    ("Name", "Date of birth") has row headers and no header row.
    """

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    row_headers: bool = False
    widths: tuple[int, ...] = ()  # relative column widths, in percent
    kind: str = "table"


Block = Heading | Para | Bullets | Table


@dataclass(frozen=True)
class Outline:
    """The document: its title (also the PDF's and Word file's title), language and blocks."""

    title: str
    authority: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    language: str = "en-GB"

    def headings(self, level: int | None = None) -> list[str]:
        return [b.text for b in self.blocks
                if isinstance(b, Heading) and (level is None or b.level == level)]


def _day(value: date | None, missing: str = "Not recorded") -> str:
    return long_date(value) if value is not None else missing


def document_title(content: PlanContent) -> str:
    name = content.header.child_name.strip()
    return f"Education, health and care plan for {name}" if name else (
        "Education, health and care plan")


def outline(content: PlanContent, *, authority: str) -> Outline:
    """The whole plan, front page then sections A to K, as blocks."""
    blocks: list[Block] = [Heading(1, document_title(content))]
    blocks.extend(_front(content, authority))
    for section in ALL_SECTIONS:
        blocks.append(Heading(2, SECTION_TITLES[section], section=section))
        drawn = list(_section(content, section))
        blocks.extend(drawn or [Para(NOTHING[section])])
    return Outline(title=document_title(content), authority=authority, blocks=tuple(blocks))


def _front(content: PlanContent, authority: str) -> Iterator[Block]:
    h = content.header
    rows: list[tuple[str, str]] = [("Local authority", authority)]
    if h.child_name:
        rows.append(("Name", h.child_name))
    if h.date_of_birth is not None:
        rows.append(("Date of birth", long_date(h.date_of_birth)))
    if h.case_ref:
        rows.append(("Case reference", h.case_ref))
    if h.status_label or h.version_number:
        version = f"Version {h.version_number}" if h.version_number else ""
        rows.append(("Status", ", ".join(x for x in (h.status_label, version) if x)))
    rows.append(("Date of this plan", _day(h.issued_on, "Not yet issued")))
    yield Table(caption="About this plan", header=(),
                rows=tuple(rows), row_headers=True, widths=(30, 70))


def _section(content: PlanContent, section: str) -> Iterator[Block]:
    if section == "A":
        yield from _views(content)
    elif section in ("B", "C", "D"):
        yield from _needs(content.needs_in(section))
    elif section == "E":
        yield from _outcomes(content)
    elif section in ("F", "G", "H1", "H2"):
        yield from _provision(content, content.provision_in(section), section)
    elif section == "I":
        yield from _placement(content)
    elif section == "J":
        yield from _budget(content)
    elif section == "K":
        yield from _appendices(content)


def _views(content: PlanContent) -> Iterator[Block]:
    heading = None
    for para in content.views:
        if not para.text.strip():
            continue
        if para.heading and para.heading != heading:
            heading = para.heading
            yield Heading(3, para.heading)
        yield Para(para.text)


def _needs(needs: Iterable[Need]) -> Iterator[Block]:
    area = None
    for need in needs:
        if need.area and need.area != area:
            area = need.area
            yield Heading(3, need.area)
        yield Para(need.text, label=need.key)


def _outcomes(content: PlanContent) -> Iterator[Block]:
    for o in content.outcomes:
        yield Heading(3, f"Outcome {o.key}")
        yield Para(o.text)
        if o.by_when:
            yield Para(o.by_when, label="When")
        steps = tuple(s for s in o.steps if s.strip())
        if steps:
            yield Para("Steps towards this outcome:")
            yield Bullets(steps)
        if o.need_keys:
            yield Para(", ".join(o.need_keys), label="Needs it answers")


def _provision(content: PlanContent, items: tuple[Provision, ...], section: str) -> Iterator[Block]:
    if not items:
        return
    rows = tuple(
        (f"{p.key}. {p.what}", p.how_often, p.amount, p.by_whom,
         _day(p.from_when, "Date of plan"), ", ".join(p.need_keys))
        for p in items
    )
    yield Table(caption=PROVISION_CAPTIONS[section], header=PROVISION_COLUMNS, rows=rows,
                widths=(36, 13, 12, 17, 12, 10))


def _placement(content: PlanContent) -> Iterator[Block]:
    pl = content.placement
    if pl is None or not pl.setting_type.strip():
        return
    rows = [("Type of school or other institution", pl.setting_type)]
    if pl.name:
        rows.append(("Name", pl.name))
    if pl.urn:
        rows.append(("Unique reference number", pl.urn))
    yield Table(caption="Placement named in this plan", header=(),
                rows=tuple(rows), row_headers=True, widths=(40, 60))
    if pl.note:
        yield Para(pl.note)


def _budget(content: PlanContent) -> Iterator[Block]:
    pb = content.personal_budget
    if pb is None:
        return
    yield Para(pb.description)
    rows = [(label, value) for label, value in (
        ("Amount", pb.amount), ("Arrangement", pb.arrangement),
        ("Outcomes it supports", ", ".join(pb.outcome_keys))) if value]
    if rows:
        yield Table(caption="Personal budget", header=(), rows=tuple(rows),
                    row_headers=True, widths=(40, 60))


def _appendices(content: PlanContent) -> Iterator[Block]:
    if not content.appendices:
        return
    yield Para("The advice and information gathered during the education, health and care "
               "needs assessment are attached to this plan as appendices.")
    rows = tuple((a.title, a.provider, _day(a.dated, "Undated")) for a in content.appendices)
    yield Table(caption="Advice and information", header=APPENDIX_COLUMNS, rows=rows,
                widths=(50, 30, 20))
