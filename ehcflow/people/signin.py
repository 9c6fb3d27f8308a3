"""Sign-in helpers: the client's address for throttling, and when a session must end.

Kept apart from the middleware and backends so each rule is one small typed function.
"""

from __future__ import annotations

import ipaddress
import time
from datetime import date

from django.conf import settings
from django.http import HttpRequest

from ehcflow.people.models import StaffMember, User

SIGNED_IN_AT = "ehcflow_signed_in_at"


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The address the council's outermost proxy saw the request come from.

    With `EHCFLOW_PROXY_COUNT` = N trusted reverse proxies, each appending the address it
    received from to X-Forwarded-For, the client is the N-th entry from the right; anything
    further left was written by the client and is ignored, so it cannot pick someone else's
    address. With N = 0 (no proxy), X-Forwarded-For is ignored entirely. A header shorter
    than N did not come through all the proxies: the direct peer is used instead.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = int(getattr(settings, "EHCFLOW_PROXY_COUNT", 0))
    if count > 0:
        hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= count:
            found = _address(hops[-count])
            if found is not None:
                return found
    return _address(remote) or remote or None


def account_usable(user: User, today: date) -> bool:
    """Whether an account may sign in or keep a session: enabled and not a leaver.

    A leaver's account stops the day after their end date (their last working day) with no
    job to run: every sign-in and every request checks the date.
    """
    if not user.is_active:
        return False
    try:
        staff: StaffMember = user.staff  # type: ignore[attr-defined]
    except StaffMember.DoesNotExist:
        return True
    return not staff.has_left(today)


def mark_signed_in(request: HttpRequest) -> None:
    request.session[SIGNED_IN_AT] = int(time.time())


def session_too_old(request: HttpRequest, now: float | None = None) -> bool:
    """Past the absolute maximum lifetime (`EHCFLOW_SESSION_MAX_HOURS`) whatever the activity.

    A session with no sign-in time predates this rule or was not made by signing in: ended.
    """
    started = request.session.get(SIGNED_IN_AT)
    if not isinstance(started, int):
        return True
    now = time.time() if now is None else now
    return now - started > settings.SESSION_MAX_AGE.total_seconds()


def on_signed_in(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    """`user_logged_in` receiver: record when the session began."""
    if request is not None and hasattr(request, "session"):
        mark_signed_in(request)
