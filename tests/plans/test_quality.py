"""Quality assurance: criteria and grades, sampling, moderation and the dashboard figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ehcflow.casework import services as casework
from ehcflow.casework.models import AssessmentRequest
from ehcflow.plans import content as pc
from ehcflow.plans import quality, selectors, services
from ehcflow.plans.models import AuditSample, PlanAudit, PlanDocument, PlanVersion
from ehcflow.plans.services import PlanError
from tests.plans.conftest import PlanWorld
from tests.plans.test_services import build_good_plan

pytestmark = pytest.mark.django_db


def test_sample_size_rounds_up_and_choice_is_repeatable() -> None:
    assert [quality.sample_size(n, 10) for n in (0, 1, 9, 10, 11, 25)] == [0, 1, 1, 1, 2, 3]
    assert quality.sample_size(5, 100) == 5
    ids = [f"id{i}" for i in range(30)]
    first = quality.choose_sample(ids, 3, "seed")
    assert first == quality.choose_sample(list(reversed(ids)), 3, "seed")
    assert len(first) == 3 and set(first) <= set(ids)
    assert first != quality.choose_sample(ids, 3, "other seed")


def test_grade_rules() -> None:
    finding = pc.Finding("provision_unspecified", "F", "P1", "x")
    assert quality.grade_cap("F", [finding]) == "requires_improvement"
    assert quality.grade_cap("B", [finding]) == "outstanding"
    assert quality.best_allowed("inadequate", "requires_improvement")
    assert not quality.best_allowed("good", "requires_improvement")
    assert quality.overall_grade(["good", "outstanding", "requires_improvement"]) == (
        "requires_improvement")
    counts = quality.grade_counts(["good", "good", "inadequate"])
    assert counts.counts == (("outstanding", 0), ("good", 2), ("requires_improvement", 0),
                             ("inadequate", 1))
    assert counts.good_or_better_pct == 66.7
    assert quality.grade_counts([]).good_or_better_pct is None


def finals(world: PlanWorld, n: int) -> list[PlanVersion]:
    """n final plans made this month: the world's own and n-1 more on new requests."""
    made: list[PlanVersion] = []
    today = timezone.localdate()
    for i in range(n):
        if i == 0:
            case = world.case
        else:
            case = casework.request_register(
                child=world.child, case_ref=f"EHC-2026-1{i:04d}", received_date=world.received,
                officer=world.users["officer"].staff, by=world.actor())  # type: ignore[attr-defined]
            case = casework.request_record_decision(
                request=case, decision="assess", on=world.received + timedelta(days=20),
                by=world.actor())
            case = casework.request_record_outcome(
                request=case, outcome="plan", on=today - timedelta(days=100), by=world.actor())
            services.family_views_submit(request=case, text="She likes art.",
                                         by=casework.Actor(name="Parent"))
            services.document_start(request=case, by=world.actor())
        world_case = PlanWorld(world.users, world.child, case, world.ep_advice,
                               world.health_advice, world.received, world.north, world.south)
        v = build_good_plan(world_case)
        v = services.consultation_start(version=v, expected_revision=v.revision,
                                        on=today - timedelta(days=20), by=world.actor())
        made.append(services.version_make_final(version=v, expected_revision=v.revision,
                                                on=today, by=world.actor()))
    return made


def test_sampling_a_share_of_the_month_and_a_team(ready: PlanWorld) -> None:
    made = finals(ready, 12)
    today = timezone.localdate()
    sample = services.audit_sample_create(month=today, percent=10, by=ready.actor("manager"),
                                          seed="fixed")
    assert (sample.population, sample.audits.count()) == (12, 2)
    chosen = set(sample.audits.values_list("version__public_id", flat=True))
    expected = quality.choose_sample([str(v.public_id) for v in made], 2, "fixed")
    assert {str(c) for c in chosen} == set(expected)
    team = services.audit_sample_create(month=today, team=ready.north,
                                        by=ready.actor("manager"))
    assert (team.population, team.audits.count()) == (10, 10)  # the rest, not audited twice
    with pytest.raises(PlanError, match="waiting for audit"):
        services.audit_sample_create(month=today, team=ready.north, by=ready.actor("manager"))
    with pytest.raises(PlanError, match="from 1 to 100"):
        services.audit_sample_create(month=today, percent=0, by=ready.actor("manager"))


ALL_GOOD = {s: "good" for s in pc.ALL_SECTIONS}


