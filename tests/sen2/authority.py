"""A small invented authority for the SEN2 tests: every kind of history the return reports.

Independent of the demo generator, so the return's tests do not move when the demo does, and
seeded, so every run builds the same records: requests received from 2021 to 2025 that were
refused, withdrawn, not issued or issued (some late, some with an exception), plans that
ceased, plans with two settings or none with a URN, reviews, phase transfers, mediation and
plans with no request on record (transferred in).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from ehcflow.casework import choices as c
from ehcflow.casework.models import (
    AnnualReview,
    AssessmentRequest,
    Child,
    EHCPlan,
    Institution,
    PlanNeed,
    PlanSetting,
)
from ehcflow.casework.services import derive_stage
from ehcflow.disagreements.models import Decision, Disagreement, Kind

LAST_DAY = date(2026, 6, 30)  # nothing is dated later


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def build(children: int = 120, seed: int = 7) -> None:
    """Write the authority into the (empty) test database."""
    rng = random.Random(seed)
    schools = [Institution.objects.create(urn=f"{900100 + i}", name=f"School {i}",
                                          kind=c.InstitutionKind.PRIMARY) for i in range(8)]
    colleges = [Institution.objects.create(ukprn=f"{10000100 + i}", name=f"College {i}",
                                           kind=c.InstitutionKind.COLLEGE) for i in range(2)]
    ethnicities = [e for e in c.Ethnicity.values if e not in ("REFU", "NOBT")]
    needs = [n for n in c.SENType.values if n != "DS"] + ["DS"]
    for i in range(children):
        born = _day(rng, date(2006, 1, 1), date(2020, 12, 31))
        has_upn = rng.random() < 0.9
        child = Child.objects.create(
            person_ref=f"P{i:05d}", forename=f"Forename{i}", surname=f"Surname{i}",
            date_of_birth=born, sex=rng.choice("MFFM"),
            ethnicity=rng.choice(ethnicities) if rng.random() < 0.95 else "",
            postcode=f"ZZ99 {i % 9}AB", upn=f"A{820200000000 + i}" if has_upn else "",
            upn_unknown="" if has_upn else "UN8")
        if i % 25 == 24:  # a plan from before the records, transferred in
            first = _day(rng, date(2018, 1, 1), date(2020, 12, 31))
            plan = EHCPlan.objects.create(child=child, start_date=first, first_issued_date=first,
                                          transferred_in=True)
            PlanSetting.objects.create(plan=plan, rank=1, institution=rng.choice(schools),
                                       entry_date=first)
            PlanNeed.objects.create(plan=plan, rank=1, sen_type=rng.choice(needs))
            continue
        received = _day(rng, max(born + timedelta(days=400), date(2021, 6, 1)),
                        date(2025, 12, 20))
        req = AssessmentRequest(
            case_ref=f"R{i:05d}", child=child, received_date=received,
            source=rng.choice(c.RequestSource.values),
            relevant_youth_accommodation=rng.random() < 0.02)
        roll = rng.random()
        if roll < 0.15:
            req.decision = c.Decision.NOT_ASSESS
            req.decision_date = received + timedelta(days=rng.randint(20, 60))
        elif roll < 0.2:
            req.closed_date = received + timedelta(days=rng.randint(5, 40))
            req.closed_reason = c.ClosedReason.WITHDRAWN
        elif roll < 0.25:
            pass  # still waiting for a decision (or waiting past the end of the records)
        else:
            req.decision = c.Decision.ASSESS
            req.decision_date = received + timedelta(days=rng.randint(20, 50))
            roll = rng.random()
            if roll < 0.1:
                req.outcome = c.Outcome.NO_PLAN
                req.outcome_date = received + timedelta(days=rng.randint(90, 150))
            elif roll < 0.14:
                req.closed_date = received + timedelta(days=rng.randint(60, 100))
                req.closed_reason = c.ClosedReason.MOVED_AWAY
            else:
                req.outcome = c.Outcome.PLAN
                req.outcome_date = received + timedelta(days=rng.randint(70, 110))
                req.final_date = received + timedelta(days=rng.randint(100, 230))
                req.week20_exception = rng.random() < 0.1
        for name in ("decision_date", "outcome_date", "final_date", "closed_date"):
            if getattr(req, name) is not None and getattr(req, name) > LAST_DAY:
                setattr(req, name, None)
                if name == "decision_date":
                    req.decision = ""
                if name in ("outcome_date", "final_date"):
                    req.outcome = req.outcome if req.outcome_date else ""
                if name == "closed_date":
                    req.closed_reason = ""
        if req.decision == "" and req.outcome:
            req.outcome, req.outcome_date, req.final_date = "", None, None
        req.stage = derive_stage(req)
        req.save()
        if req.decision == c.Decision.NOT_ASSESS and rng.random() < 0.3:
            assert req.decision_date is not None
            Disagreement.objects.create(
                child=child, request=req, kind=Kind.MEDIATION,
                decision=Decision.REFUSE_ASSESS, decision_notice_date=req.decision_date,
                started_on=req.decision_date + timedelta(days=10))
        if req.final_date is None:
            continue
        final = req.final_date
        cease = final + timedelta(days=rng.randint(200, 900)) if rng.random() < 0.15 else None
        if cease is not None and cease > LAST_DAY:
            cease = None
        plan = EHCPlan.objects.create(
            child=child, request=req, start_date=final, first_issued_date=final,
            cease_date=cease, cease_reason=rng.choice("12345678") if cease else "",
            personal_budget=rng.random() < 0.05, organised_arrangements=rng.random() < 0.02)
        if rng.random() < 0.1:
            PlanSetting.objects.create(plan=plan, rank=1, sen_setting=rng.choice(["EHE", "OLA"]),
                                       entry_date=final)
        else:
            PlanSetting.objects.create(plan=plan, rank=1, institution=rng.choice(schools),
                                       entry_date=final, sen_unit=rng.random() < 0.1)
            if rng.random() < 0.15:
                PlanSetting.objects.create(plan=plan, rank=2, institution=rng.choice(colleges),
                                           entry_date=final)
        primary, secondary = rng.sample(needs, 2)
        PlanNeed.objects.create(plan=plan, rank=1, sen_type=primary)
        if rng.random() < 0.5:
            PlanNeed.objects.create(plan=plan, rank=2, sen_type=secondary)
        meeting = final + timedelta(days=350)
        while meeting <= LAST_DAY and (cease is None or meeting < cease):
            decided = meeting + timedelta(days=rng.randint(10, 40))
            AnnualReview.objects.create(
                plan=plan, due_date=meeting + timedelta(days=10), meeting_date=meeting,
                decision_date=decided if decided <= LAST_DAY else None,
                outcome=rng.choice(c.ReviewOutcome.values) if decided <= LAST_DAY else "")
            meeting += timedelta(days=365)
        if rng.random() < 0.15:
            year = rng.choice([2025, 2026])
            AnnualReview.objects.create(
                plan=plan, due_date=date(year - 1, 10, 1), phase_transfer=True,
                transfer_year=year, phase_transfer_due=date(year, 2, 15),
                amended_final_date=date(year, 2, rng.choice([1, 10, 20])) if year == 2025
                else None)
