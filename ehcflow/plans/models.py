"""The EHC plan document: its versions, the advice and views it is written from, its audits.

A `PlanDocument` belongs to one assessment request (the plan drafted after it) or, for a plan
that came in without one, to the `casework.EHCPlan`. Each `PlanVersion` holds one whole copy
of the content, sections A to K, as JSON in the shape of `content.to_dict` (decision 0019):
a version is read and written as a unit, compared as a unit and frozen as a unit, so every
version is kept exactly as it was sent. `revision` is the optimistic lock: a save from a
page loaded before someone else's save is refused.

No rules live here: every write goes through `services.py`, which writes a `CaseEvent` in
the same transaction.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from ehcflow.casework.models import AdviceRequest, AnnualReview, AssessmentRequest, Child, EHCPlan


class PlanDocument(models.Model):
    """The plan document of one child's plan, across all its versions."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="plan_documents")
    request = models.OneToOneField(
        AssessmentRequest, null=True, blank=True, on_delete=models.PROTECT,
        related_name="plan_document",
    )
    plan = models.OneToOneField(
        EHCPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="document",
        help_text="The maintained plan, once the first version is final.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(request__isnull=False) | Q(plan__isnull=False),
                name="plan_document_has_request_or_plan",
            )
        ]

    def __str__(self) -> str:
        return f"Plan document {self.public_id}"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    CONSULTATION = "consultation", "Out for consultation"
    FINAL = "final", "Final"


class PlanVersion(models.Model):
    """One version of the plan. Final versions are locked: never changed again."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(PlanDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    review = models.ForeignKey(
        AnnualReview, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The review that led to this amended version.",
    )
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=1)
    consultation_started_on = models.DateField(null=True, blank=True)
    comments_due_on = models.DateField(null=True, blank=True)
    finalised_on = models.DateField(null=True, blank=True)
    final_reason = models.TextField(
        blank=True, help_text="Why the plan was made final despite the checks' findings."
    )
    created_by_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="one_version_number"),
            models.CheckConstraint(
                condition=~Q(status="final") | Q(finalised_on__isnull=False),
                name="final_version_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Version {self.number}"

    @property
    def is_amendment(self) -> bool:
        return self.review_id is not None

    @property
    def locked(self) -> bool:
        return self.status == VersionStatus.FINAL

    @property
    def status_label(self) -> str:
        label = VersionStatus(self.status).label
        if self.is_amendment:
            return {"draft": "Draft amended plan", "consultation":
                    "Amended plan out for consultation", "final": "Amended plan (final)"}[
                self.status]
        return {"draft": "Draft", "consultation": "Draft out for consultation",
                "final": "Final"}.get(self.status, label)


class ResponseKind(models.TextChoices):
    PARENT = "parent", "Parent's comments"
    YOUNG_PERSON = "young_person", "Young person's comments"
    SCHOOL = "school", "School or college answer"


class PlanResponse(models.Model):
    """A response to a version out for consultation: comments, or a school's answer.

    Parents or the young person comment and may ask for a school (reg 13(1)); the authority
    consults the school it proposes to name, which answers whether it can meet the needs
    (CFA 2014 s.39(2)-(3)).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="responses")
    kind = models.CharField(max_length=20, choices=ResponseKind.choices)
    from_whom = models.CharField(max_length=200, blank=True)
    received_on = models.DateField()
    text = models.TextField()
    school_agrees = models.BooleanField(
        null=True, blank=True, help_text="For a school: whether it agrees to be named."
    )
    recorded_by_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} received {self.received_on}"


class AdviceContent(models.Model):
    """The text an adviser submitted for an assessment, by plan section (reg 6, 12(1)(k)).

    `sections` maps a section letter (B to H) to the submitted text; paragraphs are separated
    by a blank line and each keeps this advice as its source when pulled into the plan.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    advice = models.OneToOneField(AdviceRequest, on_delete=models.CASCADE, related_name="content")
    sections = models.JSONField(default=dict)
    submitted_on = models.DateField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_by_name = models.CharField(max_length=150, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Advice submitted {self.submitted_on}"


class FamilyViews(models.Model):
    """The views, interests and aspirations of the child and parents, or the young person.

    Section A of the plan (reg 12(1)(a)); one per request, replaced when sent again.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.OneToOneField(
        AssessmentRequest, on_delete=models.CASCADE, related_name="family_views"
    )
    text = models.TextField()
    submitted_on = models.DateField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_by_name = models.CharField(max_length=150, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "family views"

    def __str__(self) -> str:
        return f"Family views submitted {self.submitted_on}"


# --- Quality assurance ---------------------------------------------------------------------


class Grade(models.TextChoices):
    """Ofsted-style grades used by local area plan audits, best first."""

    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


class AuditSample(models.Model):
    """A set of final plans chosen for audit: a share of one month's plans, or one team's."""

    class Rule(models.TextChoices):
        MONTH_PERCENT = "month_percent", "A share of the month's final plans"
        TEAM = "team", "All of one team's final plans in the month"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    rule = models.CharField(max_length=20, choices=Rule.choices)
    month = models.DateField(help_text="First day of the month sampled.")
    percent = models.PositiveSmallIntegerField(null=True, blank=True)
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    seed = models.CharField(max_length=40)
    population = models.PositiveIntegerField(default=0)
    created_by_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "-created_at"]

    def __str__(self) -> str:
        return f"Audit sample for {self.month:%B %Y}"


class PlanAudit(models.Model):
    """One auditor's grading of one final version, and its moderation by a second auditor."""

    class Status(models.TextChoices):
        TO_DO = "to_do", "Not started"
        GRADED = "graded", "Graded, awaiting moderation"
        MODERATED = "moderated", "Moderated"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sample = models.ForeignKey(
        AuditSample, null=True, blank=True, on_delete=models.CASCADE, related_name="audits"
    )
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="audits")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.TO_DO)
    auditor = models.ForeignKey(
        "people.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    graded_on = models.DateField(null=True, blank=True)
    overall = models.CharField(max_length=24, choices=Grade.choices, blank=True)
    moderator = models.ForeignKey(
        "people.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    moderated_on = models.DateField(null=True, blank=True)
    moderated_overall = models.CharField(max_length=24, choices=Grade.choices, blank=True)
    moderation_note = models.TextField(blank=True)
    check_findings = models.JSONField(
        default=list, help_text="What the automatic checks found when the audit was graded."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(moderator__isnull=True) | ~Q(moderator=models.F("auditor")),
                name="moderator_is_second_auditor",
            )
        ]

    def __str__(self) -> str:
        return f"Audit of version {self.version_id}"

    @property
    def final_overall(self) -> str:
        """The moderated grade once moderated, the auditor's before."""
        return self.moderated_overall or self.overall


class SectionGrade(models.Model):
    """The grade of one section in one audit; the moderator may change it."""

    audit = models.ForeignKey(PlanAudit, on_delete=models.CASCADE, related_name="grades")
    section = models.CharField(max_length=2)
    grade = models.CharField(max_length=24, choices=Grade.choices)
    comment = models.TextField(blank=True)
    moderated_grade = models.CharField(max_length=24, choices=Grade.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["audit", "section"], name="one_grade_per_section")
        ]

    def __str__(self) -> str:
        return f"Section {self.section}: {self.final_grade}"

    @property
    def final_grade(self) -> str:
        return self.moderated_grade or self.grade
