"""Every write to a disagreement: one function per step, one transaction, one case event.

Like `casework.services`, each function checks the dates against each other and against the
law (`statutory.disagreements`), refuses with a `DisagreementError` that says why, and
otherwise changes the record and appends a `CaseEvent` in the same transaction.

Writing the same values again (a second press of Save) changes nothing and writes no event,
so every form is safe to submit twice; recording a second mediation or appeal about the same
decision letter is refused ("already recorded").
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from ehcflow.casework.events import EventAction
from ehcflow.casework.models import AssessmentRequest, Child, EHCPlan
from ehcflow.casework.services import Actor, CaseworkError, not_future, record_event
from ehcflow.disagreements.models import (
    AppealOutcome,
    Decision,
    Disagreement,
    Kind,
    MediationOutcome,
    OrderKind,
    TribunalOrder,
)
from ehcflow.statutory import clock
from ehcflow.statutory import disagreements as law
from ehcflow.statutory.dates import long_date

#: The old `casework.Disagreement` vocabulary, still used by the demo and older callers.
_LEGACY_KIND = {"mediation": Kind.MEDIATION, "tribunal": Kind.APPEAL, "appeal": Kind.APPEAL}
_LEGACY_STAGE = {"request": Decision.REFUSE_ASSESS, "assessment": Decision.PLAN_CONTENT,
                 "other": Decision.OTHER}
#: Most an appeal can plausibly cost the council: the whole service's two-year tribunal spend
#: in the 004 report was £140,237; ten times one year of it is a slip, not a cost.
MAX_COST = Decimal("999999.99")


class DisagreementError(CaseworkError):
    """A step the law or the record does not allow; the message says why, for the user."""


class AlreadyRecorded(DisagreementError):
    """The same mediation or appeal is already on the record (a double submit, usually)."""


def _event(item: Disagreement, *, action: str, description: str, on: date, by: Actor,
           changes: Mapping[str, Any] | None = None) -> None:
    record_event(child=item.child, request=item.request, plan=item.plan, action=action,
                  description=description, on=on, by=by, changes=changes)


def _check_date(on: date | None, what: str, field: str) -> None:
    if on is None:
        return
    try:
        not_future(on, what, field)
    except CaseworkError as error:
        raise DisagreementError(error.message, field=error.field) from None


def not_before(later: date | None, earlier: date | None, what: str, than: str,
                field: str) -> None:
    if later is not None and earlier is not None and later < earlier:
        raise DisagreementError(f"The {what} must be the same as or after the {than} "
                                f"({long_date(earlier)}).", field=field)


def _locked(item: Disagreement) -> Disagreement:
    return Disagreement.objects.select_for_update(of=("self",)).select_related(
        "child", "request", "plan").get(pk=item.pk)


def _apply(item: Disagreement, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set the values that differ; return {field: [before, after]} as JSON-ready text."""
    changed: dict[str, list[Any]] = {}
    for name, value in values.items():
        before = getattr(item, name)
        if before != value:
            changed[name] = [_json(before), _json(value)]
            setattr(item, name, value)
    if changed:
        item.save(update_fields=[*changed, "updated_at"])
    return changed


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@transaction.atomic
def disagreement_open(
    *, child: Child, kind: str, decision: str, decision_notice_date: date, started_on: date,
    by: Actor, request: AssessmentRequest | None = None, plan: EHCPlan | None = None,
    sections: frozenset[str] = frozenset(), grounds: str = "",
    notice_sent_on: date | None = None,
) -> Disagreement:
    """Record a mediation asked for, or an appeal the Tribunal registered.

    Mediation: the family must contact the mediation adviser within 2 months of the notice
    (reg 33); a later start is recorded (the adviser may still act) but shown as late on the
    page. Appeal: CFA 2014 s.51 lets the family appeal a refusal to assess or to issue, a
    decision to cease, or the plan's sections B, F or I (`law.appealable`); one appeal per
    decision letter.
    """
    if kind not in Kind.values or decision not in Decision.values:
        raise DisagreementError("Choose the kind of disagreement and the decision disputed.",
                                field="decision")
    if (request is not None and request.child_id != child.pk) or (
            plan is not None and plan.child_id != child.pk):
        raise DisagreementError("The request or plan belongs to another child.")
    chosen = frozenset(law.Section(s) for s in sections)
    if kind == Kind.APPEAL and decision != Decision.OTHER and not law.appealable(
            law.DisputedDecision(decision), chosen):
        raise DisagreementError("An appeal about what the plan says must be about section B, "
                                "F or I.", field="sections")
    _check_date(decision_notice_date, "date of the decision letter", "decision_notice_date")
    _check_date(started_on, "start date", "started_on")
    _check_date(notice_sent_on, "date the notice of appeal was sent", "notice_sent_on")
    not_before(started_on, decision_notice_date, "start date", "decision letter",
                "started_on")
    not_before(notice_sent_on, started_on, "date the notice of appeal was sent",
                "date the appeal was registered", "notice_sent_on")
    same = Disagreement.objects.filter(child=child, kind=kind, decision=decision,
                                       decision_notice_date=decision_notice_date)
    if same.exists():
        raise AlreadyRecorded(f"This {Kind(kind).label.lower()} is already recorded.")
    try:
        with transaction.atomic():
            item = Disagreement.objects.create(
                child=child, request=request, plan=plan, kind=kind, decision=decision,
                section_b=law.Section.B in chosen, section_f=law.Section.F in chosen,
                section_i=law.Section.I in chosen, decision_notice_date=decision_notice_date,
                started_on=started_on, grounds=grounds.strip()[:300],
                notice_sent_on=notice_sent_on if kind == Kind.APPEAL else None)
    except IntegrityError:
        raise AlreadyRecorded(f"This {Kind(kind).label.lower()} is already recorded.") from None
    label = Decision(decision).label.lower()
    changes: dict[str, Any] = {"decision": decision,
                               "decision_notice_date": decision_notice_date.isoformat()}
    if kind == Kind.MEDIATION:
        changes["mediation_due"] = law.mediation_deadline(started_on).isoformat()
        description = f"Mediation asked for about the {label}"
        action = EventAction.MEDIATION_STARTED
    else:
        changes["appeal_deadline"] = clock.appeal_deadline(decision_notice_date).isoformat()
        if notice_sent_on:
            changes["response_due"] = law.response_due(notice_sent_on).isoformat()
        description = f"Appeal registered by the Tribunal about the {label}"
        action = EventAction.APPEAL_REGISTERED
    _event(item, action=action, description=description, on=started_on, by=by,
           changes=changes)
    return item


