"""The demo's plan documents: complete, varied, realistic for the child, and the same for the
same seed; and every demo final plan since 2024 gets one when the demo loads."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import date, timedelta

import pytest

from ehcflow.casework.models import EHCPlan
from ehcflow.demo import loader, names
from ehcflow.plans import content as pc
from ehcflow.plans import demo_content as dc
from ehcflow.plans.models import PlanDocument, PlanVersion

NEEDS = tuple(dc.AREAS_OF_NEED)


def invented_facts(count: int, seed: int = 5) -> list[dc.PlanFacts]:
    """`count` plans with every need, phase and sex, like the demo's."""
    rng = random.Random(seed)
    found = []
    for i in range(count):
        sex = "MFU"[i % 3] if i % 10 == 0 else "MF"[i % 2]
        forename = rng.choice(names.BOYS if sex == "M" else names.GIRLS)
        issued = date(2024, 1, 2) + timedelta(days=rng.randrange(1000))
        born = issued - timedelta(days=rng.randrange(2 * 365, 22 * 365))
        needs = (NEEDS[i % len(NEEDS)], *rng.sample(NEEDS, rng.choice((0, 1, 2))))
        advice = (dc.AdviceFact("educational_psychology", names.EP_ORGANISATION,
                                issued - timedelta(days=70)),
                  dc.AdviceFact("health", rng.choice(names.HEALTH_ORGANISATIONS),
                                issued - timedelta(days=60)))
        found.append(dc.PlanFacts(
            case_ref=f"DM-{i:05d}", forename=forename, sex=sex, date_of_birth=born,
            issued_on=issued, needs=tuple(dict.fromkeys(needs)),
            setting_type="Special school", setting_name="Kestle Academy", urn="199999",
            personal_budget=i % 6 == 0, advice=advice if i % 4 else advice[:1],
            requested_on=issued - timedelta(days=140)))
    return found


@pytest.fixture(scope="module")
def two_hundred() -> list[tuple[dc.PlanFacts, pc.PlanContent]]:
    return [(f, dc.plan_content(f, dc.demo_rng(2023, f.case_ref))) for f in invented_facts(200)]


def every_text(content: pc.PlanContent) -> list[str]:
    lines = pc.section_lines(content)
    return [line for section in lines.values() for line in section]


def test_every_plan_is_complete_and_passes_the_checks(two_hundred: list) -> None:
    for facts, content in two_hundred:
        assert pc.all_findings(content, final=True) == [], facts.case_ref
        assert pc.empty_mandatory_sections(content, final=True) == []
        assert len(content.needs_in("B")) >= 3
        assert len(content.provision_in("F")) >= len(content.needs_in("B"))
        assert [p.heading for p in content.views] == [
            "About me", "What people like and admire about me", "What is important to me",
            "How best to support me", "My hopes and aspirations for the future",
            "What my family say"]
        assert content.placement == pc.Placement("Special school", "Kestle Academy", "199999")
        assert (content.personal_budget is not None) == facts.personal_budget
        assert content.appendices[0].title == "Views of the child and family"
        assert {a.title for a in content.appendices} >= {"Psychological advice",
                                                         "Educational advice"}


def test_section_f_is_not_one_paragraph_repeated(two_hundred: list) -> None:
    provision = [p.what for _, c in two_hundred for p in c.provision_in("F")]
    assert len(provision) > 800
    assert len(set(provision)) / len(provision) >= 0.95
    needs = [n.text for _, c in two_hundred for n in c.needs_in("B")]
    assert len(set(needs)) / len(needs) >= 0.95
    about_me = [c.views[0].text for _, c in two_hundred]
    assert len(set(about_me)) >= 195
    # The bank is used widely, not a few favourites: no need statement's opening words
    # start more than a tenth of all needs.
    openings = Counter(" ".join(t.split()[1:5]) for t in needs)
    assert openings.most_common(1)[0][1] <= len(needs) / 10


