"""Single sign-on with the council's Microsoft Entra ID over OpenID Connect.

mozilla-django-oidc does the protocol (authorisation code flow, nonce, signature check against
the provider's JWKS). This backend adds the council's rules: an account must already exist
(access is granted by the SEND service's administrator, never by the identity provider alone),
it is matched on the e-mail address Entra asserts, and the token must be for this application
(its audience) — the library leaves audience unchecked.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db.models import QuerySet
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from ehcflow.people.models import User


def claimed_email(claims: dict[str, Any]) -> str:
    """Entra puts the address in `email`, or in `preferred_username`/`upn` for work accounts."""
    for key in ("email", "preferred_username", "upn"):
        value = claims.get(key)
        if isinstance(value, str) and "@" in value:
            return value.strip().lower()
    return ""


class CouncilOIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claimed_email(claims))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        email = claimed_email(claims)
        if not email:
            return User.objects.none()
        return User.objects.filter(email__iexact=email, is_active=True)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The sign-in token was not issued for this application.")
        return payload
