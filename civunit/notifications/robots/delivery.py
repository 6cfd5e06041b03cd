"""Sending to a robot: one HTTPS POST per attempt, a bounded number of attempts with a growing wait between them,
and each robot's rate limit kept.

- Only https, only an allowed address (checked again now: the allow-list may have changed), no redirects (a 30x is
  a failure, so an allowed host cannot bounce the server elsewhere), the system's CAs plus ROBOT_CA_BUNDLE, a
  timeout of ROBOT_TIMEOUT seconds and at most 64 KiB of answer read. Proxies come from the usual environment
  variables (https_proxy, no_proxy), as a closed network may need.
- A message is claimed before it is sent (a conditional UPDATE from pending to sending), so two workers never send
  the same one; an answer with an error code, a timeout or a refused connection puts it back to pending with the
  next attempt ROBOT_RETRY_BACKOFF × 2^(n-1) seconds later; after ROBOT_MAX_ATTEMPTS it is failed, and the
  coordinator sees it on the robots page.
- The wait happens in the task queue when the backend can defer a job (django-tasks-db: the worker is not held);
  otherwise (the immediate backend of the tests) in the process.
- The rate limit counts the robot's attempts within the window (RobotMessage.last_attempt_at); a message that would
  exceed it waits for the window to free up.

Nothing here logs or stores an address or a secret: errors are described in words, and any text that could carry
them is scrubbed first.
"""

from __future__ import annotations

import datetime
import logging
import socket
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import addresses, apis, crypto
from .models import Robot, RobotMessage

logger = logging.getLogger("civunit.robots")

MAX_ANSWER_BYTES = 64 * 1024
Status = RobotMessage.Status


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]  # urllib's signature
        return None  # urllib then raises HTTPError for the 30x


def _ssl_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    bundle = str(getattr(settings, "ROBOT_CA_BUNDLE", "") or "")
    if bundle:
        context.load_verify_locations(cafile=bundle)
    return context


