"""The campaign's tasks as plain rows: what an import compares and an export writes.

A re-import of a 2,000-row breakdown compares every task with its row; building model instances for the tasks,
their offices, people and standards (about 14,000 objects) cost more than the comparison itself. These are read
with values(): four queries whatever the number of tasks, and no model instance.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery

from tasks.models import ProgressReport, Task, split_names


@dataclass(slots=True)
class OfficeRef:
    pk: int
    name: str
    ordering: int


@dataclass(slots=True)
class StandardRef:
    pk: int
    code: str
    title: str
    ordering: int


@dataclass(slots=True)
class TaskSnapshot:
    pk: int
    code: str
    version: int
    parent_code: str | None
    title: str
    measures: str
    evidence_requirement: str
    notes: str
    lead_office: OfficeRef
    leader: str  # the leader in charge as the table writes it: the account's name, else the name as imported
    deadline: datetime.date | None
    recurrence: str
    status: str
    latest_progress: str
    supporting_offices: list[OfficeRef] = field(default_factory=list)  # in the organ's order
    linked_people: list[str] = field(default_factory=list)  # names of the linked accounts
    pending_names: list[str] = field(default_factory=list)  # names without an account
    standards: list[StandardRef] = field(default_factory=list)  # in the criteria's order

    @property
    def responsible(self) -> list[str]:
        return self.linked_people + self.pending_names


def task_snapshots(campaign, *, office_ids=None) -> list[TaskSnapshot]:
    """The campaign's tasks in natural 序号 order, with their offices, people, standards and latest progress
    (only those led by `office_ids` when given)."""
    latest = ProgressReport.objects.filter(task=OuterRef("pk")).order_by("-created_at", "-pk").values("text")[:1]
    scope = Task.objects.filter(campaign=campaign)
    if office_ids is not None:
        scope = scope.filter(lead_office_id__in=list(office_ids))
    rows = (
        scope.annotate(latest_progress=Subquery(latest))
        .order_by("code_key", "pk")
        .values_list(
            "pk",
            "code",
            "version",
            "parent__code",
            "title",
            "measures",
            "evidence_requirement",
            "notes",
            "lead_office_id",
            "lead_office__name",
            "lead_office__ordering",
            "leader_in_charge__real_name",
            "leader_in_charge__username",
            "leader_in_charge_name",
            "responsible_names",
            "deadline",
            "recurrence",
            "status",
            "latest_progress",
        )
    )
    tasks: dict[int, TaskSnapshot] = {}
    for (
        pk,
        code,
        version,
        parent_code,
        title,
        measures,
        evidence,
        notes,
        office_id,
        office_name,
        office_ordering,
        leader_real,
        leader_username,
        leader_name,
        pending,
        deadline,
        recurrence,
        status,
        progress,
    ) in rows:
        tasks[pk] = TaskSnapshot(
            pk=pk,
            code=code,
            version=version,
            parent_code=parent_code,
            title=title,
            measures=measures,
            evidence_requirement=evidence,
            notes=notes,
            lead_office=OfficeRef(office_id, office_name, office_ordering),
            leader=(leader_real or leader_username) if leader_username else leader_name,
            deadline=deadline,
            recurrence=recurrence,
            status=status,
            latest_progress=progress or "",
            pending_names=split_names(pending) if pending else [],
        )
    if not tasks:
        return []
    in_campaign: dict = {"task__campaign": campaign}
    if office_ids is not None:
        in_campaign["task__lead_office_id__in"] = list(office_ids)
    offices = Task.supporting_offices.through.objects.filter(**in_campaign)
    for task_id, pk, name, ordering in offices.order_by("office__ordering", "office__name").values_list(
        "task_id", "office_id", "office__name", "office__ordering"
    ):
        tasks[task_id].supporting_offices.append(OfficeRef(pk, name, ordering))
    people = Task.responsible_people.through.objects.filter(**in_campaign)
    # The accounts' own order (User.Meta.ordering), as task.responsible_people.all() gives them.
    for task_id, real_name, username in people.order_by("user__office__ordering", "user__username").values_list(
        "task_id", "user__real_name", "user__username"
    ):
        tasks[task_id].linked_people.append(real_name or username)
    standards = Task.standards.through.objects.filter(**in_campaign)
    for task_id, pk, code, title, ordering in standards.order_by("criterion__ordering", "criterion__code").values_list(
        "task_id", "criterion_id", "criterion__code", "criterion__title", "criterion__ordering"
    ):
        tasks[task_id].standards.append(StandardRef(pk, code, title, ordering))
    return list(tasks.values())
