"""Staff, teams and roles of the SEND service.

A person who signs in is a `User`; a member of the service's workforce is a `StaffMember`
(who may or may not have an account: history imported from a tracker names officers who
have long left). Capacity follows report 000, paragraph 13d: a new case officer carries a
protected caseload and reaches full capacity about 26 weeks after starting.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

RAMP_WEEKS = 26
RAMP_FROM = 0.5


class User(AbstractUser):
    """An account that can sign in. Roles live on the staff record, not here.

    `entra_object_id` and `entra_tenant_id` are the Microsoft Entra ID `oid` and `tid` claims
    of the person's council account, recorded by an administrator (or the staff CSV) before
    their first single sign-on: the only way an Entra identity is tied to an account
    (decision 0009). E-mail and user principal names can be changed or re-used, so they are
    never used to match.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entra_object_id = models.CharField(
        "Microsoft Entra object ID", max_length=36, null=True, blank=True, unique=True)
    entra_tenant_id = models.CharField(
        "Microsoft Entra tenant ID", max_length=36, blank=True, default="")


class Role(models.TextChoices):
    CASE_OFFICER = "case_officer", "Case officer"
    TEAM_MANAGER = "team_manager", "Team manager"
    HEAD_OF_SERVICE = "head_of_service", "Head of service"
    EDUCATIONAL_PSYCHOLOGIST = "educational_psychologist", "Educational psychologist"
    BUSINESS_SUPPORT = "business_support", "Business support"
    ANALYST = "analyst", "Analyst"
    ADMINISTRATOR = "administrator", "Administrator"
    HEALTH_ADVISER = "health_adviser", "Health adviser"
    SOCIAL_CARE_ADVISER = "social_care_adviser", "Social care adviser"


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    manager = models.ForeignKey(
        "StaffMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StaffMember(models.Model):
    """A member of the SEND service's workforce, with role, team, FTE and time in post."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="staff"
    )
    staff_ref = models.CharField(
        "staff id", max_length=40, unique=True, help_text="The council's staff identifier."
    )
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=40, choices=Role.choices)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    fte = models.DecimalField(
        "full-time equivalent",
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    agency = models.BooleanField(default=False, help_text="Interim or agency staff.")

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["role", "start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="staff_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def has_left(self, on: date) -> bool:
        """A leaver: their end date is before `on`. The end date is their last working day."""
        return self.end_date is not None and self.end_date < on

    def in_post(self, on: date) -> bool:
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)

    def capacity(self, on: date) -> float:
        """FTE × productivity on a date: 0 out of post, ramping from 0.5 to 1 over 26 weeks.

        Report 000, paragraph 13d: "takes about 6 months to bring a new case officer to full
        capacity"; the protected caseload is the ramp.
        """
        if not self.in_post(on):
            return 0.0
        return float(self.fte) * productivity(self.start_date, on)


def productivity(start: date, on: date, *, ramp_weeks: int = RAMP_WEEKS,
                 ramp_from: float = RAMP_FROM) -> float:
    """Linear ramp from `ramp_from` on the start date to 1.0 after `ramp_weeks` weeks."""
    if ramp_weeks <= 0:
        return 1.0
    weeks = (on - start).days / 7
    if weeks <= 0:
        return ramp_from
    if weeks >= ramp_weeks:
        return 1.0
    return ramp_from + (1.0 - ramp_from) * weeks / ramp_weeks


class AccountChange(models.Model):
    """One change to an account or staff record, by whom and when: append-only.

    The database refuses UPDATE, DELETE (and on PostgreSQL TRUNCATE) on this table, as it does
    for the case events (migration people 0002, decision 0009), so an administrator cannot
    cover their tracks. `changes` maps each field to its [before, after] values, as text.
    """

    class Action(models.TextChoices):
        CREATED = "created", "Account created"
        CHANGED = "changed", "Details changed"
        DISABLED = "disabled", "Account disabled"
        ENABLED = "enabled", "Account re-enabled"
        SET_PASSWORD_LINK = "set_password_link", "Set-password link sent"
        PASSWORD_SET = "password_set", "Password set"
        IMPORTED = "imported", "Loaded from a staff file"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")
    by_name = models.CharField(max_length=150)
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(max_length=30, choices=Action.choices)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.at:%Y-%m-%d %H:%M})"
