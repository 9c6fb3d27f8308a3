"""Pages of the service that are not a case: the home page and health check."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from ehcflow.casework import selectors
from ehcflow.people.access import Action, may


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The authority's headline position today: the figures of report 000's table 4."""
    today: date = timezone.localdate()
    if hasattr(request.user, "family"):
        return redirect("families:home")  # a parent, carer or young person: their own pages
    if not may(request.user, Action.VIEW):
        # Administrators and families: no casework figures (least privilege).
        return render(request, "web/home.html", {"kpis": None, "today": today})
    kpis = selectors.kpis(as_of=today)
    return render(request, "web/home.html", {"kpis": kpis, "today": today})


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
