"""`ehcflow demo-data` against the database: guards, no-op re-runs, consistency, determinism."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from ehcflow.casework import services
from ehcflow.casework.events import EventAction
from ehcflow.casework.models import (
    AssessmentRequest,
    CaseEvent,
    Child,
    EHCPlan,
    StatutoryException,
)
from ehcflow.cli import command_name
from ehcflow.demo import loader, writer
from ehcflow.demo.assemble import ORDER
from ehcflow.demo.models import DemoLoad
from tests.demo.conftest import SMALL, SMALL_SEED, TODAY

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("demo_data", *args, stdout=out)
    return out.getvalue().strip()


def test_it_refuses_to_run_without_the_demo_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EHCFLOW_DEMO", raising=False)
    with pytest.raises(CommandError, match="EHCFLOW_DEMO=1"):
        run("--scale", str(SMALL))
    assert not Child.objects.exists()


def test_status_needs_no_flag_and_tells_empty_from_loaded(
    monkeypatch: pytest.MonkeyPatch, demo_env: None
) -> None:
    assert run("--status") == "empty"
    run("--seed", str(SMALL_SEED), "--today", TODAY.isoformat(), "--scale", str(SMALL))
    monkeypatch.delenv("EHCFLOW_DEMO")
    assert run("--status") == "loaded"


def test_the_hyphenated_name_maps_to_the_command() -> None:
    assert command_name(["ehcflow", "demo-data", "--status"])[1] == "demo_data"


def test_running_again_with_the_same_seed_changes_nothing(demo_env: None) -> None:
    first = run("--seed", str(SMALL_SEED), "--today", TODAY.isoformat(), "--scale", str(SMALL))
    assert first.startswith("Loaded the demo authority")
    counts = (Child.objects.count(), CaseEvent.objects.count())
    again = run("--seed", str(SMALL_SEED), "--today", "2026-12-01", "--scale", str(SMALL))
    assert "already loaded" in again
    assert (Child.objects.count(), CaseEvent.objects.count()) == counts
    assert DemoLoad.objects.count() == 1


def test_another_seed_is_refused_because_events_cannot_be_deleted(loaded: object,
                                                                  demo_env: None) -> None:
    with pytest.raises(CommandError, match="append-only"):
        run("--seed", str(SMALL_SEED + 1), "--scale", str(SMALL))


def test_it_refuses_a_database_with_real_casework(child: Child, demo_env: None) -> None:
    with pytest.raises(CommandError, match="not demo data"):
        run("--scale", str(SMALL))
    assert Child.objects.count() == 1


def test_bad_arguments_are_refused_with_a_message(demo_env: None) -> None:
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--today", "23/11/2026")
    with pytest.raises(CommandError, match="on or after"):
        run("--today", "2017-01-01")
    with pytest.raises(CommandError, match="scale"):
        run("--scale", "2")


def test_the_database_rows_are_what_the_services_would_have_made(loaded: object) -> None:
    requests = AssessmentRequest.objects.all()
    assert requests.exists()
    for request in requests:
        assert request.stage == services.derive_stage(request)
        assert request.week20_exception == request.exceptions.exists()
        assert request.received_date <= TODAY
    finals = requests.filter(final_date__isnull=False)
    assert EHCPlan.objects.filter(request__in=finals).count() == finals.count()
    assert not EHCPlan.objects.filter(request__isnull=False, next_review_due__isnull=True).exists()
    assert StatutoryException.objects.filter(reason="coronavirus").exists()
    # Every event the demo writes is named in the one vocabulary the services use.
    actions = set(CaseEvent.objects.values_list("action", flat=True).distinct())
    assert actions <= {a.value for a in EventAction}, actions - set(EventAction)


def test_case_events_are_in_history_order(loaded: object) -> None:
    rows = list(CaseEvent.objects.order_by("id").values_list("effective_date", "action",
                                                               "occurred_at"))
    keys = [(day, ORDER[action]) for day, action, _ in rows]
    assert keys == sorted(keys)
    moments = [moment for _, _, moment in rows]
    assert moments == sorted(moments)
    # The legal order within a request, as the services would have written it.
    for request in AssessmentRequest.objects.filter(final_date__isnull=False)[:50]:
        actions = list(request.events.order_by("id").values_list("action", flat=True))
        assert actions[0] == "request_received" and actions[-1] in (
            "final_issued", "mediation_started", "appeal_registered")
        assert actions.index("decision_recorded") < actions.index("outcome_recorded") < \
            actions.index("draft_issued") < actions.index("final_issued")


def test_case_events_stay_append_only(loaded: object) -> None:
    event = CaseEvent.objects.first()
    assert event is not None
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("DELETE FROM casework_caseevent WHERE id = %s", [event.pk])


class _Rollback(Exception):
    pass


def _digest(seed: int) -> str:
    digest = ""
    try:
        with transaction.atomic():
            loader.load(seed=seed, today=TODAY, scale=SMALL)
            digest = writer.canonical_digest()
            raise _Rollback
    except _Rollback:
        pass
    return digest


def test_the_same_seed_writes_identical_content() -> None:
    first, second, other = _digest(SMALL_SEED), _digest(SMALL_SEED), _digest(SMALL_SEED + 1)
    assert first == second
    assert first != other


def test_the_history_stops_at_today(demo_env: None) -> None:
    run("--seed", "3", "--today", "2021-06-30", "--scale", str(SMALL))
    latest = CaseEvent.objects.order_by("-effective_date").values_list("effective_date",
                                                                      flat=True).first()
    assert latest is not None and latest <= date(2021, 6, 30)
    assert not AssessmentRequest.objects.filter(received_date__gt=date(2021, 6, 30)).exists()
