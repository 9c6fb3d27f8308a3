"""Password sign-in that refuses disabled accounts and leavers (issue 9, finding 4)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.utils import timezone

from ehcflow.people.signin import account_usable


class AccountBackend(ModelBackend):
    """Django's model backend; a leaver's password stops working after their end date.

    `user_can_authenticate` is also what `get_user` asks on every request, so an open session
    of a leaver or a disabled account no longer finds its user.
    """

    def user_can_authenticate(self, user: Any) -> bool:
        return account_usable(user, timezone.localdate())
