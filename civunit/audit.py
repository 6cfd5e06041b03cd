"""The client's address for the audit trail: `ClientAddressMiddleware` puts the address of the request being
served in a context variable, and every event model's `ip_address` defaults from `client_address()` (None in a
command, a job or a test without a request).

Behind a reverse proxy, REMOTE_ADDR is the proxy's: list it in AUDIT_TRUSTED_PROXIES and the address the proxy
appended to X-Forwarded-For is taken instead (the rightmost one that is not itself a trusted proxy; the ones to
its left are whatever the client claimed).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

_address: ContextVar[str | None] = ContextVar("civunit_client_address", default=None)


def client_address() -> str | None:
    """The address of the request being served (the default of every event's ip_address)."""
    return _address.get()


def _valid(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def request_address(request: HttpRequest) -> str | None:
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    trusted = set(getattr(settings, "AUDIT_TRUSTED_PROXIES", ()))
    if remote is None or remote not in trusted:
        return remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _valid(hop)
        if address is None:
            break
        if address not in trusted:
            return address
    return remote


@contextmanager
def client_address_set(address: str | None) -> Iterator[None]:
    token = _address.set(address)
    try:
        yield
    finally:
        _address.reset(token)


class ClientAddressMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        with client_address_set(request_address(request)):
            return self.get_response(request)
