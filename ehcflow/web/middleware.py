"""Responses that hold personal data must not be kept by browsers or shared caches."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every page except static files.

    A child's record shown on a shared council computer must not come back from the browser's
    cache or history after sign-out, nor be kept by a proxy (ICO, "Security", and NCSC's
    guidance on caching of sensitive pages). Static assets are public and cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.static_prefix = str(settings.STATIC_URL or "/static/")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(self.static_prefix):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response
