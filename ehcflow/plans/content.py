"""The content of one version of an EHC plan, sections A to K (SEND Regulations 2014, reg 12).

Pure data: frozen dataclasses with no Django, so the same object is drafted on screen, stored
as JSON on a `PlanVersion` (`to_dict` / `from_dict`), compared between versions (`section_lines`)
and rendered to PDF and Word. Reg 12(1) sets what a plan must contain:

* A — the views, interests and aspirations of the child and parents, or the young person;
* B — the special educational needs; C — health needs related to the SEN;
  D — social care needs related to the SEN or a disability;
* E — the outcomes sought, each with the steps towards it;
* F — the special educational provision, which reg 12(1)(f) and the Code of Practice 9.69
  require to be "detailed and specific" and normally quantified (what, how often, how much,
  by whom, from when);
* G — health provision; H1 — social care provision under s.2 Chronically Sick and Disabled
  Persons Act 1970; H2 — other social care provision;
* I — the named school or other institution, or its type (reg 12(1)(i); never in a draft,
  reg 14(1));
* J — the personal budget, if any (reg 12(1)(j)); K — the advice and information obtained
  for the assessment, as appendices (reg 12(1)(k)).

The "golden thread": every need (B, C, D) is met by provision (F, G, H1, H2) and linked to
outcomes (E). Outcomes and provision carry the keys of the needs they answer; `outcomes_for`
and `provision_for` read the thread from the need's side. The check functions at the bottom
find the gaps the law and the Code of Practice forbid; the officer sees them while drafting,
making the plan final is refused on them unless a reason is recorded, and they feed the
quality audit.

Longer than 500 lines on purpose: the plan's structure (sections A to K), its JSON form and
the checks on it are one definition; splitting them would let them drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

__all__ = [
    "ALL_SECTIONS",
    "MANDATORY_AT_FINAL",
    "MANDATORY_SECTIONS",
    "NEED_SECTIONS",
    "PROVISION_SECTIONS",
    "SECTION_TITLES",
    "Appendix",
    "Finding",
    "Need",
    "Outcome",
    "Paragraph",
    "PersonalBudget",
    "Placement",
    "PlanContent",
    "PlanHeader",
    "Provision",
    "Source",
    "all_findings",
    "empty_mandatory_sections",
    "from_dict",
    "needs_without_provision",
    "next_key",
    "outcomes_for",
    "outcomes_without_steps",
    "provision_for",
    "section_is_empty",
    "section_lines",
    "to_dict",
    "unspecified_provision",
]

# Section letters in the order the plan sets them out (reg 12(1)(a) to (k)); H is in two parts.
ALL_SECTIONS: tuple[str, ...] = ("A", "B", "C", "D", "E", "F", "G", "H1", "H2", "I", "J", "K")

# Headings as the Code of Practice (9.62) names the sections, shortened to plain English.
SECTION_TITLES: dict[str, str] = {
    "A": (
        "Section A: The views, interests and aspirations of the child or young person "
        "and their parents"
    ),
    "B": "Section B: Special educational needs",
    "C": "Section C: Health needs related to special educational needs",
    "D": "Section D: Social care needs related to special educational needs or a disability",
    "E": "Section E: Outcomes",
    "F": "Section F: Special educational provision",
    "G": "Section G: Health provision",
    "H1": (
        "Section H1: Social care provision under the Chronically Sick and Disabled "
        "Persons Act 1970"
    ),
    "H2": "Section H2: Other social care provision",
    "I": "Section I: Placement",
    "J": "Section J: Personal budget",
    "K": "Section K: Advice and information",
}

NEED_SECTIONS: tuple[str, ...] = ("B", "C", "D")
PROVISION_SECTIONS: tuple[str, ...] = ("F", "G", "H1", "H2")

# Sections that may never be empty, draft or final: every plan has views (A), educational
# needs (B, s.37 CFA 2014 — a plan exists because of them), outcomes (E), special educational
# provision (F) and the advice it rests on (K). C, D, G, H1, H2 and J may honestly be empty
# ("no health needs"); I must be empty in a draft (reg 14(1)) and filled in a final plan.
MANDATORY_SECTIONS: tuple[str, ...] = ("A", "B", "E", "F", "K")
MANDATORY_AT_FINAL: tuple[str, ...] = ("A", "B", "E", "F", "I", "K")


@dataclass(frozen=True)
class Source:
    """Where a piece of text came from, kept when the officer pulls it into the plan.

    `kind` is "advice" (a reg 6 adviser), "family" (section A views), "review" (an annual
    review) or "officer" (written by the officer). `ref` is the public id of the advice or
    views as text ("" for the officer). `label` is what the reader sees, e.g.
    "Educational psychology advice".
    """

    kind: str
    label: str
    ref: str = ""
    dated: date | None = None


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of free text (sections A, and the narrative of C, D, J if wanted)."""

    text: str
    source: Source | None = None
    heading: str = ""


