"""Demo family accounts: a parent, a carer and a young person, each following a demo case.

Called by `ehcflow demo-users` (ehcflow.demo.users), which makes the accounts and their
passwords; here they get a family profile and are linked to realistic cases of the loaded
demo authority, chosen the same way every time (lowest case reference first):

- the parent: a child under 16 whose draft plan is out for comments, still within the 15
  days if there is one (else a request being assessed);
- the carer: a child under 16 being assessed, so views can still be sent;
- the young person: a young person aged 16 to 24 with an open request (else their latest
  request). The demo parent is
  linked to them as well, without their consent, to show that a parent sees a young
  person's case only as the young person allows.

Each case also gets a letter (a small PDF) the family can open, stored through the files app.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from ehcflow.casework import choices as c
from ehcflow.casework.models import AssessmentRequest
from ehcflow.casework.services import Actor
from ehcflow.families.access import YOUNG_PERSON_FROM_AGE
from ehcflow.families.models import ChildLink, FamilyMember, Relationship
from ehcflow.files.models import FileKind, StoredFile
from ehcflow.people.models import User
from ehcflow.statutory import clock
from ehcflow.statutory.dates import add_years

#: (username, first name, last name, role) of the accounts made here; "parent" is made by
#: ehcflow.demo.users already and only linked here.
CARER = ("carer", "Jo", "Carer", Relationship.CARER)
YOUNG_PERSON = ("young.person", "Riley", "Young", Relationship.YOUNG_PERSON)
PARENT_USERNAME = "parent"

MakeAccount = Callable[[str, str, str], tuple[User, str]]


def _open(today: date) -> QuerySet[AssessmentRequest]:
    return (AssessmentRequest.objects.filter(stage__in=c.OPEN_STAGES, received_date__lte=today)
            .select_related("child").order_by("case_ref"))


def _under_16(today: date) -> dict[str, date]:
    return {"child__date_of_birth__gt": add_years(today, -YOUNG_PERSON_FROM_AGE)}


def _pick_parent_case(today: date) -> AssessmentRequest | None:
    drafts = _open(today).filter(stage=c.Stage.DRAFT_ISSUED, **_under_16(today))
    in_window = drafts.filter(
        draft_date__gte=today - timedelta(days=clock.COMMENT_PERIOD_DAYS - 1),
        comments_received_date__isnull=True).first()
    return (in_window or drafts.first()
            or _open(today).filter(stage=c.Stage.ASSESSING, **_under_16(today)).first())


def _pick_carer_case(today: date, taken: set[int]) -> AssessmentRequest | None:
    return (_open(today).filter(stage=c.Stage.ASSESSING, **_under_16(today))
            .exclude(child_id__in=taken).first())


def _pick_young_person_case(today: date, taken: set[int]) -> AssessmentRequest | None:
    """An open request of a young person aged 16 to 24; else their latest request of any kind
    (a small demo authority may have no open one)."""
    aged = {"child__date_of_birth__lte": add_years(today, -YOUNG_PERSON_FROM_AGE),
            "child__date_of_birth__gt": add_years(today, -25)}
    found = _open(today).filter(**aged).exclude(child_id__in=taken).first()
    if found is not None:
        return found
    return (AssessmentRequest.objects.filter(received_date__lte=today, **aged)
            .exclude(child_id__in=taken).select_related("child")
            .order_by("-received_date", "case_ref").first())


def _member(user: User) -> FamilyMember:
    member, _ = FamilyMember.objects.get_or_create(user=user)
    return member


def _link(member: FamilyMember, case: AssessmentRequest, relationship: str) -> None:
    ChildLink.objects.get_or_create(member=member, child=case.child,
                                    defaults={"relationship": relationship})


def _letter_pdf(lines: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    y = 780
    for line in lines:
        page.drawString(72, y, line)
        y -= 18
    page.showPage()
    page.save()
    return buffer.getvalue()


def _letter(case: AssessmentRequest) -> None:
    """A letter on the case (once): the decision letter, or the acknowledgement."""
    if StoredFile.objects.filter(request=case, kind=FileKind.LETTER).exists():
        return
    from django.core.files.base import ContentFile

    from ehcflow.files.services import FileRefused, store_file

    title = ("Letter: we will carry out an assessment" if case.decision == c.Decision.ASSESS
             else "Letter: we have received the request")
    data = _letter_pdf([
        "Dunmore Borough Council (demo): SEND service", "",
        f"Reference {case.case_ref}", "", title.removeprefix("Letter: ").capitalize() + ".",
        "This is a demonstration letter."])
    try:
        store_file(upload=ContentFile(data, name="letter.pdf"), name="letter.pdf",
                   child=case.child, request=case, by=Actor(name="demo"), kind=FileKind.LETTER,
                   title=title, shared_with_family=True,
                   description="Letter sent to the family")
    except FileRefused:  # pragma: no cover - a demo letter is a small, clean PDF
        return


#: The primary needs a demo draft is written for (SEN2 codes the plan wording covers).
DRAFT_NEEDS = ("SLCN", "ASD", "SEMH", "MLD", "SPLD")


def draft_plan(case: AssessmentRequest) -> None:
    """A request whose draft is out gets its draft plan (once): written as the demo's final
    plans are (`plans.demo_content`), out for consultation, and sent to the family as a file
    (`plans.sharing`), so the family can open the draft they are asked to comment on."""
    if case.stage != c.Stage.DRAFT_ISSUED or case.draft_date is None:
        return
    from ehcflow.plans import demo_content as dc
    from ehcflow.plans.content import to_dict
    from ehcflow.plans.models import PlanDocument, PlanVersion, VersionStatus
    from ehcflow.plans.sharing import share_version

    if PlanDocument.objects.filter(request=case).exists():
        return
    child = case.child
    rng = dc.demo_rng(0, case.case_ref)
    advice = tuple(dc.AdviceFact(a.adviser_type, a.adviser_organisation, a.received_on)
                   for a in case.advice_requests.order_by("requested_on", "pk")
                   if a.received_on is not None and a.received_on <= case.draft_date)
    facts = dc.PlanFacts(
        case_ref=case.case_ref, forename=child.forename or "the child", sex=child.sex,
        date_of_birth=child.date_of_birth, issued_on=case.draft_date,
        needs=(rng.choice(DRAFT_NEEDS),), setting_type="Type of setting to be agreed",
        advice=advice, requested_on=case.received_date)
    document = PlanDocument.objects.create(child=child, request=case)
    version = PlanVersion.objects.create(
        document=document, number=1, status=VersionStatus.CONSULTATION,
        body=to_dict(dc.plan_content(facts, rng)), consultation_started_on=case.draft_date,
        comments_due_on=clock.comment_period_ends(case.draft_date),
        created_by_name="Demo data")
    share_version(version, by=Actor(name="demo"))


def ensure(make_account: MakeAccount) -> list[tuple[User, str, str]]:
    """Link the demo parent and make the carer and young person; returns the new accounts
    as (user, password, role) for `ehcflow demo-users`."""
    today = timezone.localdate()
    made: list[tuple[User, str, str]] = []
    taken: set[int] = set()
    parent = User.objects.filter(username=PARENT_USERNAME).first()
    parent_case = _pick_parent_case(today)
    if parent is not None and parent_case is not None:
        _link(_member(parent), parent_case, Relationship.PARENT)
        taken.add(parent_case.child_id)
        _letter(parent_case)
        draft_plan(parent_case)
    carer_case = _pick_carer_case(today, taken)
    if carer_case is not None:
        username, first, last, role = CARER
        user, password = make_account(username, first, last)
        _link(_member(user), carer_case, role)
        taken.add(carer_case.child_id)
        _letter(carer_case)
        made.append((user, password, role))
    young_case = _pick_young_person_case(today, taken)
    if young_case is not None:
        username, first, last, role = YOUNG_PERSON
        user, password = make_account(username, first, last)
        _link(_member(user), young_case, role)
        if parent is not None:  # linked, but sees the case only if the young person agrees
            _link(_member(parent), young_case, Relationship.PARENT)
        _letter(young_case)
        draft_plan(young_case)
        made.append((user, password, role))
    return made
