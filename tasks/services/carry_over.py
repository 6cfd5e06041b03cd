"""The tasks' part of starting the next campaign (campaign.succession): the open tasks of the source campaign as new
tasks of the new one, not started, their deadlines moved like the plan's stages, their standards found by code in the
new criteria table (when the table was copied), their work areas by name. Registered in TasksConfig.ready().

An open task is one not done (accepted); a sub-task comes along only under an open parent. Nothing of the old
task's history, progress or periods is copied: the new task starts afresh, with its own audit record saying where it
came from. Nobody is notified (the new campaign is still in planning)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign import succession
from campaign.models import Campaign

from ..models import Status, Task, TaskEvent
from .core import task_create


def open_tasks(source: Campaign) -> list[Task]:
    """The source's tasks that are not done and whose every parent is not done either, parents first."""
    rows = list(
        Task.objects.filter(campaign=source)
        .select_related("lead_office", "work_area", "leader_in_charge")
        .prefetch_related("standards", "supporting_offices", "responsible_people")
        .order_by("code_key", "pk")
    )
    by_pk = {t.pk: t for t in rows}

    def carried(task: Task) -> bool:
        node: Task | None = task
        seen = 0
        while node is not None and seen < 50:
            if node.status == Status.DONE:
                return False
            node = by_pk.get(node.parent_id) if node.parent_id else None
            seen += 1
        return True

    chosen = [t for t in rows if carried(t)]

    def depth(task: Task) -> int:
        n = 0
        while task.parent_id and n < 50:
            task = by_pk[task.parent_id]
            n += 1
        return n

    return sorted(chosen, key=lambda t: (depth(t), t.code_key, t.pk))


def preview_tasks(source: Campaign, dates: succession.DateMap, copying: frozenset[str]) -> list[str]:
    chosen = open_tasks(source)
    total = Task.objects.filter(campaign=source).count()
    if not chosen:
        return [_("No open task: every task of the campaign is done.")]
    lines = [
        _("%(open)d open tasks of %(total)d become new tasks, not started; done tasks stay behind.")
        % {"open": len(chosen), "total": total}
    ]
    first = next((t for t in chosen if t.deadline), None)
    if first is not None and first.deadline is not None:
        lines.append(
            _("Deadlines move with the dates, e.g. %(code)s: %(old)s becomes %(new)s.")
            % {"code": first.code, "old": first.deadline.isoformat(), "new": dates.move(first.deadline).isoformat()}
        )
    if "criteria" in copying:
        lines.append(_("Each keeps its standards (found by code in the copied criteria table)."))
    else:
        lines.append(_("The criteria table is not copied: the new tasks link to no standard until you link them."))
    return lines


def copy_tasks(carried: succession.Carried) -> int:
    made: dict[int, Task] = {}
    work_areas = carried.work_areas_by_name
    note = _("Carried over from “%(title)s”.") % {"title": carried.source.title}
    for old in open_tasks(carried.source):
        standards = [
            carried.criteria_by_code[c.code] for c in old.standards.all() if c.code in carried.criteria_by_code
        ]
        task = task_create(
            campaign=carried.target,
            code=old.code,
            title=old.title,
            lead_office=old.lead_office,
            user=carried.user,
            parent=made.get(old.parent_id) if old.parent_id else None,
            measures=old.measures,
            work_area=work_areas.get(old.work_area.name) if old.work_area else None,
            standards=standards,
            supporting_offices=list(old.supporting_offices.all()),
            leader_in_charge=old.leader_in_charge,
            leader_in_charge_name=old.leader_in_charge_name,
            responsible_people=list(old.responsible_people.all()),
            responsible_names=old.responsible_names,
            deadline=carried.dates(old.deadline),
            recurrence=old.recurrence,
            evidence_requirement=old.evidence_requirement,
            notes=old.notes,
            source=TaskEvent.Source.SYSTEM,
        )
        TaskEvent.objects.filter(task=task, action=TaskEvent.Action.CREATED).update(note=note)
        made[old.pk] = task
    return len(made)


def register() -> None:
    succession.register(
        succession.Part(
            "tasks",
            gettext_lazy("Open tasks"),
            gettext_lazy("Tasks not yet done, as new tasks (not started), with their offices and people."),
            40,
            preview_tasks,
            copy_tasks,
        )
    )
