"""The plan's services: contributions, drafting, versions, locking, concurrency and audits."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ehcflow.casework import services as casework
from ehcflow.casework.models import CaseEvent
from ehcflow.plans import content as pc
from ehcflow.plans import selectors, services
from ehcflow.plans.models import AdviceContent, PlanVersion, VersionStatus
from ehcflow.plans.services import PlanError
from ehcflow.reviews import services as reviews
from tests.plans.conftest import PlanWorld

pytestmark = pytest.mark.django_db


def latest(world: PlanWorld) -> PlanVersion:
    return PlanVersion.objects.filter(document__request=world.case).order_by("-number")[0]


def test_advice_submit_stores_sections_and_records_the_advice_received(world: PlanWorld) -> None:
    stored = services.advice_submit(advice=world.ep_advice, by=world.actor("ep"),
                                    sections={"b": "Needs text.", "F": "  ", "E": "Outcome."})
    assert stored.sections == {"B": "Needs text.", "E": "Outcome."}
    assert stored.submitted_on == timezone.localdate()
    assert stored.submitted_by_name == "Ep"
    world.ep_advice.refresh_from_db()
    assert world.ep_advice.received_on == timezone.localdate()
    actions = list(CaseEvent.objects.filter(request=world.case).values_list("action", flat=True))
    assert actions[-2:] == ["advice_received", "advice_submitted"]
    again = services.advice_submit(advice=world.ep_advice, sections={"B": "New."},
                                   by=world.actor("ep"))
    assert again.pk == stored.pk and again.sections == {"B": "New."}
    assert AdviceContent.objects.count() == 1
    assert CaseEvent.objects.filter(action="advice_resubmitted").count() == 1


@pytest.mark.parametrize("sections", [{"A": "Views"}, {"K": "x"}, {"B": " "}, {}])
def test_advice_submit_refuses_bad_sections_and_changes_nothing(
        world: PlanWorld, sections: dict[str, str]) -> None:
    with pytest.raises(PlanError):
        services.advice_submit(advice=world.ep_advice, sections=sections, by=world.actor("ep"))
    world.ep_advice.refresh_from_db()
    assert world.ep_advice.received_on is None
    assert not AdviceContent.objects.exists()


def test_family_views_submit_and_replace(world: PlanWorld) -> None:
    first = services.family_views_submit(request=world.case, text=" She likes art. ",
                                         by=casework.Actor(name="Parent"))
    assert first.text == "She likes art."
    second = services.family_views_submit(request=world.case, text="She likes music.",
                                          by=casework.Actor(name="Parent"))
    assert second.pk == first.pk and second.text == "She likes music."
    assert [e.action for e in CaseEvent.objects.filter(action__startswith="family_views")] == [
        "family_views_submitted", "family_views_resubmitted"]
    with pytest.raises(PlanError, match="Enter your views"):
        services.family_views_submit(request=world.case, text="  ", by=casework.Actor())


def test_a_new_plan_starts_with_the_familys_views_and_every_advice_in_section_k(
        ready: PlanWorld) -> None:
    version = latest(ready)
    content = selectors.plan_content(version)
    assert version.number == 1 and version.status == VersionStatus.DRAFT
    assert [p.text for p in content.views] == ["Ada loves drawing and swimming.",
                                               "She wants to be a vet."]
    assert content.views[0].source is not None
    assert content.views[0].source.label == "Views of the child and family"
    today = timezone.localdate()
    assert [(a.title, a.provider, a.dated) for a in content.appendices] == [
        ("Educational psychology advice", "Ep", today),
        ("Health advice", "Northshire NHS Trust", today),
        ("Views of the child and family", "The child and family", today),
    ]
    assert content.header.child_name == "Ada Example"
    assert content.header.case_ref == "EHC-2026-00001"
    assert content.header.status_label == "Draft"


def test_pulling_advice_keeps_its_source(ready: PlanWorld) -> None:
    version = latest(ready)
    stored = ready.ep_advice.content
    version = services.pull_advice_paragraph(
        version=version, expected_revision=1, by=ready.actor(), advice_content=stored,
        advice_section="B", index=1, into_section="B")
    content = pc.from_dict(version.body)
    assert content.needs == (pc.Need("N1", "B", "Ada's reading is two years behind her age.",
                                     pc.Source("advice", "Educational psychology advice",
                                               str(ready.ep_advice.public_id),
                                               timezone.localdate())),)
    assert version.revision == 2
    event = CaseEvent.objects.filter(action="plan_edited").last()
    assert event is not None
    assert event.description == "Advice added to section B of the draft plan"
    with pytest.raises(PlanError, match="paragraph of the advice was not found"):
        services.pull_advice_paragraph(
            version=version, expected_revision=2, by=ready.actor(), advice_content=stored,
            advice_section="B", index=5, into_section="B")


def build_good_plan(world: PlanWorld) -> PlanVersion:
    v = latest(world)
    a = world.actor()
    v = services.need_save(version=v, expected_revision=v.revision, by=a, key=None,
                           section="B", text="Reading two years behind.")
    v = services.outcome_save(version=v, expected_revision=v.revision, by=a, key=None,
                              text="Reads at age level", steps=["Knows 40 sounds"],
                              by_when="End of Year 4", need_keys=["N1"])
    v = services.provision_save(version=v, expected_revision=v.revision, by=a, key=None,
                                section="F", what="Phonics group", how_often="Daily",
                                amount="20 minutes", by_whom="Teaching assistant",
                                from_when=None, need_keys=["N1"], outcome_keys=["O1"])
    v = services.placement_save(version=v, expected_revision=v.revision, by=a,
                                setting_type="Mainstream primary school")
    return v


def test_checks_on_the_draft(ready: PlanWorld) -> None:
    v = latest(ready)
    a = ready.actor()
    v = services.need_save(version=v, expected_revision=1, by=a, key=None, section="B",
                           text="Reading")
    v = services.outcome_save(version=v, expected_revision=2, by=a, key=None, text="Reads",
                              steps=[" "], by_when="", need_keys=["N1"])
    v = services.provision_save(version=v, expected_revision=3, by=a, key=None, section="F",
                                what="Support", how_often="", amount="", by_whom="TA",
                                from_when=None, need_keys=[])
    found = pc.all_findings(pc.from_dict(v.body), final=True)
    assert [(f.code, f.section, f.key) for f in found] == [
        ("need_without_provision", "B", "N1"),
        ("outcome_without_steps", "E", "O1"),
        ("provision_unspecified", "F", "P1"),
        ("section_empty", "I", ""),
    ]
    assert found[2].message == "Provision P1 in section F does not say how often or how much."
    with pytest.raises(PlanError, match="There is no need N9"):
        services.outcome_save(version=v, expected_revision=4, by=a, key=None, text="x",
                              steps=[], by_when="", need_keys=["N9"])


def test_a_stale_save_is_refused_and_nothing_is_lost(ready: PlanWorld) -> None:
    v = latest(ready)
    first = services.need_save(version=v, expected_revision=1, by=ready.actor(), key=None,
                               section="B", text="Officer one's need")
    with pytest.raises(PlanError, match="Someone else changed this plan"):
        services.need_save(version=v, expected_revision=1, by=ready.actor("teammate"),
                           key=None, section="B", text="Officer two's need")
    first.refresh_from_db()
    assert [n.text for n in pc.from_dict(first.body).needs] == ["Officer one's need"]
    assert first.revision == 2


def test_draft_to_consultation_to_final_with_locking(ready: PlanWorld) -> None:
    v = build_good_plan(ready)
    today = timezone.localdate()
    sent = today - timedelta(days=20)
    v = services.placement_save(version=v, expected_revision=v.revision, by=ready.actor(),
                                setting_type="Mainstream primary school", name="Hill School")
    with pytest.raises(PlanError, match="must not name a school"):
        services.consultation_start(version=v, expected_revision=v.revision, on=sent,
                                    by=ready.actor())
    v = services.placement_save(version=v, expected_revision=v.revision, by=ready.actor(),
                                setting_type="Mainstream primary school")
    v = services.consultation_start(version=v, expected_revision=v.revision, on=sent,
                                    by=ready.actor())
    ready.case.refresh_from_db()
    assert ready.case.draft_date == sent
    assert v.comments_due_on == sent + timedelta(days=14)
    with pytest.raises(PlanError, match="cannot be changed"):
        services.need_save(version=v, expected_revision=v.revision, by=ready.actor(),
                           key=None, section="B", text="x")
    services.response_record(version=v, kind="parent", received_on=sent + timedelta(days=3),
                             text="Please name Hill School.", by=ready.actor())
    services.response_record(version=v, kind="school", received_on=sent + timedelta(days=5),
                             text="We can meet her needs.", from_whom="Hill School",
                             school_agrees=True, by=ready.actor())
    ready.case.refresh_from_db()
    assert ready.case.comments_received_date == sent + timedelta(days=3)
    v2 = services.version_revise(version=v, by=ready.actor())
    assert (v2.number, v2.status, v2.consultation_started_on) == (2, "draft", sent)
    v2 = services.placement_save(version=v2, expected_revision=v2.revision, by=ready.actor(),
                                 setting_type="Mainstream primary school", name="Hill School")
    final = services.version_make_final(version=v2, expected_revision=v2.revision, on=today,
                                        by=ready.actor())
    assert final.status == "final" and final.finalised_on == today
    ready.case.refresh_from_db()
    assert ready.case.final_date == today
    assert final.document.plan is not None
    assert final.document.plan.request == ready.case
    with pytest.raises(PlanError, match="final and cannot be changed"):
        services.need_save(version=final, expected_revision=final.revision, by=ready.actor(),
                           key=None, section="B", text="x")
    v1 = PlanVersion.objects.get(document=final.document, number=1)
    assert pc.from_dict(v1.body).placement == pc.Placement("Mainstream primary school")
    diff = selectors.version_diff(v1, final)
    changed = {d.section for d in diff if d.changed}
    assert changed == {"I"}
    section_i = next(d for d in diff if d.section == "I")
    assert [(ln.kind, ln.text) for ln in section_i.lines] == [
        ("removed", "Mainstream primary school"),
        ("added", "Mainstream primary school: Hill School"),
    ]


def test_final_is_refused_on_findings_unless_a_reason_is_recorded(ready: PlanWorld) -> None:
    v = latest(ready)
    a = ready.actor()
    v = services.need_save(version=v, expected_revision=1, by=a, key=None, section="B",
                           text="Reading")
    v = services.outcome_save(version=v, expected_revision=2, by=a, key=None, text="Reads",
                              steps=["Sounds"], by_when="", need_keys=["N1"])
    v = services.provision_save(version=v, expected_revision=3, by=a, key=None, section="F",
                                what="Support", how_often="Weekly", amount="", by_whom="TA",
                                from_when=None, need_keys=["N1"])
    v = services.consultation_start(version=v, expected_revision=v.revision,
                                    on=timezone.localdate() - timedelta(days=20), by=a)
    with pytest.raises(PlanError) as refused:
        services.version_make_final(version=v, expected_revision=v.revision,
                                    on=timezone.localdate(), by=a)
    assert "Provision P1 in section F does not say how much." in refused.value.message
    assert "Section I: Placement is empty." in refused.value.message
    v.refresh_from_db()
    assert v.status == "consultation"
    ready.case.refresh_from_db()
    assert ready.case.final_date is None
    final = services.version_make_final(version=v, expected_revision=v.revision,
                                        on=timezone.localdate(), by=a,
                                        reason="Tribunal order names no setting yet.")
    assert final.final_reason == "Tribunal order names no setting yet."
    event = CaseEvent.objects.get(action="plan_made_final")
    assert event.reason == "Tribunal order names no setting yet."
    assert event.changes["findings"] == ["provision_unspecified", "section_empty"]


def test_final_inside_the_15_days_without_comments_is_refused(ready: PlanWorld) -> None:
    v = build_good_plan(ready)
    today = timezone.localdate()
    v = services.consultation_start(version=v, expected_revision=v.revision,
                                    on=today - timedelta(days=5), by=ready.actor())
    with pytest.raises(CaseworkErrorType, match="15 days to comment"):
        services.version_make_final(version=v, expected_revision=v.revision, on=today,
                                    by=ready.actor())
    v.refresh_from_db()
    assert v.status == "consultation"


CaseworkErrorType = casework.CaseworkError


def test_amended_version_from_a_review(ready: PlanWorld) -> None:
    v = build_good_plan(ready)
    today = timezone.localdate()
    v = services.consultation_start(version=v, expected_revision=v.revision,
                                    on=today - timedelta(days=60), by=ready.actor())
    final = services.version_make_final(version=v, expected_revision=v.revision,
                                        on=today - timedelta(days=40), by=ready.actor())
    plan = final.document.plan
    assert plan is not None
    review = reviews.review_schedule(plan=plan, due_date=today - timedelta(days=31),
                                     by=ready.actor())
    review = reviews.review_record_meeting(review=review, on=today - timedelta(days=30),
                                           by=ready.actor())
    review = reviews.review_record_decision(review=review, outcome="amend",
                                            on=today - timedelta(days=25), by=ready.actor(),
                                            proposed_amendments="Update section B.")
    amended = services.amendment_start(review=review, by=ready.actor())
    assert (amended.number, amended.status, amended.is_amendment) == (2, "draft", True)
    assert amended.status_label == "Draft amended plan"
    amended = services.need_save(version=amended, expected_revision=amended.revision,
                                 by=ready.actor(), key="N1", section="B",
                                 text="Reading one year behind.")
    amended = services.consultation_start(version=amended, expected_revision=amended.revision,
                                          on=today - timedelta(days=20), by=ready.actor())
    done = services.version_make_final(version=amended, expected_revision=amended.revision,
                                       on=today, by=ready.actor())
    review.refresh_from_db()
    assert review.amended_final_date == today
    assert review.draft_amended_date == today - timedelta(days=20)
    assert selectors.plan_content(done).header.status == "amended"
    old = pc.from_dict(final.body).needs[0].text
    assert old == "Reading two years behind."
    with pytest.raises(PlanError, match="already been issued"):
        services.amendment_start(review=review, by=ready.actor())


def test_drafting_needs_a_decision_to_assess(world: PlanWorld) -> None:
    fresh = casework.request_register(child=world.child, case_ref="EHC-2026-00002",
                                      received_date=date(2026, 1, 5),
                                      by=casework.Actor(name="t"))
    with pytest.raises(PlanError, match="decided to assess"):
        services.document_start(request=fresh, by=world.actor())
    services.document_start(request=world.case, by=world.actor())
    with pytest.raises(PlanError, match="already started"):
        services.document_start(request=world.case, by=world.actor())
