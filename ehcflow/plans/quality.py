"""Quality assurance of final EHC plans: criteria, grades, sampling and the figures (pure).

No Django. The criteria follow the Code of Practice (9.61-9.69) and the Council for Disabled
Children's EHC plan quality standards: each section is graded outstanding, good, requires
improvement or inadequate. The automatic checks (`content.all_findings`) feed the audit: a
section the checks fault cannot be graded better than "requires improvement" (`grade_cap`).
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ehcflow.plans.content import Finding
from ehcflow.statutory.measures import percentage

__all__ = [
    "CRITERIA",
    "GRADES",
    "GRADE_LABELS",
    "GradeCounts",
    "best_allowed",
    "choose_sample",
    "grade_cap",
    "grade_counts",
    "overall_grade",
    "sample_size",
]

# Best first. The values are the `models.Grade` values.
GRADES: tuple[str, ...] = ("outstanding", "good", "requires_improvement", "inadequate")
GRADE_LABELS: dict[str, str] = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement",
    "inadequate": "Inadequate",
}

# What an auditor looks for in each section (Code of Practice 9.61-9.69).
CRITERIA: dict[str, tuple[str, ...]] = {
    "A": ("Written in the child's or young person's own words, or their family's",
          "Says what they are good at, what matters to them and their hopes for the future"),
    "B": ("Every need described, across all four areas where they apply",
          "Each need taken from the advice, with its source"),
    "C": ("Health needs related to the special educational needs described, or none said",),
    "D": ("Social care needs described, or none said",),
    "E": ("Outcomes are specific and measurable, with steps towards each",
          "Each outcome answers a need"),
    "F": ("Provision is detailed, specific and quantified: what, how often, how much, by whom",
          "Every need in section B is met"),
    "G": ("Health provision specified and quantified, or none said",),
    "H1": ("Provision under the 1970 Act specified, or none said",),
    "H2": ("Other social care provision specified, or none said",),
    "I": ("The named school or type of setting is stated",),
    "J": ("Any personal budget is described with the outcomes it supports",),
    "K": ("Every piece of advice and information is listed with its date",),
}


def grade_cap(section: str, findings: Iterable[Finding]) -> str:
    """The best grade a section may have given what the automatic checks found in it.

    A section with a finding (an empty mandatory section, a need with no provision, an
    outcome with no steps, provision not quantified) is at best "requires improvement":
    those are the faults the Code of Practice says a plan must not have.
    """
    return "requires_improvement" if any(f.section == section for f in findings) else "outstanding"


def best_allowed(grade: str, cap: str) -> bool:
    """Whether `grade` is no better than `cap`."""
    return GRADES.index(grade) >= GRADES.index(cap)


def overall_grade(section_grades: Iterable[str]) -> str:
    """The plan's grade: its weakest section's, since one inadequate section fails the child.

    Raises ValueError when no section is graded.
    """
    grades = list(section_grades)
    if not grades:
        raise ValueError("No section graded")
    return max(grades, key=GRADES.index)


def sample_size(population: int, percent: int) -> int:
    """How many plans a percentage sample takes: rounded up, so a small month still gets one."""
    if population <= 0 or percent <= 0:
        return 0
    return min(population, math.ceil(population * percent / 100))


def choose_sample(ids: Sequence[str], size: int, seed: str) -> list[str]:
    """A repeatable random choice of `size` ids: ordered by a hash of seed and id.

    The same seed and ids always give the same sample, so a sample can be checked later.
    """
    ranked = sorted(ids, key=lambda i: hashlib.sha256(f"{seed}:{i}".encode()).hexdigest())
    return sorted(ranked[:size])


@dataclass(frozen=True)
class GradeCounts:
    """How many of each grade, best first, and the share graded good or better."""

    counts: tuple[tuple[str, int], ...]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)

    @property
    def good_or_better_pct(self) -> float | None:
        good = sum(n for g, n in self.counts if g in ("outstanding", "good"))
        return percentage(good, self.total)


def grade_counts(grades: Iterable[str]) -> GradeCounts:
    counter = Counter(grades)
    return GradeCounts(tuple((g, counter.get(g, 0)) for g in GRADES))

