"""Every write of a disagreement: values stored, the case event written, bad input refused."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ehcflow.casework.models import CaseEvent
from ehcflow.casework.services import Actor
from ehcflow.disagreements import services
from ehcflow.disagreements.models import Disagreement, TribunalOrder
from tests.disagreements.conftest import Case

pytestmark = pytest.mark.django_db
BY = Actor(name="test")


def _appeal(case: Case, **extra: object) -> Disagreement:
    return services.disagreement_open(
        child=case.child, kind="appeal", decision="refuse_assess",
        decision_notice_date=date(2025, 2, 3), started_on=date(2025, 3, 20), by=BY,
        request=case.refused, notice_sent_on=date(2025, 3, 31), **extra)  # type: ignore[arg-type]


def test_recording_mediation_stores_it_and_writes_an_event(case: Case) -> None:
    item = services.disagreement_open(
        child=case.child, kind="mediation", decision="refuse_assess",
        decision_notice_date=date(2025, 2, 3), started_on=date(2025, 2, 20), by=BY,
        request=case.refused)
    assert (item.kind, item.decision, item.started_on) == ("mediation", "refuse_assess",
                                                           date(2025, 2, 20))
    event = CaseEvent.objects.get(action="mediation_started")
    assert event.request == case.refused
    assert event.effective_date == date(2025, 2, 20)
    assert event.description == "Mediation asked for about the refusal to assess"
    assert event.changes["mediation_due"] == "2025-03-22"

    item = services.mediation_update(mediation=item, by=BY, certificate_on=date(2025, 3, 13),
                                     mediation_on=date(2025, 3, 10), outcome="not_agreed")
    assert item.concluded_on == date(2025, 3, 13)
    event = CaseEvent.objects.get(action="mediation_updated")
    assert event.description == "Mediation: no agreement: certificate issued"
    assert event.changes["certificate_on"] == [None, "2025-03-13"]


def test_saving_the_same_mediation_again_writes_nothing(case: Case) -> None:
    item = services.disagreement_open(
        child=case.child, kind="mediation", decision="refuse_assess",
        decision_notice_date=date(2025, 2, 3), started_on=date(2025, 2, 20), by=BY)
    for _ in range(2):
        services.mediation_update(mediation=item, by=BY, certificate_on=date(2025, 2, 24),
                                  mediation_on=None, outcome="declined")
    assert CaseEvent.objects.filter(action="mediation_updated").count() == 1
    with pytest.raises(services.AlreadyRecorded):
        services.disagreement_open(
            child=case.child, kind="mediation", decision="refuse_assess",
            decision_notice_date=date(2025, 2, 3), started_on=date(2025, 2, 20), by=BY)
    assert Disagreement.objects.count() == 1


def test_an_appeal_records_its_response_deadline(case: Case) -> None:
    item = _appeal(case, grounds="Needs not assessed")
    event = CaseEvent.objects.get(action="appeal_registered")
    assert event.changes["appeal_deadline"] == "2025-04-03"
    assert event.changes["response_due"] == "2025-05-15"  # 30 working days, Easter between
    assert item.grounds == "Needs not assessed"
    with pytest.raises(services.AlreadyRecorded):
        _appeal(case)


def test_the_appeal_is_updated_with_its_outcome_and_cost(case: Case) -> None:
    item = _appeal(case)
    item = services.appeal_update(
        appeal=item, by=BY, notice_sent_on=date(2025, 3, 31),
        response_sent_on=date(2025, 5, 12), unopposed_on=None, hearing_on=date(2025, 9, 15),
        outcome="upheld", concluded_on=date(2025, 9, 22), cost=Decimal("4250.5"))
    item.refresh_from_db()
    assert item.cost == Decimal("4250.50")
    assert item.outcome_label == "Appeal allowed"
    event = CaseEvent.objects.get(action="appeal_updated")
    assert event.description == "Appeal ended: appeal allowed"
    assert event.effective_date == date(2025, 9, 22)
    assert event.changes["cost"] == [None, "4250.50"]


def test_orders_get_their_reg_44_deadline_and_compliance(case: Case) -> None:
    item = _appeal(case)
    order = services.order_record(appeal=item, kind="assessment_notice",
                                  made_on=date(2025, 9, 22), by=BY)
    assert order.due_on == date(2025, 10, 6)
    event = CaseEvent.objects.get(action="tribunal_order")
    assert event.description == ("Tribunal order: tell the family the assessment will be made "
                                 "by 6 October 2025")
    order = services.order_comply(order=order, complied_on=date(2025, 10, 8), by=BY)
    event = CaseEvent.objects.get(action="tribunal_order_complied")
    assert event.description.endswith("(late)")
    # The same date again: nothing changes, no second event.
    services.order_comply(order=order, complied_on=date(2025, 10, 8), by=BY)
    assert CaseEvent.objects.filter(action="tribunal_order_complied").count() == 1
    with pytest.raises(services.AlreadyRecorded):
        services.order_record(appeal=item, kind="assessment_notice",
                              made_on=date(2025, 9, 22), by=BY)


def test_an_unopposed_appeal_runs_from_the_councils_notice(case: Case) -> None:
    item = services.disagreement_open(
        child=case.child, kind="appeal", decision="plan_content", sections=frozenset({"I"}),
        decision_notice_date=date(2025, 5, 26), started_on=date(2025, 7, 1), by=BY,
        plan=case.plan)
    order = services.order_record(appeal=item, kind="name_school", made_on=date(2025, 7, 14),
                                  unopposed=True, by=BY)
    assert order.due_on == date(2025, 7, 28)
    assert item.sections == ["I"]


@pytest.mark.parametrize(("change", "field"), [
    ({"started_on": date(2025, 1, 1)}, "started_on"),  # before the decision letter
    ({"decision_notice_date": date(1900, 1, 1)}, "decision_notice_date"),  # absurd
    ({"started_on": date(2999, 1, 1)}, "started_on"),  # the future
    ({"decision": "plan_content"}, "sections"),  # content appeal with no section
    ({"decision": "nonsense"}, "decision"),
])
def test_bad_input_is_refused_and_changes_nothing(case: Case, change: dict[str, object],
                                                  field: str) -> None:
    values: dict[str, object] = {
        "child": case.child, "kind": "appeal", "decision": "refuse_assess",
        "decision_notice_date": date(2025, 2, 3), "started_on": date(2025, 3, 20), "by": BY}
    values.update(change)
    events = CaseEvent.objects.count()
    with pytest.raises(services.DisagreementError) as error:
        services.disagreement_open(**values)  # type: ignore[arg-type]
    assert error.value.field == field
    assert Disagreement.objects.count() == 0
    assert CaseEvent.objects.count() == events


def test_an_appeal_update_out_of_order_changes_nothing(case: Case) -> None:
    item = _appeal(case)
    events = CaseEvent.objects.count()
    tomorrow = timezone.localdate() + timedelta(days=1)
    for bad in ({"response_sent_on": date(2025, 3, 25)},  # before the notice was sent
                {"outcome": "upheld"},  # no end date
                {"outcome": "conceded", "concluded_on": date(2025, 5, 1)},  # no notice
                {"cost": Decimal("-1")}, {"hearing_on": tomorrow}):
        values = {"notice_sent_on": date(2025, 3, 31), "response_sent_on": None,
                  "unopposed_on": None, "hearing_on": None, "outcome": "",
                  "concluded_on": None, "cost": None, **bad}
        with pytest.raises(services.DisagreementError):
            services.appeal_update(appeal=item, by=BY, **values)  # type: ignore[arg-type]
    item.refresh_from_db()
    assert (item.response_sent_on, item.appeal_outcome, item.cost) == (None, "", None)
    assert CaseEvent.objects.count() == events
    assert TribunalOrder.objects.count() == 0


def test_the_old_vocabulary_still_records(case: Case) -> None:
    item = services.disagreement_record(child=case.child, kind="tribunal", stage="request",
                                        decision_notice_date=date(2025, 2, 3),
                                        started_on=date(2025, 3, 1), by=BY,
                                        request=case.refused)
    assert (item.kind, item.decision) == ("appeal", "refuse_assess")