def _opener() -> urllib.request.OpenerDirector:
    """An opener that speaks https only (no file:, ftp:, data: or plain http handlers) and follows no redirect."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPSHandler(context=_ssl_context()),
        _NoRedirects(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, "••••")
    return text


def _credentials(robot: Robot) -> tuple[str, str]:
    return crypto.decrypt(robot.url_encrypted), crypto.decrypt(robot.secret_encrypted)


def post(robot: Robot, body: dict[str, Any]) -> apis.Answer:
    """One attempt: sign, POST, read the answer. Never raises for a network or robot failure."""
    try:
        url, secret = _credentials(robot)
    except (crypto.MissingKey, crypto.Undecryptable) as error:
        return apis.Answer(ok=False, summary=str(error))
    if not addresses.is_allowed(url):
        return apis.Answer(
            ok=False, summary=_("The robot's address is not on the allow-list (ROBOT_ALLOWED_URL_PREFIXES).")
        )
    signed_url, data = apis.signed(robot.kind, url, body, secret)
    split = urlsplit(url)
    secrets = [url, secret, signed_url, split.query, split.path.rsplit("/", 1)[-1]]
    secrets += [value for values in parse_qs(split.query).values() for value in values]
    request = urllib.request.Request(  # noqa: S310 (https only: addresses.is_allowed and the https-only opener)
        signed_url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "civunit"},
    )
    timeout = float(getattr(settings, "ROBOT_TIMEOUT", 10.0))
    try:
        with _opener().open(request, timeout=timeout) as response:
            return apis.interpret(robot.kind, response.status, response.read(MAX_ANSWER_BYTES))
    except urllib.error.HTTPError as error:
        if 300 <= error.code < 400:
            return apis.Answer(
                ok=False,
                summary=_("The robot answered with a redirect, which is not followed."),
                http_status=error.code,
            )
        raw = error.read(MAX_ANSWER_BYTES) if error.fp is not None else b""
        answer = apis.interpret(robot.kind, error.code, raw)
        return apis.Answer(ok=False, summary=_scrub(answer.summary, secrets), http_status=error.code)
    except TimeoutError:
        return apis.Answer(ok=False, summary=_("No answer within %(seconds)s seconds.") % {"seconds": f"{timeout:g}"})
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return apis.Answer(
                ok=False, summary=_("No answer within %(seconds)s seconds.") % {"seconds": f"{timeout:g}"}
            )
        return apis.Answer(ok=False, summary=_scrub(_("Could not connect: %(reason)s") % {"reason": reason}, secrets))
    except (OSError, ValueError, ssl.SSLError) as error:
        return apis.Answer(ok=False, summary=_scrub(_("Could not connect: %(reason)s") % {"reason": error}, secrets))


# --- Rate limits --------------------------------------------------------------------------------------------


def rate_wait(robot: Robot, *, now: datetime.datetime | None = None) -> float:
    """Seconds to wait before the robot may take another message (0 when it may now)."""
    now = now or timezone.now()
    wait = 0.0
    for limit, seconds in apis.RATE_LIMITS[robot.kind]:
        since = now - datetime.timedelta(seconds=seconds)
        recent = RobotMessage.objects.filter(robot=robot, last_attempt_at__gt=since)
        if recent.count() >= limit:
            # The window frees up when its oldest attempts leave it: wait for enough of them.
            times = list(recent.order_by("last_attempt_at").values_list("last_attempt_at", flat=True))
            oldest = times[len(times) - limit]
            if oldest is not None:
                wait = max(wait, (oldest + datetime.timedelta(seconds=seconds) - now).total_seconds())
    return max(wait, 0.0)


# --- Delivering a queued message ------------------------------------------------------------------------------


def backoff(attempt: int) -> float:
    """The wait after the `attempt`-th failed attempt."""
    base = float(getattr(settings, "ROBOT_RETRY_BACKOFF", 30.0))
    return base * 2.0 ** (attempt - 1)


def max_attempts() -> int:
    return max(1, int(getattr(settings, "ROBOT_MAX_ATTEMPTS", 4)))


@dataclass(frozen=True)
class Later:
    """The message waits: to be delivered again after `seconds`."""

    seconds: float


def attempt(message_id: int) -> RobotMessage | Later | None:
    """One step of a queued message's delivery: None when there is nothing to do (sent, failed, claimed by
    another worker, gone), Later when it must wait (rate limit, or before a retry), else the message as it ends."""
    message = RobotMessage.objects.select_related("robot").filter(pk=message_id).first()
    if message is None or message.status != Status.PENDING:
        return None
    robot = message.robot
    now = timezone.now()
    if not robot.is_active:
        RobotMessage.objects.filter(pk=message.pk, status=Status.PENDING).update(
            status=Status.FAILED, response=_("The robot is switched off."), updated_at=now
        )
        return None
    if message.next_attempt_at and message.next_attempt_at > now:
        return Later((message.next_attempt_at - now).total_seconds())
    if wait := rate_wait(robot, now=now):
        return Later(wait)
    claimed = RobotMessage.objects.filter(pk=message.pk, status=Status.PENDING).update(
        status=Status.SENDING, attempts=F("attempts") + 1, last_attempt_at=now, updated_at=now
    )
    if not claimed:
        return None
    message.refresh_from_db()
    answer = post(robot, message.body)
    done = timezone.now()
    message.response, message.http_status, message.updated_at = answer.summary, answer.http_status, done
    if answer.ok:
        message.status, message.sent_at, message.next_attempt_at = Status.SENT, done, None
        logger.info("Robot message %s (robot %s, %s) sent", message.pk, robot.pk, message.kind)
    elif message.attempts >= max_attempts():
        message.status, message.next_attempt_at = Status.FAILED, None
        logger.warning(
            "Robot message %s (robot %s, %s) failed after %s attempts: %s",
            message.pk,
            robot.pk,
            message.kind,
            message.attempts,
            answer.summary,
        )
    else:
        message.status = Status.PENDING
        message.next_attempt_at = done + datetime.timedelta(seconds=backoff(message.attempts))
        logger.info(
            "Robot message %s (robot %s, %s) attempt %s failed, retrying: %s",
            message.pk,
            robot.pk,
            message.kind,
            message.attempts,
            answer.summary,
        )
    message.save(update_fields=["status", "sent_at", "next_attempt_at", "response", "http_status", "updated_at"])
    return message


def deliver(message_id: int, *, can_defer: bool, requeue: Any = None) -> str:
    """Deliver a queued message: attempt, and when it must wait either hand it back to the queue (`requeue(seconds)`,
    when the backend can defer jobs) or wait here. Returns the message's final status (or "" when none)."""
    while True:
        outcome = attempt(message_id)
        if outcome is None:
            return ""
        if isinstance(outcome, RobotMessage):
            if outcome.status != Status.PENDING:
                return str(outcome.status)
            wait = backoff(outcome.attempts)
        else:
            wait = outcome.seconds
        if can_defer and requeue is not None:
            requeue(wait)
            return str(Status.PENDING)
        time.sleep(max(wait, 0.0))
