"""Move every `casework.Disagreement` row into `disagreements.Disagreement`.

The old table held a kind (mediation or tribunal), a stage (request, assessment, other), the
dates and a free-text outcome. The stage becomes the decision disputed: "request" is a
refusal to assess; "assessment" is a refusal to issue when the request ended without a plan,
otherwise the plan's content; "other" stays other. The outcome texts the demo and the old
pages wrote become their choice; any other text is kept in `outcome_detail`. The old table is
emptied, so nothing still refers to a child through it (its PROTECT would stop a record's
disposal); a later casework migration removes the table. Reversing copies the rows back.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

_MEDIATION_OUTCOMES = {
    "agreement reached at mediation": "agreed",
    "no agreement: mediation certificate issued": "not_agreed",
}
_APPEAL_OUTCOMES = {
    "appeal withdrawn": "withdrawn",
    "appeal conceded by the authority": "conceded",
    "appeal dismissed": "dismissed",
    "appeal allowed": "upheld",
}


def _decision(old: Any) -> str:
    if old.stage == "request":
        return "refuse_assess"
    if old.stage == "assessment":
        request = old.request
        if request is not None and request.outcome == "no_plan":
            return "refuse_issue"
        return "plan_content"
    return "other"


def copy_rows(apps: Any, schema_editor: Any) -> None:
    Old = apps.get_model("casework", "Disagreement")
    New = apps.get_model("disagreements", "Disagreement")
    rows = []
    for old in Old.objects.select_related("request").order_by("pk").iterator(chunk_size=2000):
        appeal = old.kind == "tribunal"
        text = (old.outcome or "").strip()
        known = (_APPEAL_OUTCOMES if appeal else _MEDIATION_OUTCOMES).get(text.lower(), "")
        rows.append(New(
            public_id=old.public_id, child_id=old.child_id, request_id=old.request_id,
            kind="appeal" if appeal else "mediation", decision=_decision(old),
            decision_notice_date=old.decision_notice_date, started_on=old.started_on,
            concluded_on=old.concluded_on,
            appeal_outcome=known if appeal else "",
            mediation_outcome="" if appeal else known,
            certificate_on=(old.concluded_on if not appeal and known == "not_agreed" else None),
            outcome_detail="" if known else text[:200],
            created_at=old.created_at, updated_at=old.updated_at))
    New.objects.bulk_create(rows, batch_size=2000)
    # auto_now fields are set on insert by bulk_create's pre_save: put the old times back.
    for row in rows:
        New.objects.filter(public_id=row.public_id).update(created_at=row.created_at,
                                                           updated_at=row.updated_at)


    Old.objects.all().delete()


_STAGE = {"refuse_assess": "request", "refuse_issue": "assessment",
          "plan_content": "assessment"}
_TEXT = {**{v: k for k, v in _MEDIATION_OUTCOMES.items()},
         **{v: k for k, v in _APPEAL_OUTCOMES.items()}}


def copy_back(apps: Any, schema_editor: Any) -> None:
    Old = apps.get_model("casework", "Disagreement")
    New = apps.get_model("disagreements", "Disagreement")
    for new in New.objects.order_by("pk").iterator(chunk_size=2000):
        code = new.appeal_outcome or new.mediation_outcome
        text = _TEXT.get(code, code.replace("_", " ")) if code else new.outcome_detail
        Old.objects.create(
            public_id=new.public_id, child_id=new.child_id, request_id=new.request_id,
            kind="tribunal" if new.kind == "appeal" else "mediation",
            stage=_STAGE.get(new.decision, "other"),
            decision_notice_date=new.decision_notice_date, started_on=new.started_on,
            concluded_on=new.concluded_on, outcome=(text[:1].upper() + text[1:])[:200])
    New.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("disagreements", "0001_initial"),
        ("casework", "0009_chain_constraints"),
    ]

    operations = [migrations.RunPython(copy_rows, copy_back)]
