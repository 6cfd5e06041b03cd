"""The workflow: start, check off, accept, return, resume; progress; assigning, splitting and bulk actions."""

from __future__ import annotations

import datetime
from typing import cast

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign import completeness
from civunit.accounts.models import User
from civunit.accounts.roles import Role
from civunit.notifications.models import Notification
from civunit.notifications.services import notifications_mark_done, notify
from tasks import access

from ..models import (
    ProgressReport,
    Status,
    Task,
    TaskEvent,
    TaskOccurrence,
)
from .core import StaleTask, TaskActionError, _conditional_update, _event, task_create

# --- The workflow --------------------------------------------------------------------------------------------
# start: 未开始 → 进行中; check off: 进行中/已退回 → 待审核; accept: 待审核 → 已完成; return: 待审核 → 已退回;
# resume: 已退回 → 进行中. A recurring task is started once; each of its occurrences is then checked off and
# reviewed on its own (an occurrence may be checked off straight from 未开始).

_FROM = {
    "start": (Status.NOT_STARTED,),
    "check_off": (Status.IN_PROGRESS, Status.RETURNED),
    "accept": (Status.PENDING_REVIEW,),
    "return": (Status.PENDING_REVIEW,),
    "resume": (Status.RETURNED,),
}
_TO = {
    "start": Status.IN_PROGRESS,
    "check_off": Status.PENDING_REVIEW,
    "accept": Status.DONE,
    "return": Status.RETURNED,
    "resume": Status.IN_PROGRESS,
}
_ACTION_EVENT = {
    "start": TaskEvent.Action.STARTED,
    "check_off": TaskEvent.Action.CHECKED_OFF,
    "accept": TaskEvent.Action.ACCEPTED,
    "return": TaskEvent.Action.RETURNED,
    "resume": TaskEvent.Action.RESUMED,
}


def _not_allowed_message(action: str, status: str) -> str:
    messages = {
        "start": _("Only a task that has not started can be started."),
        "check_off": _("Only a task in progress or returned can be checked off."),
        "accept": _("Only a task pending review can be accepted."),
        "return": _("Only a task pending review can be returned."),
        "resume": _("Only a returned task can be resumed."),
    }
    return messages[action]


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not do this on this task."))


def _transition(
    *,
    task: Task,
    user,
    action: str,
    version: int | None,
    occurrence: TaskOccurrence | None = None,
    note: str = "",
    source: str = TaskEvent.Source.WEB,
    values: dict | None = None,
) -> Task | TaskOccurrence:
    """Move the task (or one occurrence of a recurring task) from one state to the next, conditionally."""
    row = occurrence if occurrence is not None else task
    if occurrence is not None and occurrence.task_id != task.pk:
        raise TaskActionError(_("This period does not belong to this task."))
    if occurrence is None and task.is_recurring and action != "start":
        raise TaskActionError(_("A recurring task is checked off period by period."))
    expected = row.version if version is None else version
    if expected != row.version:
        raise StaleTask()
    allowed_from = _FROM[action]
    if occurrence is not None and action == "check_off":
        allowed_from = (*allowed_from, Status.NOT_STARTED)
    if row.status not in allowed_from:
        raise TaskActionError(_not_allowed_message(action, row.status))
    previous = row.status
    values = {"status": _TO[action], **(values or {})}
    row.version = _conditional_update(model=type(row), pk=row.pk, version=expected, expect_status=previous, **values)
    for key, value in values.items():
        setattr(row, key, value)
    _event(
        task=task,
        occurrence=occurrence,
        user=user,
        action=_ACTION_EVENT[action],
        from_status=previous,
        to_status=values["status"],
        note=note,
        source=source,
    )
    return row


def _task_url(task: Task) -> str:
    return reverse("tasks:detail", args=[task.pk])


def _notify(*, recipients, kind, task: Task, text: str, actor) -> None:
    seen = set()
    for person in recipients:
        if person is None or person.pk in seen or (actor is not None and person.pk == actor.pk):
            continue
        seen.add(person.pk)
        notify(recipient=person, kind=kind, obj=task, text=text, actor=actor, url=_task_url(task))


def task_reviewers(task: Task) -> list[User]:
    """Who reviews the task's check-off: the coordinators for a top-level task, else the parent's office head."""
    head = task.parent.lead_office.head if task.parent is not None else None
    if head is None:
        return list(User.objects.filter(is_active=True, groups__name=Role.COORDINATOR.group_name).distinct())
    return [head] if head.is_active else []


def _workers(task: Task) -> list[User]:
    """Who hears that a task came back: its lead office's head and its responsible people."""
    people = list(task.responsible_people.all())
    head = task.lead_office.head
    return [head, *people] if head is not None else people


