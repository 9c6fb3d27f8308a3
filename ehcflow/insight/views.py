"""The dashboards, the lists behind their figures and the board pack download. Thin views:
`dashboards` builds the pages, `drilldown` the lists, `boardpack` the files; access decides.

Dashboards are for the people who look after the whole service's performance: heads of
service, team managers and analysts (`Action.VIEW_CASELOADS`); the board pack is an export and
needs `Action.EXPORT` too. A list of cases shows only the cases the user may see, and writes
one entry in the access log per list shown.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from ehcflow.casework.models import RecordAccess
from ehcflow.insight import boardpack, dashboards, drilldown, figures
from ehcflow.insight.charts import Chart
from ehcflow.insight.dashboards import Query
from ehcflow.insight.forms import DashboardForm, DrilldownForm
from ehcflow.people.access import Action, may
from ehcflow.people.models import User

log = logging.getLogger(__name__)
PAGE_SIZE = 50


def _require(http_request: HttpRequest, *actions: Action) -> None:
    if not all(may(http_request.user, action) for action in actions):
        log.warning("refused insight page %s for user %s", http_request.path,
                    http_request.user.pk)
        raise PermissionDenied


def _log(http_request: HttpRequest, kind: str, page: str) -> None:
    """One access-log entry for a list or an export (no child: it is about many)."""
    user = http_request.user
    assert isinstance(user, User)
    RecordAccess.objects.create(user=user, kind=kind, page=page[:80])


def _query(http_request: HttpRequest) -> tuple[DashboardForm, Query | None]:
    first = figures.first_request_date()
    form = DashboardForm(http_request.GET, first=first)
    if not form.is_valid() or first is None:
        return form, None
    return form, Query(as_of=form.cleaned_data["as_of"], period_key=form.cleaned_data["period"],
                       first=first)


def _nav(query: Query | None) -> list[dict[str, Any]]:
    params = f"?{urlencode(query.params())}" if query else ""
    return [{"key": key, "label": label, "url": reverse(f"insight:{key}") + params}
            for key, (label, _) in dashboards.BUILDERS.items()]


@login_required
@require_GET
def dashboard(http_request: HttpRequest, key: str = "overview") -> HttpResponse:
    _require(http_request, Action.VIEW_CASELOADS)
    if key not in dashboards.BUILDERS:
        raise Http404("No such dashboard")
    form, query = _query(http_request)
    page = dashboards.build(key, query) if query is not None else None
    context = {
        "form": form, "query": query, "page": page, "current": key, "nav": _nav(query),
        "charts": _chart_urls(key, query, page) if page and query else {},
        "can_export": may(http_request.user, Action.EXPORT),
        "period_choices": list(dashboards.PERIODS.items()),
    }
    return render(http_request, "insight/dashboard.html", context)


CHART_SECONDS = 3600


def _chart_urls(key: str, query: Query, page: dashboards.Page) -> dict[str, str]:
    """Each chart's image address. The chart is drawn by `chart` when the browser asks for it,
    so the page itself never waits for matplotlib; its description is cached under a hash of
    its figures, and the image view rebuilds it from the page if the cache has lost it.
    """
    urls = {}
    for chart in page.all_charts():
        version = hashlib.sha256(repr(chart).encode()).hexdigest()[:24]
        cache.set(f"insight:chart-spec:{version}", chart, CHART_SECONDS)
        params = urlencode({**query.params(), "v": version})
        urls[chart.key] = reverse("insight:chart", args=[key, chart.key]) + f"?{params}"
    return urls


@login_required
@require_GET
def chart(http_request: HttpRequest, key: str, chart_key: str) -> HttpResponse:
    """A dashboard chart as SVG (the same figures as the table beneath it on the page)."""
    _require(http_request, Action.VIEW_CASELOADS)
    if key not in dashboards.BUILDERS:
        raise Http404("No such dashboard")
    version = http_request.GET.get("v", "")[:24]
    svg = cache.get(f"insight:chart-svg:{version}") if version else None
    if svg is None:
        spec = cache.get(f"insight:chart-spec:{version}") if version else None
        if not isinstance(spec, Chart) or spec.key != chart_key:
            _, query = _query(http_request)
            if query is None:
                raise Http404("No figures for that date")
            found = [c for c in dashboards.build(key, query).all_charts() if c.key == chart_key]
            if not found:
                raise Http404("No such chart")
            spec = found[0]
        svg = spec.svg()
        if version:
            cache.set(f"insight:chart-svg:{version}", svg, CHART_SECONDS)
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=600"
    return response


@login_required
@require_GET
def cases(http_request: HttpRequest) -> HttpResponse:
    """The cases behind a figure, as this user may see them; one access-log entry per list."""
    _require(http_request, Action.VIEW_CASELOADS)
    get = http_request.GET
    form = DrilldownForm(get)
    if not form.is_valid():
        # every parameter is checked before any reaches a query (issue 9, finding 9)
        return render(http_request, "insight/cases.html", {"error": form.messages()},
                      status=400)
    data = form.cleaned_data
    measure: str = data["measure"]
    as_of: date = data["as_of"]
    try:
        params = drilldown.Params(
            as_of=as_of, start=data["start"], end=data["end"], on=data["on"],
            extra={k: data[k] for k in (*DrilldownForm.CODES, "year", "team")},
        )
        found = drilldown.resolve(measure, params, http_request.user)
    except drilldown.BadDrilldown as error:
        return render(http_request, "insight/cases.html", {"error": str(error)}, status=400)
    page = Paginator(found.rows, PAGE_SIZE).get_page(get.get("page"))
    _log(http_request, RecordAccess.Kind.VIEW, f"insight:{measure}")
    keep = get.copy()
    keep.pop("page", None)
    context = {
        "list": found, "page_obj": page, "rows": list(page.object_list),
        "visible": page.paginator.count, "as_of": as_of, "query_string": keep.urlencode(),
        "back": reverse("insight:overview") + f"?as_of={as_of.isoformat()}",
    }
    return render(http_request, "insight/cases.html", context)


@login_required
@require_GET
def board_pack(http_request: HttpRequest, fmt: str) -> HttpResponse:
    """The board pack as PDF or Excel, for the as-of date (needs Action.EXPORT too)."""
    _require(http_request, Action.VIEW_CASELOADS, Action.EXPORT)
    if fmt not in boardpack.FORMATS:
        raise Http404("No such format")
    form, query = _query(http_request)
    if query is None:
        context: dict[str, Any] = {"form": form, "query": None, "page": None, "current": "overview",
                   "nav": _nav(None), "charts": {}, "can_export": True,
                   "period_choices": list(dashboards.PERIODS.items())}
        return render(http_request, "insight/dashboard.html", context, status=400)
    content = boardpack.render(boardpack.build(as_of=query.as_of), fmt)
    _log(http_request, RecordAccess.Kind.EXPORT, f"insight:board-pack.{fmt}")
    response = HttpResponse(content, content_type=boardpack.FORMATS[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="board-pack-{query.as_of.isoformat()}.{fmt}"')
    return response
