"""Values every page needs: the service and authority names."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def service(request: HttpRequest) -> dict[str, Any]:
    return {
        "service_name": settings.EHCFLOW_SERVICE_NAME,
        "authority_name": settings.EHCFLOW_AUTHORITY_NAME,
        "oidc_enabled": settings.OIDC_ENABLED,
    }
