"""Two small additions to Django's own middleware.

- `LoginRequiredMiddleware`: Django's, plus `expired=1` on the redirect to the login page when the browser sent a
  session cookie that no longer signs anyone in, so the login page says a session expired only when one did (a
  first visit to a link is not told so). The cookie is gone by the time the login page is asked for: Django
  deletes it with the failed session.
- `ErrorPagesMiddleware`: an answer of 405 (a GET on a form's target, say) is an empty page in Django; a person
  gets a Chinese page that says what happened instead, with the `Allow` header kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    def handle_no_permission(self, request: HttpRequest, view_func: Callable[..., Any]) -> HttpResponseRedirect:
        response = super().handle_no_permission(request, view_func)
        if request.COOKIES.get(settings.SESSION_COOKIE_NAME) and response.has_header("Location"):
            parts = urlsplit(response["Location"])
            query = f"{parts.query}&{urlencode({'expired': '1'})}" if parts.query else urlencode({"expired": "1"})
            response["Location"] = urlunsplit(parts._replace(query=query))
        return response


class ErrorPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code == 405 and isinstance(response, HttpResponse) and not response.content:
            page = HttpResponse(render_to_string("405.html", request=request), status=405)
            if response.has_header("Allow"):
                page["Allow"] = response["Allow"]
            return page
        return response
