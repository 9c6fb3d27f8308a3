"""Reads of plan documents, their versions, contributions and audits."""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from ehcflow.casework.models import AdviceRequest, AssessmentRequest
from ehcflow.plans import content as pc
from ehcflow.plans import quality
from ehcflow.plans.models import (
    AdviceContent,
    FamilyViews,
    PlanAudit,
    PlanDocument,
    PlanVersion,
    SectionGrade,
    VersionStatus,
)
from ehcflow.plans.services import advice_label, paragraphs, with_section_k


def plan_content(version: PlanVersion) -> pc.PlanContent:
    """The content of a version, with its front-page header, as `content.PlanContent`.

    A version still being drafted shows section K as it stands today (every advice received,
    with its date); a version sent out or final shows exactly what was sent.
    """
    document = version.document
    child = document.child
    request = document.request
    header = pc.PlanHeader(
        case_ref=request.case_ref if request is not None else "",
        child_name=child.full_name,
        date_of_birth=child.date_of_birth,
        version_number=version.number,
        status=("amended" if version.is_amendment and version.status == VersionStatus.FINAL
                else version.status),
        status_label=version.status_label,
        issued_on=version.finalised_on or version.consultation_started_on,
    )
    content = pc.from_dict(version.body, header)
    if version.status == VersionStatus.DRAFT:
        content = with_section_k(content, document)
    return content


def document_for(request: AssessmentRequest) -> PlanDocument | None:
    return PlanDocument.objects.filter(request=request).first()


def versions(document: PlanDocument) -> QuerySet[PlanVersion]:
    return document.versions.order_by("number").select_related("review")


def latest_version(document: PlanDocument) -> PlanVersion:
    return document.versions.order_by("-number").first()  # type: ignore[return-value]


@dataclass(frozen=True)
class AdviceParagraph:
    index: int
    text: str


@dataclass(frozen=True)
class AdviceSection:
    """One section of one submitted advice, split into paragraphs the officer can pull in."""

    stored: AdviceContent
    label: str
    submitted_on: date
    section: str
    paragraphs: tuple[AdviceParagraph, ...]


def advice_by_section(request: AssessmentRequest | None) -> dict[str, list[AdviceSection]]:
    """The advice submitted for a request, grouped by the plan section it was written for.

    Advice written for "H" is shown beside both H1 and H2.
    """
    grouped: dict[str, list[AdviceSection]] = defaultdict(list)
    if request is None:
        return grouped
    for stored in AdviceContent.objects.filter(advice__request=request).select_related(
            "advice").order_by("submitted_on", "id"):
        label = advice_label(stored.advice)
        for letter, text in sorted(stored.sections.items()):
            item = AdviceSection(stored, label, stored.submitted_on, letter, tuple(
                AdviceParagraph(i, p) for i, p in enumerate(paragraphs(text))))
            for target in (("H1", "H2") if letter == "H" else (letter,)):
                grouped[target].append(item)
    return grouped


def family_views(request: AssessmentRequest | None) -> FamilyViews | None:
    return FamilyViews.objects.filter(request=request).first() if request else None


def advice_content(advice: AdviceRequest) -> AdviceContent | None:
    return AdviceContent.objects.filter(advice=advice).first()


# --- Differences between versions -------------------------------------------------------------


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


@dataclass(frozen=True)
class SectionDiff:
    section: str
    title: str
    changed: bool
    lines: tuple[DiffLine, ...]


def version_diff(older: PlanVersion, newer: PlanVersion) -> list[SectionDiff]:
    """Each section's lines, marked added or removed between two versions of a plan."""
    old_lines = pc.section_lines(plan_content(older))
    new_lines = pc.section_lines(plan_content(newer))
    result: list[SectionDiff] = []
    for section in pc.ALL_SECTIONS:
        a, b = old_lines[section], new_lines[section]
        lines: list[DiffLine] = []
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b).get_opcodes():
            if tag == "equal":
                lines.extend(DiffLine("same", t) for t in a[i1:i2])
            else:
                lines.extend(DiffLine("removed", t) for t in a[i1:i2])
                lines.extend(DiffLine("added", t) for t in b[j1:j2])
        result.append(SectionDiff(section, pc.SECTION_TITLES[section], a != b, tuple(lines)))
    return result


# --- Quality assurance dashboard -------------------------------------------------------------


@dataclass(frozen=True)
class MonthGrades:
    month: date
    counts: quality.GradeCounts


@dataclass(frozen=True)
class SectionGrades:
    section: str
    title: str
    counts: quality.GradeCounts


@dataclass(frozen=True)
class AuditDashboard:
    by_month: list[MonthGrades]
    by_section: list[SectionGrades]
    overall: quality.GradeCounts
    awaiting_grading: int
    awaiting_moderation: int
    moderated: int
    changed_by_moderation: int
    finding_counts: dict[str, int]


def audit_dashboard() -> AuditDashboard:
    """Grades of audited plans over time (by month graded) and by section.

    Counts use the moderated grade where a moderator changed it. Only graded audits count.
    """
    graded = PlanAudit.objects.exclude(status=PlanAudit.Status.TO_DO)
    months: dict[date, list[str]] = defaultdict(list)
    all_grades: list[str] = []
    changed = 0
    findings: dict[str, int] = defaultdict(int)
    for audit in graded.only("graded_on", "overall", "moderated_overall", "check_findings"):
        assert audit.graded_on is not None
        months[audit.graded_on.replace(day=1)].append(audit.final_overall)
        all_grades.append(audit.final_overall)
        if audit.moderated_overall and audit.moderated_overall != audit.overall:
            changed += 1
        for f in audit.check_findings:
            findings[f["code"]] += 1
    sections: dict[str, list[str]] = defaultdict(list)
    for row in SectionGrade.objects.filter(audit__in=graded).only(
            "section", "grade", "moderated_grade"):
        sections[row.section].append(row.final_grade)
    return AuditDashboard(
        by_month=[MonthGrades(m, quality.grade_counts(g)) for m, g in sorted(months.items())],
        by_section=[SectionGrades(s, pc.SECTION_TITLES[s], quality.grade_counts(sections[s]))
                    for s in pc.ALL_SECTIONS],
        overall=quality.grade_counts(all_grades),
        awaiting_grading=PlanAudit.objects.filter(status=PlanAudit.Status.TO_DO).count(),
        awaiting_moderation=PlanAudit.objects.filter(status=PlanAudit.Status.GRADED).count(),
        moderated=PlanAudit.objects.filter(status=PlanAudit.Status.MODERATED).count(),
        changed_by_moderation=changed,
        finding_counts=dict(sorted(findings.items())),
    )
