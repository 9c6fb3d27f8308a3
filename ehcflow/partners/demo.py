"""Demo partner organisations and accounts, reaching realistic advice requests.

Called by `ehcflow demo-users` (ehcflow.demo.users), which makes the accounts and their
passwords. Here:

- the council's educational psychology service, managed by the demo educational psychologist
  (a member of staff, who keeps seeing the advice asked of them by name as well);
- the health body's designated clinical officer (DCO);
- a school's SENCO (the in-area school named most often in the demo's plans);
- the children's social care team;

each receiving the outstanding advice of its kind from the loaded demo authority (all of it:
one service per kind, as in a real authority), and the school some consultations on naming
it for requests whose draft plan is out. Chosen the same way every time, and idempotent.
Assignments made here write no case event: they stand for advice requests made before the
partner pages existed, like the rest of the demo's history.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.db.models import Count

from ehcflow.casework import choices as c
from ehcflow.casework.models import AdviceRequest, AssessmentRequest, Institution, PlanSetting
from ehcflow.partners import schedule
from ehcflow.partners.models import (
    ADVICE_OF_KIND,
    AdviceAssignment,
    Consultation,
    Membership,
    Organisation,
    OrganisationKind,
)
from ehcflow.partners.selectors import ADVICE_WANTED_STAGES
from ehcflow.people.models import Role, StaffMember, User

MakeAccount = Callable[[str, str, str], tuple[User, str]]

# (username, first name, last name, role shown by demo-users, organisation kind, job title)
ACCOUNTS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("dco", "Priya", "Shah", Role.HEALTH_ADVISER, OrganisationKind.HEALTH,
     "Designated clinical officer"),
    ("senco", "Tom", "Reed", "school", OrganisationKind.SCHOOL, "SENCO"),
    ("social.care", "Grace", "Okafor", Role.SOCIAL_CARE_ADVISER, OrganisationKind.SOCIAL_CARE,
     "Team manager, children with disabilities"),
)
CONSULTATIONS = 4


def _school() -> Institution | None:
    """The in-area school named most often in the demo's plans (then the lowest id)."""
    schools = Institution.objects.filter(in_area=True).exclude(
        kind__in=[c.InstitutionKind.COLLEGE, c.InstitutionKind.EARLY_YEARS])
    top = (PlanSetting.objects.filter(institution__in=schools).values("institution_id")
           .annotate(n=Count("pk")).order_by("-n", "institution_id").first())
    if top is not None:
        return Institution.objects.get(pk=top["institution_id"])
    return schools.order_by("name").first()


def _organisation(kind: str, today: date) -> Organisation:
    if kind == OrganisationKind.SCHOOL:
        school = _school()
        name = school.name if school else "Demo Primary School"
        org, _ = Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind, "institution": school,
                                 "email": "senco@school.example.org"})
        return org
    names: dict[str, tuple[str, str]] = {
        OrganisationKind.EDUCATIONAL_PSYCHOLOGY: ("Educational Psychology Service",
                                                  "eps@council.example.org"),
        OrganisationKind.HEALTH: ("Integrated Care Board: designated clinical officer",
                                  "dco@nhs.example.org"),
        OrganisationKind.SOCIAL_CARE: ("Children with Disabilities Team",
                                       "cwd@council.example.org"),
    }
    name, email = names[kind]
    org, _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind,
                                                                     "email": email})
    return org


def _member(org: Organisation, user: User, job_title: str) -> None:
    current = Membership.objects.filter(user=user, ended_at__isnull=True).first()
    if current is None:
        Membership.objects.create(organisation=org, user=user, is_manager=True,
                                  job_title=job_title)


def _assign(org: Organisation, advice_type: str) -> int:
    """Send the organisation every outstanding advice request of its kind not yet sent."""
    wanted = (AdviceRequest.objects.filter(adviser_type=advice_type, received_on__isnull=True,
                                           request__stage__in=ADVICE_WANTED_STAGES,
                                           assignment__isnull=True)
              .values_list("pk", flat=True))
    made = AdviceAssignment.objects.bulk_create(
        [AdviceAssignment(advice_id=pk, organisation=org) for pk in wanted], batch_size=1000)
    AdviceRequest.objects.filter(assignment__organisation=org, adviser_organisation="").update(
        adviser_organisation=org.name)
    return len(made)


def _consult(org: Organisation, today: date) -> None:
    drafts = (AssessmentRequest.objects.filter(stage=c.Stage.DRAFT_ISSUED, final_date__isnull=True)
              .exclude(consultations__organisation=org).order_by("case_ref")[:CONSULTATIONS])
    Consultation.objects.bulk_create([
        Consultation(request=r, organisation=org, sent_on=max(r.draft_date or today, today),
                     due_on=schedule.consultation_due(max(r.draft_date or today, today)))
        for r in drafts])


def ensure(make_account: MakeAccount, today: date) -> list[tuple[User, str, str]]:
    """Make the partner organisations and accounts; (user, password, role) of each account."""
    made: list[tuple[User, str, str]] = []
    eps = _organisation(OrganisationKind.EDUCATIONAL_PSYCHOLOGY, today)
    ep = (StaffMember.objects.filter(role=Role.EDUCATIONAL_PSYCHOLOGIST, user__isnull=False)
          .select_related("user").order_by("start_date", "staff_ref").first())
    if ep is not None and ep.user is not None:
        _member(eps, ep.user, "Principal educational psychologist")
    _assign(eps, c.AdviserType.EDUCATIONAL_PSYCHOLOGY)
    for username, first, last, role, kind, job_title in ACCOUNTS:
        org = _organisation(kind, today)
        user, password = make_account(username, first, last)
        if not user.email:
            user.email = f"{username}@partner.example.org"
            user.save(update_fields=["email"])
        _member(org, user, job_title)
        _assign(org, ADVICE_OF_KIND[kind])
        if kind == OrganisationKind.SCHOOL:
            _consult(org, today)
        made.append((user, password, str(role)))
    return made
