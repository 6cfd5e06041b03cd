"""Date-driven reminders about tasks, computed by `manage.py send_reminders` (daily, or as often as you like:
running it again the same day, or the next day, sends nothing twice).

- Due soon: the responsible people (or, when a task has none, its lead office's head) once in the week before
  the due date ("due in 7 days": the window from 7 to 2 days before) and once more the day before (the window
  from 1 day before to the due day itself). A run that was missed, or a deadline set late, still reminds once
  per window, with the true number of days left.
- Overdue: the responsible people, the head of the lead office and the heads of the responsible people's offices,
  on the first overdue day, then every NOTIFICATIONS_OVERDUE_REPEAT_DAYS days (default 7) while it stays open.

The due date is the task's `due` (one-off tasks: the deadline; recurring tasks: the earliest open
period's due date; ongoing tasks: none). Days are Asia/Shanghai dates (timezone.localdate()).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civunit.accounts.models import User
from civunit.notifications.models import Notification
from civunit.notifications.services import notify

from .models import OPEN_STATES, Task

DUE_SOON_DAYS = 7
Kind = Notification.Kind


def overdue_repeat_days() -> int:
    return max(1, int(getattr(settings, "NOTIFICATIONS_OVERDUE_REPEAT_DAYS", 7)))


@dataclass
class ReminderResult:
    due_soon: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.due_soon + self.overdue


def _due_soon_text(task, due: datetime.date, days_left: int) -> str:
    if days_left == 0:
        return _("Task “%(task)s” is due today (%(date)s).") % {"task": task, "date": due.isoformat()}
    return ngettext(
        "Task “%(task)s” is due on %(date)s, in %(days)d day.",
        "Task “%(task)s” is due on %(date)s, in %(days)d days.",
        days_left,
    ) % {"task": task, "date": due.isoformat(), "days": days_left}


def _overdue_text(task, due: datetime.date, days_over: int) -> str:
    return ngettext(
        "Task “%(task)s” was due on %(date)s and is %(days)d day overdue.",
        "Task “%(task)s” was due on %(date)s and is %(days)d days overdue.",
        days_over,
    ) % {"task": task, "date": due.isoformat(), "days": days_over}


def _url(task) -> str:
    get_url = getattr(task, "get_absolute_url", None)
    return get_url() if callable(get_url) else ""


def send_reminders(*, today: datetime.date | None = None) -> ReminderResult:
    """Create today's due-soon and overdue notifications (each person, task, kind and window once).

    Queries: the open tasks due within the week or overdue (one), their responsible people with their offices'
    heads (one), earlier reminders about them (one), then the inserts of what is new.
    """
    today = today or timezone.localdate()
    repeat = overdue_repeat_days()
    tasks = list(
        Task.objects.in_current_campaign()
        .with_due()
        .filter(
            status__in=OPEN_STATES,
            due__isnull=False,
            due__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        )
        .select_related("lead_office__head")
        .prefetch_related(
            Prefetch("responsible_people", queryset=User.objects.select_related("office__head")),
        )
        .order_by("pk")
    )
    result = ReminderResult()
    if not tasks:
        return result
    task_type = ContentType.objects.get_for_model(Task)
    # (recipient, task, kind) → the days it was already reminded, looking back far enough for either window.
    earlier: dict[tuple[int, int, str], list[datetime.date]] = {}
    for recipient_id, object_id, kind, day in Notification.objects.filter(
        content_type=task_type,
        object_id__in=[t.pk for t in tasks],
        kind__in=[Kind.DUE_SOON, Kind.OVERDUE],
        day__gte=today - datetime.timedelta(days=max(repeat, DUE_SOON_DAYS) + 1),
    ).values_list("recipient_id", "object_id", "kind", "day"):
        earlier.setdefault((recipient_id, object_id, kind), []).append(day)

    def already(recipient, task, kind: str, since: datetime.date) -> bool:
        return any(day >= since for day in earlier.get((recipient.pk, task.pk, kind), ()))

    with translation.override(settings.LANGUAGE_CODE):
        for task in tasks:
            responsible = list(task.responsible_people.all())
            if task.due >= today:
                days_left = (task.due - today).days
                window_start = task.due - datetime.timedelta(days=1 if days_left <= 1 else DUE_SOON_DAYS)
                recipients = responsible or [task.lead_office.head]
                text = _due_soon_text(task, task.due, days_left)
                for person in _unique(recipients):
                    if already(person, task, Kind.DUE_SOON, window_start):
                        continue
                    with transaction.atomic():
                        sent = notify(
                            recipient=person,
                            kind=Kind.DUE_SOON,
                            obj=task,
                            text=text,
                            url=_url(task),
                            day=today,
                            days=days_left,
                        )
                    result.due_soon += sent is not None
            else:
                days_over = (today - task.due).days
                window_start = max(task.due + datetime.timedelta(days=1), today - datetime.timedelta(days=repeat - 1))
                heads = [task.lead_office.head] + [p.office.head for p in responsible if p.office_id]
                text = _overdue_text(task, task.due, days_over)
                for person in _unique(responsible + heads):
                    if already(person, task, Kind.OVERDUE, window_start):
                        continue
                    with transaction.atomic():
                        sent = notify(
                            recipient=person,
                            kind=Kind.OVERDUE,
                            obj=task,
                            text=text,
                            url=_url(task),
                            day=today,
                            days=days_over,
                        )
                    result.overdue += sent is not None
    return result


def _unique(people) -> list:
    seen: set[int] = set()
    out = []
    for person in people:
        if person is not None and person.pk not in seen:
            seen.add(person.pk)
            out.append(person)
    return out