@transaction.atomic
def task_start(*, task: Task, user, version: int | None = None, source: str = TaskEvent.Source.WEB) -> Task:
    _require(access.can_start_task(user, task))
    started = _transition(
        task=task, user=user, action="start", version=version, source=source, values={"started_at": timezone.now()}
    )
    return cast(Task, started)  # no occurrence: the task itself


class CheckOffNeedsConfirmation(TaskActionError):
    """The task is not really complete (see check_off_concerns): the actor must confirm, nothing was changed."""

    def __init__(self, concerns: list[str]):
        super().__init__(_("This task does not look complete yet. Check it off anyway?"))
        self.concerns = concerns


def check_off_concerns(task: Task, occurrence: TaskOccurrence | None = None) -> list[str]:
    """What says the task is not complete: open sub-tasks, and standards whose evidence requirement is unmet
    (campaign.completeness, which the evidence archive answers). A constant number of queries."""
    concerns: list[str] = []
    if occurrence is None:
        open_children = task.children.exclude(status=Status.DONE).count()
        if open_children:
            concerns.append(_("%(n)d sub-task(s) are not done yet.") % {"n": open_children})
    for lines in completeness.gaps(task.standards.all()).values():
        concerns.extend(lines)
    return concerns


@transaction.atomic
def task_check_off(
    *,
    task: Task,
    user,
    note: str,
    version: int | None = None,
    occurrence: TaskOccurrence | None = None,
    source: str = TaskEvent.Source.WEB,
    confirmed: bool = False,
) -> Task | TaskOccurrence:
    """The lead office's head checks the work off with a note saying what was done (→ 待审核).

    The evidence archive attaches its items to the task (and its progress reports); the note names them.
    A task with open sub-tasks or unmet evidence requirements is checked off only when `confirmed`
    (CheckOffNeedsConfirmation otherwise), and never where the campaign refuses incomplete check-offs.
    """
    _require(access.can_check_off_task(user, task))
    note = (note or "").strip()
    if not note:
        raise TaskActionError(_("Say what was done when checking a task off."))
    concerns = check_off_concerns(task, occurrence)
    if concerns and task.campaign.block_incomplete_completion:
        raise TaskActionError(
            _("This task cannot be checked off yet: %(concerns)s") % {"concerns": "；".join(concerns)}
        )
    if concerns and not confirmed:
        raise CheckOffNeedsConfirmation(concerns)
    now = timezone.now()
    values = {"checked_off_at": now, "checked_off_by": user}
    if occurrence is not None:
        values["checked_off_late"] = timezone.localdate(now) > occurrence.due_date
    row = _transition(
        task=task,
        user=user,
        action="check_off",
        version=version,
        occurrence=occurrence,
        note=note,
        source=source,
        values=values,
    )
    if occurrence is not None and task.status == Status.NOT_STARTED:
        Task.objects.filter(pk=task.pk, status=Status.NOT_STARTED).update(
            status=Status.IN_PROGRESS, started_at=now, version=F("version") + 1
        )
    _notify(
        recipients=task_reviewers(task),
        kind=Notification.Kind.AWAITING_REVIEW,
        task=task,
        text=_("%(code)s %(title)s was checked off and awaits your review.") % {"code": task.code, "title": task.title},
        actor=user,
    )
    # a returned task checked off again: what the return asked for is done
    notifications_mark_done(user=user, objs=[task], kinds=[Notification.Kind.RETURNED])
    return row


def _may_review(user, task: Task, row) -> bool:
    return access.can_review_task(
        user, task, checked_off_by_id=row.checked_off_by_id, allow_self_review=task.campaign.allow_self_review
    )


@transaction.atomic
def task_accept(
    *,
    task: Task,
    user,
    note: str = "",
    version: int | None = None,
    occurrence: TaskOccurrence | None = None,
    source: str = TaskEvent.Source.WEB,
) -> Task | TaskOccurrence:
    row = occurrence if occurrence is not None else task
    if access.is_task_reviewer(user, task) and not _may_review(user, task, row):
        raise PermissionDenied(_("You checked this task off yourself; another reviewer must accept it."))
    _require(_may_review(user, task, row))
    accepted = _transition(
        task=task,
        user=user,
        action="accept",
        version=version,
        occurrence=occurrence,
        note=note.strip(),
        source=source,
        values={"completed_at": timezone.now()},
    )
    checker = User.objects.filter(pk=row.checked_off_by_id).first() if row.checked_off_by_id else None
    _notify(
        recipients=[checker, *_workers(task)],
        kind=Notification.Kind.TASK_ACCEPTED,
        task=task,
        text=_("%(code)s %(title)s was accepted.") % {"code": task.code, "title": task.title},
        actor=user,
    )
    _reviewed(user, task)
    return accepted