@dataclass(frozen=True)
class Need:
    """One need in section B, C or D. `key` is stable within the plan ("N1", "N2", ...)."""

    key: str
    section: str
    text: str
    source: Source | None = None
    area: str = ""  # e.g. "Communication and interaction" (Code of Practice 6.28)


@dataclass(frozen=True)
class Outcome:
    """An outcome in section E with the steps towards it, linked to the needs it answers."""

    key: str
    text: str
    steps: tuple[str, ...] = ()
    by_when: str = ""  # e.g. "End of key stage 2"
    need_keys: tuple[str, ...] = ()
    source: Source | None = None


@dataclass(frozen=True)
class Provision:
    """One item of provision in section F, G, H1 or H2: specified and quantified.

    `what` is the provision; `how_often` its frequency ("3 times a week"); `amount` the time
    or quantity each time ("30 minutes"); `by_whom` who delivers it; `from_when` when it
    starts (None: from the date of the plan).
    """

    key: str
    section: str
    what: str
    how_often: str = ""
    amount: str = ""
    by_whom: str = ""
    from_when: date | None = None
    need_keys: tuple[str, ...] = ()
    outcome_keys: tuple[str, ...] = ()
    source: Source | None = None


@dataclass(frozen=True)
class Placement:
    """Section I: the named school or other institution, or only its type (reg 12(1)(i))."""

    setting_type: str
    name: str = ""
    urn: str = ""
    note: str = ""


@dataclass(frozen=True)
class PersonalBudget:
    """Section J: how a personal budget supports outcomes (reg 12(1)(j); regs 49–54)."""

    description: str
    amount: str = ""  # as written in the plan, e.g. "£1,200 a year"
    arrangement: str = ""  # e.g. "Direct payment", "Notional arrangement"
    outcome_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Appendix:
    """Section K: one piece of advice or information, with its date (reg 12(1)(k))."""

    title: str
    provider: str
    dated: date | None
    ref: str = ""  # public id of the advice, "" for other information


@dataclass(frozen=True)
class PlanHeader:
    """What the front page shows: filled by the selector, never stored in the JSON body."""

    case_ref: str = ""
    child_name: str = ""
    date_of_birth: date | None = None
    version_number: int = 0
    status: str = ""  # "draft", "consultation", "final", "amended"
    status_label: str = ""  # e.g. "Draft", "Final"
    issued_on: date | None = None


@dataclass(frozen=True)
class PlanContent:
    """One version of a plan, sections A to K."""

    views: tuple[Paragraph, ...] = ()  # A
    needs: tuple[Need, ...] = ()  # B, C and D, by Need.section
    outcomes: tuple[Outcome, ...] = ()  # E
    provision: tuple[Provision, ...] = ()  # F, G, H1 and H2, by Provision.section
    placement: Placement | None = None  # I
    personal_budget: PersonalBudget | None = None  # J
    appendices: tuple[Appendix, ...] = ()  # K
    header: PlanHeader = field(default_factory=PlanHeader)

    def needs_in(self, section: str) -> tuple[Need, ...]:
        """The needs of section B, C or D, in plan order."""
        return tuple(n for n in self.needs if n.section == section)

    def provision_in(self, section: str) -> tuple[Provision, ...]:
        """The provision of section F, G, H1 or H2, in plan order."""
        return tuple(p for p in self.provision if p.section == section)

    def need(self, key: str) -> Need | None:
        return next((n for n in self.needs if n.key == key), None)

    def outcome(self, key: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.key == key), None)

    def with_header(self, header: PlanHeader) -> PlanContent:
        return replace(self, header=header)


def outcomes_for(content: PlanContent, need_key: str) -> tuple[Outcome, ...]:
    """The outcomes that answer a need (the golden thread read from the need)."""
    return tuple(o for o in content.outcomes if need_key in o.need_keys)


def provision_for(content: PlanContent, need_key: str) -> tuple[Provision, ...]:
    """The provision that meets a need (the golden thread read from the need)."""
    return tuple(p for p in content.provision if need_key in p.need_keys)


# --- Checks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A gap in a plan found by a check. `code` is stable (audit and tests match on it)."""

    code: str  # "need_without_provision", "provision_unspecified", "outcome_without_steps",
    #            "section_empty"
    section: str
    key: str
    message: str


