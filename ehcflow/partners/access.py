"""Which kept files a partner may open: the documents sent with advice asked of them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ehcflow.casework.models import AdviceRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from ehcflow.files.models import StoredFile


def partner_may_open(user: AbstractBaseUser | AnonymousUser, stored: StoredFile) -> bool | None:
    """True for a document attached to advice asked of this person or their organisation."""
    from ehcflow.partners.selectors import advice_scope

    return AdviceRequest.objects.filter(advice_scope(user),
                                        partner_attachments__file=stored).exists() or None
