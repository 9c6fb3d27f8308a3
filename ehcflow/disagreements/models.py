"""Disagreements with a decision: mediation and appeals to the First-tier Tribunal (SEND).

One `Disagreement` row is one mediation or one appeal about one decision (the decision letter
of `decision_notice_date`); its steps are columns because each happens at most once. The
orders a Tribunal makes are rows of their own (`TribunalOrder`), each with the deadline reg
44(2) gives it. Deadlines that follow from a date by rule (the certificate, the mediation,
the response) are worked out by `statutory.disagreements`, not stored; an order's deadline is
stored because the team's list of open appeals filters and sorts on it.

No rules live here: every write goes through `services.py`, which writes a case event in the
same transaction. Replaces `casework.Disagreement` (migration 0002 copies its rows).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q

from ehcflow.casework.models import AssessmentRequest, Child, EHCPlan, Timestamped
from ehcflow.statutory import disagreements as law


class Kind(models.TextChoices):
    MEDIATION = "mediation", "Mediation"
    APPEAL = "appeal", "Appeal to the First-tier Tribunal (SEND)"


class Decision(models.TextChoices):
    """The decision disputed (CFA 2014 s.51(2); `statutory.disagreements.DisputedDecision`)."""

    REFUSE_ASSESS = law.DisputedDecision.REFUSE_ASSESS.value, "Refusal to assess"
    REFUSE_ISSUE = law.DisputedDecision.REFUSE_ISSUE.value, "Refusal to issue a plan"
    PLAN_CONTENT = law.DisputedDecision.PLAN_CONTENT.value, "What the plan says"
    CEASE = law.DisputedDecision.CEASE.value, "Decision to cease the plan"
    OTHER = law.DisputedDecision.OTHER.value, "Other decision"


class MediationOutcome(models.TextChoices):
    DECLINED = "declined", "Family chose not to mediate: certificate issued"
    AGREED = "agreed", "Agreement reached"
    PARTLY_AGREED = "partly_agreed", "Partly agreed"
    NOT_AGREED = "not_agreed", "No agreement: certificate issued"
    WITHDRAWN = "withdrawn", "Withdrawn"


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", "Appeal allowed"
    PARTLY_UPHELD = "partly_upheld", "Appeal allowed in part"
    DISMISSED = "dismissed", "Appeal dismissed"
    CONCEDED = "conceded", "Not opposed by the council"
    WITHDRAWN = "withdrawn", "Withdrawn by the family"
    STRUCK_OUT = "struck_out", "Struck out"


#: Outcomes that found at least partly for the family (docs/domain/measures.md: 98.3% nationally).
FOR_FAMILY = frozenset({AppealOutcome.UPHELD, AppealOutcome.PARTLY_UPHELD,
                        AppealOutcome.CONCEDED})


class OrderKind(models.TextChoices):
    """What the Tribunal ordered (reg 44(2); `statutory.disagreements.OrderKind`)."""

    ASSESSMENT_NOTICE = (law.OrderKind.ASSESSMENT_NOTICE.value,
                         "Tell the family the assessment will be made")
    NO_PLAN_DECISION = (law.OrderKind.NO_PLAN_DECISION.value,
                        "Decide after the ordered assessment not to issue a plan")
    FINAL_PLAN_AFTER_ASSESSMENT = (law.OrderKind.FINAL_PLAN_AFTER_ASSESSMENT.value,
                                   "Issue the final plan after the ordered assessment")
    DRAFT_PLAN = law.OrderKind.DRAFT_PLAN.value, "Issue a draft plan"
    FINAL_PLAN = law.OrderKind.FINAL_PLAN.value, "Issue the final plan"
    RECONSIDER = law.OrderKind.RECONSIDER.value, "Reconsider whether to make a plan"
    AMEND_PLAN = law.OrderKind.AMEND_PLAN.value, "Issue the amended plan"
    NAME_SCHOOL = law.OrderKind.NAME_SCHOOL.value, "Name the school or college in section I"
    CONTINUE_PLAN = law.OrderKind.CONTINUE_PLAN.value, "Continue to maintain the plan"
    CONTINUE_AND_AMEND = (law.OrderKind.CONTINUE_AND_AMEND.value,
                          "Continue to maintain and amend the plan")
    CEASE_PLAN = law.OrderKind.CEASE_PLAN.value, "Cease the plan"


class Disagreement(Timestamped):
    """One mediation, or one appeal to the First-tier Tribunal (SEND), about one decision."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="disagreement_cases")
    request = models.ForeignKey(
        AssessmentRequest, null=True, blank=True, on_delete=models.CASCADE,
        related_name="disagreement_cases",
    )
    plan = models.ForeignKey(
        EHCPlan, null=True, blank=True, on_delete=models.CASCADE,
        related_name="disagreement_cases",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    decision = models.CharField("decision disputed", max_length=20, choices=Decision.choices)
    section_b = models.BooleanField("about section B (needs)", default=False)
    section_f = models.BooleanField("about section F (provision)", default=False)
    section_i = models.BooleanField("about section I (school or college)", default=False)
    decision_notice_date = models.DateField(help_text="Date of the decision letter disputed.")
    started_on = models.DateField(
        help_text="Mediation: the day the council was told the family wants mediation or a "
                  "certificate. Appeal: the day the Tribunal registered it.")
    # Mediation.
    certificate_on = models.DateField("mediation certificate issued", null=True, blank=True)
    mediation_on = models.DateField("mediation held", null=True, blank=True)
    mediation_outcome = models.CharField(max_length=20, choices=MediationOutcome.choices,
                                         blank=True)
    # Appeal.
    grounds = models.CharField(max_length=300, blank=True,
                               help_text="The family's grounds, in brief.")
    notice_sent_on = models.DateField("notice of appeal sent to the council", null=True,
                                      blank=True)
    response_sent_on = models.DateField("council's response sent", null=True, blank=True)
    unopposed_on = models.DateField("council told the Tribunal it will not oppose", null=True,
                                    blank=True)
    hearing_on = models.DateField("hearing", null=True, blank=True)
    appeal_outcome = models.CharField(max_length=20, choices=AppealOutcome.choices, blank=True)
    cost = models.DecimalField("cost to the council (£)", max_digits=10, decimal_places=2,
                               null=True, blank=True)
    # Both.
    concluded_on = models.DateField(null=True, blank=True)
    outcome_detail = models.CharField(
        max_length=200, blank=True,
        help_text="An outcome carried over from an older record that fits no choice.")

    class Meta:
        ordering = ["started_on", "id"]
        indexes = [models.Index(fields=["kind", "started_on"]),
                   models.Index(fields=["kind", "concluded_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(started_on__gte=F("decision_notice_date")),
                name="disagreement_started_after_notice"),
            models.CheckConstraint(
                condition=Q(concluded_on__isnull=True) | Q(concluded_on__gte=F("started_on")),
                name="disagreement_concluded_after_start"),
            models.CheckConstraint(condition=Q(cost__isnull=True) | Q(cost__gte=0),
                                   name="disagreement_cost_not_negative"),
            # One appeal per decision: the Tribunal registers one appeal against one letter.
            models.UniqueConstraint(
                fields=["child", "decision", "decision_notice_date"],
                condition=Q(kind="appeal"), name="one_appeal_per_decision"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.started_on}"

    @property
    def is_appeal(self) -> bool:
        return self.kind == Kind.APPEAL

    @property
    def sections(self) -> list[law.Section]:
        return [s for s, on in ((law.Section.B, self.section_b), (law.Section.F, self.section_f),
                                (law.Section.I, self.section_i)) if on]

    @property
    def outcome_label(self) -> str:
        if self.is_appeal and self.appeal_outcome:
            return self.get_appeal_outcome_display()
        if not self.is_appeal and self.mediation_outcome:
            return self.get_mediation_outcome_display()
        return self.outcome_detail


class TribunalOrder(Timestamped):
    """An action the Tribunal ordered (or the council agreed by not opposing), with its deadline."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    appeal = models.ForeignKey(Disagreement, on_delete=models.CASCADE, related_name="orders")
    kind = models.CharField(max_length=30, choices=OrderKind.choices)
    made_on = models.DateField("order made")
    unopposed = models.BooleanField(
        default=False, help_text="Agreed by not opposing the appeal (reg 45), not ordered.")
    due_on = models.DateField("comply by")
    complied_on = models.DateField("complied", null=True, blank=True)

    class Meta:
        ordering = ["made_on", "id"]
        indexes = [models.Index(fields=["complied_on", "due_on"])]
        constraints = [
            models.UniqueConstraint(fields=["appeal", "kind"], name="one_order_of_each_kind"),
            models.CheckConstraint(condition=Q(due_on__gte=F("made_on")),
                                   name="order_due_after_made"),
            models.CheckConstraint(
                condition=Q(complied_on__isnull=True) | Q(complied_on__gte=F("made_on")),
                name="order_complied_after_made"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.due_on}"
