"""The tasks' part of the offices' daily digest in their work groups (civunit.notifications.robots): each office's
overdue tasks and those due within the week, with the people responsible mentioned by their mobile numbers.

An office's tasks are those it leads (top-level lines and sub-tasks it split), open, of the current campaign; the
due date is the one the reminders use (`Task.objects.with_due()`: a recurring task's earliest open period). The
people mentioned are the responsible people, or the lead office's head when a task has none, as for reminders.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civunit.accounts.models import User
from civunit.notifications.robots import Item, Section, mobile, short_date

from .models import OPEN_STATES, Task
from .reminders import DUE_SOON_DAYS

if TYPE_CHECKING:
    from civunit.accounts.models import Office

# Each list shows at most this many tasks (the longest overdue, or the soonest due, first), with the total.
LIST_LIMIT = 10


def _people(task: Task) -> list[User]:
    people = list(task.responsible_people.all())
    if not people and task.lead_office.head is not None:
        people = [task.lead_office.head]
    return people


def _item(task: Task, detail: str) -> Item:
    people = _people(task)
    names = "、".join(p.display_name for p in people)
    if names:
        detail = _("%(detail)s; responsible: %(names)s") % {"detail": detail, "names": names}
    numbers = tuple(dict.fromkeys(n for p in people if p.is_active and (n := mobile(p.phone))))
    return Item(
        text=f"{task.code} {task.title}", url=reverse("tasks:detail", args=[task.pk]), detail=detail, mobiles=numbers
    )


def _due(task: Task) -> datetime.date:
    """The due date annotated by Task.objects.with_due() (not a field the type checker knows)."""
    due: datetime.date = task.__dict__["due"]
    return due


def _date(day: datetime.date) -> str:
    return short_date(day)


def digest_sections(*, offices: Sequence[Office], today: datetime.date) -> dict[int, list[Section]]:
    """Per office: "Overdue tasks" and "Due within 7 days". Two queries (the tasks, their responsible people)."""
    rows: QuerySet[Task] = (
        Task.objects.in_current_campaign()  # type: ignore[no-untyped-call]  # TaskQuerySet's methods are not annotated
        .with_due()
        .filter(
            lead_office__in=offices,
            status__in=OPEN_STATES,
            due__isnull=False,
            due__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        )
        .select_related("lead_office__head")
        .prefetch_related(Prefetch("responsible_people", queryset=User.objects.order_by("pk")))
        .order_by("due", "code_key", "pk")
    )
    overdue: dict[int, list[tuple[Task, datetime.date]]] = {}
    due_soon: dict[int, list[tuple[Task, datetime.date]]] = {}
    for task in rows:
        due = _due(task)
        (overdue if due < today else due_soon).setdefault(task.lead_office_id, []).append((task, due))
    result: dict[int, list[Section]] = {}
    for office in offices:
        sections = []
        if late := overdue.get(office.pk):
            items = []
            for task, due in late[:LIST_LIMIT]:
                days = (today - due).days
                detail = ngettext(
                    "%(days)d day overdue (due %(date)s)", "%(days)d days overdue (due %(date)s)", days
                ) % {"days": days, "date": _date(due)}
                items.append(_item(task, detail))
            sections.append(
                Section(
                    heading=_("Overdue tasks (%(count)d)") % {"count": len(late)}, items=tuple(items), total=len(late)
                )
            )
        if soon := due_soon.get(office.pk):
            items = []
            for task, due in soon[:LIST_LIMIT]:
                days = (due - today).days
                if days == 0:
                    detail = _("due today")
                else:
                    detail = ngettext("due %(date)s, in %(days)d day", "due %(date)s, in %(days)d days", days) % {
                        "date": _date(due),
                        "days": days,
                    }
                items.append(_item(task, detail))
            sections.append(
                Section(
                    heading=_("Due within %(days)d days (%(count)d)") % {"days": DUE_SOON_DAYS, "count": len(soon)},
                    items=tuple(items),
                    total=len(soon),
                )
            )
        if sections:
            result[office.pk] = sections
    return result
