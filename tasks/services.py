"""Writes of the task breakdown. Every state change happens here, with its audit record (TaskEvent) in the same
transaction, and as a conditional UPDATE on (pk, version) so that of two people acting at once exactly one wins.

The Excel import calls task_create / task_update / task_set_status_from_import with source=import.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civunit import access
from civunit.accounts.models import User
from civunit.accounts.roles import Role
from civunit.notifications.models import Notification
from civunit.notifications.services import notify

from .models import (
    ProgressReport,
    Recurrence,
    Status,
    Task,
    TaskEvent,
    TaskOccurrence,
    code_sort_key,
    split_names,
)


class TaskActionError(Exception):
    """A workflow action that cannot be done; the message is shown to the user as it is."""


class StaleTask(TaskActionError):
    """The row changed since the actor's form was loaded."""

    def __init__(self, message: str | None = None):
        super().__init__(message or _("Someone else changed this task in the meantime. Reload the page and try again."))


def _event(
    *,
    task: Task,
    user,
    action: str,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    source: str = TaskEvent.Source.WEB,
    occurrence=None,
) -> TaskEvent:
    return TaskEvent.objects.create(
        task=task,
        occurrence=occurrence,
        actor=user if user is not None and user.is_authenticated else None,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        source=source,
    )


def _conditional_update(*, model, pk: int, version: int, expect_status=None, **values) -> int:
    """UPDATE ... WHERE pk = %s AND version = %s [AND status = %s]; returns the new version or raises StaleTask."""
    rows = model.objects.filter(pk=pk, version=version)
    if expect_status is not None:
        rows = rows.filter(status=expect_status)
    if rows.update(version=F("version") + 1, updated_at=timezone.now(), **values) != 1:
        raise StaleTask()
    return version + 1


@transaction.atomic
def task_create(
    *,
    campaign,
    code: str,
    title: str,
    lead_office,
    user=None,
    parent: Task | None = None,
    measures: str = "",
    work_area=None,
    standards=(),
    supporting_offices=(),
    leader_in_charge=None,
    leader_in_charge_name: str = "",
    responsible_people=(),
    responsible_names: str = "",
    deadline: datetime.date | None = None,
    recurrence: str = Recurrence.NONE,
    evidence_requirement: str = "",
    notes: str = "",
    status: str = Status.NOT_STARTED,
    source: str = TaskEvent.Source.WEB,
) -> Task:
    task = Task.objects.create(
        campaign=campaign,
        code=code.strip(),
        code_key=code_sort_key(code),
        title=title.strip(),
        parent=parent,
        measures=measures,
        work_area=work_area,
        lead_office=lead_office,
        leader_in_charge=leader_in_charge,
        leader_in_charge_name=leader_in_charge_name,
        responsible_names="",
        deadline=deadline,
        recurrence=recurrence,
        evidence_requirement=evidence_requirement,
        notes=notes,
        status=status,
        started_at=timezone.now() if status != Status.NOT_STARTED else None,
        created_by=user if user is not None and getattr(user, "is_authenticated", False) else None,
    )
    if standards:
        task.standards.set(standards)
    if supporting_offices:
        task.supporting_offices.set(supporting_offices)
    people = list(responsible_people)
    pending = _link_names(campaign=campaign, names=split_names(responsible_names), people=people)
    if people:
        task.responsible_people.set(people)
    if pending:
        Task.objects.filter(pk=task.pk).update(responsible_names="、".join(pending))
        task.responsible_names = "、".join(pending)
    _event(task=task, user=user, action=TaskEvent.Action.CREATED, to_status=status, source=source)
    if task.is_recurring:
        occurrences_roll(tasks=Task.objects.filter(pk=task.pk))
    return task


