"""The statutory record of a child or young person: one record per child.

Shaped so that the DfE SEN2 return comes straight out of it (docs/domain/sen2.md §2.2): `Child` is
the Person module, `AssessmentRequest` carries the Requests and Assessment modules (one initial
request has at most one assessment, so they share a row), `EHCPlan` the NamedPlan and
ActivePlans modules, `PlanSetting` PlanDetail/PlacementDetail and `PlanNeed` SENneed.

No rules live here: every write goes through `services.py`, which enforces the legal order and
writes a `CaseEvent` in the same transaction.

Longer than 500 lines on purpose: the statutory record is one schema (decision 0002) whose
constraints refer to each other; the tables of plans could move to their own module.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from ehcflow.audit import chain
from ehcflow.audit.models import Log
from ehcflow.casework import choices as c


class Timestamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Institution(models.Model):
    """A school, college or early years setting that a plan can name (GIAS URN / UKPRN)."""

    urn = models.CharField("URN", max_length=8, unique=True, null=True, blank=True)
    ukprn = models.CharField("UKPRN", max_length=8, unique=True, null=True, blank=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=c.InstitutionKind.choices)
    in_area = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(urn__isnull=False) | Q(ukprn__isnull=False),
                name="institution_has_urn_or_ukprn",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Child(Timestamped):
    """A child or young person (SEN2 module 1, Person). Special category personal data."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person_ref = models.CharField(
        "person id", max_length=40, unique=True,
        help_text="The authority's identifier for the child or young person.",
    )
    forename = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=c.Sex.choices, default=c.Sex.UNKNOWN)
    ethnicity = models.CharField(max_length=4, choices=c.Ethnicity.choices, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    upn = models.CharField("UPN", max_length=13, blank=True, db_index=True)
    uln = models.CharField("ULN", max_length=10, blank=True)
    upn_unknown = models.CharField(
        "UPN unknown reason", max_length=4, choices=c.UPNUnknown.choices, blank=True
    )

    class Meta:
        verbose_name_plural = "children"
        indexes = [models.Index(fields=["surname", "forename"])]

    def __str__(self) -> str:
        return f"Child {self.person_ref}"

    @property
    def full_name(self) -> str:
        return f"{self.forename} {self.surname}".strip()


class AssessmentRequest(Timestamped):
    """A request for an EHC needs assessment and what followed (SEN2 modules 2 and 3).

    The 20-week clock starts on `received_date` (reg 13(2); docs/domain/measures.md). Decision,
    outcome, draft and final plan happen at most once per request, so they are columns; advice,
    exceptions and disagreements are rows of their own.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case_ref = models.CharField("case reference", max_length=40, unique=True)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="requests")
    kind = models.CharField(
        max_length=20, choices=c.RequestKind.choices, default=c.RequestKind.INITIAL
    )
    received_date = models.DateField("date request received")
    source = models.CharField(max_length=20, choices=c.RequestSource.choices, blank=True)
    relevant_youth_accommodation = models.BooleanField(default=False)
    officer = models.ForeignKey(
        "people.StaffMember", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="requests",
    )
    stage = models.CharField(
        max_length=30, choices=c.Stage.choices, default=c.Stage.AWAITING_DECISION
    )
    decision = models.CharField(max_length=20, choices=c.Decision.choices, blank=True)
    decision_date = models.DateField("date of decision whether to assess", null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=c.Outcome.choices, blank=True)
    outcome_date = models.DateField(
        "date of decision whether to issue a plan", null=True, blank=True
    )
    draft_date = models.DateField("date draft plan issued", null=True, blank=True)
    comments_received_date = models.DateField(null=True, blank=True)
    school_requested = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    final_date = models.DateField("date final plan issued", null=True, blank=True)
    closed_date = models.DateField(null=True, blank=True)
    closed_reason = models.CharField(max_length=20, choices=c.ClosedReason.choices, blank=True)
    exported = models.BooleanField(
        default=False, help_text="Moved out of the authority before the assessment finished."
    )
    week20_exception = models.BooleanField(
        "20-week exception applies", default=False,
        help_text="Kept equal to whether a reg 13(3) exception is recorded (SEN2 Week20).",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            models.Index(fields=["received_date"]),
            models.Index(fields=["final_date"]),
            models.Index(fields=["stage", "received_date"]),
            models.Index(fields=["officer", "stage"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision_date__isnull=True) | Q(decision_date__gte=F("received_date")),
                name="request_decision_after_received",
            ),
            models.CheckConstraint(
                condition=Q(final_date__isnull=True) | Q(final_date__gte=F("received_date")),
                name="request_final_after_received",
            ),
            models.CheckConstraint(
                condition=Q(final_date__isnull=True) | Q(closed_date__isnull=True),
                name="request_closed_excludes_final",
            ),
        ]

    def __str__(self) -> str:
        return self.case_ref

    @property
    def is_open(self) -> bool:
        return self.stage in c.OPEN_STAGES

    def weeks_elapsed(self, on: date) -> float:
        return (on - self.received_date).days / 7


class AdviceRequest(Timestamped):
    """Advice or information sought for an assessment (reg 6); due in 6 weeks (reg 8(1))."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(
        AssessmentRequest, on_delete=models.CASCADE, related_name="advice_requests"
    )
    adviser_type = models.CharField(max_length=30, choices=c.AdviserType.choices)
    adviser = models.ForeignKey(
        "people.StaffMember", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="advice_requests",
    )
    adviser_organisation = models.CharField(max_length=200, blank=True)
    requested_on = models.DateField()
    due_on = models.DateField()
    received_on = models.DateField(null=True, blank=True)
    last_chased_on = models.DateField(null=True, blank=True)
    chase_count = models.PositiveSmallIntegerField(default=0)
    exception = models.CharField(
        max_length=30, choices=c.ExceptionReason.choices, blank=True,
        help_text="A reg 8(2) exception excuses the body from the 6-week limit.",
    )

    class Meta:
        ordering = ["requested_on", "id"]
        indexes = [models.Index(fields=["adviser_type", "requested_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(received_on__isnull=True) | Q(received_on__gte=F("requested_on")),
                name="advice_received_after_requested",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_adviser_type_display()} advice requested {self.requested_on}"


class StatutoryException(Timestamped):
    """An exception to a time limit, with its reason and period (reg 5(4), 8(2), 10(4), 13(3))."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(
        AssessmentRequest, on_delete=models.CASCADE, related_name="exceptions"
    )
    reason = models.CharField(max_length=30, choices=c.ExceptionReason.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="exception_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} from {self.start_date}"


class EHCPlan(Timestamped):
    """An EHC plan maintained by the authority (SEN2 modules 4a NamedPlan and 5a ActivePlans)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="plans")
    request = models.OneToOneField(
        AssessmentRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="plan"
    )
    start_date = models.DateField("date of current plan")
    first_issued_date = models.DateField()
    transferred_in = models.BooleanField(
        default=False, help_text="Transferred in from another local authority."
    )
    cease_date = models.DateField(null=True, blank=True)
    cease_reason = models.CharField(max_length=2, choices=c.CeaseReason.choices, blank=True)
    personal_budget = models.BooleanField(default=False)
    organised_arrangements = models.BooleanField(default=False)
    residential = models.BooleanField(default=False)
    work_based_learning = models.BooleanField(default=False)
    next_review_due = models.DateField(null=True, blank=True)
    officer = models.ForeignKey(
        "people.StaffMember", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="plans", help_text="The case officer who maintains the plan.",
    )
    # Reviews and moves (statutory/reviews.py; regs 15, 18-22, 29-31).
    first_review_due = models.DateField(
        null=True, blank=True,
        help_text="The first review by this authority when not a year after issue (reg 15).")
    transferred_from = models.CharField(
        "authority transferred from", max_length=100, blank=True)
    last_reviewed_before_transfer = models.DateField(
        "date the plan was made or last reviewed by the previous authority", null=True,
        blank=True)
    transfer_notice_date = models.DateField(
        "date the family was told of the transfer", null=True, blank=True)
    transfer_notice_decision = models.CharField(
        max_length=20, choices=c.TransferInDecision.choices, blank=True)
    transferred_to = models.CharField("authority transferred to", max_length=100, blank=True)
    cease_proposed_date = models.DateField(
        "date the proposal to cease was sent", null=True, blank=True)
    cease_proposed_reason = models.CharField(max_length=2, choices=c.CeaseReason.choices,
                                             blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["first_issued_date"]),
            models.Index(fields=["cease_date"]),
            models.Index(fields=["next_review_due"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(cease_date__isnull=True) | Q(cease_date__gte=F("first_issued_date")),
                name="plan_cease_after_issue",
            )
        ]

    def __str__(self) -> str:
        return f"EHC plan issued {self.first_issued_date}"

    def in_force(self, on: date) -> bool:
        return self.first_issued_date <= on and (self.cease_date is None or self.cease_date > on)


class PlanSetting(models.Model):
    """A setting named in section I (SEN2 4b PlanDetail / 5b PlacementDetail)."""

    plan = models.ForeignKey(EHCPlan, on_delete=models.CASCADE, related_name="settings")
    rank = models.PositiveSmallIntegerField(default=1)
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sen_setting = models.CharField(max_length=4, choices=c.SENSetting.choices, blank=True)
    sen_setting_other = models.CharField(max_length=200, blank=True)
    sen_unit = models.BooleanField(default=False)
    resourced_provision = models.BooleanField(default=False)
    entry_date = models.DateField(null=True, blank=True)
    leaving_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.CheckConstraint(
                condition=Q(institution__isnull=False) | ~Q(sen_setting=""),
                name="setting_has_institution_or_code",
            )
        ]

    def __str__(self) -> str:
        return f"Setting {self.rank}"


