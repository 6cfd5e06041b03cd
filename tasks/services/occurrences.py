"""Occurrences of recurring tasks."""

from __future__ import annotations

import datetime

from django.utils import timezone

from civunit.db import insert_values

from ..models import (
    Recurrence,
    Status,
    Task,
    TaskOccurrence,
)
from ..periods import period_of, periods_between

# --- Recurring tasks: occurrences are created for every period from the task's first one to the period after
# today's (the current and the next period, rolling). A daily job (jobs.roll_occurrences) and the creation of a
# recurring task call this; it is idempotent and safe to run twice at once (unique period per task).


def occurrences_roll(*, today: datetime.date | None = None, tasks=None) -> int:
    """Create the missing occurrences up to the next period; returns how many were created."""
    today = today or timezone.localdate()
    if tasks is None:
        tasks = Task.objects.in_current_campaign()
    tasks = list(
        tasks.filter(recurrence__in=Recurrence.periodic())
        .exclude(status=Status.DONE)
        .select_related("campaign")
        .only("pk", "recurrence", "created_at", "campaign__start_date", "campaign__end_date")
    )
    if not tasks:
        return 0
    existing = set(TaskOccurrence.objects.filter(task__in=tasks).values_list("task_id", "period_start"))
    new = []
    for task in tasks:
        first_day = max(timezone.localdate(task.created_at), task.campaign.start_date)
        _start, current_end = period_of(task.recurrence, today)
        last_day = min(current_end + datetime.timedelta(days=1), task.campaign.end_date)
        for start, end in periods_between(task.recurrence, first_day, last_day):
            if (task.pk, start) not in existing:
                new.append({"task_id": task.pk, "period_start": start, "period_end": end, "due_date": end})
    # Two rolls at once (the daily job and a task's creation) may try the same period: the unique period per
    # task keeps one, the other is skipped.
    insert_values(TaskOccurrence, new, ignore_conflicts=True)
    return len(new)