def _reviewed(user, task: Task) -> None:
    """The reviewer acted on the notifications that the task awaited their review."""
    notifications_mark_done(user=user, objs=[task], kinds=[Notification.Kind.AWAITING_REVIEW])


@transaction.atomic
def task_return(
    *,
    task: Task,
    user,
    reason: str,
    version: int | None = None,
    occurrence: TaskOccurrence | None = None,
    source: str = TaskEvent.Source.WEB,
) -> Task | TaskOccurrence:
    """The reviewer sends the work back with a reason (→ 已退回)."""
    _require(access.is_task_reviewer(user, task))
    reason = (reason or "").strip()
    if not reason:
        raise TaskActionError(_("Give a reason for returning the task."))
    row = _transition(
        task=task, user=user, action="return", version=version, occurrence=occurrence, note=reason, source=source
    )
    _notify(
        recipients=_workers(task),
        kind=Notification.Kind.RETURNED,
        task=task,
        text=_("%(code)s %(title)s was returned: %(reason)s")
        % {"code": task.code, "title": task.title, "reason": reason},
        actor=user,
    )
    _reviewed(user, task)
    return row


@transaction.atomic
def task_resume(
    *,
    task: Task,
    user,
    version: int | None = None,
    occurrence: TaskOccurrence | None = None,
    source: str = TaskEvent.Source.WEB,
) -> Task | TaskOccurrence:
    _require(access.can_start_task(user, task))
    resumed = _transition(task=task, user=user, action="resume", version=version, occurrence=occurrence, source=source)
    notifications_mark_done(user=user, objs=[task], kinds=[Notification.Kind.RETURNED])
    return resumed


@transaction.atomic
def progress_report_add(*, task: Task, user, text: str, occurrence: TaskOccurrence | None = None) -> ProgressReport:
    """进展情况: who did what, when. Does not change the task's version (a report overwrites nothing)."""
    _require(access.can_report_task_progress(user, task))
    text = (text or "").strip()
    if not text:
        raise TaskActionError(_("Write what progress was made."))
    if occurrence is not None and occurrence.task_id != task.pk:
        raise TaskActionError(_("This period does not belong to this task."))
    report = ProgressReport.objects.create(task=task, occurrence=occurrence, author=user, text=text)
    Task.objects.filter(pk=task.pk).update(last_progress_at=report.created_at)
    task.last_progress_at = report.created_at
    _event(task=task, occurrence=occurrence, user=user, action=TaskEvent.Action.PROGRESS, note=text)
    return report


def _check_assignees(task: Task, people) -> list[User]:
    people = list(people)
    office_ids = {task.lead_office_id}
    for person in people:
        if not person.is_active or person.office_id not in office_ids:
            raise TaskActionError(
                _("%(name)s does not work in %(office)s.") % {"name": person.display_name, "office": task.lead_office}
            )
    return people


@transaction.atomic
def task_assign(*, task: Task, user, people, version: int | None = None, source: str = TaskEvent.Source.WEB) -> Task:
    """The lead office's head names the task's responsible people (people of that office)."""
    _require(access.can_assign_task(user, task))
    people = _check_assignees(task, people)
    before = {p.pk for p in task.responsible_people.all()}
    task.version = _conditional_update(model=Task, pk=task.pk, version=task.version if version is None else version)
    task.responsible_people.set(people)
    names = "、".join(p.display_name for p in people)
    _event(task=task, user=user, action=TaskEvent.Action.ASSIGNED, note=names, source=source)
    _notify(
        recipients=[p for p in people if p.pk not in before],
        kind=Notification.Kind.ASSIGNED,
        task=task,
        text=_("%(code)s %(title)s was assigned to you.") % {"code": task.code, "title": task.title},
        actor=user,
    )
    return task


@transaction.atomic
def task_set_deadline(
    *,
    task: Task,
    user,
    deadline: datetime.date | None,
    version: int | None = None,
    source: str = TaskEvent.Source.WEB,
) -> Task:
    _require(access.can_assign_task(user, task))
    _check_deadline_within_parent(task.parent, deadline)
    previous = task.deadline
    task.version = _conditional_update(
        model=Task, pk=task.pk, version=task.version if version is None else version, deadline=deadline
    )
    task.deadline = deadline
    _event(
        task=task,
        user=user,
        action=TaskEvent.Action.DEADLINE_CHANGED,
        note=f"{previous or '—'} → {deadline or '—'}",
        source=source,
    )
    return task


def _check_deadline_within_parent(parent: Task | None, deadline: datetime.date | None) -> None:
    if parent is not None and parent.deadline and deadline and deadline > parent.deadline:
        raise TaskActionError(
            _("The deadline cannot be later than the parent task's deadline (%(date)s).") % {"date": parent.deadline}
        )