class PlanNeed(models.Model):
    """Primary (rank 1) and secondary (rank 2) need (SEN2 5c SENneed)."""

    plan = models.ForeignKey(EHCPlan, on_delete=models.CASCADE, related_name="needs")
    rank = models.PositiveSmallIntegerField()
    sen_type = models.CharField(max_length=4, choices=c.SENType.choices)

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "rank"], name="one_need_per_rank"),
            models.CheckConstraint(condition=Q(rank__in=[1, 2]), name="need_rank_1_or_2"),
        ]

    def __str__(self) -> str:
        return f"{self.sen_type} (rank {self.rank})"


class AnnualReview(Timestamped):
    """A review of a plan (CFA 2014 s.44; regs 18–22), including a phase transfer review."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(EHCPlan, on_delete=models.CASCADE, related_name="reviews")
    due_date = models.DateField()
    meeting_date = models.DateField(null=True, blank=True)
    decision_date = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=c.ReviewOutcome.choices, blank=True)
    amendment_notice_date = models.DateField(null=True, blank=True)
    draft_amended_date = models.DateField(null=True, blank=True)
    amended_final_date = models.DateField(null=True, blank=True)
    phase_transfer = models.BooleanField(default=False)
    transfer_year = models.PositiveSmallIntegerField(null=True, blank=True)
    secondary_to_post16 = models.BooleanField(default=False)
    phase_transfer_due = models.DateField(null=True, blank=True)
    invitations_sent_date = models.DateField("date invitations were sent", null=True,
                                             blank=True)
    advice_circulated_date = models.DateField("date advice was circulated", null=True,
                                              blank=True)
    report_date = models.DateField("date the review report was received", null=True,
                                   blank=True)
    proposed_amendments = models.TextField(
        blank=True, help_text="Sent with the decision to amend (reg 22(2)(a)).")

    class Meta:
        ordering = ["due_date"]
        indexes = [
            models.Index(fields=["due_date"]),
            models.Index(fields=["meeting_date"]),
        ]

    def __str__(self) -> str:
        return f"Review due {self.due_date}"


class PlanAmendment(Timestamped):
    """A proposal to amend a plan outside an annual review (s.37(2); reg 22)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(EHCPlan, on_delete=models.CASCADE, related_name="amendments")
    notice_date = models.DateField("date the proposed amendments were sent")
    proposed_amendments = models.TextField(blank=True)
    amended_final_date = models.DateField(null=True, blank=True)
    not_amended_date = models.DateField(
        "date the family was told the plan will not be amended", null=True, blank=True)

    class Meta:
        ordering = ["notice_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amended_final_date__isnull=True)
                | Q(amended_final_date__gte=F("notice_date")),
                name="amendment_final_after_notice",
            )
        ]

    def __str__(self) -> str:
        return f"Amendment proposed {self.notice_date}"


