"""The plan pages: drafting, versions, consultation, final, differences, quality assurance.

Thin: selectors read, services write, `plans.access` decides. Every page that shows a plan is
written to the access log; a plan the user may not see answers 404, like a guessed URL.

Longer than 500 lines on purpose: one thin view per page of the plan document (sections,
versions, consultation, final, audits), sharing the access check and the revision handling.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from ehcflow.casework.access import visible_requests
from ehcflow.casework.audit import record_access
from ehcflow.casework.models import AnnualReview, AssessmentRequest, RecordAccess
from ehcflow.casework.services import Actor, CaseworkError
from ehcflow.people.access import staff_of
from ehcflow.plans import access, quality, selectors, services
from ehcflow.plans import content as pc
from ehcflow.plans import forms as f
from ehcflow.plans.models import (
    AdviceContent,
    AuditSample,
    PlanAudit,
    PlanDocument,
    PlanResponse,
    PlanVersion,
    VersionStatus,
)

log = logging.getLogger(__name__)


def _actor(http_request: HttpRequest) -> Actor:
    return Actor(user=http_request.user if http_request.user.is_authenticated
                 else None)  # type: ignore[arg-type]


def _refuse(http_request: HttpRequest, page: str, case: AssessmentRequest | None) -> None:
    if case is not None:
        record_access(http_request, RecordAccess.Kind.REFUSED, page=page, case=case)
    log.warning("refused plan page %s for user %s", page, http_request.user.pk)


def _document(http_request: HttpRequest, public_id: uuid.UUID, page: str) -> PlanDocument:
    """The plan document, if this user may see it; otherwise 404 (and the attempt logged)."""
    document = (PlanDocument.objects.select_related("child", "request", "plan")
                .filter(public_id=public_id).first())
    if document is None:
        raise Http404("No such plan")
    if not access.sees_document(http_request.user, document):
        _refuse(http_request, page, document.request)
        raise Http404("No such plan")
    record_access(http_request, RecordAccess.Kind.VIEW, page=page,
                  child=document.child, case=document.request)
    return document


def _version(document: PlanDocument, number: int | None = None) -> PlanVersion:
    if number is None:
        return selectors.latest_version(document)
    found = document.versions.filter(number=number).first()
    if found is None:
        raise Http404("No such version")
    return found


def _error(form: Any, error: CaseworkError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


# --- Starting ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def for_request(http_request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    """The plan of a request: its document if drafting has started, else the start button."""
    case = (visible_requests(http_request.user).select_related("child")
            .filter(public_id=request_id).first())
    if case is None or not access.may_work_on_plans(http_request.user):
        existing = AssessmentRequest.objects.filter(public_id=request_id).first()
        _refuse(http_request, "plan:start", existing)
        raise Http404("No such request")
    document = selectors.document_for(case)
    if document is not None:
        return redirect("plans:document", document.public_id)
    record_access(http_request, RecordAccess.Kind.VIEW, page="plan:start", case=case)
    refusal = None
    if http_request.method == "POST":
        try:
            document = services.document_start(request=case, by=_actor(http_request))
        except CaseworkError as error:
            refusal = error.message
        else:
            messages.success(http_request, "Drafting of the plan has started.")
            return redirect("plans:document", document.public_id)
    return render(http_request, "plans/start.html", {"case": case, "refusal": refusal})


# --- The document -------------------------------------------------------------------------


@login_required
def document(http_request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    """Versions, the latest version's sections with the checks, and what can be done next."""
    doc = _document(http_request, document_id, "plan")
    version = _version(doc)
    content = selectors.plan_content(version)
    findings = pc.all_findings(content, final=version.consultation_started_on is not None)
    reviews_to_amend = []
    if doc.plan is not None and version.status == VersionStatus.FINAL:
        reviews_to_amend = list(AnnualReview.objects.filter(
            plan=doc.plan, outcome="amend", amended_final_date__isnull=True).exclude(
            pk__in=doc.versions.exclude(review=None).values("review_id")))
    context = {
        "doc": doc, "case": doc.request, "version": version, "content": content,
        "versions": list(selectors.versions(doc)), "findings": findings,
        "findings_by_section": _by_section(findings),
        "sections": _section_rows(content),
        "reviews_to_amend": reviews_to_amend, "today": timezone.localdate(),
        # The responses of this round of consultation, whichever version of it they were on.
        "responses": list(PlanResponse.objects.filter(
            version__document=doc, version__review=version.review,
            version__consultation_started_on=version.consultation_started_on,
        ).select_related("version")) if version.consultation_started_on else [],
    }
    return render(http_request, "plans/document.html", context)


