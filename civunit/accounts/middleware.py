"""The signed-in person, loaded with their roles in one query (AuthenticationMiddleware), and a person whom an
administrator required to change their password is sent to the password change page on every request until they
have changed it (they may still sign out)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from .models import User, signed_in_users

# Pages a person who must change their password may still open.
ALLOWED = {"password_change", "password_change_done", "logout", "login", "accounts:password_reset", "healthz"}


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponseBase | None:
        user = getattr(request, "user", None)
        if not (user is not None and user.is_authenticated and getattr(user, "must_change_password", False)):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in ALLOWED:
            return None
        return HttpResponseRedirect(reverse("password_change"))


def _signed_in_user(request: HttpRequest):
    """django.contrib.auth.get_user(), but a session of the model backend loads the person through
    signed_in_users(): the user row, their office, roles and headships in one query, where Django's backend asks
    for the row alone and every page then asks three more times (groups, office, headed offices).

    The session is verified exactly as Django does (the session hash, then the fallback secrets, which cycle the
    key; a session that verifies with neither is flushed); any other backend goes through Django's own get_user().
    """
    try:
        # what django.contrib.auth._get_user_session_key() reads (private to Django)
        user_id = User._meta.pk.to_python(request.session[SESSION_KEY])
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return AnonymousUser()
    backend = auth.load_backend(backend_path)
    if type(backend) is not ModelBackend:
        return auth.get_user(request)
    try:
        user = signed_in_users().get(pk=user_id)
    except User.DoesNotExist:
        return AnonymousUser()
    if not backend.user_can_authenticate(user):
        return AnonymousUser()
    session_hash = request.session.get(HASH_SESSION_KEY)
    session_auth_hash = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, session_auth_hash):
        return user
    if session_hash and any(
        constant_time_compare(session_hash, fallback) for fallback in user.get_session_auth_fallback_hash()
    ):
        request.session.cycle_key()
        request.session[HASH_SESSION_KEY] = session_auth_hash
        return user
    request.session.flush()
    return AnonymousUser()


def _cached_signed_in_user(request: HttpRequest):
    if not hasattr(request, "_cached_user"):
        request._cached_user = _signed_in_user(request)  # type: ignore[attr-defined]  # Django's own cache slot
    return request._cached_user  # type: ignore[attr-defined]


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's (request.user, request.auser), with request.user loaded by _signed_in_user()."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_signed_in_user(request))  # type: ignore[assignment]
