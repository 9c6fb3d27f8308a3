"""Every write to a plan document, its contributions and its audits.

One function per step, one transaction, one case event (`casework.services.record_event`).
The statutory steps a plan version goes through are the casework ones: sending a version for
consultation issues the draft (`request_issue_draft`, which starts the 15-day comment period
of reg 13(1)(a)); the parent's comments are recorded with `request_record_comments`; making
the first version final issues the final plan (`request_issue_final`, which refuses a final
plan inside the comment period); making an amended version final issues the amended plan
(`reviews.services.review_issue_amended_plan`). So the dates the SEN2 return and the
dashboards read are the same whether the officer works from the request page or the plan.

Editing is optimistic (decision 0019): every edit carries the `revision` the page was loaded
with; a save against a newer revision is refused and the officer's text is shown back.

Longer than 500 lines on purpose: every write on a plan document, section by section, shares
one locking and revision rule (`version_edit`) and one event writer; split, each part would
have to reach back for them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from django.db import transaction

from ehcflow.casework import choices as c
from ehcflow.casework import services as casework
from ehcflow.casework.events import EventAction
from ehcflow.casework.models import (
    AdviceRequest,
    AnnualReview,
    AssessmentRequest,
    EHCPlan,
    Institution,
)
from ehcflow.casework.services import Actor, CaseworkError, NamedSetting, record_event
from ehcflow.people.models import StaffMember, Team
from ehcflow.plans import content as pc
from ehcflow.plans import quality
from ehcflow.plans.models import (
    AdviceContent,
    AuditSample,
    FamilyViews,
    Grade,
    PlanAudit,
    PlanDocument,
    PlanResponse,
    PlanVersion,
    ResponseKind,
    SectionGrade,
    VersionStatus,
)
from ehcflow.reviews import services as reviews
from ehcflow.statutory import clock, dates

# Sections an adviser may write to: needs and provision (B to H). "H" is social care
# provision before the officer decides whether it falls under H1 or H2.
ADVICE_SECTIONS: tuple[str, ...] = ("B", "C", "D", "E", "F", "G", "H", "H1", "H2")


class PlanError(CaseworkError):
    """A plan step that is not allowed now; the message says why, for the user."""



def paragraphs(text: str) -> list[str]:
    """Paragraphs of submitted text: separated by blank lines, trimmed, empty ones dropped."""
    blocks = text.replace("\r\n", "\n").split("\n\n")
    return [" ".join(b.split()) for b in blocks if b.strip()]


def advice_label(advice: AdviceRequest) -> str:
    """How a piece of advice is named in the plan, e.g. "Educational psychology advice"."""
    return f"{c.AdviserType(advice.adviser_type).label} advice"


def advice_source(advice: AdviceRequest, submitted_on: date | None) -> pc.Source:
    return pc.Source("advice", advice_label(advice), str(advice.public_id), submitted_on)


def family_source(views: FamilyViews) -> pc.Source:
    return pc.Source("family", "Views of the child and family", str(views.public_id),
                     views.submitted_on)


# --- Contributions: advice and family views -------------------------------------------------


@transaction.atomic
def advice_submit(
    *, advice: AdviceRequest, sections: Mapping[str, str], by: Actor
) -> AdviceContent:
    """Store the advice an adviser submitted, by plan section (reg 6(1); reg 12(1)(k)).

    `sections` maps section letters B to H (also H1, H2) to text; paragraphs are separated by
    a blank line. Submitting again replaces the text. The first submission also records the
    advice as received today (`casework.services.advice_record_received`), so the 6-week
    measure of reg 8(1) counts it. Refused: an unknown section letter, no text at all.
    """
    advice = AdviceRequest.objects.select_for_update().get(pk=advice.pk)
    cleaned: dict[str, str] = {}
    for letter, text in sections.items():
        key = letter.strip().upper()
        if key not in ADVICE_SECTIONS:
            raise PlanError(f"Advice can only be given for sections B to H, not {letter!r}.",
                            field="sections")
        if text and text.strip():
            cleaned[key] = text.strip()
    if not cleaned:
        raise PlanError("Enter the advice for at least one section.", field="sections")
    today = clock.today()
    if advice.received_on is None:
        casework.advice_record_received(advice=advice, received_on=today, by=by)
    existing = AdviceContent.objects.filter(advice=advice).first()
    if existing is None:
        stored = AdviceContent.objects.create(
            advice=advice, sections=cleaned, submitted_on=today, submitted_by=by.user,
            submitted_by_name=by.label,
        )
        action, description = "advice_submitted", f"{advice_label(advice)} submitted"
    else:
        existing.sections, existing.submitted_on = cleaned, today
        existing.submitted_by, existing.submitted_by_name = by.user, by.label
        existing.save()
        stored = existing
        action, description = "advice_resubmitted", f"{advice_label(advice)} submitted again"
    request = advice.request
    record_event(
        child=request.child, request=request, action=action, on=today, by=by,
        description=description,
        changes={"advice": str(advice.public_id), "sections": sorted(cleaned)},
    )
    return stored


@transaction.atomic
def family_views_submit(*, request: AssessmentRequest, text: str, by: Actor) -> FamilyViews:
    """Store the views, interests and aspirations of the child and family (reg 12(1)(a)).

    They become section A. Sending them again replaces the earlier text.
    """
    if not text or not text.strip():
        raise PlanError("Enter your views.", field="text")
    today = clock.today()
    views, created = FamilyViews.objects.select_for_update().get_or_create(
        request=request,
        defaults={"text": text.strip(), "submitted_on": today, "submitted_by": by.user,
                  "submitted_by_name": by.label},
    )
    if not created:
        views.text, views.submitted_on = text.strip(), today
        views.submitted_by, views.submitted_by_name = by.user, by.label
        views.save()
    record_event(
        child=request.child, request=request,
        action=EventAction.FAMILY_VIEWS_SUBMITTED if created else "family_views_resubmitted",
        on=today, by=by,
        description=("Views of the child and family received" if created
                     else "Views of the child and family received again"),
    )
    return views


# --- Section K and A from the contributions --------------------------------------------------


def appendices_for(request: AssessmentRequest | None) -> tuple[pc.Appendix, ...]:
    """Section K: every piece of advice received for the assessment, and the family's views,
    each with its date (reg 12(1)(k)), oldest first."""
    if request is None:
        return ()
    items: list[pc.Appendix] = []
    advice_qs = request.advice_requests.filter(received_on__isnull=False).select_related(
        "adviser", "content")
    for advice in advice_qs:
        stored = getattr(advice, "content", None)
        dated = stored.submitted_on if stored is not None else advice.received_on
        provider = advice.adviser_organisation or (advice.adviser.name if advice.adviser else "")
        items.append(pc.Appendix(advice_label(advice), provider or "Not recorded", dated,
                                 str(advice.public_id)))
    views = FamilyViews.objects.filter(request=request).first()
    if views is not None:
        items.append(pc.Appendix("Views of the child and family", "The child and family",
                                 views.submitted_on, str(views.public_id)))
    return tuple(sorted(items, key=lambda a: (a.dated or date.min, a.title)))


def with_section_k(content: pc.PlanContent, document: PlanDocument) -> pc.PlanContent:
    """Keep section K equal to the advice received; amended plans keep their own list plus
    anything new."""
    auto = appendices_for(document.request)
    known = {a.ref for a in auto if a.ref}
    kept = tuple(a for a in content.appendices if not a.ref or a.ref not in known)
    return replace(content, appendices=tuple(sorted(
        (*kept, *auto), key=lambda a: (a.dated or date.min, a.title))))


def _initial_content(document: PlanDocument) -> pc.PlanContent:
    """A new plan: section A from the family's views, section K from the advice."""
    views: tuple[pc.Paragraph, ...] = ()
    if document.request is not None:
        fv = FamilyViews.objects.filter(request=document.request).first()
        if fv is not None:
            views = tuple(pc.Paragraph(p, family_source(fv)) for p in paragraphs(fv.text))
    return with_section_k(pc.PlanContent(views=views), document)


