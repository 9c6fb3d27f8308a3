"""Single sign-on with the council's Microsoft Entra ID over OpenID Connect.

mozilla-django-oidc does the protocol (authorisation code flow, nonce, signature check against
the provider's JWKS). This backend adds the council's rules (issue 9, finding 11; decision
0009):

- an account must already exist: access is granted by the SEND service's administrator,
  never by the identity provider alone;
- the ID token must be for this application (audience), from the council's own tenant (`tid`
  equal to the pinned `EHCFLOW_OIDC_TENANT`) and issued by that tenant (`iss`);
- the account is matched on the immutable object id and tenant (`oid` + `tid`) taken from the
  signed ID token, which an administrator recorded on the account beforehand. E-mail,
  `preferred_username` and `upn` are never used: they can be edited, re-used, or asserted
  for any address by another tenant, the known route to cross-tenant takeover;
- a disabled account or a leaver is refused.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db.models import QuerySet
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from ehcflow.people.models import User
from ehcflow.people.services import GUID
from ehcflow.people.signin import account_usable

log = logging.getLogger(__name__)


def token_identity(claims: dict[str, Any]) -> tuple[str, str] | None:
    """(oid, tid) from ID token claims, lower-case, if both are GUIDs; else None."""
    oid, tid = claims.get("oid"), claims.get("tid")
    if not isinstance(oid, str) or not isinstance(tid, str):
        return None
    oid, tid = oid.strip().lower(), tid.strip().lower()
    if not GUID.match(oid) or not GUID.match(tid):
        return None
    return oid, tid


class CouncilOIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The library checks signature and nonce; audience, issuer and tenant are checked here."""
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The sign-in token was not issued for this application.")
        if payload.get("iss") != settings.OIDC_OP_ISSUER:
            raise SuspiciousOperation("The sign-in token was not issued by the council's tenant.")
        identity = token_identity(payload)
        if identity is None or identity[1] != settings.OIDC_TENANT_ID:
            raise SuspiciousOperation("The sign-in token is not from the council's tenant.")
        return payload

    def get_userinfo(self, access_token: str, id_token: str,
                     payload: dict[str, Any]) -> dict[str, Any]:
        """The claims of the verified ID token, not the userinfo endpoint.

        Microsoft Graph's userinfo carries neither `oid` nor `tid`, and is not signed.
        """
        return payload

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return token_identity(claims) is not None

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        identity = token_identity(claims)
        if identity is None or identity[1] != settings.OIDC_TENANT_ID:
            return User.objects.none()
        oid, tid = identity
        return User.objects.filter(entra_object_id=oid, entra_tenant_id=tid, is_active=True)

    def describe_user_by_claims(self, claims: dict[str, Any]) -> str:
        # The library logs this; an object id is opaque, an e-mail address is personal data.
        identity = token_identity(claims)
        return f"object id {identity[0]}" if identity else "no object id"

    def update_user(self, user: User, claims: dict[str, Any]) -> User | None:
        """Nothing is copied from the token; a leaver is refused even with a valid token."""
        if not account_usable(user, timezone.localdate()):
            log.warning("single sign-on refused for user %s: account not usable", user.pk)
            return None
        return user

    def get_user(self, user_id: Any) -> User | None:
        user: User | None = super().get_user(user_id)
        if user is None or not account_usable(user, timezone.localdate()):
            return None
        return user
