"""Adding, changing, removing and testing robots (the pages and `manage.py robots` both come here).

A robot's address and secret are encrypted before they are stored and never returned: `url=None` or `secret=None`
keeps what is stored. Changes are logged in one line with the robot's number and who made it, never with the
address or the secret.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import addresses, crypto, delivery
from .content import Message, full_title, render
from .models import Robot, RobotGroup, RobotKind, RobotMessage
from .scheduling import queue_delivery

if TYPE_CHECKING:
    from civunit.accounts.models import Office, User

logger = logging.getLogger("civunit.robots")


class RobotError(Exception):
    """A change or a test that cannot be made; the message is shown as it is."""


def check_address(url: str, kind: str) -> None:
    """Raise RobotError unless `url` is an allowed https address fit for a robot of `kind`."""
    if not addresses.is_allowed(url):
        raise RobotError(
            _("Only https addresses under one of these prefixes are accepted: %(prefixes)s.")
            % {"prefixes": "、".join(addresses.allowed_prefixes()) or _("(none: ROBOT_ALLOWED_URL_PREFIXES is empty)")}
        )
    owner = addresses.public_kind(url)
    if owner is not None and owner != kind:
        raise RobotError(
            _("This is the address of a %(owner)s, not of a %(kind)s.")
            % {"owner": RobotKind(owner).label, "kind": RobotKind(kind).label}
        )


def _same_address(url: str, group: str, office: Office | None, exclude: int | None) -> bool:
    siblings = Robot.objects.filter(group=group, office=office)
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude)
    for robot in siblings:
        try:
            if crypto.decrypt(robot.url_encrypted) == url:
                return True
        except crypto.Undecryptable:
            continue
    return False


def _describe(user: User | None) -> str:
    return f"{user.get_username()} (#{user.pk})" if user is not None else "the command line"


@transaction.atomic
def robot_save(
    *,
    robot: Robot | None,
    user: User | None,
    group: str,
    office: Office | None,
    kind: str,
    name: str = "",
    url: str | None = None,
    secret: str | None = None,
    clear_secret: bool = False,
    is_active: bool = True,
) -> Robot:
    """Create (robot=None) or change a robot. `url`/`secret` None keep the stored ones (a new robot needs a url)."""
    if not crypto.key_available():
        raise RobotError(str(crypto.MissingKey()))
    if group != RobotGroup.OFFICE:
        office = None
    elif office is None:
        raise RobotError(_("Choose the office whose group the robot posts in."))
    if robot is None and not url:
        raise RobotError(_("Enter the robot's webhook address."))
    if robot is not None and url is None:
        try:
            current_url = crypto.decrypt(robot.url_encrypted)
        except crypto.Undecryptable as error:
            raise RobotError(str(error)) from error
    else:
        current_url = (url or "").strip()
    check_address(current_url, kind)
    if _same_address(current_url, group, office, robot.pk if robot else None):
        raise RobotError(_("This group already has a robot with this address."))
    secret = secret.strip() if secret else None
    if kind == RobotKind.WECOM:
        if secret:
            raise RobotError(_("A WeCom group robot has no signing secret: leave the secret empty."))
        clear_secret = True
    created = robot is None
    robot = robot or Robot(created_by=user)
    robot.group, robot.office, robot.kind, robot.name, robot.is_active = group, office, kind, name.strip(), is_active
    if url is not None or created:
        robot.url_encrypted = crypto.encrypt(current_url)
        robot.url_hint = addresses.masked(current_url)[:300]
    if secret:
        robot.secret_encrypted = crypto.encrypt(secret)
    elif clear_secret:
        robot.secret_encrypted = ""
    robot.save()
    logger.info(
        "Robot %s (%s, %s) %s by %s",
        robot.pk,
        robot.group,
        robot.kind,
        "added" if created else "changed",
        _describe(user),
    )
    return robot


@transaction.atomic
def robot_delete(*, robot: Robot, user: User | None) -> None:
    pk = robot.pk
    robot.delete()
    logger.info("Robot %s removed by %s", pk, _describe(user))


def test_message() -> Message:
    return Message(
        title=_("Test message"),
        lines=(
            _("This group robot is connected: the civilized unit campaign's reminders will be posted here."),
            _("Sent at %(time)s.") % {"time": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")},
        ),
    )


def robot_test(*, robot: Robot, user: User | None) -> RobotMessage:
    """Send a test message now (one attempt, no retry) and record it with the robot's answer."""
    wait = delivery.rate_wait(robot)
    if wait:
        raise RobotError(
            _("This robot has taken as many messages as it accepts per minute. Try again in %(seconds)d seconds.")
            % {"seconds": int(wait) + 1}
        )
    with translation.override(settings.LANGUAGE_CODE):
        message = test_message()
        now = timezone.now()
        record = RobotMessage.objects.create(
            robot=robot,
            kind=RobotMessage.Kind.TEST,
            day=timezone.localdate(),
            ref=uuid.uuid4().hex,
            title=full_title(message)[:200],
            body=render(robot.kind, message),
            status=RobotMessage.Status.SENDING,
            attempts=1,
            last_attempt_at=now,
            created_by=user,
        )
    answer = delivery.post(robot, record.body)
    record.status = RobotMessage.Status.SENT if answer.ok else RobotMessage.Status.FAILED
    record.sent_at = timezone.now() if answer.ok else None
    record.response, record.http_status = answer.summary, answer.http_status
    record.save(update_fields=["status", "sent_at", "response", "http_status", "updated_at"])
    logger.info("Robot %s test by %s: %s", robot.pk, _describe(user), "sent" if answer.ok else answer.summary)
    return record


@transaction.atomic
def message_resend(*, message: RobotMessage, user: User | None) -> RobotMessage:
    """Queue a failed message again, for a fresh set of attempts."""
    updated = RobotMessage.objects.filter(pk=message.pk, status=RobotMessage.Status.FAILED).update(
        status=RobotMessage.Status.PENDING, attempts=0, next_attempt_at=None, updated_at=timezone.now()
    )
    if not updated:
        raise RobotError(_("Only a failed message can be sent again."))
    queue_delivery([message.pk])
    logger.info("Robot message %s queued again by %s", message.pk, _describe(user))
    message.refresh_from_db()
    return message
