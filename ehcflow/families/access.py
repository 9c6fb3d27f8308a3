"""Which children's requests a family member may see, and who may act for a family.

The rules (Children and Families Act 2014 s.83(2); SEND Code of Practice 8.13):

- a parent or carer follows the requests of the children they are linked to, while the child
  is under 16;
- from 16 (the end of compulsory school age, taken as the 16th birthday) the rights are the
  young person's: they follow their own requests, and a parent or carer follows them only
  while the young person's consent is in force (`Consent`);
- nobody else: another family's request answers 404, like any guessed address.

Staff act for a family (the assisted route: a phone call, a paper form) on requests within
their own scope, if their role may record correspondence (people.access).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone

from ehcflow.casework.access import visible_requests
from ehcflow.casework.models import AssessmentRequest
from ehcflow.families.models import ChildLink, Consent, FamilyMember, Relationship
from ehcflow.people.access import Action, may
from ehcflow.statutory.dates import age_on

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from ehcflow.casework.models import Child
    from ehcflow.files.models import StoredFile

    AnyUser = AbstractBaseUser | AnonymousUser

#: From this age the young person holds the rights (end of compulsory school age, s.83(2)).
YOUNG_PERSON_FROM_AGE = 16


def member_of(user: AnyUser | None) -> FamilyMember | None:
    if user is None or not user.is_authenticated:
        return None
    try:
        member: FamilyMember = user.family  # type: ignore[union-attr,attr-defined]
    except FamilyMember.DoesNotExist:
        return None
    return member


def is_family(user: AnyUser | None) -> bool:
    return member_of(user) is not None


def young_person_holds_rights(date_of_birth: date, today: date) -> bool:
    return age_on(date_of_birth, today) >= YOUNG_PERSON_FROM_AGE


def link_in_force(link: ChildLink, consented: set[int], today: date) -> bool:
    """Whether this link lets its member see the child's requests today."""
    adult = young_person_holds_rights(link.child.date_of_birth, today)
    if link.relationship == Relationship.YOUNG_PERSON:
        return adult
    return not adult or link.child_id in consented


def children_ids(user: AnyUser | None, today: date | None = None) -> list[int]:
    """The children whose requests this family member may see today."""
    member = member_of(user)
    if member is None:
        return []
    on = today or timezone.localdate()
    consented = set(Consent.objects.filter(member=member, withdrawn_at__isnull=True)
                    .values_list("child_id", flat=True))
    return [link.child_id for link in member.links.select_related("child")
            if link_in_force(link, consented, on)]


def family_requests(user: AnyUser | None) -> QuerySet[AssessmentRequest]:
    ids = children_ids(user)
    if not ids:
        return AssessmentRequest.objects.none()
    return AssessmentRequest.objects.filter(child_id__in=ids)


def link_for(user: AnyUser | None, child: Child) -> ChildLink | None:
    member = member_of(user)
    if member is None:
        return None
    return member.links.filter(child=child).first()


def may_act_for_family(user: AnyUser | None, case: AssessmentRequest) -> bool:
    """Staff who may record correspondence on this request may enter what a family says."""
    return may(user, Action.CORRESPONDENCE) and visible_requests(user).filter(
        pk=case.pk).exists()


def family_may_open(user: AnyUser, stored: StoredFile) -> bool:
    """The files checker: a family opens what is shared with them on their children's cases."""
    if not stored.shared_with_family or member_of(user) is None:
        return False
    return stored.child_id in children_ids(user)