def _by_section(findings: list[pc.Finding]) -> dict[str, list[pc.Finding]]:
    grouped: dict[str, list[pc.Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.section, []).append(finding)
    return grouped


def _section_rows(content: pc.PlanContent) -> list[dict[str, Any]]:
    lines = pc.section_lines(content)
    return [{"letter": s, "title": pc.SECTION_TITLES[s], "lines": lines[s],
             "empty": pc.section_is_empty(content, s)} for s in pc.ALL_SECTIONS]


@login_required
def version_detail(http_request: HttpRequest, document_id: uuid.UUID,
                   number: int) -> HttpResponse:
    """One version, whole, as it was kept."""
    doc = _document(http_request, document_id, "plan:version")
    version = _version(doc, number)
    content = selectors.plan_content(version)
    return render(http_request, "plans/version.html", {
        "doc": doc, "case": doc.request, "version": version, "content": content,
        "sections": _section_rows(content), "responses": list(version.responses.all()),
    })


@login_required
def diff(http_request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    """Differences between two versions: by default the latest and the one before it."""
    doc = _document(http_request, document_id, "plan:diff")
    numbers = list(doc.versions.order_by("number").values_list("number", flat=True))
    try:
        newer_n = int(http_request.GET.get("to") or numbers[-1])
        older_n = int(http_request.GET.get("from") or (newer_n - 1))
    except ValueError as error:
        raise Http404("No such version") from error
    if len(numbers) < 2:
        return render(http_request, "plans/diff.html", {"doc": doc, "case": doc.request,
                                                        "only_one": True})
    older, newer = _version(doc, older_n), _version(doc, newer_n)
    return render(http_request, "plans/diff.html", {
        "doc": doc, "case": doc.request, "older": older, "newer": newer, "numbers": numbers,
        "sections": selectors.version_diff(older, newer),
    })


# --- Drafting one section ---------------------------------------------------------------------


SECTION_FORMS = {"A": f.ViewsForm, "B": f.NeedForm, "C": f.NeedForm, "D": f.NeedForm,
                 "E": f.OutcomeForm, "F": f.ProvisionForm, "G": f.ProvisionForm,
                 "H1": f.ProvisionForm, "H2": f.ProvisionForm, "I": f.PlacementForm,
                 "J": f.BudgetForm}


def _link_choices(content: pc.PlanContent) -> dict[str, list[tuple[str, str]]]:
    def short(text: str) -> str:
        return text if len(text) <= 80 else text[:77] + "..."

    return {
        "needs": [(n.key, f"{n.key} (section {n.section}): {short(n.text)}")
                  for n in content.needs],
        "outcomes": [(o.key, f"{o.key}: {short(o.text)}") for o in content.outcomes],
    }


def _section_form(letter: str, version: PlanVersion, content: pc.PlanContent,
                  key: str | None, data: Any = None) -> Any:
    """The form for a section, filled with the item being changed (or empty to add one)."""
    cls = SECTION_FORMS[letter]
    initial: dict[str, Any] = {"revision": version.revision}
    kwargs: dict[str, Any] = {}
    links = _link_choices(content)
    if cls is f.ViewsForm:
        kwargs["paragraphs"] = [p.text for p in content.views]
    elif cls is f.NeedForm:
        initial["section"] = letter
        need = content.need(key) if key else None
        if need is not None:
            initial.update(section=need.section, text=need.text, area=need.area)
    elif cls is f.OutcomeForm:
        kwargs["needs"] = links["needs"]
        outcome = content.outcome(key) if key else None
        if outcome is not None:
            initial.update(text=outcome.text, steps="\n".join(outcome.steps),
                           by_when=outcome.by_when, need_keys=list(outcome.need_keys))
    elif cls is f.ProvisionForm:
        kwargs["needs"], kwargs["outcomes"] = links["needs"], links["outcomes"]
        initial["section"] = letter
        item = next((p for p in content.provision if p.key == key), None) if key else None
        if item is not None:
            initial.update(section=item.section, what=item.what, how_often=item.how_often,
                           amount=item.amount, by_whom=item.by_whom,
                           from_when=item.from_when, need_keys=list(item.need_keys),
                           outcome_keys=list(item.outcome_keys))
    elif cls is f.PlacementForm and content.placement is not None:
        pl = content.placement
        initial.update(setting_type=pl.setting_type, name=pl.name, urn=pl.urn, note=pl.note)
    elif cls is f.BudgetForm and content.personal_budget is not None:
        pb = content.personal_budget
        initial.update(description=pb.description, amount=pb.amount,
                       arrangement=pb.arrangement)
    return cls(data, initial=initial, **kwargs)


def _save_section(letter: str, form: Any, version: PlanVersion, key: str | None,
                  by: Actor) -> PlanVersion:
    d = form.cleaned_data
    common = {"version": version, "expected_revision": d["revision"], "by": by}
    if letter == "A":
        return services.views_save(texts=form.texts(), **common)
    if letter in pc.NEED_SECTIONS:
        return services.need_save(key=key, section=d["section"], text=d["text"],
                                  area=d["area"], **common)
    if letter == "E":
        return services.outcome_save(key=key, text=d["text"], steps=form.step_list(),
                                     by_when=d["by_when"], need_keys=d["need_keys"], **common)
    if letter in pc.PROVISION_SECTIONS:
        return services.provision_save(
            key=key, section=d["section"], what=d["what"], how_often=d["how_often"],
            amount=d["amount"], by_whom=d["by_whom"], from_when=d["from_when"],
            need_keys=d["need_keys"], outcome_keys=d["outcome_keys"], **common)
    if letter == "I":
        return services.placement_save(setting_type=d["setting_type"], name=d["name"],
                                       urn=d["urn"], note=d["note"], **common)
    return services.budget_save(description=d["description"], amount=d["amount"],
                                arrangement=d["arrangement"], **common)


def _section_items(letter: str, content: pc.PlanContent) -> list[Any]:
    if letter in pc.NEED_SECTIONS:
        return [{"key": n.key, "text": n.text, "source": n.source,
                 "outcomes": [o.key for o in pc.outcomes_for(content, n.key)],
                 "provision": [p.key for p in pc.provision_for(content, n.key)]}
                for n in content.needs_in(letter)]
    if letter == "E":
        return [{"key": o.key, "text": o.text, "source": o.source, "steps": o.steps,
                 "by_when": o.by_when, "needs": o.need_keys} for o in content.outcomes]
    if letter in pc.PROVISION_SECTIONS:
        return [{"key": p.key, "text": p.what, "source": p.source, "spec": p,
                 "needs": p.need_keys} for p in content.provision_in(letter)]
    return []


@login_required
@require_http_methods(["GET", "POST"])
def section(http_request: HttpRequest, document_id: uuid.UUID, letter: str) -> HttpResponse:
    """Draft one section: the submitted advice beside it, paragraphs pulled in with their
    source, the items with their golden-thread links, and a form to add or change one."""
    if letter not in pc.ALL_SECTIONS:
        raise Http404("No such section")
    doc = _document(http_request, document_id, f"plan:section:{letter}")
    version = _version(doc)
    content = selectors.plan_content(version)
    key = http_request.GET.get("change") or http_request.POST.get("key") or None
    editable = version.status == VersionStatus.DRAFT and letter != "K"
    form = _section_form(letter, version, content, key) if editable else None
    stale = False
    if http_request.method == "POST":
        if not editable:
            raise PermissionDenied
        form = _section_form(letter, version, content, key, http_request.POST)
        if form.is_valid():
            try:
                _save_section(letter, form, version, key, _actor(http_request))
            except CaseworkError as error:
                stale = error.field == "revision"
                _error(form, error)
            else:
                messages.success(http_request, f"{pc.SECTION_TITLES[letter]} saved.")
                return redirect("plans:section", doc.public_id, letter)
    advice = selectors.advice_by_section(doc.request).get(letter, [])
    views = selectors.family_views(doc.request) if letter == "A" else None
    return render(http_request, "plans/section.html", {
        "doc": doc, "case": doc.request, "version": version, "content": content,
        "letter": letter, "title": pc.SECTION_TITLES[letter], "form": form, "key": key,
        "editable": editable, "stale": stale, "advice": advice, "family_views": views,
        "items": _section_items(letter, content),
        "lines": pc.section_lines(content)[letter],
        "findings": [x for x in pc.all_findings(content) if x.section == letter],
        "criteria": quality.CRITERIA[letter],
        "targets": _targets(letter),
    })


def _targets(letter: str) -> list[tuple[str, str]]:
    """Where a paragraph of advice written for `letter` may go."""
    if letter in ("H1", "H2"):
        return [(letter, pc.SECTION_TITLES[letter])]
    return [(letter, pc.SECTION_TITLES[letter])] if letter in pc.ALL_SECTIONS else []


@login_required
@require_POST
def pull(http_request: HttpRequest, document_id: uuid.UUID, letter: str) -> HttpResponse:
    """Pull one paragraph of advice, or the family's views, into a section."""
    doc = _document(http_request, document_id, f"plan:pull:{letter}")
    version = _version(doc)
    try:
        revision = int(http_request.POST.get("revision", ""))
    except ValueError as error:
        raise Http404("No such revision") from error
    try:
        if http_request.POST.get("family") and letter == "A":
            services.pull_family_views(version=version, expected_revision=revision,
                                       by=_actor(http_request))
        else:
            stored = AdviceContent.objects.filter(
                public_id=uuid.UUID(http_request.POST.get("advice", "")),
                advice__request=doc.request).select_related("advice").first()
            if stored is None:
                raise Http404("No such advice")
            services.pull_advice_paragraph(
                version=version, expected_revision=revision, by=_actor(http_request),
                advice_content=stored, advice_section=http_request.POST.get("from", ""),
                index=int(http_request.POST.get("index", "-1") or -1), into_section=letter)
    except CaseworkError as error:
        messages.error(http_request, error.message)
    except ValueError as error:
        raise Http404("No such paragraph") from error
    else:
        messages.success(http_request, "Added to the plan, with its source.")
    return redirect("plans:section", doc.public_id, letter)


@login_required
@require_POST
def remove(http_request: HttpRequest, document_id: uuid.UUID, letter: str) -> HttpResponse:
    doc = _document(http_request, document_id, f"plan:remove:{letter}")
    version = _version(doc)
    try:
        services.item_remove(version=version, by=_actor(http_request),
                             expected_revision=int(http_request.POST.get("revision", "0")),
                             key=http_request.POST.get("key", ""))
    except CaseworkError as error:
        messages.error(http_request, error.message)
    except ValueError as error:
        raise Http404("No such revision") from error
    else:
        messages.success(http_request, "Removed from the plan.")
    return redirect("plans:section", doc.public_id, letter)


# --- Versions: consultation, responses, new version, final, amendment ---------------------------


def _step_page(http_request: HttpRequest, doc: PlanDocument, version: PlanVersion,
               form: Any, title: str, intro: str, **extra: Any) -> HttpResponse:
    return render(http_request, "plans/step.html", {
        "doc": doc, "case": doc.request, "version": version, "form": form, "title": title,
        "intro": intro, **extra})


@login_required
@require_http_methods(["GET", "POST"])
def consultation(http_request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    doc = _document(http_request, document_id, "plan:consultation")
    version = _version(doc)
    initial = {"revision": version.revision, "on": timezone.localdate()}
    form = f.DateForm(http_request.POST or None, initial=initial)
    if http_request.method == "POST" and form.is_valid():
        try:
            services.consultation_start(version=version, on=form.cleaned_data["on"],
                                        expected_revision=form.cleaned_data["revision"],
                                        by=_actor(http_request))
        except CaseworkError as error:
            _error(form, error)
        else:
            messages.success(http_request, "The draft has been sent for consultation.")
            return redirect("plans:document", doc.public_id)
    intro = ("The parent or young person has 15 days to comment, counting the day it is sent. "
             "The version sent is kept exactly as it is.")
    return _step_page(http_request, doc, version, form, "Send the draft for consultation", intro)


@login_required
@require_http_methods(["GET", "POST"])
def response(http_request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    doc = _document(http_request, document_id, "plan:response")
    version = _version(doc)
    form = f.ResponseForm(http_request.POST or None,
                          initial={"received_on": timezone.localdate()})
    if http_request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.response_record(version=version, kind=d["kind"],
                                     received_on=d["received_on"], text=d["text"],
                                     from_whom=d["from_whom"], school_agrees=d["school_agrees"],
                                     by=_actor(http_request))
        except CaseworkError as error:
            _error(form, error)
        else:
            messages.success(http_request, "The response has been recorded.")
            return redirect("plans:document", doc.public_id)
    return _step_page(http_request, doc, version, form, "Record a response",
                      "Record the parent's or young person's comments, or a consulted "
                      "school's answer.")


@login_required
@require_POST
def revise(http_request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    doc = _document(http_request, document_id, "plan:revise")
    try:
        new = services.version_revise(version=_version(doc), by=_actor(http_request))
    except CaseworkError as error:
        messages.error(http_request, error.message)
    else:
        messages.success(http_request, f"Version {new.number} started.")
    return redirect("plans:document", doc.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def final(http_request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    doc = _document(http_request, document_id, "plan:final")
    version = _version(doc)
    content = selectors.plan_content(version)
    form = f.FinalForm(http_request.POST or None,
                       initial={"revision": version.revision, "on": timezone.localdate()})
    if http_request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.version_make_final(version=version, on=d["on"], reason=d["reason"],
                                        expected_revision=d["revision"],
                                        by=_actor(http_request))
        except CaseworkError as error:
            _error(form, error)
        else:
            messages.success(http_request, "The plan is final. This version is now locked.")
            return redirect("plans:document", doc.public_id)
    return _step_page(http_request, doc, version, form, "Make the plan final",
                      "A final version is locked: it is never changed again.",
                      findings=pc.all_findings(content, final=True))


@login_required
@require_POST
def amend(http_request: HttpRequest, document_id: uuid.UUID,
          review_id: uuid.UUID) -> HttpResponse:
    doc = _document(http_request, document_id, "plan:amend")
    review = AnnualReview.objects.filter(public_id=review_id, plan=doc.plan).first()
    if review is None or doc.plan is None:
        raise Http404("No such review")
    try:
        services.amendment_start(review=review, by=_actor(http_request))
    except CaseworkError as error:
        messages.error(http_request, error.message)
    else:
        messages.success(http_request, "An amended version has been started.")
    return redirect("plans:document", doc.public_id)


# --- Quality assurance ------------------------------------------------------------------------


@login_required
def quality_dashboard(http_request: HttpRequest) -> HttpResponse:
    """Grades over time and by section; samples and audits waiting. Counts only."""
    if not access.may_see_quality_dashboard(http_request.user):
        raise PermissionDenied
    auditor = access.may_audit(http_request.user)
    audits = (list(PlanAudit.objects.exclude(status=PlanAudit.Status.MODERATED)
                   .select_related("version__document__request", "auditor", "sample")[:200])
              if auditor else [])
    return render(http_request, "plans/quality.html", {
        "dash": selectors.audit_dashboard(), "auditor": auditor, "audits": audits,
        "samples": list(AuditSample.objects.all()[:12]) if auditor else [],
        "grade_labels": quality.GRADE_LABELS, "grades": quality.GRADES,
    })


@login_required
@require_http_methods(["GET", "POST"])
def quality_sample(http_request: HttpRequest) -> HttpResponse:
    if not access.may_audit(http_request.user):
        raise PermissionDenied
    form = f.SampleForm(http_request.POST or None,
                        initial={"month": timezone.localdate(), "percent": 10})
    if http_request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            sample = services.audit_sample_create(
                month=d["month"], percent=None if d["team"] else d["percent"], team=d["team"],
                by=_actor(http_request))
        except CaseworkError as error:
            _error(form, error)
        else:
            messages.success(http_request, f"{sample.audits.count()} of {sample.population} "
                             "plans chosen for audit.")
            return redirect("plans:quality")
    return render(http_request, "plans/sample.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def audit(http_request: HttpRequest, audit_id: uuid.UUID) -> HttpResponse:
    """Grade a plan, or moderate another auditor's grades."""
    if not access.may_audit(http_request.user):
        raise PermissionDenied
    found = (PlanAudit.objects.select_related("version__document__request",
                                              "version__document__child", "auditor")
             .filter(public_id=audit_id).first())
    if found is None:
        raise Http404("No such audit")
    version = found.version
    doc = version.document
    record_access(http_request, RecordAccess.Kind.VIEW, page="plan:audit", child=doc.child,
                  case=doc.request)
    staff = staff_of(http_request.user)
    assert staff is not None
    moderating = found.status == PlanAudit.Status.GRADED
    form = f.GradeForm(http_request.POST or None, moderating=moderating)
    refusal = None
    if found.status == PlanAudit.Status.MODERATED:
        refusal = "This audit has been moderated."
    elif moderating and found.auditor_id == staff.pk:
        refusal = ("You graded this plan. Moderation must be done by a second auditor.")
    if http_request.method == "POST" and refusal is None and form.is_valid():
        try:
            if moderating:
                services.audit_moderate(audit=found, moderator=staff, grades=form.grades(),
                                        note=form.cleaned_data["note"],
                                        on=timezone.localdate(), by=_actor(http_request))
            else:
                services.audit_grade(audit=found, auditor=staff, grades=form.grades(),
                                     comments=form.comments(), on=timezone.localdate(),
                                     by=_actor(http_request))
        except CaseworkError as error:
            _error(form, error)
        else:
            messages.success(http_request, "Moderation saved." if moderating
                             else "Grades saved.")
            return redirect("plans:quality")
    content = selectors.plan_content(version)
    findings = pc.all_findings(content, final=True)
    return render(http_request, "plans/audit.html", {
        "audit": found, "version": version, "case": doc.request, "content": content,
        "form": form, "moderating": moderating, "refusal": refusal,
        "sections": [{"letter": s, "title": pc.SECTION_TITLES[s],
                      "lines": pc.section_lines(content)[s],
                      "criteria": quality.CRITERIA[s],
                      "findings": [x for x in findings if x.section == s],
                      "grade_field": form[f"grade_{s}"],
                      "comment_field": form[f"comment_{s}"] if not moderating else None,
                      "graded": next((g for g in found.grades.all() if g.section == s), None)}
                     for s in pc.ALL_SECTIONS],
        "grade_labels": quality.GRADE_LABELS,
    })

