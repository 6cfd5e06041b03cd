"""A person whom an administrator required to change their password is sent to the password change page on
every request until they have changed it (they may still sign out)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse

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
