"""Typing for the requests that reach a view behind `LoginRequiredMiddleware`."""

from django.http import HttpRequest

from civunit.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request to a view that is not marked `login_not_required`: the middleware has let it through, so its
    user is a signed-in `User`, never `AnonymousUser`. For annotations only: Django passes a plain HttpRequest."""

    user: User