def disagreement_record(
    *, child: Child, kind: str, stage: str, decision_notice_date: date, started_on: date,
    by: Actor, request: AssessmentRequest | None = None,
) -> Disagreement:
    """Record mediation or an appeal in the old vocabulary (kind mediation/tribunal; stage).

    Kept for callers written against `casework.services.disagreement_record`; new code calls
    `disagreement_open`.
    """
    if kind not in _LEGACY_KIND or stage not in _LEGACY_STAGE:
        raise DisagreementError("Choose the kind of disagreement and the decision disputed.")
    decision = _LEGACY_STAGE[stage]
    if decision == Decision.PLAN_CONTENT and request is not None and request.outcome == "no_plan":
        decision = Decision.REFUSE_ISSUE
    return disagreement_open(child=child, kind=_LEGACY_KIND[kind], decision=decision,
                             decision_notice_date=decision_notice_date, started_on=started_on,
                             by=by, request=request)


@transaction.atomic
def mediation_update(
    *, mediation: Disagreement, by: Actor, certificate_on: date | None,
    mediation_on: date | None, outcome: str, concluded_on: date | None = None,
) -> Disagreement:
    """Record the certificate, the mediation held and its outcome (regs 34-42).

    Outcomes that end the mediation conclude it on the later of the certificate and the
    mediation (or `concluded_on` when given). Nothing changed, nothing written.
    """
    item = _locked(mediation)
    if item.kind != Kind.MEDIATION:
        raise DisagreementError("This is not a mediation.")
    if outcome and outcome not in MediationOutcome.values:
        raise DisagreementError("Choose the outcome of the mediation.", field="outcome")
    for day, what, field in ((certificate_on, "certificate date", "certificate_on"),
                             (mediation_on, "date of the mediation", "mediation_on"),
                             (concluded_on, "date it ended", "concluded_on")):
        _check_date(day, what, field)
        not_before(day, item.started_on, what, "date mediation was asked for", field)
    if outcome == MediationOutcome.DECLINED and mediation_on is not None:
        raise DisagreementError("A family that chose not to mediate has no mediation date.",
                                field="mediation_on")
    if outcome in (MediationOutcome.AGREED, MediationOutcome.PARTLY_AGREED,
                   MediationOutcome.NOT_AGREED) and mediation_on is None:
        raise DisagreementError("Enter the date the mediation was held.", field="mediation_on")
    if outcome in (MediationOutcome.DECLINED, MediationOutcome.NOT_AGREED) and (
            certificate_on is None):
        raise DisagreementError("Enter the date the mediation certificate was issued.",
                                field="certificate_on")
    ended = concluded_on
    if outcome and ended is None:
        ended = max(d for d in (certificate_on, mediation_on, item.started_on) if d)
    changed = _apply(item, {"certificate_on": certificate_on, "mediation_on": mediation_on,
                            "mediation_outcome": outcome,
                            "concluded_on": ended if outcome else None})
    if changed:
        on = ended or mediation_on or certificate_on or item.started_on
        text = (f"Mediation: {MediationOutcome(outcome).label.lower()}" if outcome
                else "Mediation updated")
        _event(item, action=EventAction.MEDIATION_UPDATED, description=text, on=on, by=by,
               changes=changed)
    return item