def _link_names(*, campaign, names: list[str], people: list) -> list[str]:
    """Move names that match exactly one active account's real name into `people`; return the rest."""
    if not names:
        return []
    by_name: dict[str, list[User]] = {}
    for person in User.objects.filter(real_name__in=names, is_active=True):
        by_name.setdefault(person.real_name, []).append(person)
    known = {p.pk for p in people}
    pending = []
    for name in names:
        matches = by_name.get(name, [])
        if len(matches) == 1:
            if matches[0].pk not in known:
                people.append(matches[0])
                known.add(matches[0].pk)
        else:
            pending.append(name)  # no account yet, or two people of that name: leave it to a person
    return pending


def person_by_name(name: str) -> User | None:
    """The one active account with this real name, or None (no account, or two people share the name)."""
    name = (name or "").strip()
    if not name:
        return None
    found = list(User.objects.filter(real_name=name, is_active=True)[:2])
    return found[0] if len(found) == 1 else None


@transaction.atomic
def link_pending_people(*, user: User) -> int:
    """Link `user` to every task that names them (by real name) among responsible people or as leader in charge.

    Call when an account is created or its real name changes, and after an import. Returns the tasks linked.
    """
    if not user.real_name or not user.is_active:
        return 0
    if User.objects.filter(real_name=user.real_name, is_active=True).exclude(pk=user.pk).exists():
        return 0  # two people share the name: a person must choose
    linked = 0
    for task in Task.objects.filter(responsible_names__contains=user.real_name):
        names = task.pending_names
        if user.real_name not in names:
            continue
        rest = [n for n in names if n != user.real_name]
        Task.objects.filter(pk=task.pk).update(responsible_names="、".join(rest), version=F("version") + 1)
        task.responsible_people.add(user)
        _event(
            task=task,
            user=None,
            action=TaskEvent.Action.PEOPLE_LINKED,
            note=user.real_name,
            source=TaskEvent.Source.SYSTEM,
        )
        linked += 1
    for task in Task.objects.filter(leader_in_charge__isnull=True, leader_in_charge_name=user.real_name):
        Task.objects.filter(pk=task.pk).update(leader_in_charge=user, version=F("version") + 1)
        linked += 1
    return linked


@transaction.atomic
def task_set_status_from_import(*, task: Task, status: str, user, reason: str = "") -> Task:
    """Set a task's status as an imported table says (进展情况), recorded with source=import in the audit."""
    status = Status(status)
    if task.status == status:
        return task
    previous = task.status
    now = timezone.now()
    values = {"status": status}
    if status != Status.NOT_STARTED and task.started_at is None:
        values["started_at"] = now
    if status == Status.DONE:
        values["completed_at"] = now
    task.version = _conditional_update(model=Task, pk=task.pk, version=task.version, **values)
    for key, value in values.items():
        setattr(task, key, value)
    _event(
        task=task,
        user=user,
        action=TaskEvent.Action.STATUS_SET,
        from_status=previous,
        to_status=status,
        note=reason,
        source=TaskEvent.Source.IMPORT,
    )
    return task


_PLAIN_FIELDS = {
    "code",
    "title",
    "measures",
    "work_area",
    "lead_office",
    "leader_in_charge",
    "leader_in_charge_name",
    "deadline",
    "recurrence",
    "evidence_requirement",
    "notes",
    "parent",
}
_M2M_FIELDS = {"standards", "supporting_offices", "responsible_people"}


