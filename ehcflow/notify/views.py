"""Notify's delivery receipts: a JSON POST with the bearer token the council set in Notify.

The only page of this app without a signed-in user, so it proves the caller with a token
compared in constant time, accepts nothing but a known message's Notify id, and answers 404 to
anything else so it reveals nothing.
"""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ehcflow.notify import services
from ehcflow.notify.models import Message


def _authorised(request: HttpRequest) -> bool:
    expected = settings.EHCFLOW_NOTIFY_CALLBACK_TOKEN
    given = request.headers.get("Authorization", "")
    if not expected or not given.startswith("Bearer "):
        return False
    return hmac.compare_digest(given.removeprefix("Bearer ").encode(), expected.encode())


@csrf_exempt  # Notify cannot send a CSRF token: the bearer token stands in for it
@require_POST
def delivery_receipt(request: HttpRequest) -> HttpResponse:
    """Record a delivery receipt; 204 when recorded, 400 for a malformed body."""
    if not _authorised(request):
        raise Http404
    try:
        body = json.loads(request.body)
        notify_id, status = str(body["id"]), str(body["status"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "expected JSON with id and status"}, status=400)
    message = Message.objects.filter(notify_id=notify_id).first()
    if message is None:
        raise Http404
    services.record_status(message, status)
    return HttpResponse(status=204)