def test_grading_moderation_and_the_dashboard(ready: PlanWorld) -> None:
    made = finals(ready, 2)
    manager = ready.users["manager"].staff  # type: ignore[attr-defined]
    head = ready.users["head"].staff  # type: ignore[attr-defined]
    sample = services.audit_sample_create(month=timezone.localdate(), percent=100,
                                          by=ready.actor("manager"))
    a1, a2 = list(sample.audits.order_by("id"))
    today = timezone.localdate()
    services.audit_grade(audit=a1, auditor=manager, grades=ALL_GOOD, comments={}, on=today,
                         by=ready.actor("manager"))
    grades = {**ALL_GOOD, "A": "outstanding", "F": "inadequate"}
    services.audit_grade(audit=a2, auditor=manager, grades=grades, comments={"F": "Vague"},
                         on=today, by=ready.actor("manager"))
    a2.refresh_from_db()
    assert a2.overall == "inadequate"
    with pytest.raises(PlanError, match="second auditor"):
        services.audit_moderate(audit=a2, moderator=manager, grades={}, note="", on=today,
                                by=ready.actor("manager"))
    services.audit_moderate(audit=a2, moderator=head, grades={"F": "requires_improvement"},
                            note="Quantified enough", on=today, by=ready.actor("head"))
    a2.refresh_from_db()
    assert (a2.status, a2.moderated_overall, a2.final_overall) == (
        "moderated", "requires_improvement", "requires_improvement")
    dash = selectors.audit_dashboard()
    assert dash.overall.counts == (("outstanding", 0), ("good", 1),
                                   ("requires_improvement", 1), ("inadequate", 0))
    assert dash.overall.good_or_better_pct == 50.0
    assert [(m.month, m.counts.total) for m in dash.by_month] == [(today.replace(day=1), 2)]
    by_section = {s.section: dict(s.counts.counts) for s in dash.by_section}
    assert by_section["A"] == {"outstanding": 1, "good": 1, "requires_improvement": 0,
                               "inadequate": 0}
    assert by_section["F"]["requires_improvement"] == 1
    assert (dash.awaiting_grading, dash.awaiting_moderation, dash.moderated,
            dash.changed_by_moderation) == (0, 1, 1, 1)
    assert len(made) == 2

    client = Client()
    client.force_login(ready.users["analyst"])
    page = client.get(reverse("plans:quality"))
    assert page.status_code == 200
    assert '<span class="govuk-heading-l govuk-!-margin-bottom-0" id="good-pct">50.0%</span>' \
        in page.text
    assert "Choose plans to audit" not in page.text  # analysts read the figures only
    assert 'aria-current="page"><strong class="govuk-service-navigation__active-fallback">' \
        'Plan quality</strong>' in page.text
    assert "EHC-2026-00001" not in page.text
    client.force_login(ready.users["officer"])
    assert client.get(reverse("plans:quality")).status_code == 403


def test_checks_cap_the_grade_of_a_faulted_section(ready: PlanWorld) -> None:
    v = build_good_plan(ready)
    v = services.provision_save(version=v, expected_revision=v.revision, by=ready.actor(),
                                key="P1", section="F", what="Phonics", how_often="",
                                amount="", by_whom="", from_when=None, need_keys=["N1"])
    v = services.consultation_start(version=v, expected_revision=v.revision,
                                    on=timezone.localdate() - timedelta(days=20),
                                    by=ready.actor())
    v = services.version_make_final(version=v, expected_revision=v.revision,
                                    on=timezone.localdate(), by=ready.actor(),
                                    reason="Agreed at panel")
    audit = PlanAudit.objects.create(version=v)
    manager = ready.users["manager"].staff  # type: ignore[attr-defined]
    with pytest.raises(PlanError, match="requires improvement at best"):
        services.audit_grade(audit=audit, auditor=manager, grades=ALL_GOOD, comments={},
                             on=timezone.localdate(), by=ready.actor("manager"))
    services.audit_grade(audit=audit, auditor=manager,
                         grades={**ALL_GOOD, "F": "requires_improvement"}, comments={},
                         on=timezone.localdate(), by=ready.actor("manager"))
    audit.refresh_from_db()
    assert audit.check_findings == [{"code": "provision_unspecified", "section": "F",
                                     "key": "P1"}]


def test_audit_pages(ready: PlanWorld) -> None:
    finals(ready, 1)
    client = Client()
    client.force_login(ready.users["manager"])
    page = client.get(reverse("plans:quality_sample"))
    assert "Choose a share of the plans made final in a month" in page.text
    today = timezone.localdate()
    response = client.post(reverse("plans:quality_sample"), {
        "month_0": today.day, "month_1": today.month, "month_2": today.year, "percent": 10})
    assert response.status_code == 302
    audit = PlanAudit.objects.get()
    page = client.get(reverse("plans:quality"))
    assert "1 of 1 plans chosen for audit." in page.text
    assert "EHC-2026-00001" in page.text
    url = reverse("plans:audit", args=[audit.public_id])
    page = client.get(url)
    assert "Grade this plan" in page.text
    assert "Provision is detailed, specific and quantified" in page.text
    data = {f"grade_{s}": "good" for s in pc.ALL_SECTIONS}
    assert client.post(url, data).status_code == 302
    page = client.get(url)
    assert "You graded this plan. Moderation must be done by a second auditor." in page.text
    head = Client()
    head.force_login(ready.users["head"])
    assert "Moderate the audit of this plan" in head.get(url).text
    assert head.post(url, {"grade_B": "outstanding", "note": "Strong"}).status_code == 302
    audit.refresh_from_db()
    assert audit.status == "moderated" and audit.moderated_overall == "good"
    officer = Client()
    officer.force_login(ready.users["officer"])
    assert officer.get(url).status_code == 403
    assert AuditSample.objects.count() == 1
    assert PlanDocument.objects.count() == 1
    assert AssessmentRequest.objects.count() == 1