@transaction.atomic
def task_update(
    *,
    task: Task,
    user,
    source: str = TaskEvent.Source.WEB,
    version: int | None = None,
    responsible_names: str | None = None,
    **changes,
) -> Task:
    """Change a task's descriptive fields (not its status) in one conditional update, with an audit record.

    `changes` may hold any of the plain fields (code, title, measures, work_area, lead_office, leader_in_charge,
    leader_in_charge_name, deadline, recurrence, evidence_requirement, notes, parent) and the many-to-many ones
    (standards, supporting_offices, responsible_people: iterables). `responsible_names` is a text of names; those
    matching an account are linked, the rest kept as text. Raises StaleTask when `version` is no longer current.
    """
    unknown = set(changes) - _PLAIN_FIELDS - _M2M_FIELDS
    if unknown:
        raise TypeError(f"task_update got unknown fields: {sorted(unknown)}")
    plain = {k: v for k, v in changes.items() if k in _PLAIN_FIELDS}
    if "code" in plain:
        plain["code"] = plain["code"].strip()
        plain["code_key"] = code_sort_key(plain["code"])
    people = list(changes["responsible_people"]) if "responsible_people" in changes else None
    if responsible_names is not None:
        if people is None:
            people = list(task.responsible_people.all())
        pending = _link_names(campaign=task.campaign, names=split_names(responsible_names), people=people)
        plain["responsible_names"] = "、".join(pending)
    task.version = _conditional_update(
        model=Task, pk=task.pk, version=task.version if version is None else version, **plain
    )
    for key, value in plain.items():
        setattr(task, key, value)
    if "standards" in changes:
        task.standards.set(changes["standards"])
    if "supporting_offices" in changes:
        task.supporting_offices.set(changes["supporting_offices"])
    if people is not None:
        task.responsible_people.set(people)
    changed = sorted(set(plain) - {"code_key"} | (set(changes) & _M2M_FIELDS))
    _event(task=task, user=user, action=TaskEvent.Action.UPDATED, note=", ".join(changed), source=source)
    if "recurrence" in plain and task.is_recurring:
        occurrences_roll(tasks=Task.objects.filter(pk=task.pk))
    return task


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
    head = task.parent.lead_office.head if task.parent_id is not None else None
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
    return _transition(
        task=task, user=user, action="start", version=version, source=source, values={"started_at": timezone.now()}
    )


@transaction.atomic
def task_check_off(
    *,
    task: Task,
    user,
    note: str,
    version: int | None = None,
    occurrence: TaskOccurrence | None = None,
    source: str = TaskEvent.Source.WEB,
) -> Task | TaskOccurrence:
    """The lead office's head checks the work off with a note saying what was done (→ 待审核).

    The evidence archive attaches its items to the task (and its progress reports); the note names them.
    """
    _require(access.can_check_off_task(user, task))
    note = (note or "").strip()
    if not note:
        raise TaskActionError(_("Say what was done when checking a task off."))
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
    return _transition(
        task=task,
        user=user,
        action="accept",
        version=version,
        occurrence=occurrence,
        note=note.strip(),
        source=source,
        values={"completed_at": timezone.now()},
    )


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
    return _transition(task=task, user=user, action="resume", version=version, occurrence=occurrence, source=source)


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


# --- Recurring tasks: occurrences are created for every period from the task's first one to the period after
# today's (the current and the next period, rolling). A daily job (jobs.roll_occurrences) and the creation of a
# recurring task call this; it is idempotent and safe to run twice at once (unique period per task).


def occurrences_roll(*, today: datetime.date | None = None, tasks=None) -> int:
    """Create the missing occurrences up to the next period; returns how many were created."""
    from .periods import period_of, periods_between

    today = today or timezone.localdate()
    if tasks is None:
        tasks = Task.objects.filter(campaign__is_current=True)
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
                new.append(TaskOccurrence(task=task, period_start=start, period_end=end, due_date=end))
    TaskOccurrence.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


@transaction.atomic
def people_link_pending() -> int:
    """Link every responsible person still written as a name to the one active account of that real name.

    A safety net for accounts created outside the services (the admin, a directory sync): run daily and after
    an import. Returns how many tasks gained a linked person.
    """
    names = set()
    for text in Task.objects.exclude(responsible_names="").values_list("responsible_names", flat=True):
        names.update(split_names(text))
    names.update(
        Task.objects.filter(leader_in_charge__isnull=True)
        .exclude(leader_in_charge_name="")
        .values_list("leader_in_charge_name", flat=True)
    )
    if not names:
        return 0
    linked = 0
    for user in User.objects.filter(real_name__in=names, is_active=True):
        linked += link_pending_people(user=user)
    return linked