# --- Documents and versions -------------------------------------------------------------------


def _version_event(version: PlanVersion, *, action: str, description: str, by: Actor,
                   on: date | None = None, reason: str = "",
                   changes: Mapping[str, Any] | None = None) -> None:
    document = version.document
    record_event(
        child=document.child, request=document.request, plan=document.plan, action=action,
        on=on or clock.today(), by=by, description=description, reason=reason,
        changes={"version": version.number, **(changes or {})},
    )


@transaction.atomic
def document_start(*, request: AssessmentRequest, by: Actor) -> PlanDocument:
    """Start drafting the plan for a request: version 1, a draft.

    Allowed once the authority has decided to assess (the advice it gathers is what the plan
    is written from), and not after deciding not to issue a plan or closing the request.
    """
    request = AssessmentRequest.objects.select_for_update().get(pk=request.pk)
    if PlanDocument.objects.filter(request=request).exists():
        raise PlanError("Drafting of this plan has already started.")
    if request.decision != c.Decision.ASSESS:
        raise PlanError("The plan can be drafted once the authority has decided to assess.")
    if request.outcome == c.Outcome.NO_PLAN or request.stage in (c.Stage.CLOSED,
                                                                  c.Stage.NOT_ASSESSED):
        raise PlanError("No plan is being drafted for this request.")
    document = PlanDocument.objects.create(child=request.child, request=request,
                                           plan=getattr(request, "plan", None))
    version = PlanVersion.objects.create(
        document=document, number=1, body=pc.to_dict(_initial_content(document)),
        created_by_name=by.label,
    )
    _version_event(version, action=EventAction.PLAN_DRAFTING_STARTED,
                   description="Drafting of the EHC plan started", by=by)
    return document


