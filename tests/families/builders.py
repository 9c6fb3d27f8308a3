"""A small authority for the family tests: two teams, staff of each role, three families."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

from django.test import Client
from django.utils import timezone

from ehcflow.casework import services
from ehcflow.casework.models import AssessmentRequest, Child
from ehcflow.families.models import ChildLink, FamilyMember, Relationship
from ehcflow.people.models import Role, StaffMember, Team, User
from ehcflow.statutory.dates import add_years

ACTOR = services.Actor(name="test")


def make_staff(username: str, role: str, team: Team | None, email: str = "") -> User:
    user = User.objects.create_user(username=username, password="correct horse battery",
                                    email=email, first_name=username.title(), last_name="Staff")
    StaffMember.objects.create(user=user, staff_ref=username.upper(), name=f"{username.title()} "
                               "Staff", role=role, team=team, start_date=date(2020, 1, 1))
    return user


def make_family(username: str, *, email: str = "", mobile: str = "",
                first: str = "Pat", last: str = "Family") -> FamilyMember:
    user = User.objects.create_user(username=username, email=email, first_name=first,
                                    last_name=last)
    user.set_unusable_password()
    user.save()
    return FamilyMember.objects.create(user=user, mobile=mobile)


def link(member: FamilyMember, child: Child, relationship: str = Relationship.PARENT) -> None:
    ChildLink.objects.create(member=member, child=child, relationship=relationship)


def make_case(ref: str, *, forename: str, born: date, officer: User | None,
              received_days_ago: int = 30) -> AssessmentRequest:
    child = services.child_create(person_ref=f"P-{ref}", date_of_birth=born, forename=forename,
                                  surname="Example", by=ACTOR)
    return services.request_register(
        child=child, case_ref=ref, by=ACTOR,
        received_date=timezone.localdate() - timedelta(days=received_days_ago),
        officer=officer.staff if officer is not None else None)  # type: ignore[attr-defined]


def to_draft(case: AssessmentRequest, *, draft_days_ago: int) -> AssessmentRequest:
    """Assess, decide to issue and send the draft `draft_days_ago` days ago."""
    received = case.received_date
    draft_on = timezone.localdate() - timedelta(days=draft_days_ago)
    case = services.request_record_decision(request=case, decision="assess",
                                            on=received + timedelta(days=1), by=ACTOR)
    case = services.request_record_outcome(request=case, outcome="plan",
                                           on=draft_on - timedelta(days=1), by=ACTOR)
    return services.request_issue_draft(request=case, on=draft_on, by=ACTOR)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pdf_bytes(text: str = "A report") -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return buffer.getvalue()


def png_bytes() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack("!I", len(data)) + kind + data
                + struct.pack("!I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    raw = b"\x00\xff\xff\xff"
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack("!IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("A report")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@dataclass
class World:
    staff: dict[str, User]
    cases: dict[str, AssessmentRequest]
    families: dict[str, FamilyMember]

    def client(self, who: str) -> Client:
        user = self.staff[who] if who in self.staff else self.families[who].user
        return signed_in(user)


def build_world() -> World:
    """North and South teams; three families:

    - `parent` of Ada (10), whose request is in North with the North officer;
    - `other_parent` of Ben (8), in South;
    - `young_person` Cal (17), North, and `cal_parent`, Cal's parent, linked but without
      Cal's consent.
    """
    north, south = Team.objects.create(name="North"), Team.objects.create(name="South")
    staff = {
        "officer": make_staff("officer", Role.CASE_OFFICER, north, "officer@council.example"),
        "south_officer": make_staff("southofficer", Role.CASE_OFFICER, south),
        "manager": make_staff("manager", Role.TEAM_MANAGER, north),
        "head": make_staff("head", Role.HEAD_OF_SERVICE, None),
        "analyst": make_staff("analyst", Role.ANALYST, None),
        "ep": make_staff("ep", Role.EDUCATIONAL_PSYCHOLOGIST, None),
        "support": make_staff("support", Role.BUSINESS_SUPPORT, None),
        "admin": make_staff("admin", Role.ADMINISTRATOR, None),
    }
    today = timezone.localdate()
    cases = {
        "ada": make_case("EHC-ADA", forename="Ada", born=add_years(today, -10),
                         officer=staff["officer"]),
        "ben": make_case("EHC-BEN", forename="Ben", born=add_years(today, -8),
                         officer=staff["south_officer"]),
        "cal": make_case("EHC-CAL", forename="Cal", born=add_years(today, -17),
                         officer=staff["officer"]),
    }
    families = {
        "parent": make_family("fam-parent", email="parent@example.com"),
        "other_parent": make_family("fam-other", email="other@example.com"),
        "young_person": make_family("fam-cal", mobile="+447700900123", first="Cal"),
        "cal_parent": make_family("fam-calparent", email="calparent@example.com"),
    }
    link(families["parent"], cases["ada"].child)
    link(families["other_parent"], cases["ben"].child)
    link(families["young_person"], cases["cal"].child, Relationship.YOUNG_PERSON)
    link(families["cal_parent"], cases["cal"].child)
    return World(staff=staff, cases=cases, families=families)


def infected_pdf() -> bytes:
    """A real PDF carrying the EICAR test file in a comment: a PDF by its contents, and
    caught by clamd's test signature (ehcflow.files.clamd)."""
    from ehcflow.files.clamd import eicar

    return pdf_bytes() + b"\n%" + eicar() + b"\n"