def needs_without_provision(content: PlanContent) -> list[Finding]:
    """Needs that no provision meets: the Code of Practice (9.69) wants every need met."""
    return [
        Finding(
            "need_without_provision", n.section, n.key,
            f"Need {n.key} in section {n.section} has no provision to meet it.",
        )
        for n in content.needs
        if not provision_for(content, n.key)
    ]


def unspecified_provision(content: PlanContent) -> list[Finding]:
    """Provision not specified and quantified: no frequency, no amount or no provider.

    Reg 12(1)(f) and the Code of Practice 9.69: provision "must be detailed and specific and
    should normally be quantified", e.g. in terms of type, hours and frequency of support.
    """
    findings: list[Finding] = []
    for p in content.provision:
        missing = [
            label
            for label, value in (
                ("how often", p.how_often), ("how much", p.amount), ("by whom", p.by_whom)
            )
            if not value.strip()
        ]
        if missing:
            findings.append(
                Finding(
                    "provision_unspecified", p.section, p.key,
                    f"Provision {p.key} in section {p.section} does not say "
                    f"{_join(missing)}.",
                )
            )
    return findings


def outcomes_without_steps(content: PlanContent) -> list[Finding]:
    """Outcomes with no steps towards them (Code of Practice 9.66)."""
    return [
        Finding(
            "outcome_without_steps", "E", o.key, f"Outcome {o.key} has no steps towards it."
        )
        for o in content.outcomes
        if not any(s.strip() for s in o.steps)
    ]


def section_is_empty(content: PlanContent, section: str) -> bool:
    """Whether a section has nothing in it."""
    if section == "A":
        return not any(p.text.strip() for p in content.views)
    if section in NEED_SECTIONS:
        return not content.needs_in(section)
    if section == "E":
        return not content.outcomes
    if section in PROVISION_SECTIONS:
        return not content.provision_in(section)
    if section == "I":
        return content.placement is None or not content.placement.setting_type.strip()
    if section == "J":
        return content.personal_budget is None
    if section == "K":
        return not content.appendices
    raise ValueError(f"Unknown section {section!r}")


def empty_mandatory_sections(content: PlanContent, *, final: bool = False) -> list[Finding]:
    """Mandatory sections left empty; section I counts only for a final plan (reg 14(1))."""
    wanted = MANDATORY_AT_FINAL if final else MANDATORY_SECTIONS
    return [
        Finding("section_empty", s, "", f"{SECTION_TITLES[s]} is empty.")
        for s in wanted
        if section_is_empty(content, s)
    ]


def all_findings(content: PlanContent, *, final: bool = False) -> list[Finding]:
    """Every check, in section order."""
    found = (
        empty_mandatory_sections(content, final=final)
        + needs_without_provision(content)
        + outcomes_without_steps(content)
        + unspecified_provision(content)
    )
    order = {s: i for i, s in enumerate(ALL_SECTIONS)}
    return sorted(found, key=lambda f: order.get(f.section, 99))


