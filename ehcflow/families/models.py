"""Parents, carers and young people who follow a request online, and what they send.

A family member is a `people.User` with a `FamilyMember` profile and no staff record, so no
staff page lets them in (people.access gives a user without a staff role nothing). Which
children's requests they see is decided in `families.access`, from their `ChildLink`s and,
once a child is 16, the young person's `Consent`.

Nothing here stores a sign-in code or an invitation code in clear: only keyed hashes.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Relationship(models.TextChoices):
    PARENT = "parent", "Parent"
    CARER = "carer", "Carer"
    YOUNG_PERSON = "young_person", "Young person"


class FamilyMember(models.Model):
    """The family profile of an account: how to reach them for sign-in codes."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="family")
    #: a UK mobile number in +44 form, for codes by text message ("" when they use e-mail)
    mobile = models.CharField(max_length=20, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Family member {self.public_id}"


class ChildLink(models.Model):
    """This person is the child's parent or carer, or is the young person themself."""

    member = models.ForeignKey(FamilyMember, on_delete=models.CASCADE, related_name="links")
    child = models.ForeignKey("casework.Child", on_delete=models.PROTECT,
                              related_name="family_links")
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "child"],
                                               name="one_link_per_member_and_child")]

    def __str__(self) -> str:
        return f"{self.get_relationship_display()} link"


class Consent(models.Model):
    """A young person lets a parent or carer follow their case (Code of Practice 8.13).

    From 16 the rights are the young person's; a parent sees the case only while a consent is
    in force (`withdrawn_at` empty). A new row for each grant, so the history is kept.
    """

    child = models.ForeignKey("casework.Child", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(FamilyMember, on_delete=models.CASCADE,
                               related_name="consents_received")
    given_at = models.DateTimeField(default=timezone.now)
    given_by_name = models.CharField(max_length=150)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"Consent given {self.given_at:%Y-%m-%d}"


class Invitation(models.Model):
    """A case officer's invitation to follow a request: by e-mail, or a code in a letter."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey("casework.AssessmentRequest", on_delete=models.PROTECT,
                                related_name="family_invitations")
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    name = models.CharField(max_length=150)
    email = models.EmailField(blank=True)
    by_letter = models.BooleanField(default=False)
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(FamilyMember, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"Invitation {self.public_id}"


class SignInCode(models.Model):
    """A one-time sign-in code sent by e-mail or text message.

    `contact_hash` is a keyed hash of the address the code was asked for, whether or not an
    account has it (`user` empty then, and nothing is sent): the rows count towards the limits
    the same either way, so neither the page nor its limits tell whether an account exists.
    """

    contact_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Sign-in code {self.created_at:%Y-%m-%d %H:%M}"


class DraftResponse(models.Model):
    """The family's response to the draft plan within the 15 days (reg 13(1)(a), 13(1)(b))."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey("casework.AssessmentRequest", on_delete=models.PROTECT,
                                related_name="draft_responses")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                           related_name="+")
    by_name = models.CharField(max_length=150)
    on_behalf = models.BooleanField(default=False, help_text="Entered by staff for the family.")
    comments = models.TextField()
    preferred_setting = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Response to the draft ({self.submitted_at:%Y-%m-%d})"


class MeetingRequest(models.Model):
    """The family asks to meet the case officer (reg 13(1)(b) after a draft, or any time)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey("casework.AssessmentRequest", on_delete=models.PROTECT,
                                related_name="meeting_requests")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                           related_name="+")
    by_name = models.CharField(max_length=150)
    on_behalf = models.BooleanField(default=False)
    about = models.TextField()
    availability = models.CharField(max_length=300, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Meeting asked ({self.submitted_at:%Y-%m-%d})"
