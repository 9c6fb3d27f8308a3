"""Writes for partners: staff of an organisation, sending advice requests and consultations to
them, their advice and answers coming back, and the daily reminders.

Each change to a child's case writes a case event (through `casework.services` or
`plans.services`, which record them); membership changes are recorded on the membership.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ehcflow.casework import choices as c
from ehcflow.casework import services as casework
from ehcflow.casework.events import EventAction, record_event
from ehcflow.casework.models import AdviceRequest, AssessmentRequest
from ehcflow.casework.services import Actor, CaseworkError
from ehcflow.partners import schedule
from ehcflow.partners.models import (
    AdviceAssignment,
    AdviceAttachment,
    Chaser,
    ChaserKind,
    Consultation,
    ConsultationAnswer,
    Membership,
    Organisation,
)
from ehcflow.partners.selectors import ADVICE_WANTED_STAGES
from ehcflow.people.models import User

MAX_ATTACHMENTS = 5


class PartnerError(CaseworkError):
    """Not allowed; the message says why, for the person who tried."""


def _site(path: str) -> str:
    from django.conf import settings

    return f"{settings.EHCFLOW_SITE_URL.rstrip('/')}{path}"


def _advice_words(advice: AdviceRequest) -> str:
    return f"{c.AdviserType(advice.adviser_type).label.lower()} advice"


# --- Organisation staff -----------------------------------------------------------------------


@transaction.atomic
def member_add(*, organisation: Organisation, email: str, first_name: str, last_name: str,
               job_title: str = "", is_manager: bool = False, by: User | None) -> Membership:
    """Give a person an account with the organisation (a manager adds their own staff).

    The account has no password until the person sets one from the e-mailed link. A person
    already with another organisation is refused: one organisation at a time.
    """
    email = email.strip().lower()
    if "@" not in email:
        raise PartnerError("Enter an e-mail address in the right format, like "
                           "name@example.org", field="email")
    if not first_name.strip() or not last_name.strip():
        raise PartnerError("Enter the person's first and last name", field="first_name")
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(username=email, email=email,
                                        first_name=first_name.strip(),
                                        last_name=last_name.strip())
        user.set_unusable_password()
        user.save(update_fields=["password"])
    current = Membership.objects.filter(user=user, ended_at__isnull=True).first()
    if current is not None:
        raise PartnerError("This person already has an account with "
                           f"{current.organisation.name}.", field="email")
    membership = Membership.objects.create(organisation=organisation, user=user,
                                           job_title=job_title.strip()[:100],
                                           is_manager=is_manager, added_by=by)
    if not user.has_usable_password():
        _send_set_password_link(membership, by)
    return membership


def _send_set_password_link(membership: Membership, by: User | None) -> None:
    """E-mail the new member a one-use link to set their password (people's set-password page:
    Django's token stops working once used or after `PASSWORD_RESET_TIMEOUT`)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from ehcflow.notify.services import send_email

    user = membership.user
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = _site(reverse("people:set_password",
                         args=[uid, default_token_generator.make_token(user)]))
    manager = (by.get_full_name() or by.get_username()) if by is not None else "The council"
    send_email("partner_account_created", to=user.email, personalisation={
        "manager_name": manager, "organisation": membership.organisation.name, "link": link})


@transaction.atomic
def member_end(*, membership: Membership, by: User) -> Membership:
    """End a person's membership: from now they see nothing of the organisation's work."""
    if membership.user_id == by.pk:
        raise PartnerError("You cannot remove your own account.")
    membership.ended_at = timezone.now()
    membership.save(update_fields=["ended_at"])
    return membership


# --- Asking for advice and consulting ---------------------------------------------------------


@transaction.atomic
def advice_assign(*, advice: AdviceRequest, organisation: Organisation, by: Actor,
                  notify: bool = True) -> AdviceAssignment:
    """Send an advice request to a partner organisation, and e-mail its inbox."""
    if advice.received_on is not None:
        raise PartnerError("This advice has already been received.")
    assignment, _ = AdviceAssignment.objects.update_or_create(
        advice=advice, defaults={"organisation": organisation})
    if advice.adviser_organisation != organisation.name:
        AdviceRequest.objects.filter(pk=advice.pk).update(adviser_organisation=organisation.name)
    request = advice.request
    record_event(
        child=request.child, request=request, action=EventAction.ADVICE_SENT_TO_PARTNER,
        on=timezone.localdate(), by=by,
        description=f"{_advice_words(advice).capitalize()} sent to {organisation.name}",
        changes={"advice": str(advice.public_id), "organisation": str(organisation.public_id)},
    )
    if notify and organisation.email:
        from ehcflow.notify.services import send_email

        send_email("advice_requested", to=organisation.email, request=request, personalisation={
            "organisation": organisation.name, "advice_type": _advice_words(advice),
            "case_ref": request.case_ref, "due_on": advice.due_on,
            "link": _site(reverse("partners:advice", args=[advice.public_id])),
        })
    return assignment


@transaction.atomic
def consultation_send(*, request: AssessmentRequest, organisation: Organisation, on: date,
                      by: Actor, notify: bool = True) -> Consultation:
    """Consult a school or setting on naming it in the plan (CFA 2014 s.39(2)); 15 days."""
    if not request.is_open:
        raise PartnerError("This request has ended: there is no plan to name a school in.")
    if request.final_date is not None:
        raise PartnerError("The final plan has been issued.")
    if Consultation.objects.filter(request=request, organisation=organisation,
                                   answered_on__isnull=True).exists():
        raise PartnerError(f"{organisation.name} is already being consulted on this request.")
    consultation = Consultation.objects.create(
        request=request, organisation=organisation, sent_on=on,
        due_on=schedule.consultation_due(on))
    record_event(
        child=request.child, request=request, action=EventAction.SCHOOL_CONSULTED, on=on, by=by,
        description=f"Consulted {organisation.name} on naming it in the plan",
        changes={"consultation": str(consultation.public_id),
                 "due_on": consultation.due_on.isoformat()},
    )
    if notify and organisation.email:
        from ehcflow.notify.services import send_email

        send_email("school_consultation", to=organisation.email, request=request,
                   personalisation={
                       "setting": organisation.name, "case_ref": request.case_ref,
                       "due_on": consultation.due_on,
                       "link": _site(reverse("partners:consultation",
                                             args=[consultation.public_id])),
                   })
    return consultation


# --- Advice and answers coming back -----------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    advice: AdviceRequest
    late: bool
    attachments: int


def advice_submit(*, advice: AdviceRequest, sections: Mapping[str, str],
                  files: Sequence[UploadedFile] = (), by: Actor) -> Submitted:
    """A partner's advice, by plan section (B to H), with documents; it returns to the officer.

    The text goes to `plans.services.advice_submit`, which records the advice as received
    (`casework.services.advice_record_received`, a case event) so reg 8(1)'s 6 weeks are
    measured; each document goes through `files.services.store_file` (size, kind, virus scan).
    All or nothing: a refused document stores no advice. Refused: advice already sent (a
    second press of the button), or a request whose assessment has finished.
    """
    from ehcflow.files.services import FileRefused, store_file
    from ehcflow.plans import services as plans

    if len(files) > MAX_ATTACHMENTS:
        raise PartnerError(f"Attach up to {MAX_ATTACHMENTS} documents.", field="files")
    with transaction.atomic():
        locked = AdviceRequest.objects.select_for_update().get(pk=advice.pk)
        request = locked.request
        if locked.received_on is not None:
            raise PartnerError("This advice has already been sent. If you need to add to it, "
                               "contact the case officer.", field="sections")
        if request.stage not in ADVICE_WANTED_STAGES:
            raise PartnerError("The assessment has finished, so advice can no longer be sent "
                               "here. Contact the case officer.", field="sections")
        content = plans.advice_submit(advice=locked, sections=sections, by=by)
        stored = 0
        for upload in files:
            try:
                kept = store_file(upload=upload, name=upload.name or "document",
                                  child=request.child, by=by, kind="advice", request=request,
                                  title=f"{_advice_words(locked).capitalize()}: document",
                                  description=f"Document sent with the {_advice_words(locked)}")
            except FileRefused as error:
                raise PartnerError(error.message, field="files") from error
            AdviceAttachment.objects.create(advice=locked, file=kept.file)
            stored += 1
    locked.refresh_from_db()
    assert content.submitted_on == locked.received_on
    return Submitted(advice=locked, late=locked.received_on > locked.due_on
                     if locked.received_on else False, attachments=stored)


@transaction.atomic
def consultation_answer(*, consultation: Consultation, answer: str, reasons: str,
                        by: Actor) -> Consultation:
    """Record a school's answer to a consultation. A school that cannot meet the needs must
    say why (the authority must consider its reasons). Late answers are kept and shown as
    late; an answer after the final plan was issued, or a second answer, is refused."""
    locked = Consultation.objects.select_for_update().select_related(
        "request", "organisation").get(pk=consultation.pk)
    if locked.answered_on is not None:
        raise PartnerError("This consultation has already been answered.", field="answer")
    request = locked.request
    if request.final_date is not None or request.closed_date is not None:
        raise PartnerError("The final plan has been issued or the request has ended, so the "
                           "consultation is closed. Contact the case officer.", field="answer")
    if answer not in ConsultationAnswer.values:
        raise PartnerError("Select whether the school can meet the needs", field="answer")
    reasons = reasons.strip()
    if answer == ConsultationAnswer.CANNOT_MEET and not reasons:
        raise PartnerError("Enter why the school cannot meet the needs", field="reasons")
    today = timezone.localdate()
    locked.answer, locked.reasons, locked.answered_on = answer, reasons, today
    locked.answered_by = by.user
    locked.save(update_fields=["answer", "reasons", "answered_on", "answered_by"])
    record_event(
        child=request.child, request=request, action=EventAction.SCHOOL_ANSWERED, on=today, by=by,
        description=f"{locked.organisation.name} answered the consultation: "
                    f"{ConsultationAnswer(answer).label.lower()}",
        changes={"consultation": str(locked.public_id), "answer": answer,
                 "late": today > locked.due_on},
    )
    return locked


# --- Reminders ---------------------------------------------------------------------------------


def _chaser_recipients(advice: AdviceRequest) -> list[str]:
    addresses: list[str] = []
    assignment = getattr(advice, "assignment", None)
    if assignment is not None and assignment.organisation.email:
        addresses.append(assignment.organisation.email)
    if advice.adviser is not None and advice.adviser.user is not None and advice.adviser.user.email:
        addresses.append(advice.adviser.user.email)
    return list(dict.fromkeys(addresses))


def _manager_email(advice: AdviceRequest) -> str:
    officer = advice.request.officer
    if officer is None or officer.team is None or officer.team.manager is None:
        return ""
    manager = officer.team.manager
    return manager.user.email if manager.user is not None else ""


TEMPLATE_OF_KIND = {"due_soon": "advice_due_soon", "due_today": "advice_due_today",
                    "overdue": "advice_overdue"}


def _chase_one(advice: AdviceRequest, due: schedule.Due, today: date, by: Actor) -> list[Chaser]:
    """Send and record one reminder (and the escalation with it); nothing if already sent."""
    kinds = [due.kind] + (["escalated"] if due.escalate else [])
    made: list[Chaser] = []
    for kind in kinds:
        try:
            with transaction.atomic():
                chaser = Chaser.objects.create(advice=advice, kind=kind, week=due.week,
                                               scheduled_on=due.on)
                made.append(_deliver_chaser(chaser, advice, today, by))
        except IntegrityError:
            continue  # already sent: the unique (advice, kind, week) keeps it once
    return made


def _deliver_chaser(chaser: Chaser, advice: AdviceRequest, today: date, by: Actor) -> Chaser:
    from ehcflow.notify.services import send_email

    request = advice.request
    officer = request.officer.name if request.officer else "the case officer"
    organisation = (advice.assignment.organisation.name if hasattr(advice, "assignment")
                    else advice.adviser_organisation or "The adviser")
    fields: dict[str, Any] = {"advice_type": _advice_words(advice), "case_ref": request.case_ref,
                              "due_on": advice.due_on}
    link = _site(reverse("partners:advice", args=[advice.public_id]))
    if chaser.kind == "escalated":
        to = [_manager_email(advice)] if _manager_email(advice) else []
        template = "advice_overdue_manager"
        fields |= {"organisation": organisation, "officer_name": officer,
                   "days_overdue": (today - advice.due_on).days,
                   "chasers_sent": Chaser.objects.filter(advice=advice).exclude(
                       kind="escalated").count(),
                   "link": _site(reverse("casework:request", args=[request.public_id]))}
    else:
        to = _chaser_recipients(advice)
        template = TEMPLATE_OF_KIND[chaser.kind]
        fields["link"] = link
        if chaser.kind == "due_soon":
            fields |= {"officer_name": officer, "days_left": (advice.due_on - today).days}
        if chaser.kind == "overdue":
            fields["days_overdue"] = (today - advice.due_on).days
    message = None
    for address in to:
        message = send_email(template, to=address, personalisation=fields, request=request)
    chaser.recipients = len(to)
    chaser.message = message
    chaser.save(update_fields=["recipients", "message"])
    if chaser.kind != "escalated":
        casework.advice_record_chase(advice=advice, on=today, by=by)
    else:
        record_event(child=request.child, request=request, action=EventAction.ADVICE_ESCALATED,
                      on=today, by=by,
                      description=f"Overdue {_advice_words(advice)} raised with the "
                                  "officer's manager",
                      changes={"advice": str(advice.public_id), "week": chaser.week})
    return chaser


def chase_advice(*, today: date | None = None) -> dict[str, int]:
    """Send every reminder owed today; never the same one twice (the daily task)."""
    on = today or timezone.localdate()
    by = Actor(name="Advice reminders")
    sent: dict[str, int] = {kind: 0 for kind in ChaserKind.values}
    outstanding = (AdviceRequest.objects
                   .filter(received_on__isnull=True, exception="",
                           request__stage__in=ADVICE_WANTED_STAGES,
                           due_on__lte=on + timedelta(days=schedule.DUE_SOON_DAYS))
                   .select_related("request", "request__child",
                                   "request__officer__team__manager__user", "adviser__user",
                                   "assignment__organisation"))
    for advice in outstanding.iterator(chunk_size=500):
        for due in schedule.chasers_due(requested_on=advice.requested_on,
                                        received_on=advice.received_on,
                                        excused=bool(advice.exception), today=on):
            for chaser in _chase_one(advice, due, on, by):
                sent[chaser.kind] += 1
    return sent
