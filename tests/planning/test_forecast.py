"""`ehcflow forecast`: a likely final-plan date for every open request (issue 10, item 4)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError

from ehcflow.casework import services
from ehcflow.casework.models import AssessmentRequest, Child
from ehcflow.planning.backtest import per_request_check
from ehcflow.planning.backtest_synthetic import synthetic_history
from ehcflow.planning.estimate import scenario_from_history
from ehcflow.planning.selectors import likely_final_plan

AS_OF = date(2023, 7, 31)


def register_only(actor: services.Actor) -> None:
    """A small authority with imported requests and no staff records (invented)."""
    child = Child.objects.create(person_ref="P1", date_of_birth=date(2012, 1, 1))
    for i in range(16):
        received = date(2022, 6, 1) + timedelta(days=21 * i)
        case = services.request_register(child=child, case_ref=f"F{i}", received_date=received,
                                         by=actor)
        if i == 15:
            continue  # awaiting a decision on the as-of date
        case = services.request_record_decision(request=case, decision="assess",
                                                on=received + timedelta(days=28), by=actor)
        advice = services.advice_request(request=case, adviser_type="health",
                                         requested_on=received + timedelta(days=29), by=actor)
        if i < 12:
            services.advice_record_received(
                advice=advice, received_on=received + timedelta(days=60 + i), by=actor)
        if i < 9:
            case = services.request_record_outcome(request=case, outcome="plan",
                                                   on=received + timedelta(days=100), by=actor)
            case = services.request_issue_draft(request=case, on=received + timedelta(days=101),
                                                by=actor)
            services.request_issue_final(request=case, on=received + timedelta(days=125),
                                         by=actor, allow_before_comment_period_end=True)


@pytest.mark.django_db
def test_forecast_json_has_every_open_request(system_actor: services.Actor) -> None:
    register_only(system_actor)
    out = StringIO()
    call_command("forecast", "--as-of", AS_OF.isoformat(), "--json", "--replications", "40",
                 stdout=out)
    data = json.loads(out.getvalue())
    assert data["as_of"] == "2023-07-31"
    refs = [r["case_ref"] for r in data["requests"]]
    assert sorted(refs) == sorted(f"F{i}" for i in range(9, 16))  # F0-F8 have their plans
    for row in data["requests"]:
        assert set(row) == {"case_ref", "p_plan", "final_p10", "final_p50", "final_p90"}
        assert 0 <= row["p_plan"] <= 1
        dates = [row[k] for k in ("final_p10", "final_p50", "final_p90") if row[k]]
        assert dates == sorted(dates) and all(d > "2023-07-31" for d in dates)


@pytest.mark.django_db
def test_forecast_refuses_a_bad_date() -> None:
    with pytest.raises(CommandError, match="--as-of"):
        call_command("forecast", "--as-of", "31/07/2023", "--json")
    with pytest.raises(CommandError, match="--replications"):
        call_command("forecast", "--as-of", "2023-07-31", "--replications", "5")


@pytest.mark.django_db
def test_the_selector_answers_for_open_requests_and_caches_the_day(
        system_actor: services.Actor) -> None:
    register_only(system_actor)
    cache.clear()
    requests = list(AssessmentRequest.objects.order_by("case_ref"))
    found = likely_final_plan(requests, AS_OF)
    by_ref = {r.case_ref: found.get(r.pk) for r in requests}
    assert by_ref["F0"] is None  # plan issued before the date: not open
    p_plan, p10, p50, p90 = by_ref["F15"]  # type: ignore[misc]
    assert 0 < p_plan <= 1 and p10 is not None and p50 is not None and p90 is not None
    assert AS_OF < p10 <= p50 <= p90
    # the day's answer is cached: a second page does not simulate again
    key = f"planning:likely-final-plan:{AS_OF.isoformat()}"
    assert cache.get(key) is not None
    cache.set(key, {"F15": (0.5, None, None, None)})
    again = likely_final_plan(requests, AS_OF)
    assert list(again.values()) == [(0.5, None, None, None)]


def test_the_per_request_forecast_is_calibrated_on_a_generated_authority() -> None:
    """Across two as-of dates of a steady invented authority, the 10th-90th interval holds
    about 80% of actual final-plan dates and the median beats request date + last year's
    median."""
    history = synthetic_history(per_year=500, seed=5)
    inside = total = 0
    for as_of in (date(2023, 6, 30), date(2024, 6, 30)):
        estimate = scenario_from_history(history, as_of=as_of, months=24, replications=60)
        check = per_request_check(history, scenario_dict=estimate.scenario, as_of=as_of,
                                  today=date(2025, 6, 30), replications=60, seed=1)
        assert check.model_error_days is not None and check.naive_error_days is not None
        assert check.model_error_days <= check.naive_error_days
        inside += check.inside
        total += check.with_plan
    assert total > 100
    assert 0.7 <= inside / total <= 0.9  # 74% (71% before the start state kept its task)
