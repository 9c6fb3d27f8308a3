"""Every write a family makes, or staff make for a family: one transaction and a case event.

Sign-in has no password: a one-time code by e-mail or text message (GOV.UK Notify, through
ehcflow.notify). Codes last `CODE_MINUTES`, are kept only as keyed hashes, allow
`MAX_ATTEMPTS` guesses, and are limited per address (`CODES_PER_ADDRESS` in
`ADDRESS_WINDOW`) and per client address (`CODES_PER_IP` in `IP_WINDOW`). Asking for a code
for an address with no account looks exactly the same from outside (a row is written, the
limits count it, nothing is sent), so the page never tells whether an account exists.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from ehcflow.casework import choices as c
from ehcflow.casework import services as casework
from ehcflow.casework.events import EventAction
from ehcflow.casework.models import AssessmentRequest, Child
from ehcflow.casework.services import Actor, CaseworkError, record_event
from ehcflow.families import codes
from ehcflow.families.access import young_person_holds_rights
from ehcflow.families.models import (
    ChildLink,
    Consent,
    DraftResponse,
    FamilyMember,
    Invitation,
    MeetingRequest,
    Relationship,
    SignInCode,
)
from ehcflow.files import services as files
from ehcflow.files.models import FileKind, StoredFile
from ehcflow.people.models import User
from ehcflow.statutory import clock
from ehcflow.statutory.dates import long_date

CODE_MINUTES = 15
MAX_ATTEMPTS = 5
CODES_PER_ADDRESS = 3
ADDRESS_WINDOW = timedelta(minutes=15)
CODES_PER_IP = 10
IP_WINDOW = timedelta(hours=1)
INVITATION_DAYS = 28
#: the stages before the assessment's outcome, when the family's views shape the assessment
#: and section A of the plan (reg 6(1)(a), 7, 12(1)(a))
VIEWS_STAGES = (c.Stage.AWAITING_DECISION, c.Stage.ASSESSING)
LONG_TEXT = 10_000


class FamilyError(CaseworkError):
    """What a family or officer tried cannot be done; the message says why, in plain words."""



def _actor_description(text: str, by: Actor, on_behalf: bool) -> str:
    return f"{text} (entered by staff for the family)" if on_behalf else text


def first_name(child: Child) -> str:
    """How pages and messages to the family name the child: the first name they gave us."""
    return child.forename or "your child"


# --- invitations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Invited:
    invitation: Invitation
    code: str


@transaction.atomic
def invitation_send(
    *, request: AssessmentRequest, relationship: str, name: str, by: Actor, email: str = "",
    address_lines: list[str] | None = None,
) -> Invited:
    """Invite a parent, carer or young person to follow the request: by e-mail with a link,
    or, for a family without e-mail, by letter with a code to type in."""
    if relationship not in Relationship.values:
        raise FamilyError("Choose who you are inviting.", field="relationship")
    name = " ".join(name.split())
    if not name:
        raise FamilyError("Enter the name of the person you are inviting.", field="name")
    today = clock.today()
    if relationship == Relationship.YOUNG_PERSON and not young_person_holds_rights(
            request.child.date_of_birth, today):
        raise FamilyError("Only a young person aged 16 or over can have their own account. "
                          "Invite their parent or carer.", field="relationship")
    lines = [line.strip() for line in (address_lines or []) if line.strip()]
    address = codes.normalise_email(email) if email.strip() else None
    if email.strip() and address is None:
        raise FamilyError("Enter an email address in the correct format, like "
                          "name@example.com.", field="email")
    if address is None and not lines:
        raise FamilyError("Enter an email address, or a postal address for a letter.",
                          field="email")
    if address is None and not 3 <= len(lines) <= 7:
        raise FamilyError("Enter the postal address on 3 to 7 lines, with the postcode last.",
                          field="address")
    code = codes.invitation_code()
    invitation = Invitation.objects.create(
        request=request, relationship=relationship, name=name[:150], email=address or "",
        by_letter=address is None, code_hash=codes.digest("invitation", code),
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS), created_by=by.user)
    expires_on = long_date(timezone.localtime(invitation.expires_at).date())
    from ehcflow.notify import services as notify

    personal = {"child_first_name": first_name(request.child), "expires_on": expires_on}
    if address is not None:
        notify.send_email("family_invitation", to=address, request=request, personalisation={
            **personal, "link": f"{settings.EHCFLOW_SITE_URL}/family/join/{code}/"})
    else:
        notify.send_letter("invitation_letter_code", address_lines=lines, request=request,
                           personalisation={
                               **personal, "code": code,
                               "site_address": f"{settings.EHCFLOW_SITE_URL}/family/join/",
                               "team_phone": settings.EHCFLOW_SEND_TEAM_PHONE})
    record_event(
        child=request.child, request=request, action=EventAction.FAMILY_INVITED, on=today, by=by,
        description=(f"{Relationship(relationship).label} invited to follow the request online "
                     f"({'by letter' if address is None else 'by email'})"),
        changes={"invitation": str(invitation.public_id), "relationship": relationship,
                 "by_letter": address is None})
    return Invited(invitation=invitation, code=code)


def invitation_for(code: str) -> Invitation | None:
    """The invitation this code opens, if it is still usable."""
    cleaned = codes.normalise_invitation(code)
    if len(codes.clean_code(cleaned)) != codes.INVITATION_LENGTH:
        return None
    return Invitation.objects.filter(
        code_hash=codes.digest("invitation", cleaned), accepted_at__isnull=True,
        expires_at__gt=timezone.now()).select_related("request__child").first()


@transaction.atomic
def invitation_accept(*, code: str, contact: str) -> FamilyMember:
    """Set up the account an invitation offers, reached at `contact` (e-mail or UK mobile).

    The person then signs in with a code sent to that contact, which proves it is theirs. An
    e-mail invitation's own address is used when `contact` is empty. A contact already on a
    family account adds this child to that account.
    """
    invitation = invitation_for(code)
    if invitation is None:
        raise FamilyError("The code is not right, has been used or has expired. Check the "
                          "code, or ask the SEND team for a new one.", field="code")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise FamilyError("This invitation has already been used.", field="code")
    key = codes.contact_key(contact) if contact.strip() else (
        ("email", invitation.email) if invitation.email else None)
    if key is None:
        raise FamilyError("Enter an email address, or a UK mobile number starting 07.",
                          field="contact")
    member = _member_for(key)
    if member is None:
        first, _, last = invitation.name.partition(" ")
        user = User(username=f"family-{uuid.uuid4().hex[:16]}", first_name=first[:150],
                    last_name=last[:150], email=key[1] if key[0] == "email" else "")
        user.set_unusable_password()
        user.save()
        member = FamilyMember.objects.create(user=user,
                                             mobile=key[1] if key[0] == "sms" else "")
    child = invitation.request.child
    ChildLink.objects.get_or_create(member=member, child=child,
                                    defaults={"relationship": invitation.relationship})
    invitation.accepted_at, invitation.accepted_by = timezone.now(), member
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    record_event(
        child=child, request=invitation.request, action=EventAction.FAMILY_JOINED, on=clock.today(),
        by=Actor(user=member.user),
        description=f"{invitation.get_relationship_display()} set up their account",
        changes={"invitation": str(invitation.public_id)})
    return member


def _member_for(key: tuple[str, str]) -> FamilyMember | None:
    kind, value = key
    found = FamilyMember.objects.select_related("user")
    if kind == "email":
        return found.filter(user__email__iexact=value, user__is_active=True).first()
    return found.filter(mobile=value, user__is_active=True).first()


# --- sign-in codes ------------------------------------------------------------------------------


def contact_hash(key: tuple[str, str]) -> str:
    return codes.digest("contact", f"{key[0]}:{key[1]}")


@transaction.atomic
def sign_in_code_send(*, contact: str, ip: str | None) -> str:
    """Send a sign-in code to this e-mail address or mobile if a family account has it.

    Returns the contact's hash, which the next page keeps to check the code against. Raises
    FamilyError for an address that is neither, or when a limit is reached: the same for an
    address with an account as for one without.
    """
    key = codes.contact_key(contact)
    if key is None:
        raise FamilyError("Enter an email address, or a UK mobile number starting 07.",
                          field="contact")
    hashed = contact_hash(key)
    now = timezone.now()
    if SignInCode.objects.filter(contact_hash=hashed,
                                 created_at__gte=now - ADDRESS_WINDOW).count() >= CODES_PER_ADDRESS:
        raise FamilyError(f"You have asked for {CODES_PER_ADDRESS} codes in the last "
                          f"{int(ADDRESS_WINDOW.total_seconds() // 60)} minutes. Wait 15 "
                          "minutes, then ask for a new code.", field="contact")
    if ip and SignInCode.objects.filter(
            ip=ip, created_at__gte=now - IP_WINDOW).count() >= CODES_PER_IP:
        raise FamilyError("Too many codes have been asked for from this device. Wait an hour, "
                          "then try again.", field="contact")
    member = _member_for(key)
    code = codes.sign_in_code()
    # Earlier codes for this address stop working: only the newest one is typed in.
    SignInCode.objects.filter(contact_hash=hashed, used_at__isnull=True).update(used_at=now)
    SignInCode.objects.create(contact_hash=hashed, code_hash=codes.digest("sign-in", code),
                              user=member.user if member else None, ip=ip,
                              expires_at=now + timedelta(minutes=CODE_MINUTES))
    if member is not None:
        from ehcflow.notify import services as notify

        fields = {"code": code, "minutes": CODE_MINUTES}
        if key[0] == "email":
            notify.send_email("sign_in_code_email", to=key[1], personalisation=fields)
        else:
            notify.send_sms("sign_in_code_sms", to=key[1], personalisation=fields)
    return hashed


WRONG_CODE = ("The code is not right. Check the code in the message we sent you, or ask for a "
              "new one.")


def sign_in_code_check(*, hashed_contact: str, code: str) -> User:
    """The account the code signs in to; FamilyError if it is wrong, used up or expired.

    An address with no account has a code too, that nobody received: every guess is wrong,
    with the same message as a wrong guess for a real account. A wrong guess is counted
    (and kept: the count is committed before the refusal), so a code takes `MAX_ATTEMPTS`.
    """
    with transaction.atomic():
        user, problem = _check_code(hashed_contact, code)
    if user is None:
        raise FamilyError(problem, field="code")
    return user


def _check_code(hashed_contact: str, code: str) -> tuple[User | None, str]:
    now = timezone.now()
    row = (SignInCode.objects.select_for_update()
           .filter(contact_hash=hashed_contact, used_at__isnull=True)
           .order_by("-created_at", "-id").first())
    if row is None:
        return None, "Ask for a new code: the last one has been used."
    if row.expires_at <= now:
        return None, (f"The code has expired: codes last {CODE_MINUTES} minutes. Ask for a "
                      "new code.")
    if row.attempts >= MAX_ATTEMPTS:
        return None, "The code has been entered wrongly too many times. Ask for a new code."
    cleaned = codes.clean_code(code)
    if not cleaned.isdigit() or len(cleaned) != codes.SIGN_IN_DIGITS:
        return None, "Enter the 6-digit code from the message we sent you."
    row.attempts += 1
    if (row.user is None or not row.user.is_active
            or not codes.same(row.code_hash, "sign-in", cleaned)):
        row.save(update_fields=["attempts"])
        return None, WRONG_CODE
    row.used_at = now
    row.save(update_fields=["attempts", "used_at"])
    return row.user, ""


# --- what the family sends ----------------------------------------------------------------------


def views_send(*, request: AssessmentRequest, text: str, by: Actor, on_behalf: bool = False
               ) -> None:
    """The child's and family's views, interests and aspirations (section A, reg 12(1)(a)),
    taken before the assessment ends; stored by the plans app, which records the event."""
    if request.stage not in VIEWS_STAGES:
        raise FamilyError("Views are taken before the assessment is finished. To tell us "
                          "something now, ask for a meeting or contact your case officer.")
    text = (text or "").strip()
    if not text:
        raise FamilyError("Enter your views.", field="text")
    if len(text) > LONG_TEXT:
        raise FamilyError(f"Your views must be {LONG_TEXT:,} characters or fewer.", field="text")
    from ehcflow.plans.services import family_views_submit

    family_views_submit(request=request, text=text, by=by)


def document_send(*, request: AssessmentRequest, upload: UploadedFile, title: str, by: Actor,
                  on_behalf: bool = False) -> StoredFile:
    if not request.is_open:
        raise FamilyError("This request has ended, so documents can no longer be added "
                          "online. Contact the SEND team.")
    stored = files.store_file(
        upload=upload, name=upload.name or "document", child=request.child, request=request,
        by=by, kind=FileKind.FAMILY_UPLOAD, title=title, shared_with_family=True,
        description=_actor_description(f"The family sent a document: {' '.join(title.split())}",
                                       by, on_behalf))
    return stored.file


def draft_response_window(request: AssessmentRequest) -> tuple[date, date] | None:
    """The 15 days for comments on the draft (reg 13(1)(a)): first and last day, or None."""
    if request.draft_date is None:
        return None
    return request.draft_date, clock.comment_period_ends(request.draft_date)


@transaction.atomic
def draft_respond(*, request: AssessmentRequest, comments: str, preferred_setting: str,
                  by: Actor, on_behalf: bool = False) -> DraftResponse:
    """The family's comments on the draft and the school or college they want named
    (reg 13(1)(a)–(b)), within the 15 days; recorded on the request as comments received."""
    today = clock.today()
    window = draft_response_window(request)
    if window is None or request.stage != c.Stage.DRAFT_ISSUED:
        raise FamilyError("There is no draft plan waiting for your comments.")
    if today > window[1]:
        raise FamilyError(
            f"The 15 days to comment on the draft plan ended on {long_date(window[1])}, so "
            "comments can no longer be sent here. Contact your case officer: they can still "
            "talk to you about the plan.")
    if DraftResponse.objects.filter(request=request).exists():
        raise FamilyError("You have already sent your response to the draft plan. To add "
                          "something, contact your case officer.")
    comments = (comments or "").strip()
    if not comments:
        raise FamilyError("Enter your comments on the draft plan.", field="comments")
    if len(comments) > LONG_TEXT:
        raise FamilyError(f"Your comments must be {LONG_TEXT:,} characters or fewer.",
                          field="comments")
    preferred = " ".join((preferred_setting or "").split())[:200]
    response = DraftResponse.objects.create(
        request=request, by=by.user, by_name=by.label, on_behalf=on_behalf, comments=comments,
        preferred_setting=preferred)
    casework.request_record_comments(request=request, on=today, by=by)
    return response


@transaction.atomic
def meeting_ask(*, request: AssessmentRequest, about: str, availability: str, by: Actor,
                on_behalf: bool = False) -> MeetingRequest:
    about = (about or "").strip()
    if not about:
        raise FamilyError("Enter what you would like to talk about.", field="about")
    if len(about) > LONG_TEXT:
        raise FamilyError(f"This must be {LONG_TEXT:,} characters or fewer.", field="about")
    meeting = MeetingRequest.objects.create(
        request=request, by=by.user, by_name=by.label, on_behalf=on_behalf, about=about,
        availability=" ".join((availability or "").split())[:300])
    record_event(child=request.child, request=request, action=EventAction.FAMILY_MEETING_ASKED,
                  on=clock.today(), by=by,
                  description=_actor_description("The family asked for a meeting", by,
                                                 on_behalf),
                  changes={"meeting": str(meeting.public_id)})
    return meeting


# --- a young person's consent -------------------------------------------------------------------


def _young_persons_link(member: FamilyMember, child: Child) -> ChildLink:
    link = member.links.filter(child=child, relationship=Relationship.YOUNG_PERSON).first()
    if link is None or not young_person_holds_rights(child.date_of_birth, clock.today()):
        raise FamilyError("Only the young person can decide who else sees their case.")
    return link


@transaction.atomic
def consent_give(*, young_person: FamilyMember, child: Child, to: FamilyMember) -> Consent:
    """The young person lets a parent or carer linked to them follow their case."""
    _young_persons_link(young_person, child)
    if not to.links.filter(child=child).exclude(
            relationship=Relationship.YOUNG_PERSON).exists():
        raise FamilyError("Choose a parent or carer linked to your case.")
    current = Consent.objects.filter(child=child, member=to, withdrawn_at__isnull=True).first()
    if current is not None:
        return current
    by = Actor(user=young_person.user)
    consent = Consent.objects.create(child=child, member=to, given_by_name=by.label)
    record_event(child=child, action=EventAction.FAMILY_CONSENT_GIVEN, on=clock.today(), by=by,
                  description="The young person let a parent or carer follow their case",
                  changes={"member": str(to.public_id)})
    return consent


@transaction.atomic
def consent_withdraw(*, young_person: FamilyMember, child: Child, to: FamilyMember) -> int:
    _young_persons_link(young_person, child)
    withdrawn = Consent.objects.filter(child=child, member=to, withdrawn_at__isnull=True
                                       ).update(withdrawn_at=timezone.now())
    if withdrawn:
        record_event(child=child, action=EventAction.FAMILY_CONSENT_WITHDRAWN, on=clock.today(),
                      by=Actor(user=young_person.user),
                      description="The young person stopped a parent or carer following "
                                  "their case",
                      changes={"member": str(to.public_id)})
    return withdrawn


def others_linked(member: FamilyMember, child: Child) -> list[tuple[FamilyMember, bool]]:
    """The parents and carers linked to a young person's record, with whether each may see."""
    consented = set(Consent.objects.filter(child=child, withdrawn_at__isnull=True)
                    .values_list("member_id", flat=True))
    links = (ChildLink.objects.filter(child=child).exclude(member=member)
             .exclude(relationship=Relationship.YOUNG_PERSON).select_related("member__user"))
    return [(link.member, link.member_id in consented) for link in links]