class CaseEvent(models.Model):
    """One change to a child's record: who, when, what and why. Append-only.

    Written by the service that makes the change, in the same transaction. Database triggers
    (migrations 0003 and 0009) refuse UPDATE, DELETE, SQLite's REPLACE and PostgreSQL's
    TRUNCATE, so the history cannot be rewritten even by a bug or a console session; a row
    leaves only through `ehcflow.audit.disposal` at the end of retention. Each row is a link
    of a hash chain (`seq`, `chain_hash`; `ehcflow.audit.chain`, decision 0008), so a change
    made around the triggers shows in `ehcflow audit verify`.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    seq = models.BigIntegerField(unique=True, editable=False)
    chain_hash = models.CharField(max_length=64, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="events")
    request = models.ForeignKey(
        AssessmentRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    plan = models.ForeignKey(
        EHCPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    # A default rather than auto_now_add: the hash is computed before the INSERT, from the
    # value that will be stored.
    occurred_at = models.DateTimeField(default=timezone.now, editable=False)
    effective_date = models.DateField(help_text="The date the step happened in the case.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=50)
    description = models.CharField(max_length=300)
    reason = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)

    objects = chain.CaseEventQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["request", "occurred_at"]),
            models.Index(fields=["child", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.action} on {self.effective_date}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Case events are append-only; record a new event instead.")
        with chain.appending(Log.CASE_EVENTS) as appender:
            appender.link_instance(self)
            super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("Case events are append-only and cannot be deleted.")


class RecordAccess(models.Model):
    """The access log: who looked at, searched for or exported a child's record, and when.

    Children's records are special category personal data (UK GDPR art. 9): the service must be
    able to show who saw a case. Append-only and hash-chained like the case events
    (migrations 0005 and 0009), and it holds opaque identifiers, never names.
    """

    class Kind(models.TextChoices):
        VIEW = "view", "Viewed"
        CHANGE = "change", "Changed"
        EXPORT = "export", "Exported"
        REFUSED = "refused", "Refused access"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    seq = models.BigIntegerField(unique=True, editable=False)
    chain_hash = models.CharField(max_length=64, editable=False)
    at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    child = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.PROTECT, related_name="accesses"
    )
    request = models.ForeignKey(
        AssessmentRequest, null=True, blank=True, on_delete=models.PROTECT,
        related_name="accesses",
    )
    page = models.CharField(max_length=80)

    objects = chain.RecordAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["child", "at"]), models.Index(fields=["request", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.page} at {self.at}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("The access log is append-only.")
        with chain.appending(Log.ACCESS_LOG) as appender:
            appender.link_instance(self)
            super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("The access log is append-only; see ehcflow.audit.disposal.")
