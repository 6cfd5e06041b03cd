"""The authentication backend: Django's ModelBackend, but the signed-in person of every request is loaded with
what every page asks of them (their office, roles and headships) in one query.

Django's get_user() (django.contrib.auth) still does everything else: it reads the session, checks the session's
hash against the password (and the fallback secrets), and flushes a session that no longer verifies."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from .models import User, signed_in_users


class PersonBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            user = signed_in_users().get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
