"""The SEN2 return page: the checks to put right, the return beside the dashboards, and the
download. Thin: the return, the checks and the counts come from selectors, checks and
reconcile; the download goes through services, which checks the role and records it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ehcflow.casework.audit import record_access
from ehcflow.casework.models import RecordAccess
from ehcflow.people.models import User
from ehcflow.sen2 import checks, items, selectors, services, summary

SHOWN = 200


def _allowed(http_request: HttpRequest, page: str) -> None:
    if not services.may_export_return(http_request.user):
        record_access(http_request, RecordAccess.Kind.REFUSED, page=page)
        raise PermissionDenied


def _default_year() -> int:
    """The latest collection whose census day has passed."""
    today = timezone.localdate()
    passed = [y for y, coll in items.COLLECTIONS.items() if coll.census_day <= today]
    return max(passed) if passed else min(items.COLLECTIONS)


def _link(finding: checks.Finding) -> str:
    if finding.request_id:
        return reverse("casework:request", args=[finding.request_id])
    if finding.child_id:
        return reverse("casework:child", args=[finding.child_id])
    return ""


def _page(http_request: HttpRequest, coll: items.Collection, *, error: str = "",
          status: int = 200) -> HttpResponse:
    made = summary.summary(coll)
    findings = made.findings
    context: dict[str, Any] = {
        "collection": coll,
        "collections": list(items.COLLECTIONS.values()),
        "error": error,
        "errors": [f for f in findings if f.severity == checks.ERROR],
        "queries": [f for f in findings if f.severity == checks.QUERY],
        "lines": made.lines,
        "persons": made.persons,
        "requests": made.requests,
        "setup_problems": services.header_problems(selectors.header(coll)),
        "coverage_problem": services.coverage_problem(coll, timezone.localdate()),
        "checks_run": len(checks.CHECKS),
    }
    context["all_equal"] = all(line.equal for line in context["lines"])
    # A long list is shown in part: the first ones to put right, and how many more there are.
    for kind in ("errors", "queries"):
        found = context[kind]
        context[f"{kind}_shown"] = [(f, _link(f)) for f in found[:SHOWN]]
        context[f"{kind}_more"] = max(0, len(found) - SHOWN)
    # The page lists case references of the children in the return: one access-log entry.
    record_access(http_request, RecordAccess.Kind.VIEW, page=f"SEN2 return {coll.year}")
    return render(http_request, "sen2/overview.html", context, status=status)


@never_cache
@login_required
def overview(http_request: HttpRequest) -> HttpResponse:
    _allowed(http_request, "SEN2 return")
    try:
        coll = items.collection(http_request.GET.get("collection") or _default_year())
    except items.UnknownCollection as error:
        return _page(http_request, items.collection(_default_year()), error=str(error),
                     status=400)
    return _page(http_request, coll)


@never_cache
@login_required
@require_POST
def download(http_request: HttpRequest, year: int) -> HttpResponse:
    _allowed(http_request, "SEN2 return download")
    try:
        coll = items.collection(year)
    except items.UnknownCollection:
        raise Http404("No such collection") from None
    user = http_request.user
    assert isinstance(user, User)
    try:
        made = services.download(user, coll.year)
    except services.Sen2Error as error:
        return _page(http_request, coll, error=str(error), status=400)
    response = HttpResponse(made.data, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="SEN2_{coll.year}.xml"'
    response["Cache-Control"] = "no-store"
    return response
