"""What is sent to the robots, filled in by the apps: the core composes and queues, the apps say what to say.

- **The offices' daily digest**: each app registers a part (`register_digest(part)`) that, given the offices and
  the day, returns the sections it has for each office (tasks: overdue and due soon; evidence: returned items).
  The core puts an office's sections into one message, in the parts' order, and sends it to that office's robots
  on the days of ROBOT_DIGEST_WEEKDAYS; an office with nothing to say gets no message.
- **Scheduled summaries**: an app registers a provider for a group and a cadence (`register_summary`): the read
  side's weekly summary for the leadership group. A weekly one is keyed by the week's Monday and goes out on the
  first run of that week.
- **Events**: `post()` queues a message to a group's robots now (the read side: a bulletin is published).

`send_scheduled(today)` is run by `manage.py send_reminders`. Each message is stored once per (robot, kind, day,
ref): running it again the same day composes nothing already stored. Messages are created in a transaction and
handed to the worker after it commits; messages left waiting by a worker that stopped are queued again.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .content import Message, Section, full_title, render, short_date
from .jobs import deliver_robot_message
from .models import Robot, RobotGroup, RobotMessage

if TYPE_CHECKING:
    from civunit.accounts.models import Office, User

logger = logging.getLogger("civunit.robots")

DigestPart = Callable[..., Mapping[int, Sequence[Section]]]
SummaryProvider = Callable[..., Message | None]


@dataclass(frozen=True)
class _Part:
    order: int
    part: DigestPart


@dataclass(frozen=True)
class Summary:
    kind: str
    group: str
    weekly: bool
    provider: SummaryProvider


_DIGEST_PARTS: list[_Part] = []
_SUMMARIES: list[Summary] = []


def register_digest(part: DigestPart, *, order: int = 100) -> DigestPart:
    """Add `part(*, offices: Sequence[Office], today: date) -> {office id: [Section, …]}` to the daily digest.

    Called once per run with every office that has a robot (so a part costs a fixed number of queries). Parts
    appear in the order of `order`. Registering the same part twice is ignored (ready() may run twice in tests).
    """
    if all(p.part is not part for p in _DIGEST_PARTS):
        _DIGEST_PARTS.append(_Part(order, part))
        _DIGEST_PARTS.sort(key=lambda p: p.order)
    return part


def register_summary(provider: SummaryProvider, *, kind: str, group: str, weekly: bool = True) -> SummaryProvider:
    """Send `provider(*, today: date) -> Message | None` to the robots of `group`, once a week (keyed by the
    week's Monday) or, with weekly=False, once a day. None means nothing to say this time."""
    if all(s.provider is not provider for s in _SUMMARIES):
        _SUMMARIES.append(Summary(kind=kind, group=group, weekly=weekly, provider=provider))
    return provider


def digest_weekdays() -> set[int]:
    return {int(day) for day in getattr(settings, "ROBOT_DIGEST_WEEKDAYS", [1, 2, 3, 4, 5])}


def queue_delivery(message_ids: list[int]) -> None:
    """Hand the messages to the worker once the current transaction commits."""

    def enqueue() -> None:
        for pk in message_ids:
            deliver_robot_message.enqueue(pk)

    if message_ids:
        transaction.on_commit(enqueue)


def _create(
    robot: Robot, *, kind: str, day: datetime.date, ref: str, message: Message, user: User | None = None
) -> RobotMessage | None:
    """Store the message for the robot, unless that (robot, kind, day, ref) is stored already."""
    try:
        with transaction.atomic():
            return RobotMessage.objects.create(
                robot=robot,
                kind=kind,
                day=day,
                ref=ref,
                title=full_title(message)[:200],
                body=render(robot.kind, message),
                created_by=user,
            )
    except IntegrityError:
        return None


def _robots(group: str) -> list[Robot]:
    return list(Robot.objects.filter(group=group, is_active=True).select_related("office").order_by("pk"))


def post(*, group: str, kind: str, ref: str, message: Message, day: datetime.date | None = None) -> int:
    """Queue `message` to every active robot of `group` (organ or leadership), once per (robot, kind, day, ref).
    Call it inside the transaction of the event: the messages are delivered after it commits. Returns how many."""
    day = day or timezone.localdate()
    created = [m.pk for robot in _robots(group) if (m := _create(robot, kind=kind, day=day, ref=ref, message=message))]
    queue_delivery(created)
    return len(created)


# --- The daily run ----------------------------------------------------------------------------------------------


@dataclass
class ScheduledResult:
    queued: int = 0
    requeued: int = 0


def _existing(robots: Sequence[Robot], kind: str, day: datetime.date) -> set[int]:
    return set(
        RobotMessage.objects.filter(robot__in=robots, kind=kind, day=day, ref="").values_list("robot_id", flat=True)
    )


def office_digest(office: Office, sections: Sequence[Section], today: datetime.date) -> Message:
    return Message(
        title=_("%(office)s: reminders of %(date)s") % {"office": office.name, "date": short_date(today)},
        sections=tuple(sections),
        url=reverse("reports:home"),
        link_text=_("Open the workbench"),
    )


def _digests(today: datetime.date) -> list[int]:
    if today.isoweekday() not in digest_weekdays() or not _DIGEST_PARTS:
        return []
    robots = _robots(RobotGroup.OFFICE)
    done = _existing(robots, RobotMessage.Kind.DIGEST, today)
    robots = [r for r in robots if r.pk not in done and r.office is not None]
    offices = list({r.office.pk: r.office for r in robots if r.office is not None}.values())
    if not offices:
        return []
    sections: dict[int, list[Section]] = {office.pk: [] for office in offices}
    for part in _DIGEST_PARTS:
        for office_id, found in part.part(offices=offices, today=today).items():
            if office_id in sections:
                sections[office_id].extend(s for s in found if s.items or s.count)
    created = []
    for robot in robots:
        office = robot.office
        if office is None or not sections[office.pk]:
            continue
        message = office_digest(office, sections[office.pk], today)
        if stored := _create(robot, kind=RobotMessage.Kind.DIGEST, day=today, ref="", message=message):
            created.append(stored.pk)
    return created


def _summaries(today: datetime.date) -> list[int]:
    created = []
    for summary in _SUMMARIES:
        day = today - datetime.timedelta(days=today.weekday()) if summary.weekly else today
        robots = _robots(summary.group)
        done = _existing(robots, summary.kind, day)
        robots = [r for r in robots if r.pk not in done]
        if not robots:
            continue
        message = summary.provider(today=today)
        if message is None:
            continue
        for robot in robots:
            if stored := _create(robot, kind=summary.kind, day=day, ref="", message=message):
                created.append(stored.pk)
    return created


# A message still waiting this long after it was due was left by a worker that stopped (or never queued).
STALE_AFTER = datetime.timedelta(minutes=15)


def _requeue_stale(today: datetime.date) -> list[int]:
    now = timezone.now()
    cutoff = now - STALE_AFTER
    recent = RobotMessage.objects.filter(day__gte=today - datetime.timedelta(days=2))
    # A claim older than the cutoff was never finished: its worker died (the message may have gone out; sending it
    # again is the lesser harm than never sending it).
    recent.filter(status=RobotMessage.Status.SENDING, last_attempt_at__lt=cutoff).update(
        status=RobotMessage.Status.PENDING, updated_at=now
    )
    stale = recent.filter(status=RobotMessage.Status.PENDING, updated_at__lt=cutoff).exclude(next_attempt_at__gt=cutoff)
    return list(stale.values_list("pk", flat=True))


def send_scheduled(*, today: datetime.date | None = None) -> ScheduledResult:
    """Queue today's digests and due summaries (each once per robot and day, whatever the number of runs) and
    messages left waiting; they are delivered by the worker after this commits."""
    today = today or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        requeued = _requeue_stale(today)
        created = _digests(today) + _summaries(today)
        queue_delivery(requeued + created)
    return ScheduledResult(queued=len(created), requeued=len(requeued))
