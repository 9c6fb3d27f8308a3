"""`ehcflow history export|import`: the exact round trip, and bad files changing nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ehcflow.casework import services as casework
from ehcflow.casework.models import AnnualReview, CaseEvent, Child, EHCPlan, PlanNeed, PlanSetting
from ehcflow.casework.services import Actor
from ehcflow.disagreements import history_io, services
from ehcflow.disagreements.models import Disagreement, TribunalOrder

pytestmark = pytest.mark.django_db
BY = Actor(name="test")
ROOT = Path(__file__).parents[2]


@pytest.fixture
def held(db: None) -> None:
    """Two children: one refused an assessment and appealing; one with two plans."""
    ada = casework.child_create(person_ref="H0001", date_of_birth=date(2016, 5, 1),
                                forename="Ada", surname="Example", sex="F", by=BY)
    refused = casework.request_register(child=ada, case_ref="EHC-H1", by=BY,
                                        received_date=date(2025, 1, 6))
    casework.request_record_decision(request=refused, decision="not_assess",
                                     on=date(2025, 2, 3), by=BY)
    mediation = services.disagreement_open(
        child=ada, kind="mediation", decision="refuse_assess", request=refused,
        decision_notice_date=date(2025, 2, 3), started_on=date(2025, 2, 20), by=BY)
    services.mediation_update(mediation=mediation, by=BY, certificate_on=date(2025, 2, 24),
                              mediation_on=None, outcome="declined")
    appeal = services.disagreement_open(
        child=ada, kind="appeal", decision="refuse_assess", request=refused,
        grounds='Needs "not" assessed,\ntwice', decision_notice_date=date(2025, 2, 3),
        started_on=date(2025, 3, 20), notice_sent_on=date(2025, 3, 31), by=BY)
    services.appeal_update(appeal=appeal, by=BY, notice_sent_on=date(2025, 3, 31),
                           response_sent_on=date(2025, 5, 12), unopposed_on=None,
                           hearing_on=date(2025, 9, 15), outcome="upheld",
                           concluded_on=date(2025, 9, 22), cost=Decimal("4250.5"))
    order = services.order_record(appeal=appeal, kind="assessment_notice",
                                  made_on=date(2025, 9, 22), by=BY)
    services.order_comply(order=order, complied_on=date(2025, 10, 1), by=BY)

    bea = casework.child_create(person_ref="H0002", date_of_birth=date(2012, 9, 30),
                                forename="Bea", surname="Invented", upn="A123456789012",
                                by=BY)
    planned = casework.request_register(child=bea, case_ref="EHC-H2", by=BY,
                                        received_date=date(2024, 1, 8))
    casework.request_record_decision(request=planned, decision="assess",
                                     on=date(2024, 2, 5), by=BY)
    casework.request_record_outcome(request=planned, outcome="plan", on=date(2024, 4, 1),
                                    by=BY)
    casework.request_issue_draft(request=planned, on=date(2024, 4, 8), by=BY)
    plan = casework.request_issue_final(request=planned, on=date(2024, 5, 20), by=BY,
                                        needs=["ASD", "SLCN"])
    AnnualReview.objects.create(plan=plan, due_date=date(2025, 5, 20),
                                meeting_date=date(2025, 5, 1), decision_date=date(2025, 5, 20),
                                outcome="amend")
    older = EHCPlan.objects.create(child=bea, start_date=date(2019, 9, 2),
                                   first_issued_date=date(2019, 9, 2), transferred_in=True,
                                   cease_date=date(2024, 1, 5), cease_reason="5")
    PlanSetting.objects.create(plan=older, rank=1, sen_setting="OLA",
                               sen_setting_other="Home tuition, then a resourced base",
                               entry_date=date(2019, 9, 2))
    PlanNeed.objects.create(plan=older, rank=1, sen_type="MLD")
    services.disagreement_open(child=bea, kind="appeal", decision="plan_content", plan=plan,
                               sections=frozenset({"F", "I"}), by=BY,
                               decision_notice_date=date(2024, 5, 20),
                               started_on=date(2024, 7, 1))


def _export(out: Path) -> dict[str, str]:
    call_command("history", "export", "--out", str(out), stdout=StringIO())
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(out.iterdir())}


def test_the_export_writes_every_table(held: None, tmp_path: Path) -> None:
    files = _export(tmp_path / "out")
    assert sorted(files) == sorted(history_io.FILES)
    plans = files["plans.csv"].splitlines()
    assert plans[0].startswith("public_id,child,request,start_date,first_issued_date,")
    assert len(plans) == 3
    assert ",H0002,,2019-09-02,2019-09-02,true,2024-01-05,5," in plans[1]
    assert files["children.csv"].splitlines() == [
        "person_ref,date_of_birth,forename,surname,sex,ethnicity,postcode,upn,uln,upn_unknown",
        "H0001,2016-05-01,Ada,Example,F,,,,,",
        "H0002,2012-09-30,Bea,Invented,U,,,A123456789012,,"]
    disagreements = files["disagreements.csv"]
    assert '"Needs ""not"" assessed,\ntwice"' in disagreements  # quoted, on two lines
    assert ",4250.50," in disagreements
    assert files["tribunal_orders.csv"].count("\n") == 2


def test_a_round_trip_through_an_empty_database_gives_the_same_files(
        held: None, tmp_path: Path) -> None:
    first = _export(tmp_path / "first")
    call_command("export_requests", str(tmp_path / "requests.csv"), stdout=StringIO())
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
           "EHCFLOW_VAR_DIR": str(tmp_path / "var")}

    def run(*args: str) -> str:
        done = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env,
                              cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("migrate", "-v0")
    run("import_requests", str(tmp_path / "requests.csv"))
    text = run("history", "import", str(tmp_path / "first"))
    assert "Plans completed from the request register: 1" in text
    run("history", "export", "--out", str(tmp_path / "second"))
    second = {p.name: p.read_text(encoding="utf-8")
              for p in sorted((tmp_path / "second").iterdir())}
    assert second == first


def _counts() -> tuple[int, ...]:
    return (Child.objects.count(), EHCPlan.objects.count(), PlanSetting.objects.count(),
            PlanNeed.objects.count(), AnnualReview.objects.count(),
            Disagreement.objects.count(), TribunalOrder.objects.count(),
            CaseEvent.objects.count())


def _import(folder: Path) -> list[str]:
    err = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("history", "import", str(folder), stdout=StringIO(), stderr=err)
    assert error.value.returncode == 1
    assert "nothing was changed" in str(error.value)
    return err.getvalue().splitlines()


def test_importing_the_same_files_twice_is_refused(held: None, tmp_path: Path) -> None:
    _export(tmp_path / "out")
    before = _counts()
    lines = _import(tmp_path / "out")
    assert "plans.csv:2:public_id: this row is already held (were these files imported " \
           "before?)" in lines
    assert _counts() == before


def test_bad_files_are_reported_by_file_row_and_column(held: None, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _export(out)
    # An absurd date, a date in the future, a bad code and an unknown child.
    plans = (out / "plans.csv").read_text().splitlines()
    plans[1] = plans[1].replace("2019-09-02", "0023-09-02", 1)
    (out / "plans.csv").write_text("\n".join(plans) + "\n")
    orders = (out / "tribunal_orders.csv").read_text().replace("2025-10-01", "2999-10-01")
    (out / "tribunal_orders.csv").write_text(orders)
    needs = (out / "plan_needs.csv").read_text().replace(",MLD", ",XYZ")
    (out / "plan_needs.csv").write_text(needs)
    (out / "reviews.csv").write_bytes(b"\xff\xfe\x00garbage\x00\x00")
    disagreements = (out / "disagreements.csv").read_text().replace(",H0002,", ",H9999,")
    (out / "disagreements.csv").write_text(disagreements)
    before = _counts()
    lines = _import(out)
    assert _counts() == before
    assert any(line.startswith("plans.csv:2:start_date: '0023-09-02'") or
               line.startswith("plans.csv:2:start_date: 0023-09-02") for line in lines), lines
    assert any(line.startswith("tribunal_orders.csv:2:complied_on: 2999-10-01 is outside")
               for line in lines), lines
    assert any(line.startswith("plan_needs.csv:") and ":sen_type: 'XYZ' is not one of" in line
               for line in lines), lines
    assert any(line.startswith("reviews.csv:1:-:") for line in lines), lines
    assert any(line.startswith("disagreements.csv:") and ":child: 'H9999' is not a known"
               in line for line in lines), lines


def test_a_missing_file_or_column_is_reported(held: None, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _export(out)
    (out / "plan_settings.csv").unlink()
    text = (out / "tribunal_orders.csv").read_text().replace("complied_on", "done_on")
    (out / "tribunal_orders.csv").write_text(text)
    before = _counts()
    lines = _import(out)
    assert _counts() == before
    assert "plan_settings.csv:1:-: the file is missing: export writes all of children.csv, " \
           "plans.csv, plan_settings.csv, plan_needs.csv, reviews.csv, disagreements.csv, " \
           "tribunal_orders.csv" in lines
    assert "tribunal_orders.csv:1:complied_on: this column is missing" in lines
    assert "tribunal_orders.csv:1:done_on: this column is not one of the file's columns" \
        in lines
