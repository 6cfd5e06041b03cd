"""Typing for the requests that reach a view behind `LoginRequiredMiddleware`."""

from django.http import HttpRequest

from civunit.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request to a view that is not marked `login_not_required`: the middleware has let it through, so its
    user is a signed-in `User`, never `AnonymousUser`. For annotations only: Django passes a plain HttpRequest."""

    user: User


def client_ip(request: HttpRequest) -> str:
    """The address of the person making the request. Behind nginx on this machine (REMOTE_ADDR one of
    settings.TRUSTED_PROXIES) it is the X-Forwarded-For that nginx sets, which replaces whatever the client sent;
    from anywhere else it is REMOTE_ADDR, so a client cannot choose the address it is throttled under."""
    from django.conf import settings

    remote: str = request.META.get("REMOTE_ADDR", "")
    if remote in settings.TRUSTED_PROXIES:
        forwarded: str = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return remote