def _locked_version(version: PlanVersion, expected_revision: int | None) -> PlanVersion:
    """The version, locked for update, after the stale-page and frozen-version checks."""
    locked = PlanVersion.objects.select_for_update(of=("self",)).select_related(
        "document", "document__request", "document__child", "document__plan").get(pk=version.pk)
    if expected_revision is not None and locked.revision != expected_revision:
        raise PlanError(
            "Someone else changed this plan while you were working on it. Your changes have "
            "not been saved: they are shown below. Read their change, then save yours again.",
            field="revision",
        )
    return locked


def _latest(document: PlanDocument) -> PlanVersion:
    return PlanVersion.objects.filter(document=document).order_by("-number").first()  # type: ignore[return-value]


def _editable(version: PlanVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise PlanError(
            "This version has been sent out and cannot be changed. Start a new version to "
            "make changes." if version.status == VersionStatus.CONSULTATION
            else "This version is final and cannot be changed."
        )
    if _latest(version.document).pk != version.pk:
        raise PlanError("Only the latest version of the plan can be changed.")


@transaction.atomic
def version_edit(
    *, version: PlanVersion, expected_revision: int | None, by: Actor,
    change: Callable[[pc.PlanContent], pc.PlanContent], description: str,
    section: str = "",
) -> PlanVersion:
    """Apply one change to a draft version: the building block of the editing services.

    `change` is a pure function from the content to the new content; it may raise `PlanError`.
    Section K is kept equal to the advice received.
    """
    version = _locked_version(version, expected_revision)
    _editable(version)
    before = pc.from_dict(version.body)
    after = with_section_k(change(before), version.document)
    version.body = pc.to_dict(after)
    version.revision += 1
    version.save(update_fields=["body", "revision", "updated_at"])
    _version_event(version, action=EventAction.PLAN_EDITED, description=description, by=by,
                   changes={"section": section, "revision": version.revision})
    return version


def _check_links(content: pc.PlanContent, need_keys: Sequence[str],
                 outcome_keys: Sequence[str] = ()) -> None:
    known_needs = {n.key for n in content.needs}
    known_outcomes = {o.key for o in content.outcomes}
    for k in need_keys:
        if k not in known_needs:
            raise PlanError(f"There is no need {k} in this plan.", field="need_keys")
    for k in outcome_keys:
        if k not in known_outcomes:
            raise PlanError(f"There is no outcome {k} in this plan.", field="outcome_keys")


def pull_advice_paragraph(
    *, version: PlanVersion, expected_revision: int | None, by: Actor,
    advice_content: AdviceContent, advice_section: str, index: int, into_section: str,
) -> PlanVersion:
    """Copy one paragraph of submitted advice into the plan, keeping the advice as its source.

    Into B, C or D it becomes a need; into E an outcome (steps to be added); into F, G, H1 or
    H2 provision (to be specified); into A a paragraph.
    """
    given = paragraphs(advice_content.sections.get(advice_section, ""))
    if not 0 <= index < len(given):
        raise PlanError("That paragraph of the advice was not found.")
    text = given[index]
    source = advice_source(advice_content.advice, advice_content.submitted_on)
    if version.document.request_id != advice_content.advice.request_id:
        raise PlanError("That advice was not given for this plan.")

    def change(content: pc.PlanContent) -> pc.PlanContent:
        if into_section in pc.NEED_SECTIONS:
            key = pc.next_key("N", (n.key for n in content.needs))
            return replace(content, needs=(*content.needs,
                                           pc.Need(key, into_section, text, source)))
        if into_section == "E":
            key = pc.next_key("O", (o.key for o in content.outcomes))
            return replace(content, outcomes=(*content.outcomes, pc.Outcome(key, text,
                                                                             source=source)))
        if into_section in pc.PROVISION_SECTIONS:
            key = pc.next_key("P", (p.key for p in content.provision))
            return replace(content, provision=(*content.provision,
                                               pc.Provision(key, into_section, text,
                                                            source=source)))
        if into_section == "A":
            return replace(content, views=(*content.views, pc.Paragraph(text, source)))
        raise PlanError("Choose the section to put the paragraph in.", field="into_section")

    return version_edit(version=version, expected_revision=expected_revision, by=by,
                        change=change, section=into_section,
                        description=f"Advice added to section {into_section} of the draft plan")


def pull_family_views(*, version: PlanVersion, expected_revision: int | None,
                      by: Actor) -> PlanVersion:
    """Put the family's latest views into section A, replacing earlier paragraphs from them."""
    request = version.document.request
    fv = FamilyViews.objects.filter(request=request).first() if request else None
    if fv is None:
        raise PlanError("The family's views have not been received yet.")
    theirs = tuple(pc.Paragraph(p, family_source(fv)) for p in paragraphs(fv.text))

    def change(content: pc.PlanContent) -> pc.PlanContent:
        others = tuple(p for p in content.views if not (p.source and p.source.kind == "family"))
        return replace(content, views=(*theirs, *others))

    return version_edit(version=version, expected_revision=expected_revision, by=by,
                        change=change, section="A",
                        description="Family's views put into section A of the draft plan")


def views_save(*, version: PlanVersion, expected_revision: int | None, by: Actor,
               texts: Sequence[str]) -> PlanVersion:
    """Set the text of section A's paragraphs, in order; each keeps its source, an empty text
    removes the paragraph, and any text beyond the existing ones is added as the officer's."""

    def change(content: pc.PlanContent) -> pc.PlanContent:
        kept: list[pc.Paragraph] = []
        for i, text in enumerate(texts):
            clean = text.strip()
            if not clean:
                continue
            old = content.views[i] if i < len(content.views) else None
            # An edited paragraph keeps its source: the words still come from the family or
            # the adviser, tidied by the officer.
            source = old.source if old else pc.Source("officer", "Case officer")
            kept.append(pc.Paragraph(clean, source, old.heading if old else ""))
        return replace(content, views=tuple(kept))

    return version_edit(version=version, expected_revision=expected_revision, by=by,
                        change=change, section="A",
                        description="Section A of the draft plan changed")


def need_save(*, version: PlanVersion, expected_revision: int | None, by: Actor,
              key: str | None, section: str, text: str, area: str = "") -> PlanVersion:
    """Add a need to B, C or D (key None) or change one; a changed need keeps its source."""
    if section not in pc.NEED_SECTIONS:
        raise PlanError("Choose section B, C or D.", field="section")
    if not text.strip():
        raise PlanError("Describe the need.", field="text")

    def change(content: pc.PlanContent) -> pc.PlanContent:
        if key is None:
            new_key = pc.next_key("N", (n.key for n in content.needs))
            need = pc.Need(new_key, section, text.strip(), pc.Source("officer", "Case officer"),
                           area.strip())
            return replace(content, needs=(*content.needs, need))
        old = content.need(key)
        if old is None:
            raise PlanError("That need is no longer in the plan.")
        return replace(content, needs=tuple(
            replace(n, section=section, text=text.strip(), area=area.strip())
            if n.key == key else n for n in content.needs))

    return version_edit(version=version, expected_revision=expected_revision, by=by,
                        change=change, section=section,
                        description=f"Need {'added to' if key is None else 'changed in'} "
                                    f"section {section} of the draft plan")


def outcome_save(*, version: PlanVersion, expected_revision: int | None, by: Actor,
                 key: str | None, text: str, steps: Sequence[str], by_when: str,
                 need_keys: Sequence[str]) -> PlanVersion:
    """Add an outcome to section E (key None) or change one, with its steps and needs."""
    if not text.strip():
        raise PlanError("Describe the outcome.", field="text")
    clean_steps = tuple(s.strip() for s in steps if s.strip())

    def change(content: pc.PlanContent) -> pc.PlanContent:
        _check_links(content, need_keys)
        if key is None:
            new_key = pc.next_key("O", (o.key for o in content.outcomes))
            outcome = pc.Outcome(new_key, text.strip(), clean_steps, by_when.strip(),
                                 tuple(need_keys), pc.Source("officer", "Case officer"))
            return replace(content, outcomes=(*content.outcomes, outcome))
        if content.outcome(key) is None:
            raise PlanError("That outcome is no longer in the plan.")
        return replace(content, outcomes=tuple(
            replace(o, text=text.strip(), steps=clean_steps, by_when=by_when.strip(),
                    need_keys=tuple(need_keys)) if o.key == key else o
            for o in content.outcomes))

    return version_edit(version=version, expected_revision=expected_revision, by=by,
                        change=change, section="E",
                        description=f"Outcome {'added to' if key is None else 'changed in'} "
                                    "section E of the draft plan")


def provision_save(*, version: PlanVersion, expected_revision: int | None, by: Actor,
                   key: str | None, section: str, what: str, how_often: str, amount: str,
                   by_whom: str, from_when: date | None, need_keys: Sequence[str],
                   outcome_keys: Sequence[str] = ()) -> PlanVersion:
    """Add provision to F, G, H1 or H2 (key None) or change it, with the needs it meets."""
    if section not in pc.PROVISION_SECTIONS:
        raise PlanError("Choose section F, G, H1 or H2.", field="section")
    if not what.strip():
        raise PlanError("Describe the provision.", field="what")

    def change(content: pc.PlanContent) -> pc.PlanContent:
        _check_links(content, need_keys, outcome_keys)
        fields = {"section": section, "what": what.strip(), "how_often": how_often.strip(),
                  "amount": amount.strip(), "by_whom": by_whom.strip(), "from_when": from_when,
                  "need_keys": tuple(need_keys), "outcome_keys": tuple(outcome_keys)}
        if key is None:
            new_key = pc.next_key("P", (p.key for p in content.provision))
            item = pc.Provision(new_key, source=pc.Source("officer", "Case officer"),
                                **fields)  # type: ignore[arg-type]
            return replace(content, provision=(*content.provision, item))
        if not any(p.key == key for p in content.provision):
            raise PlanError("That provision is no longer in the plan.")
        return replace(content, provision=tuple(
            replace(p, **fields) if p.key == key else p  # type: ignore[arg-type]
            for p in content.provision))

    return version_edit(version=version, expected_revision=expected_revision, by=by,
                        change=change, section=section,
                        description=f"Provision {'added to' if key is None else 'changed in'} "
                                    f"section {section} of the draft plan")


def item_remove(*, version: PlanVersion, expected_revision: int | None, by: Actor,
                key: str) -> PlanVersion:
    """Remove a need, outcome or provision, and every link to it."""

    def change(content: pc.PlanContent) -> pc.PlanContent:
        if not (content.need(key) or content.outcome(key)
                or any(p.key == key for p in content.provision)):
            raise PlanError("That item is no longer in the plan.")
        return replace(
            content,
            needs=tuple(n for n in content.needs if n.key != key),
            outcomes=tuple(replace(o, need_keys=tuple(k for k in o.need_keys if k != key))
                           for o in content.outcomes if o.key != key),
            provision=tuple(
                replace(p, need_keys=tuple(k for k in p.need_keys if k != key),
                        outcome_keys=tuple(k for k in p.outcome_keys if k != key))
                for p in content.provision if p.key != key),
        )

    return version_edit(version=version, expected_revision=expected_revision, by=by,
                        change=change, description=f"Item {key} removed from the draft plan")


def placement_save(*, version: PlanVersion, expected_revision: int | None, by: Actor,
                   setting_type: str, name: str = "", urn: str = "",
                   note: str = "") -> PlanVersion:
    """Section I: the type of school or setting and, in a final plan, its name."""

    def change(content: pc.PlanContent) -> pc.PlanContent:
        if not setting_type.strip():
            return replace(content, placement=None)
        return replace(content, placement=pc.Placement(setting_type.strip(), name.strip(),
                                                       urn.strip(), note.strip()))

    return version_edit(version=version, expected_revision=expected_revision, by=by,
                        change=change, section="I",
                        description="Section I of the draft plan changed")


def budget_save(*, version: PlanVersion, expected_revision: int | None, by: Actor,
                description: str, amount: str = "", arrangement: str = "",
                outcome_keys: Sequence[str] = ()) -> PlanVersion:
    """Section J: the personal budget, or none (an empty description)."""

    def change(content: pc.PlanContent) -> pc.PlanContent:
        _check_links(content, (), outcome_keys)
        if not description.strip():
            return replace(content, personal_budget=None)
        return replace(content, personal_budget=pc.PersonalBudget(
            description.strip(), amount.strip(), arrangement.strip(), tuple(outcome_keys)))

    return version_edit(version=version, expected_revision=expected_revision, by=by,
                        change=change, section="J",
                        description="Section J of the draft plan changed")


# --- Consultation, final, amendment -----------------------------------------------------------


def _share_with_family(version: PlanVersion, *, by: Actor) -> None:
    # Imported here: sharing renders through the selectors, which use this module's helpers.
    from ehcflow.plans.sharing import share_when_committed

    share_when_committed(version, by=by)


@transaction.atomic
def consultation_start(*, version: PlanVersion, expected_revision: int | None, on: date,
                       by: Actor) -> PlanVersion:
    """Send a draft version for consultation; from then it is kept exactly as sent.

    For a first plan this issues the draft plan (`request_issue_draft`), which starts the
    parent's or young person's 15 days (reg 13(1)(a)); if the draft was already recorded as
    issued from the request page, that date is used. For an amended plan the proposals start
    the 15 days of reg 22(2)(c). A draft may not name a school (reg 14(1)).
    """
    version = _locked_version(version, expected_revision)
    _editable(version)
    content = pc.from_dict(version.body)
    if content.placement is not None and content.placement.name:
        raise PlanError(
            "A draft plan must not name a school or other setting (reg 14(1)). In section I, "
            "give only the type of setting until the plan is made final.", field="placement")
    empty = pc.empty_mandatory_sections(content)
    if empty:
        raise PlanError("Before the draft goes out, fill in: " + "; ".join(
            pc.SECTION_TITLES[f.section] for f in empty) + ".")
    if version.consultation_started_on is not None:
        raise PlanError("This round of consultation has already started.")
    document = version.document
    if version.is_amendment:
        assert version.review is not None
        started = on
        casework.not_future(on, "date the proposed amendments were sent", "on")
        casework.not_before(on, version.review.decision_date, "draft amended plan",
                             "review decision", "on")
        due = clock.amendment_comment_period_ends(on)
        if version.review.draft_amended_date is None:
            # The date the draft amended plan went out: SEN2 reports it (ReviewDraft) and
            # nothing else records it; this step's case event carries it.
            AnnualReview.objects.filter(pk=version.review.pk).update(draft_amended_date=on)
    else:
        request = document.request
        assert request is not None
        if request.draft_date is None:
            request = casework.request_issue_draft(request=request, on=on, by=by)
        assert request.draft_date is not None
        started = request.draft_date
        due = clock.comment_period_ends(started)
    version.status = VersionStatus.CONSULTATION
    version.consultation_started_on, version.comments_due_on = started, due
    version.body = pc.to_dict(with_section_k(content, document))
    version.revision += 1
    version.save()
    _version_event(version, action=EventAction.PLAN_CONSULTATION_STARTED, on=started, by=by,
                   description=f"{version.status_label}: version {version.number} sent",
                   changes={"comments_due_on": due.isoformat(),
                            "amendment": version.is_amendment})
    _share_with_family(version, by=by)
    return version


@transaction.atomic
def response_record(*, version: PlanVersion, kind: str, received_on: date, text: str,
                    by: Actor, from_whom: str = "",
                    school_agrees: bool | None = None) -> PlanResponse:
    """Record the parent's or young person's comments, or a consulted school's answer.

    The first comments on a first plan are also recorded on the request
    (`request_record_comments`), which lets the final plan come before the 15 days end.
    """
    version = PlanVersion.objects.select_for_update(of=("self",)).select_related(
        "document__request").get(pk=version.pk)
    if version.consultation_started_on is None or version.status == VersionStatus.FINAL:
        raise PlanError("Responses are recorded while the plan is out for consultation.")
    if kind not in ResponseKind.values:
        raise PlanError("Choose who the response is from.", field="kind")
    if not text.strip():
        raise PlanError("Enter what they said.", field="text")
    if kind == ResponseKind.SCHOOL and not from_whom.strip():
        raise PlanError("Enter the name of the school or college.", field="from_whom")
    if kind == ResponseKind.SCHOOL and school_agrees is None:
        raise PlanError("Say whether the school or college agrees to be named.",
                        field="school_agrees")
    if received_on < version.consultation_started_on:
        raise PlanError("The response cannot be before the plan was sent "
                        f"({dates.long_date(version.consultation_started_on)}).",
                        field="received_on")
    casework.not_future(received_on, "date the response was received", "received_on")
    request = version.document.request
    if (kind != ResponseKind.SCHOOL and not version.is_amendment and request is not None
            and request.comments_received_date is None
            and request.stage == c.Stage.DRAFT_ISSUED):
        casework.request_record_comments(request=request, on=received_on, by=by)
    response = PlanResponse.objects.create(
        version=version, kind=kind, from_whom=from_whom.strip(), received_on=received_on,
        text=text.strip(), school_agrees=school_agrees if kind == ResponseKind.SCHOOL else None,
        recorded_by_name=by.label,
    )
    _version_event(version, action=EventAction.PLAN_RESPONSE_RECORDED, on=received_on, by=by,
                   description=f"{ResponseKind(kind).label} on the draft plan recorded")
    return response


@transaction.atomic
def version_revise(*, version: PlanVersion, by: Actor) -> PlanVersion:
    """Start a new draft from the latest version, to change it after comments.

    The new draft belongs to the same consultation: its 15 days and its responses stay.
    """
    version = _locked_version(version, None)
    if _latest(version.document).pk != version.pk:
        raise PlanError("Only the latest version of the plan can be revised.")
    if version.status != VersionStatus.CONSULTATION:
        raise PlanError("A new version is started from a version out for consultation.")
    new = PlanVersion.objects.create(
        document=version.document, number=version.number + 1, review=version.review,
        based_on=version, body=version.body, consultation_started_on=(
            version.consultation_started_on), comments_due_on=version.comments_due_on,
        created_by_name=by.label,
    )
    _version_event(new, action=EventAction.PLAN_VERSION_STARTED, by=by,
                   description=f"Version {new.number} of the plan started after consultation")
    return new


def _setting_for(placement: pc.Placement | None) -> list[NamedSetting] | None:
    if placement is None or not placement.urn:
        return None
    institution = Institution.objects.filter(urn=placement.urn).first()
    return [NamedSetting(institution=institution)] if institution else None


@transaction.atomic
def version_make_final(*, version: PlanVersion, expected_revision: int | None, on: date,
                       by: Actor, reason: str = "") -> PlanVersion:
    """Make a version final and lock it for good.

    Refused before the plan has been out for consultation, and, unless `reason` records why,
    when a mandatory section is empty, provision is not specified, a need has no provision
    or an outcome no steps (`content.all_findings`). A first plan is issued through
    `request_issue_final` (which keeps to the 15 days of reg 13(1)(a)); an amended plan
    through `review_issue_amended_plan` after its own 15 days (reg 22(2)(c)).
    """
    version = _locked_version(version, expected_revision)
    if version.status == VersionStatus.FINAL:
        raise PlanError("This version is already final.")
    if _latest(version.document).pk != version.pk:
        raise PlanError("Only the latest version of the plan can be made final.")
    if version.consultation_started_on is None:
        raise PlanError("The draft must go out for consultation before the plan is made final "
                        "(reg 13(1)).")
    document = version.document
    content = with_section_k(pc.from_dict(version.body), document)
    findings = pc.all_findings(content, final=True)
    if findings and not reason.strip():
        raise PlanError(
            "The plan cannot be made final yet: " + " ".join(f.message for f in findings)
            + " Put these right, or record why the plan should be made final as it is.",
            field="reason")
    casework.not_future(on, "date the plan is made final", "on")
    if on < version.consultation_started_on:
        raise PlanError("The final plan cannot be dated before the draft was sent.", field="on")
    if version.is_amendment:
        review = version.review
        assert review is not None
        commented = PlanResponse.objects.filter(
            version__document=document, version__review=review,
            kind__in=[ResponseKind.PARENT, ResponseKind.YOUNG_PERSON]).exists()
        assert version.comments_due_on is not None
        if on <= version.comments_due_on and not commented:
            raise PlanError(
                "The parent or young person has 15 days to comment on the proposed amendments "
                f"(reg 22(2)(c)); that period runs to {dates.long_date(version.comments_due_on)}. "
                "Record their comments first, or wait.", field="on")
        if review.amended_final_date is None:
            reviews.review_issue_amended_plan(review=review, on=on, by=by)
    else:
        request = document.request
        assert request is not None
        if request.final_date is None:
            plan = casework.request_issue_final(
                request=request, on=on, by=by, settings=_setting_for(content.placement))
            document.plan = plan
            document.save(update_fields=["plan"])
        elif document.plan is None:
            document.plan = EHCPlan.objects.filter(request=request).first()
            document.save(update_fields=["plan"])
    version.status = VersionStatus.FINAL
    version.finalised_on = on
    version.final_reason = reason.strip() if findings else ""
    version.body = pc.to_dict(content)
    version.revision += 1
    version.save()
    _version_event(version, action=EventAction.PLAN_MADE_FINAL, on=on, by=by,
                   reason=version.final_reason,
                   description=f"{version.status_label}: version {version.number} locked",
                   changes={"findings": [f.code for f in findings]})
    _share_with_family(version, by=by)
    return version


@transaction.atomic
def amendment_start(*, review: AnnualReview, by: Actor) -> PlanVersion:
    """Start an amended version from the latest final version after a review decides to amend
    (reg 22)."""
    review = AnnualReview.objects.select_related("plan").get(pk=review.pk)
    if review.outcome != c.ReviewOutcome.AMEND:
        raise PlanError("An amended plan follows only a review decision to amend the plan.")
    if review.amended_final_date is not None:
        raise PlanError("The amended plan for this review has already been issued.")
    document = PlanDocument.objects.select_for_update().filter(plan=review.plan).first()
    if document is None:
        document = PlanDocument.objects.create(child=review.plan.child, plan=review.plan,
                                               request=review.plan.request)
    latest = _latest(document) if document.versions.exists() else None
    if latest is not None and latest.status != VersionStatus.FINAL:
        raise PlanError("Finish the version in progress before starting an amendment.")
    if PlanVersion.objects.filter(document=document, review=review).exists():
        raise PlanError("An amended version for this review has already been started.")
    body = latest.body if latest is not None else pc.to_dict(pc.PlanContent())
    version = PlanVersion.objects.create(
        document=document, number=(latest.number + 1) if latest else 1, review=review,
        based_on=latest, body=body, created_by_name=by.label,
    )
    _version_event(version, action=EventAction.PLAN_AMENDMENT_STARTED, by=by,
                   description="Amendment of the EHC plan started after review")
    return version


# --- Quality assurance ------------------------------------------------------------------------


def _month_start(day: date) -> date:
    return day.replace(day=1)


@transaction.atomic
def audit_sample_create(*, month: date, by: Actor, percent: int | None = None,
                        team: Team | None = None, seed: str | None = None) -> AuditSample:
    """Choose final plans made final in a month for audit: `percent` of all, or all of `team`.

    The choice is random but repeatable from the stored seed (`quality.choose_sample`). Plans
    already audited are not chosen again.
    """
    first = _month_start(month)
    last = dates.add_months(first, 1).replace(day=1)
    finals = PlanVersion.objects.filter(status=VersionStatus.FINAL, finalised_on__gte=first,
                                        finalised_on__lt=last).exclude(audits__isnull=False)
    if team is not None:
        rule = AuditSample.Rule.TEAM
        finals = finals.filter(document__request__officer__team=team)
    elif percent is not None and 1 <= percent <= 100:
        rule = AuditSample.Rule.MONTH_PERCENT
    else:
        raise PlanError("Enter a percentage from 1 to 100, or choose a team.", field="percent")
    ids = [str(v) for v in finals.values_list("public_id", flat=True)]
    if not ids:
        raise PlanError(f"No plans made final in {first:%B %Y} are waiting for audit.")
    seed = seed or secrets.token_hex(8)
    chosen = ids if team is not None else quality.choose_sample(
        ids, quality.sample_size(len(ids), percent or 0), seed)
    sample = AuditSample.objects.create(rule=rule, month=first, percent=percent, team=team,
                                        seed=seed, population=len(ids),
                                        created_by_name=by.label)
    for version in PlanVersion.objects.filter(public_id__in=chosen):
        PlanAudit.objects.create(sample=sample, version=version)
    return sample


@transaction.atomic
def audit_grade(*, audit: PlanAudit, auditor: StaffMember, grades: Mapping[str, str],
                comments: Mapping[str, str], on: date, by: Actor) -> PlanAudit:
    """Grade every section of a final plan. The automatic checks cap a faulted section at
    "requires improvement" (`quality.grade_cap`); the findings are kept with the audit."""
    audit = PlanAudit.objects.select_for_update().select_related("version").get(pk=audit.pk)
    if audit.status != PlanAudit.Status.TO_DO:
        raise PlanError("This plan has already been graded.")
    findings = pc.all_findings(pc.from_dict(audit.version.body), final=True)
    for section in pc.ALL_SECTIONS:
        grade = grades.get(section, "")
        if grade not in Grade.values:
            raise PlanError(f"Grade {pc.SECTION_TITLES[section]}.", field=f"grade_{section}")
        cap = quality.grade_cap(section, findings)
        if not quality.best_allowed(grade, cap):
            raise PlanError(f"{pc.SECTION_TITLES[section]} has faults the automatic checks "
                            "found, so it can be graded requires improvement at best.",
                            field=f"grade_{section}")
    for section in pc.ALL_SECTIONS:
        SectionGrade.objects.create(audit=audit, section=section, grade=grades[section],
                                    comment=comments.get(section, "").strip())
    audit.status = PlanAudit.Status.GRADED
    audit.auditor, audit.graded_on = auditor, on
    audit.overall = quality.overall_grade(grades[s] for s in pc.ALL_SECTIONS)
    audit.check_findings = [{"code": f.code, "section": f.section, "key": f.key}
                            for f in findings]
    audit.save()
    _version_event(audit.version, action=EventAction.PLAN_AUDITED, on=on, by=by,
                   description="Plan quality audit graded",
                   changes={"overall": audit.overall})
    return audit


@transaction.atomic
def audit_moderate(*, audit: PlanAudit, moderator: StaffMember, grades: Mapping[str, str],
                   note: str, on: date, by: Actor) -> PlanAudit:
    """A second auditor confirms or changes the grades; the moderated grades then count."""
    audit = PlanAudit.objects.select_for_update().select_related("version").get(pk=audit.pk)
    if audit.status != PlanAudit.Status.GRADED:
        raise PlanError("Only a graded audit awaiting moderation can be moderated.")
    if audit.auditor_id == moderator.pk:
        raise PlanError("Moderation must be done by a second auditor, not the one who graded "
                        "the plan.")
    rows = {g.section: g for g in audit.grades.all()}
    final: list[str] = []
    for section in pc.ALL_SECTIONS:
        grade = grades.get(section) or rows[section].grade
        if grade not in Grade.values:
            raise PlanError(f"Grade {pc.SECTION_TITLES[section]}.", field=f"grade_{section}")
        final.append(grade)
        if grade != rows[section].grade:
            rows[section].moderated_grade = grade
            rows[section].save(update_fields=["moderated_grade"])
    audit.status = PlanAudit.Status.MODERATED
    audit.moderator, audit.moderated_on = moderator, on
    audit.moderated_overall = quality.overall_grade(final)
    audit.moderation_note = note.strip()
    audit.save()
    _version_event(audit.version, action=EventAction.PLAN_AUDIT_MODERATED, on=on, by=by,
                   description="Plan quality audit moderated",
                   changes={"overall": audit.moderated_overall})
    return audit


__all__ = [
    "ADVICE_SECTIONS",
    "PlanError",
    "advice_submit",
    "amendment_start",
    "appendices_for",
    "audit_grade",
    "audit_moderate",
    "audit_sample_create",
    "budget_save",
    "consultation_start",
    "document_start",
    "family_views_submit",
    "item_remove",
    "need_save",
    "outcome_save",
    "placement_save",
    "provision_save",
    "pull_advice_paragraph",
    "pull_family_views",
    "response_record",
    "version_edit",
    "version_make_final",
    "version_revise",
    "views_save",
]
