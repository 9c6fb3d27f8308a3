"""What a partner may see: the advice and consultations asked of them, and their timeliness.

`advice_scope` is the one rule: advice sent to the person's current organisation, or asked of
them by name on the staff list (the council's own advisers). Everything a partner page shows
is read through it, so a guessed address for someone else's request finds nothing (404).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from ehcflow.casework.choices import Stage
from ehcflow.casework.models import AdviceRequest
from ehcflow.partners.models import Consultation, Membership, Organisation
from ehcflow.people.access import ADVISER_ROLES, staff_of
from ehcflow.statutory import clock

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser


# Advice is wanted while the assessment is under way: once the decision whether to issue a plan
# is made (or the request ends) it can no longer shape the plan, so it leaves the inbox, is no
# longer chased, and can no longer be sent here.
ADVICE_WANTED_STAGES = (Stage.ASSESSING,)


def membership_of(user: AnyUser | None) -> Membership | None:
    """The person's current membership of a partner organisation, if any."""
    if user is None or not user.is_authenticated:
        return None
    return (Membership.objects.select_related("organisation")
            .filter(user_id=user.pk, ended_at__isnull=True).first())


def is_partner(user: AnyUser | None) -> bool:
    """Whether the partner pages are for this person: a member of an organisation, or a
    council adviser (educational psychologist, health or social care adviser)."""
    if membership_of(user) is not None:
        return True
    staff = staff_of(user)
    return staff is not None and staff.role in ADVISER_ROLES


def advice_scope(user: AnyUser | None, membership: Membership | None = None) -> Q:
    """A filter on AdviceRequest: what was asked of this person or their organisation."""
    member = membership if membership is not None else membership_of(user)
    scope = Q(pk__in=[])
    if member is not None:
        scope |= Q(assignment__organisation_id=member.organisation_id)
    staff = staff_of(user)
    if staff is not None and staff.role in ADVISER_ROLES:
        scope |= Q(adviser=staff)
    return scope


def inbox(user: AnyUser | None, *, membership: Membership | None = None,
          open_only: bool = True) -> QuerySet[AdviceRequest]:
    """The advice asked of this person, soonest due first, with what each row shows.

    Only advice still wanted (`ADVICE_WANTED_STAGES`) is listed when `open_only`.
    """
    rows = AdviceRequest.objects.filter(advice_scope(user, membership))
    if open_only:
        rows = rows.filter(received_on__isnull=True, request__stage__in=ADVICE_WANTED_STAGES)
    return (rows.select_related("request", "request__child", "assignment__organisation")
            .only("public_id", "adviser_type", "requested_on", "due_on", "received_on",
                  "exception", "chase_count", "request__public_id", "request__case_ref",
                  "request__stage", "request__child__forename", "request__child__surname",
                  "request__child__date_of_birth", "assignment__organisation__name")
            .order_by("due_on", "id"))


def advice_for(user: AnyUser | None, public_id: uuid.UUID) -> AdviceRequest | None:
    """One piece of advice asked of this person, or None (the view answers 404)."""
    return (AdviceRequest.objects.filter(advice_scope(user), public_id=public_id)
            .select_related("request", "request__child", "request__officer").first())


def consultations_for(membership: Membership | None) -> QuerySet[Consultation]:
    if membership is None:
        return Consultation.objects.none()
    return (Consultation.objects.filter(organisation_id=membership.organisation_id)
            .select_related("request").order_by("answered_on", "due_on", "id"))


@dataclass(frozen=True)
class Timeliness:
    """How an adviser (organisation or person) returns advice: reg 8(1)'s 6 weeks."""

    name: str
    returned: int
    within_6_weeks: int
    average_days: float | None
    outstanding: int
    overdue: int
    chasers: int

    @property
    def pct_within_6_weeks(self) -> int | None:
        if not self.returned:
            return None
        return round(100 * self.within_6_weeks / self.returned)


