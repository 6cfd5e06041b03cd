"""Get-or-404 helpers scoped to the user: a task the user may not read answers 404 like a missing one."""

from __future__ import annotations

from django.http import Http404

from .models import Task, TaskOccurrence


def get_task_for_user(user, pk: int) -> Task:
    """The task with everything its page and its permission checks read (parent's office, people, offices)."""
    task = (
        Task.objects.visible_to(user)
        .select_related("campaign", "lead_office__head", "parent__lead_office", "work_area", "leader_in_charge")
        .prefetch_related("supporting_offices", "responsible_people", "standards")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404
    return task


def get_occurrence_for_task(task: Task, pk: int | str | None) -> TaskOccurrence | None:
    """An occurrence of `task` named in a form, or None when none is named; 404 when it is not the task's."""
    if pk in (None, ""):
        return None
    try:
        return TaskOccurrence.objects.get(task=task, pk=int(pk))
    except (TaskOccurrence.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
