"""Partners: the organisations asked for advice (reg 6) and consulted on naming a school.

An `Organisation` is an educational psychology service, a health body (the designated
clinical officer and clinicians), a social care team or a school or setting (its SENCO).
Its people sign in as ordinary accounts with a `Membership`; a manager adds their own staff.
Partner accounts are not council staff (no `people.StaffMember`), so every casework page
stays closed to them: they see only the advice and consultations asked of their organisation.
The council's own advisers (educational psychologists, health and social care advisers on the
staff list) keep seeing what is asked of them by name, and may belong to an organisation too.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ehcflow.casework.choices import AdviserType


class OrganisationKind(models.TextChoices):
    EDUCATIONAL_PSYCHOLOGY = "educational_psychology", "Educational psychology service"
    HEALTH = "health", "Health"
    SOCIAL_CARE = "social_care", "Social care"
    SCHOOL = "school", "School or setting"


# The advice each kind of organisation gives (reg 6(1)(b) to (e)).
ADVICE_OF_KIND: dict[str, str] = {
    OrganisationKind.EDUCATIONAL_PSYCHOLOGY: AdviserType.EDUCATIONAL_PSYCHOLOGY,
    OrganisationKind.HEALTH: AdviserType.HEALTH,
    OrganisationKind.SOCIAL_CARE: AdviserType.SOCIAL_CARE,
    OrganisationKind.SCHOOL: AdviserType.EDUCATION,
}


class Organisation(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=OrganisationKind.choices)
    institution = models.OneToOneField(
        "casework.Institution", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="partner", help_text="For a school or setting: the one it runs.",
    )
    email = models.EmailField(
        blank=True, help_text="The shared inbox reminders go to (besides the person asked).")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's account with an organisation; `is_manager` may add and remove staff."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="partner_memberships")
    job_title = models.CharField(max_length=100, blank=True)
    is_manager = models.BooleanField(default=False)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation", "user__last_name", "user__first_name"]
        constraints = [
            # One current organisation per person: what they see never mixes two bodies.
            models.UniqueConstraint(fields=["user"], condition=Q(ended_at__isnull=True),
                                    name="partner_one_current_membership"),
        ]

    def __str__(self) -> str:
        return f"Member of {self.organisation}"


class AdviceAssignment(models.Model):
    """Which organisation an advice request (`casework.AdviceRequest`) was sent to."""

    advice = models.OneToOneField("casework.AdviceRequest", on_delete=models.CASCADE,
                                  related_name="assignment")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="assignments")
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["organisation", "advice"])]

    def __str__(self) -> str:
        return f"Advice sent to {self.organisation}"


class AdviceAttachment(models.Model):
    """A document sent with advice (kept, scanned and recorded by `ehcflow.files`)."""

    advice = models.ForeignKey("casework.AdviceRequest", on_delete=models.CASCADE,
                               related_name="partner_attachments")
    file = models.OneToOneField("files.StoredFile", on_delete=models.PROTECT,
                                related_name="partner_attachment")

    def __str__(self) -> str:
        return "Advice attachment"


class ChaserKind(models.TextChoices):
    DUE_SOON = "due_soon", "Due in 7 days"
    DUE_TODAY = "due_today", "Due today"
    OVERDUE = "overdue", "Overdue"
    ESCALATED = "escalated", "Overdue: told the officer's manager"


class Chaser(models.Model):
    """One reminder about one piece of advice, recorded once: (advice, kind, week) is unique,
    so the daily task never sends the same reminder twice however often it runs."""

    advice = models.ForeignKey("casework.AdviceRequest", on_delete=models.CASCADE,
                               related_name="chasers")
    kind = models.CharField(max_length=20, choices=ChaserKind.choices)
    week = models.PositiveSmallIntegerField(
        default=0, help_text="Weeks after the due day (0 before and on it).")
    scheduled_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveSmallIntegerField(default=0)
    message = models.ForeignKey("notify.Message", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["scheduled_on", "id"]
        constraints = [models.UniqueConstraint(fields=["advice", "kind", "week"],
                                               name="partner_chaser_once")]
        indexes = [models.Index(fields=["scheduled_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.scheduled_on})"


class ConsultationAnswer(models.TextChoices):
    CAN_MEET = "can_meet", "The school can meet the needs and can be named"
    CANNOT_MEET = "cannot_meet", "The school cannot meet the needs"


class Consultation(models.Model):
    """The authority consulting a school or setting on naming it in a plan.

    Children and Families Act 2014, s.39(2) and s.39(3) (s.40(2) when the authority chooses the
    school itself): the authority must consult the governing body, proprietor or principal
    before naming it, and send it the draft plan. The 15 days to answer follow the SEND Code
    of Practice (2015), para 9.83 (guidance; no regulation sets it): see
    `ehcflow.partners.schedule.consultation_due`.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey("casework.AssessmentRequest", on_delete=models.CASCADE,
                                related_name="consultations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="consultations")
    sent_on = models.DateField()
    due_on = models.DateField()
    answer = models.CharField(max_length=20, choices=ConsultationAnswer.choices, blank=True)
    reasons = models.TextField(blank=True)
    answered_on = models.DateField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["organisation", "answered_on"])]
        constraints = [models.UniqueConstraint(
            fields=["request", "organisation"], condition=Q(answered_on__isnull=True),
            name="partner_one_open_consultation")]

    def __str__(self) -> str:
        return f"Consultation with {self.organisation} (due {self.due_on})"
