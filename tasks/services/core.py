"""Creating and describing tasks, the audit record, conditional updates, and linking people named in tables."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from civunit.accounts.models import User

from ..models import (
    Recurrence,
    Status,
    Task,
    TaskEvent,
    code_sort_key,
    split_names,
)
from .occurrences import occurrences_roll


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
    note: str = "",
) -> Task:
    """A new task with its audit record (CREATED, carrying `note`: why the task exists, where that is worth
    keeping, e.g. the readiness finding a rectification answers)."""
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
    _event(task=task, user=user, action=TaskEvent.Action.CREATED, to_status=status, source=source, note=note)
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
    values: dict[str, Any] = {"status": status}
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