def timeliness(rows: QuerySet[AdviceRequest], name: str, *, today: date) -> Timeliness:
    """Advice returned, how much within 6 weeks, average days taken, and what is open.

    Days are counted in Python from the two dates (the same on SQLite and PostgreSQL).
    """
    from ehcflow.partners.models import Chaser

    dates = list(rows.values_list("requested_on", "received_on", "due_on"))
    chasers = Chaser.objects.filter(advice__in=rows.values("pk")).count()
    return _tally(name, dates, chasers, today=today)


def _tally(name: str, rows: list[tuple[date, date | None, date]], chasers: int, *,
           today: date) -> Timeliness:
    returned = within = total_days = outstanding = overdue = 0
    for requested_on, received_on, due in rows:
        if received_on is None:
            outstanding += 1
            overdue += due < today
            continue
        returned += 1
        within += received_on <= due
        total_days += (received_on - requested_on).days
    return Timeliness(name=name, returned=returned, within_6_weeks=within,
                      average_days=round(total_days / returned, 1) if returned else None,
                      outstanding=outstanding, overdue=overdue, chasers=chasers)


def by_organisation(*, today: date) -> list[Timeliness]:
    """Each partner organisation's timeliness, for the advice dashboard (two queries)."""
    from django.db.models import Count

    from ehcflow.partners.models import Chaser

    rows: dict[int, list[tuple[date, date | None, date]]] = {}
    for org_id, *dates in AdviceRequest.objects.filter(assignment__isnull=False).values_list(
            "assignment__organisation_id", "requested_on", "received_on", "due_on"):
        rows.setdefault(org_id, []).append(tuple(dates))  # type: ignore[arg-type]
    chasers = dict(Chaser.objects.filter(advice__assignment__isnull=False)
                   .values_list("advice__assignment__organisation_id")
                   .annotate(n=Count("pk")).order_by())
    return [_tally(org.name, rows.get(org.pk, []), chasers.get(org.pk, 0), today=today)
            for org in Organisation.objects.order_by("name")]


def days_left(advice: AdviceRequest, today: date) -> int:
    """Days until the advice is due (negative when late)."""
    return (advice.due_on - today).days


def due_on(advice: AdviceRequest) -> date:
    """The due day (reg 8(1)), from the one rule rather than the stored copy."""
    return clock.advice_due(advice.requested_on)


def by_adviser_type(*, today: date) -> list[Timeliness]:
    """Timeliness by kind of advice (all advice, whether sent through a partner or not)."""
    from django.db.models import Count

    from ehcflow.casework.choices import AdviserType
    from ehcflow.partners.models import Chaser

    rows: dict[str, list[tuple[date, date | None, date]]] = {}
    for kind, *dates in AdviceRequest.objects.values_list("adviser_type", "requested_on",
                                                          "received_on", "due_on"):
        rows.setdefault(kind, []).append(tuple(dates))  # type: ignore[arg-type]
    chasers = dict(Chaser.objects.values_list("advice__adviser_type").annotate(n=Count("pk"))
                   .order_by())
    return [_tally(label, rows[kind], chasers.get(kind, 0), today=today)
            for kind, label in AdviserType.choices if kind in rows]


@dataclass(frozen=True)
class ChasersSent:
    due_soon: int
    due_today: int
    overdue: int
    escalated: int

    @property
    def total(self) -> int:
        return self.due_soon + self.due_today + self.overdue + self.escalated


def chasers_sent() -> ChasersSent:
    """Reminders recorded, by kind (each sent once: see partners.models.Chaser)."""
    from django.db.models import Count

    from ehcflow.partners.models import Chaser

    counts = dict(Chaser.objects.values_list("kind").annotate(n=Count("pk")).order_by())
    return ChasersSent(*(counts.get(kind, 0)
                         for kind in ("due_soon", "due_today", "overdue", "escalated")))


def families_with_account() -> int | None:
    """Children with at least one family member holding an account (the families app's
    links), or None where that app keeps no such record."""
    from django.apps import apps

    try:
        link = apps.get_model("families", "ChildLink")
    except LookupError:
        return None
    return int(link.objects.values("child_id").distinct().count())
