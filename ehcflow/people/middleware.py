"""End a session at its next request when the account may no longer be used.

Three reasons, checked on every request so that nothing depends on a job being run:
the account was disabled, the staff member's end date has passed (a leaver), or the session
is older than the absolute maximum (`EHCFLOW_SESSION_MAX_HOURS`, issue 9, finding 12),
however active it has been; the 30-minute idle limit is the session cookie's own age.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from ehcflow.people.signin import account_usable, session_too_old

log = logging.getLogger(__name__)


class AccountSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and not user.is_authenticated and SESSION_KEY in request.session:
            # The backend no longer finds the user (disabled or left): drop the session too.
            logout(request)
        elif user is not None and user.is_authenticated:
            if session_too_old(request):
                reason = "session reached its maximum lifetime"
            elif not account_usable(user, timezone.localdate()):  # type: ignore[arg-type]
                reason = "account disabled or past its end date"
            else:
                reason = ""
            if reason:
                # An opaque id, never a name (no personal data in logs).
                log.warning("session ended for user %s: %s", user.pk, reason)
                logout(request)
        return self.get_response(request)
