"""The access rules of tasks, and get-or-404 helpers scoped to the user: a task the user may not read answers
404 like a missing one. The role predicates these rules build on live in the core (civunit.access)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from campaign.access import require_open
from civunit import access

from .models import ProgressReport, Task, TaskOccurrence

if TYPE_CHECKING:
    from civunit.accounts.models import User


# --- Who may start, report progress, assign, split, check off and review a task --------------------------
# A task's lead office head runs it: assigns, splits, sets deadlines, checks it off. Responsible people (the
# staff it is assigned to) start it and report progress. A supporting office's staff and head add progress
# reports. The reviewer of a top-level task is the coordinator; of a sub-task, the head of its parent's lead
# office; nobody accepts their own check-off unless the campaign allows it. Leadership reads and changes nothing.
# Rules that look at responsible people read task.responsible_people.all(), so pages prefetch it.


def _works_on_tasks(user: User) -> bool:
    return access.has_working_role(user)


def heads_task_office(user: User, task) -> bool:
    return _works_on_tasks(user) and user.heads(task.lead_office_id)


def is_task_responsible(user: User, task) -> bool:
    return _works_on_tasks(user) and any(p.pk == user.pk for p in task.responsible_people.all())


def supports_task(user: User, task) -> bool:
    """The user belongs to (or heads) one of the task's supporting offices."""
    if not _works_on_tasks(user):
        return False
    office_ids = {o.pk for o in task.supporting_offices.all()}
    return user.office_id in office_ids or bool(office_ids & user.headed_office_ids)


def can_start_task(user: User, task) -> bool:
    """Start (未开始 → 进行中) or resume (已退回 → 进行中) a task."""
    return heads_task_office(user, task) or is_task_responsible(user, task)


def can_report_task_progress(user: User, task) -> bool:
    return heads_task_office(user, task) or is_task_responsible(user, task) or supports_task(user, task)


def can_assign_task(user: User, task) -> bool:
    """Assign responsible people, set the deadline, edit the measures: the lead office's head."""
    return heads_task_office(user, task)


def can_split_task(user: User, task) -> bool:
    return heads_task_office(user, task)


def can_check_off_task(user: User, task) -> bool:
    """Check off (→ 待审核): the head of the task's lead office (for a sub-task given to a supporting office,
    that office is its lead office). On a sub-task the head kept in their own office, its responsible people
    check off too and the head reviews: otherwise the head would review their own check-off.
    `task.parent` must be loaded for sub-tasks."""
    if heads_task_office(user, task):
        return True
    return (
        task.parent_id is not None
        and task.parent.lead_office_id == task.lead_office_id
        and is_task_responsible(user, task)
    )


def is_task_reviewer(user: User, task) -> bool:
    """The coordinator reviews top-level tasks; the head of the parent's lead office reviews sub-tasks.
    `task.parent.lead_office` must be loaded (select_related) for sub-tasks."""
    if not _works_on_tasks(user):
        return False
    if task.parent_id is None or task.parent.lead_office.head_id is None:
        # top-level tasks, and sub-tasks whose parent's office has no head (yet): the coordinator
        return access.is_coordinator(user)
    return user.heads(task.parent.lead_office_id)


def can_review_task(user: User, task, *, checked_off_by_id: int | None, allow_self_review: bool) -> bool:
    """Accept or return a check-off; the person who checked it off may not, unless the campaign allows it."""
    if not is_task_reviewer(user, task):
        return False
    return allow_self_review or checked_off_by_id != user.pk


def can_edit_task(user: User) -> bool:
    """Create top-level tasks and edit any task's description (the breakdown itself): the coordinator."""
    return _works_on_tasks(user) and access.can_manage_campaign(user)


def task_bulk_office_ids(user: User) -> frozenset[int]:
    """The offices whose tasks the user may bulk-act on (assign, set deadline): the offices they head."""
    return user.headed_office_ids if _works_on_tasks(user) else frozenset()


def task_export_office_ids(user: User) -> frozenset[int] | None:
    """Whose breakdown the user may export: None means the whole breakdown (the coordinator, leadership, who
    read it all), else the offices they head (their own office's lines); an empty set means none (403)."""
    if not access.is_active_user(user):
        return frozenset()
    if access.sees_everything(user):
        return None
    return user.headed_office_ids


def may_work_on_tasks(user: User) -> bool:
    """Any task change at all (leadership and inactive users: none, 403)."""
    return _works_on_tasks(user)


def register_read_rules() -> None:
    """Called by TasksConfig.ready(): the task breakdown is the organ's internal plan."""
    for model in (Task, TaskOccurrence, ProgressReport):
        access.register_read_rule(model, access.plan_level)


# --- Get-or-404 -------------------------------------------------------------------------------------------


def get_task_for_user(user, pk: int, *, for_change: bool = False) -> Task:
    """The task with everything its page and its permission checks read (parent's office, people, offices). With
    `for_change`, 403 when the task's campaign is archived (campaign.access.require_open)."""
    task = (
        Task.objects.visible_to(user)
        .select_related("campaign", "lead_office__head", "parent__lead_office", "work_area", "leader_in_charge")
        .prefetch_related("supporting_offices", "responsible_people", "standards")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404
    if for_change:
        require_open(task.campaign)
    return task


def get_occurrence_for_task(task: Task, pk: int | str | None) -> TaskOccurrence | None:
    """An occurrence of `task` named in a form, or None when none is named; 404 when it is not the task's."""
    if pk in (None, ""):
        return None
    try:
        return TaskOccurrence.objects.get(task=task, pk=int(pk))
    except (TaskOccurrence.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
