"""Rectification tasks (整改任务): what the readiness check (迎检自查, civunit.reports.readiness) found wanting, made
a task of the office responsible, numbered 整改-1, 整改-2 … within the campaign.

The read side calls `task_create_rectification` and links the task to its finding in the same transaction; the
task itself is an ordinary line of the breakdown (started, checked off and reviewed like any other), created with
its audit record, which names the finding's key.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from civunit.notifications.models import Notification

from ..models import Task
from .core import task_create
from .workflow import _notify

if TYPE_CHECKING:
    from campaign.models import Campaign, Criterion
    from civunit.accounts.models import Office, User

# The numbers of rectification tasks: 整改-1, 整改-2 … (a prefix no imported breakdown uses).
CODE_PREFIX = "整改-"
_CODE = re.compile(rf"^{re.escape(CODE_PREFIX)}(\d+)$")
# How often a number taken at the same moment by another rectification is tried again with the next one.
_NUMBERING_ATTEMPTS = 5


def _next_number(campaign: Campaign) -> int:
    codes = Task.objects.filter(campaign=campaign, code__startswith=CODE_PREFIX).values_list("code", flat=True)
    numbers = [int(m.group(1)) for code in codes if (m := _CODE.match(code))]
    return max(numbers, default=0) + 1


@transaction.atomic
def task_create_rectification(
    *,
    campaign: Campaign,
    lead_office: Office,
    title: str,
    measures: str,
    finding_key: str,
    user: User,
    standards: Sequence[Criterion] = (),
    deadline: datetime.date | None = None,
) -> Task:
    """A top-level task of `lead_office`, numbered after the campaign's last rectification, linked to
    `standards`; its creation is recorded with the finding's key, and the office's head is told it is theirs."""
    for attempt in range(_NUMBERING_ATTEMPTS):
        code = f"{CODE_PREFIX}{_next_number(campaign)}"
        try:
            with transaction.atomic():
                task = task_create(
                    campaign=campaign,
                    code=code,
                    title=title[:500],
                    lead_office=lead_office,
                    user=user,
                    measures=measures,
                    standards=list(standards),
                    deadline=deadline,
                    note=_("Rectification of readiness finding %(key)s") % {"key": finding_key},
                )
            break
        except IntegrityError:  # the number was taken meanwhile (task_unique_code)
            if attempt == _NUMBERING_ATTEMPTS - 1:
                raise
    head = lead_office.head
    if head is not None and head.is_active:
        _notify(
            recipients=[head],
            kind=Notification.Kind.ASSIGNED,
            task=task,
            text=_("Rectification %(code)s %(title)s was given to your office.") % {"code": task.code, "title": title},
            actor=user,
        )
    return task
