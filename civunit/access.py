"""The access policy: who may read and change what. Every view, list, search, count, export, archive,
notification and PDF asks here (directly, or through an app's get-or-404 helpers in its access.py).

Rules, in words:
- Signed-in, active people read the plan, the criteria and the task breakdown (the organ's internal plan).
- Leadership (领导小组) reads everything and changes no campaign data.
- The coordinator (领导小组办公室) runs the campaign: edits the plan, the criteria, and reviews.
- Administrators do what the coordinator does and manage accounts.
- An office head manages their own office's work; staff work on what is assigned to them.
- Something a person may not read is absent for them: its URL answers 404 exactly like a missing object.
  "May read, may not change" answers 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from civunit.accounts.roles import Role

if TYPE_CHECKING:
    from civunit.accounts.models import User


def is_active_user(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_admin(user: User) -> bool:
    return is_active_user(user) and user.has_role(Role.ADMIN)


def is_coordinator(user: User) -> bool:
    """Runs the campaign day to day; administrators count as coordinators."""
    return is_active_user(user) and user.has_role(Role.COORDINATOR, Role.ADMIN)


def is_leadership(user: User) -> bool:
    return is_active_user(user) and user.has_role(Role.LEADERSHIP)


def sees_everything(user: User) -> bool:
    """Coordinator, leadership and administrators read every object of the campaign."""
    return is_active_user(user) and user.has_role(Role.COORDINATOR, Role.LEADERSHIP, Role.ADMIN)


def is_read_only(user: User) -> bool:
    """Leadership members who hold no working role change no campaign data."""
    return is_active_user(user) and not user.has_role(Role.STAFF, Role.OFFICE_HEAD, Role.COORDINATOR, Role.ADMIN)


def is_office_head(user: User) -> bool:
    return is_active_user(user) and bool(user.headed_office_ids)


# --- The plan, the criteria and the task breakdown --------------------------------------------------------


def can_read_plan(user: User) -> bool:
    """The plan, the criteria, the task breakdown and organ-wide figures."""
    return is_active_user(user)


def can_manage_campaign(user: User) -> bool:
    """Edit the campaign, its plan, its criteria and veto list; import and export tables."""
    return is_coordinator(user)


def can_use_admin(user: User) -> bool:
    return is_admin(user)


# --- Tasks (the tasks engineer's section): who may start, report progress, assign, split, check off, review ---
# A task's lead office head runs it: assigns, splits, sets deadlines, checks it off. Responsible people (the
# staff it is assigned to) start it and report progress. A supporting office's staff and head add progress
# reports. The reviewer of a top-level task is the coordinator; of a sub-task, the head of its parent's lead
# office; nobody accepts their own check-off unless the campaign allows it. Leadership reads and changes nothing.
# Rules that look at responsible people read task.responsible_people.all(), so pages prefetch it.


def _works_on_tasks(user: User) -> bool:
    return is_active_user(user) and not is_read_only(user)


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
        return is_coordinator(user)
    return user.heads(task.parent.lead_office_id)


def can_review_task(user: User, task, *, checked_off_by_id: int | None, allow_self_review: bool) -> bool:
    """Accept or return a check-off; the person who checked it off may not, unless the campaign allows it."""
    if not is_task_reviewer(user, task):
        return False
    return allow_self_review or checked_off_by_id != user.pk


def can_edit_task(user: User) -> bool:
    """Create top-level tasks and edit any task's description (the breakdown itself): the coordinator."""
    return _works_on_tasks(user) and can_manage_campaign(user)


def task_bulk_office_ids(user: User) -> frozenset[int]:
    """The offices whose tasks the user may bulk-act on (assign, set deadline): the offices they head."""
    return user.headed_office_ids if _works_on_tasks(user) else frozenset()


def may_work_on_tasks(user: User) -> bool:
    """Any task change at all (leadership and inactive users: none, 403)."""
    return _works_on_tasks(user)


# --- Evidence (台账资料) ------------------------------------------------------------------------------------
# Evidence is read by: the office it belongs to (the uploader's office at upload time) and that office's
# head, the uploader, the lead and supporting offices of any task it is linked to, the coordinator,
# leadership and administrators. Every evidence page, list, count of items, download and search goes through
# evidence_visible_to() (a queryset filter) or can_read_evidence() (one object); organ-wide counts per
# standard are plan-level figures and do not reveal the items.


def _own_office_ids(user: User) -> set[int]:
    ids = set(user.headed_office_ids)
    if user.office_id:
        ids.add(user.office_id)
    return ids


def evidence_visible_to(user: User, queryset=None):
    """The evidence rows `user` may read (every version; callers add .current().alive())."""
    from django.db.models import Exists, OuterRef, Q

    from evidence.models import EvidenceItem
    from tasks.models import Task

    qs = EvidenceItem.objects.all() if queryset is None else queryset
    if not is_active_user(user):
        return qs.none()
    if sees_everything(user):
        return qs
    office_ids = _own_office_ids(user)
    task_ids = Task.objects.filter(Q(lead_office_id__in=office_ids) | Q(supporting_offices__in=office_ids)).values("pk")
    linked = EvidenceItem.tasks.through.objects.filter(evidenceitem_id=OuterRef("pk"), task_id__in=task_ids)
    return qs.filter(Q(office_id__in=office_ids) | Q(uploader_id=user.pk) | Exists(linked))