def _join(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


# --- Plain text per section (for the differences between versions) -------------------------


def _src(source: Source | None) -> str:
    return f" (from {source.label})" if source is not None else ""


def section_lines(content: PlanContent) -> dict[str, list[str]]:
    """Each section as lines of plain text, in plan order: what the differences page compares."""
    lines: dict[str, list[str]] = {s: [] for s in ALL_SECTIONS}
    for para in content.views:
        lines["A"].append(
            (f"{para.heading}: " if para.heading else "") + para.text + _src(para.source)
        )
    for n in content.needs:
        lines[n.section].append(f"{n.key}. {n.text}{_src(n.source)}")
    for o in content.outcomes:
        lines["E"].append(
            f"{o.key}. {o.text}" + (f" By: {o.by_when}." if o.by_when else "")
            + (f" Needs: {', '.join(o.need_keys)}." if o.need_keys else "")
        )
        lines["E"].extend(f"  Step: {s}" for s in o.steps)
    for p in content.provision:
        when = p.from_when.isoformat() if p.from_when else "the date of the plan"
        lines[p.section].append(
            f"{p.key}. {p.what}; how often: {p.how_often or '-'}; how much: {p.amount or '-'}; "
            f"by whom: {p.by_whom or '-'}; from: {when}"
            + (f"; needs: {', '.join(p.need_keys)}" if p.need_keys else "")
        )
    if content.placement is not None:
        pl = content.placement
        lines["I"].append(
            pl.setting_type + (f": {pl.name}" if pl.name else "")
            + (f" ({pl.note})" if pl.note else "")
        )
    if content.personal_budget is not None:
        pb = content.personal_budget
        lines["J"].append(
            pb.description + (f" Amount: {pb.amount}." if pb.amount else "")
            + (f" Arrangement: {pb.arrangement}." if pb.arrangement else "")
        )
    for a in content.appendices:
        dated = a.dated.isoformat() if a.dated else "undated"
        lines["K"].append(f"{a.title}, {a.provider}, {dated}")
    return lines


# --- Storage as JSON ----------------------------------------------------------------------


def _d(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _pd(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _source_dict(s: Source | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {"kind": s.kind, "label": s.label, "ref": s.ref, "dated": _d(s.dated)}


def _source(d: Mapping[str, Any] | None) -> Source | None:
    if not d:
        return None
    return Source(d["kind"], d["label"], d.get("ref", ""), _pd(d.get("dated")))


def to_dict(content: PlanContent) -> dict[str, Any]:
    """The sections as JSON-ready data (the header is not stored: it comes from the records)."""
    return {
        "views": [
            {"text": p.text, "heading": p.heading, "source": _source_dict(p.source)}
            for p in content.views
        ],
        "needs": [
            {"key": n.key, "section": n.section, "text": n.text, "area": n.area,
             "source": _source_dict(n.source)}
            for n in content.needs
        ],
        "outcomes": [
            {"key": o.key, "text": o.text, "steps": list(o.steps), "by_when": o.by_when,
             "need_keys": list(o.need_keys), "source": _source_dict(o.source)}
            for o in content.outcomes
        ],
        "provision": [
            {"key": p.key, "section": p.section, "what": p.what, "how_often": p.how_often,
             "amount": p.amount, "by_whom": p.by_whom, "from_when": _d(p.from_when),
             "need_keys": list(p.need_keys), "outcome_keys": list(p.outcome_keys),
             "source": _source_dict(p.source)}
            for p in content.provision
        ],
        "placement": None if content.placement is None else {
            "setting_type": content.placement.setting_type, "name": content.placement.name,
            "urn": content.placement.urn, "note": content.placement.note,
        },
        "personal_budget": None if content.personal_budget is None else {
            "description": content.personal_budget.description,
            "amount": content.personal_budget.amount,
            "arrangement": content.personal_budget.arrangement,
            "outcome_keys": list(content.personal_budget.outcome_keys),
        },
        "appendices": [
            {"title": a.title, "provider": a.provider, "dated": _d(a.dated), "ref": a.ref}
            for a in content.appendices
        ],
    }


def from_dict(data: Mapping[str, Any], header: PlanHeader | None = None) -> PlanContent:
    """The inverse of `to_dict`; missing keys read as empty sections."""
    pl = data.get("placement")
    pb = data.get("personal_budget")
    return PlanContent(
        views=tuple(
            Paragraph(p["text"], _source(p.get("source")), p.get("heading", ""))
            for p in data.get("views", [])
        ),
        needs=tuple(
            Need(n["key"], n["section"], n["text"], _source(n.get("source")), n.get("area", ""))
            for n in data.get("needs", [])
        ),
        outcomes=tuple(
            Outcome(o["key"], o["text"], tuple(o.get("steps", [])), o.get("by_when", ""),
                    tuple(o.get("need_keys", [])), _source(o.get("source")))
            for o in data.get("outcomes", [])
        ),
        provision=tuple(
            Provision(p["key"], p["section"], p["what"], p.get("how_often", ""),
                      p.get("amount", ""), p.get("by_whom", ""), _pd(p.get("from_when")),
                      tuple(p.get("need_keys", [])), tuple(p.get("outcome_keys", [])),
                      _source(p.get("source")))
            for p in data.get("provision", [])
        ),
        placement=None if not pl else Placement(
            pl["setting_type"], pl.get("name", ""), pl.get("urn", ""), pl.get("note", "")
        ),
        personal_budget=None if not pb else PersonalBudget(
            pb["description"], pb.get("amount", ""), pb.get("arrangement", ""),
            tuple(pb.get("outcome_keys", [])),
        ),
        appendices=tuple(
            Appendix(a["title"], a["provider"], _pd(a.get("dated")), a.get("ref", ""))
            for a in data.get("appendices", [])
        ),
        header=header or PlanHeader(),
    )


def next_key(prefix: str, existing: Iterable[str]) -> str:
    """The next free key with a prefix ("N", "O", "P"): one more than the highest used."""
    tails = [k[len(prefix):] for k in existing if k.startswith(prefix)]
    used = [int(t) for t in tails if t.isdigit()]
    return f"{prefix}{max(used, default=0) + 1}"