def next_child_code(parent: Task) -> str:
    """The next free code under a parent: 12 → 12.1, 12.2 …"""
    prefix = f"{parent.code}."
    taken = set(
        Task.objects.filter(campaign_id=parent.campaign_id, code__startswith=prefix).values_list("code", flat=True)
    )
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


@transaction.atomic
def task_split(
    *,
    parent: Task,
    user,
    title: str,
    lead_office=None,
    measures: str = "",
    responsible_people=(),
    deadline: datetime.date | None = None,
    evidence_requirement: str = "",
    code: str = "",
) -> Task:
    """再分解: the lead office's head makes a sub-task, for their own office or one of the supporting offices."""
    _require(access.can_split_task(user, parent))
    lead_office = lead_office or parent.lead_office
    allowed_offices = {parent.lead_office_id, *(o.pk for o in parent.supporting_offices.all())}
    if lead_office.pk not in allowed_offices:
        raise TaskActionError(_("A sub-task goes to the task's lead office or one of its supporting offices."))
    if not (title or "").strip():
        raise TaskActionError(_("Give the sub-task a title."))
    _check_deadline_within_parent(parent, deadline)
    code = (code or "").strip() or next_child_code(parent)
    if Task.objects.filter(campaign_id=parent.campaign_id, code=code).exists():
        raise TaskActionError(_("The number %(code)s is already used.") % {"code": code})
    try:
        # a savepoint: another head taking the same number at the same moment loses cleanly, not with a 500
        with transaction.atomic():
            child = task_create(
                campaign=parent.campaign,
                code=code,
                title=title,
                lead_office=lead_office,
                user=user,
                parent=parent,
                measures=measures,
                work_area=parent.work_area,
                standards=list(parent.standards.all()),
                leader_in_charge=parent.leader_in_charge,
                leader_in_charge_name=parent.leader_in_charge_name,
                deadline=deadline or parent.deadline,
                evidence_requirement=evidence_requirement or parent.evidence_requirement,
            )
    except IntegrityError:
        raise TaskActionError(_("The number %(code)s is already used.") % {"code": code}) from None
    _event(task=parent, user=user, action=TaskEvent.Action.SPLIT, note=f"{child.code} {child.title}")
    if lead_office.pk != parent.lead_office_id and lead_office.head_id is not None:
        # a supporting office's head learns that a piece of the work is now theirs to assign and check off
        _notify(
            recipients=[lead_office.head],
            kind=Notification.Kind.ASSIGNED,
            task=child,
            text=_("%(code)s %(title)s was given to your office.") % {"code": child.code, "title": child.title},
            actor=user,
        )
    people = list(responsible_people)
    if people:
        _check_assignees(child, people)
        child.responsible_people.set(people)
        _event(task=child, user=user, action=TaskEvent.Action.ASSIGNED, note="、".join(p.display_name for p in people))
        _notify(
            recipients=people,
            kind=Notification.Kind.ASSIGNED,
            task=child,
            text=_("%(code)s %(title)s was assigned to you.") % {"code": child.code, "title": child.title},
            actor=user,
        )
    return child


# --- Bulk actions: the allowed set is resolved once, on the server, and the whole action is refused if any
# task asked for lies outside it (nothing is half-written).


def _bulk_tasks(*, user, campaign, task_ids) -> list[Task]:
    ids = {int(i) for i in task_ids}
    if not ids:
        raise TaskActionError(_("Select at least one task."))
    office_ids = access.task_bulk_office_ids(user)
    tasks = list(
        Task.objects.filter(campaign=campaign, pk__in=ids, lead_office_id__in=office_ids)
        .select_related("lead_office", "parent")
        .prefetch_related("responsible_people")
    )
    if len(tasks) != len(ids):
        raise PermissionDenied(_("Some of the selected tasks are not your office's."))
    return tasks


@transaction.atomic
def tasks_bulk_assign(*, user, campaign, task_ids, people) -> int:
    people = list(people)
    tasks = _bulk_tasks(user=user, campaign=campaign, task_ids=task_ids)
    for task in tasks:
        _check_assignees(task, people)
    for task in tasks:
        task_assign(task=task, user=user, people=people, source=TaskEvent.Source.BULK)
    return len(tasks)


@transaction.atomic
def tasks_bulk_set_deadline(*, user, campaign, task_ids, deadline: datetime.date | None) -> int:
    tasks = _bulk_tasks(user=user, campaign=campaign, task_ids=task_ids)
    for task in tasks:
        _check_deadline_within_parent(task.parent, deadline)
    for task in tasks:
        task_set_deadline(task=task, user=user, deadline=deadline, source=TaskEvent.Source.BULK)
    return len(tasks)