def test_the_words_are_finished_and_fit_the_child(two_hundred: list) -> None:
    for facts, content in two_hundred:
        for line in every_text(content):
            assert not re.search(r"[\[\]{}|]", line), line
        assert all(facts.forename in n.text for n in content.needs)
        # "About me" is in the child's own words.
        assert not re.search(r"\b(his|her|him|their)\b", content.views[0].text), facts
        pronouns = " ".join(n.text for n in content.needs)
        if facts.sex == "F":
            assert not re.search(r"\b(he|his|him)\b", pronouns, re.IGNORECASE)
        elif facts.sex == "M":
            assert not re.search(r"\b(she|her|hers)\b", pronouns, re.IGNORECASE)
        else:
            assert not re.search(r"\b(he|she|they)\b", pronouns, re.IGNORECASE)


def test_needs_follow_the_primary_need_and_its_areas(two_hundred: list) -> None:
    for facts, content in two_hundred:
        areas = [n.area for n in content.needs_in("B")]
        assert dc.AREAS_OF_NEED[facts.needs[0]][0] in areas
        assert areas == sorted(areas, key=dc.AREA_ORDER.index)
    autistic = next(c for f, c in two_hundred if f.needs == ("ASD",))
    assert "autism" in " ".join(n.text for n in autistic.needs_in("B"))
    deaf = next(c for f, c in two_hundred if f.needs[0] == "HI")
    assert "hearing" in " ".join(n.text for n in deaf.needs_in("B"))


def test_outcomes_are_set_for_the_next_stage_of_education() -> None:
    base = invented_facts(1)[0]
    cases = {
        (date(2021, 3, 1), date(2024, 5, 1)): "By the time Lily starts school (September",
        (date(2016, 5, 1), date(2024, 6, 3)): "By the end of Key Stage 2 (July 2027)",
        # Issued in August: written for Year 10, the school year starting in September.
        (date(2009, 10, 1), date(2024, 8, 20)): "By the end of Key Stage 4 (July 2026)",
        (date(2007, 1, 5), date(2024, 10, 1)): "By the end of her study programme (July 2025)",
    }
    for (born, issued), expected in cases.items():
        facts = base.__class__(**{**base.__dict__, "forename": "Lily", "sex": "F",
                                  "date_of_birth": born, "issued_on": issued})
        content = dc.plan_content(facts, random.Random(1))
        assert content.outcomes[0].by_when.startswith(expected)


def test_the_same_seed_writes_the_same_words() -> None:
    facts = invented_facts(3)
    first = [dc.plan_content(f, dc.demo_rng(2023, f.case_ref)) for f in facts]
    again = [dc.plan_content(f, dc.demo_rng(2023, f.case_ref)) for f in facts]
    other = [dc.plan_content(f, dc.demo_rng(2024, f.case_ref)) for f in facts]
    assert first == again
    assert first != other


@pytest.mark.slow
@pytest.mark.django_db
def test_every_final_plan_since_2024_gets_its_document_when_the_demo_loads() -> None:
    result = loader.load(seed=11, today=date(2026, 11, 23), scale=0.05)
    since = EHCPlan.objects.filter(request__final_date__gte=dc.DOCUMENTS_FROM)
    assert since.count() > 20
    assert result.load.counts["plan_documents"] == since.count()
    assert PlanDocument.objects.filter(plan__in=since).count() == since.count()
    assert not PlanDocument.objects.exclude(plan__in=since).exists()
    for version in PlanVersion.objects.select_related("document__request"):
        request = version.document.request
        assert request is not None
        assert (version.number, version.status) == (1, "final")
        assert version.finalised_on == request.final_date
        assert version.consultation_started_on == request.draft_date
        content = pc.from_dict(version.body)
        assert pc.all_findings(content, final=True) == []
        assert all(request.child.forename in n.text for n in content.needs)