@transaction.atomic
def appeal_update(
    *, appeal: Disagreement, by: Actor, notice_sent_on: date | None,
    response_sent_on: date | None, unopposed_on: date | None, hearing_on: date | None,
    outcome: str, concluded_on: date | None, cost: Decimal | None, grounds: str | None = None,
) -> Disagreement:
    """Record the appeal's steps: notice sent, response (rule 21), hearing, outcome, cost.

    A conceded appeal is one the council told the Tribunal it will not oppose (reg 45), so
    it needs that date; any outcome needs the date the appeal ended.
    """
    item = _locked(appeal)
    if item.kind != Kind.APPEAL:
        raise DisagreementError("This is not an appeal.")
    if outcome and outcome not in AppealOutcome.values:
        raise DisagreementError("Choose the outcome of the appeal.", field="outcome")
    steps = ((notice_sent_on, "date the notice of appeal was sent", "notice_sent_on"),
             (response_sent_on, "date the response was sent", "response_sent_on"),
             (unopposed_on, "date the council said it would not oppose", "unopposed_on"),
             (hearing_on, "hearing date", "hearing_on"),
             (concluded_on, "date the appeal ended", "concluded_on"))
    for day, what, field in steps:
        _check_date(day, what, field)
        not_before(day, item.started_on, what, "date the appeal was registered", field)
    not_before(response_sent_on, notice_sent_on, "date the response was sent",
                "date the notice of appeal was sent", "response_sent_on")
    not_before(concluded_on, hearing_on, "date the appeal ended", "hearing date",
                "concluded_on")
    if outcome and concluded_on is None:
        raise DisagreementError("Enter the date the appeal ended.", field="concluded_on")
    if concluded_on is not None and not outcome:
        raise DisagreementError("Choose the outcome of the appeal.", field="outcome")
    if outcome == AppealOutcome.CONCEDED and unopposed_on is None:
        raise DisagreementError("Enter the date the council told the Tribunal it would not "
                                "oppose the appeal.", field="unopposed_on")
    if cost is not None and not (Decimal(0) <= cost <= MAX_COST):
        raise DisagreementError(f"The cost must be between £0 and £{MAX_COST:,}.", field="cost")
    values: dict[str, Any] = {
        "notice_sent_on": notice_sent_on, "response_sent_on": response_sent_on,
        "unopposed_on": unopposed_on, "hearing_on": hearing_on, "appeal_outcome": outcome,
        "concluded_on": concluded_on,
        "cost": cost.quantize(Decimal("0.01")) if cost is not None else None}
    if grounds is not None:
        values["grounds"] = grounds.strip()[:300]
    changed = _apply(item, values)
    if changed:
        on = concluded_on or hearing_on or response_sent_on or unopposed_on or (
            notice_sent_on or item.started_on)
        text = (f"Appeal ended: {AppealOutcome(outcome).label.lower()}" if outcome
                else "Appeal updated")
        if "response_sent_on" in changed and not outcome:
            text = "Council's response to the appeal sent"
        _event(item, action=EventAction.APPEAL_UPDATED, description=text, on=on, by=by,
               changes=changed)
    return item


