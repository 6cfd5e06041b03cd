"""Logging filters for the console log."""

from __future__ import annotations

import logging
import re


def _escaped(text: str) -> str:
    # The same escaping Django applies to paths in its request log (no forged lines through the URL).
    return text.encode("unicode_escape").decode("ascii")


def describe_person(request) -> str:
    user = getattr(request, "user", None)
    try:
        if user is not None and user.is_authenticated:
            return f"{_escaped(user.get_username())} (#{user.pk})"
    except Exception:  # a log line must never fail the request (e.g. when the database is down)
        return "unknown"
    return "anonymous"


class RefusalFilter(logging.Filter):
    """A refused request (403) becomes one line saying why, who and what, without a traceback.

    Django logs a raised PermissionDenied on `django.request` as a warning with the whole traceback, and a 403
    response as "Forbidden: <path>" without the person; refusals are expected (a read-only role pressing a
    button, a stale page), and what an administrator needs from them is who, how and where.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) != 403:
            return True
        request = getattr(record, "request", None)
        # Django's own wording carries the reason in parentheses: "Forbidden (Permission denied): …",
        # "Forbidden (CSRF cookie not set.): …"; a plain 403 response is "Forbidden: …".
        reasons = []
        if found := re.match(r"Forbidden \((.+?)\): ", record.getMessage()):
            reasons.append(found.group(1))
        if record.exc_info and record.exc_info[1] is not None and str(record.exc_info[1]):
            reasons.append(_escaped(str(record.exc_info[1])))
        method = getattr(request, "method", "") or ""
        path = _escaped(getattr(request, "path", "") or "")
        record.msg = "Refused (403%s): %s %s by %s"
        record.args = ("".join(f", {r}" for r in reasons), method, path, describe_person(request))
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True
