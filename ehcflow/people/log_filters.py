"""Logging filters: a refused page is one line of warning, never a traceback.

Django logs every `PermissionDenied` on the `django.request` logger with the exception
attached, so each 403 wrote a full traceback (issue 9, finding 12): noise that buries real
faults, and a traceback's frames can carry values from the request. A refusal is expected
behaviour; the one-line message Django writes ("Forbidden (Permission denied): /path/") is
kept, the path holding only opaque identifiers (no personal data in URLs).
"""

from __future__ import annotations

import logging


class RefusalWithoutTraceback(logging.Filter):
    """Strip the traceback from 403 records on `django.request` (and `django.security`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403 or record.name.startswith(
                "django.security"):
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