@transaction.atomic
def order_record(*, appeal: Disagreement, kind: str, made_on: date, by: Actor,
                 unopposed: bool = False) -> TribunalOrder:
    """Record an order of the Tribunal (or an action agreed by not opposing), with its deadline.

    The deadline is `law.order_due`: reg 44(2) from the order, reg 45 from the council's
    notice. One order of each kind per appeal; a second of the same kind is "already recorded".
    """
    item = _locked(appeal)
    if item.kind != Kind.APPEAL:
        raise DisagreementError("Orders belong to an appeal.")
    if kind not in OrderKind.values:
        raise DisagreementError("Choose what the Tribunal ordered.", field="kind")
    _check_date(made_on, "date of the order", "made_on")
    not_before(made_on, item.started_on, "date of the order",
                "date the appeal was registered", "made_on")
    if item.orders.filter(kind=kind).exists():
        raise AlreadyRecorded("This order is already recorded.")
    due = law.order_due(law.OrderKind(kind), made_on, unopposed=unopposed)
    order = TribunalOrder.objects.create(appeal=item, kind=kind, made_on=made_on,
                                         unopposed=unopposed, due_on=due)
    _event(item, action=EventAction.TRIBUNAL_ORDER, on=made_on, by=by,
           description=f"Tribunal order: {OrderKind(kind).label.lower()} by {long_date(due)}",
           changes={"kind": kind, "made_on": made_on.isoformat(), "due_on": due.isoformat(),
                    "unopposed": unopposed})
    return order


@transaction.atomic
def order_comply(*, order: TribunalOrder, complied_on: date | None, by: Actor) -> TribunalOrder:
    """Record the day the council complied with an order (or clear a wrong date)."""
    order = TribunalOrder.objects.select_for_update(of=("self",)).select_related(
        "appeal__child", "appeal__request", "appeal__plan").get(pk=order.pk)
    _check_date(complied_on, "date the council complied", "complied_on")
    not_before(complied_on, order.made_on, "date the council complied", "date of the order",
                "complied_on")
    if order.complied_on == complied_on:
        return order
    before = order.complied_on
    order.complied_on = complied_on
    order.save(update_fields=["complied_on", "updated_at"])
    status = ("" if complied_on is None else
              " (in time)" if complied_on <= order.due_on else " (late)")
    _event(order.appeal, action=EventAction.TRIBUNAL_ORDER_COMPLIED,
           on=complied_on or order.made_on,
           by=by, description=f"Complied with the order to {order.get_kind_display().lower()}"
                              f"{status}",
           changes={"kind": order.kind, "complied_on": [_json(before), _json(complied_on)],
                    "due_on": order.due_on.isoformat()})
    return order