def can_read_evidence(user: User, item) -> bool:
    if not is_active_user(user):
        return False
    if sees_everything(user) or item.uploader_id == user.pk or item.office_id in _own_office_ids(user):
        return True
    return evidence_visible_to(user, type(item).objects.filter(pk=item.pk)).exists()


def can_upload_evidence(user: User) -> bool:
    """Everyone with a working role; leadership alone reads only."""
    return is_active_user(user) and not is_read_only(user)


def can_change_evidence(user: User, item) -> bool:
    """Caption, links and new versions: the uploader, the head of the item's office, the coordinator."""
    if not can_upload_evidence(user):
        return False
    return item.uploader_id == user.pk or user.heads(item.office_id) or is_coordinator(user)


def _evidence_rule(user, obj) -> bool:
    return can_read_evidence(user, obj)


# Review, recycle bin and activities (issue 8). The head of the item's office or the coordinator reviews a
# version; nobody reviews their own upload unless the campaign allows it. Staff and heads move items to the
# recycle bin (never hard-delete); only the coordinator restores or purges. Leadership reads the bin.


def is_evidence_reviewer(user: User, item) -> bool:
    if not can_upload_evidence(user):
        return False
    return user.heads(item.office_id) or is_coordinator(user)


def can_review_evidence(user: User, item, *, allow_self_review: bool) -> bool:
    """Accept or return a version of an item."""
    if not is_evidence_reviewer(user, item):
        return False
    return allow_self_review or item.uploader_id != user.pk


def evidence_review_office_ids(user: User) -> frozenset[int] | None:
    """The offices whose items the user reviews: None means every office (the coordinator)."""
    if not can_upload_evidence(user):
        return frozenset()
    if is_coordinator(user):
        return None
    return user.headed_office_ids


def can_delete_evidence(user: User, item) -> bool:
    """Move to the recycle bin: whoever may change the item."""
    return can_change_evidence(user, item)


def can_read_recycle_bin(user: User) -> bool:
    return sees_everything(user)


def can_manage_recycle_bin(user: User) -> bool:
    """Restore and purge."""
    return is_coordinator(user)


def can_create_activity(user: User) -> bool:
    return can_upload_evidence(user)


def can_change_activity(user: User, activity) -> bool:
    """Its creator, the head of its organiser office, the coordinator."""
    if not can_upload_evidence(user):
        return False
    return activity.created_by_id == user.pk or user.heads(activity.organiser_office_id) or is_coordinator(user)


# --- Campaign: plan, criteria, self-assessment, veto list (the campaign engineer's section) ---------------
# Everyone signed in reads the plan, the criteria tree, the self-assessment and the veto list. The coordinator
# edits all of it (plan, imports, explanation reports, veto statuses). The head of an office that leads a task
# of a standard may set that standard's status and self score. Leadership reads and changes nothing.


def can_assess_standard(user: User, criterion) -> bool:
    """Set a standard's self-assessment (status and self score)."""
    if not is_active_user(user) or is_read_only(user):
        return False
    if is_coordinator(user):
        return True
    if not user.headed_office_ids:
        return False
    related = getattr(criterion, "tasks", None)  # tasks.Task.standards (related_name="tasks")
    if related is None:
        return False
    return related.filter(lead_office_id__in=user.headed_office_ids).exists()


def can_write_explanation(user: User, criterion) -> bool:
    """Explanation reports (说明报告) of indicators: the coordinator."""
    return can_manage_campaign(user)


def can_change_veto(user: User) -> bool:
    """Veto statuses (负面清单) are the coordinator's."""
    return can_manage_campaign(user)


# --- Reading any object: used by notifications, search and exports --------------------------------------
# Each kind of object names its read rule here; an object of a kind not listed is readable by nobody, so a
# new model cannot leak through a generic path before its rule is written.


def _plan_level(user, obj) -> bool:
    return can_read_plan(user)


def _own_notification(user, notification) -> bool:
    """A notification is its recipient's alone (the notifications engineer's rule)."""
    return notification.recipient_id == user.pk


READ_RULES = {
    "notifications.notification": _own_notification,
    "campaign.campaign": _plan_level,
    "campaign.criterion": _plan_level,
    "campaign.workarea": _plan_level,
    "campaign.plan": _plan_level,
    "campaign.stage": _plan_level,
    "campaign.leadershipmember": _plan_level,
    "campaign.vetocondition": _plan_level,
    "campaign.assessment": _plan_level,
    "campaign.explanation": _plan_level,
    "campaign.criterionrequirement": _plan_level,
    "tasks.task": _plan_level,
    "evidence.evidenceitem": _evidence_rule,
    "evidence.activity": _plan_level,
    "tasks.taskoccurrence": _plan_level,
    "tasks.progressreport": _plan_level,
}


def can_read(user, obj) -> bool:
    rule = READ_RULES.get(obj._meta.label_lower)
    return bool(rule and is_active_user(user) and rule(user, obj))
