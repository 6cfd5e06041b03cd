"""What an import will change (the preview), and applying exactly that in one transaction.

The plan compares every valid row with the campaign's tasks by code: created, updated (field by field), unchanged,
and tasks missing from the sheet (kept, and listed). Applying re-reads the file and re-plans inside the transaction;
the preview's fingerprint must still match, so what is applied is what the coordinator saw.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.models import ImportRecord
from civunit.accounts.models import User
from civunit.db import insert_many, insert_rows, insert_values
from civunit.utils import gc_paused
from tasks import services
from tasks.models import ProgressReport, Recurrence, Status, Task, TaskEvent, code_sort_key

from .columns import RECURRENCE_LABEL, STATUS_LABEL
from .reading import Sheet, TaskRow


class PlanChanged(Exception):
    """The data changed between the preview and the apply: the coordinator must look at the preview again."""


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class Update:
    row: TaskRow
    task: Task
    changes: dict = field(default_factory=dict)  # task_update keyword arguments
    shown: list[FieldChange] = field(default_factory=list)
    parent_changed: bool = False
    parent_code: str | None = None  # the new parent's code, resolved at apply time (it may be created first)
    status: str | None = None
    progress: str = ""

    @property
    def is_change(self) -> bool:
        return bool(self.changes or self.shown or self.status or self.progress)


@dataclass
class Plan:
    sheet: Sheet
    created: list[TaskRow]
    updated: list[Update]
    unchanged: list[TaskRow]
    missing: list[Task]

    @property
    def ok(self) -> bool:
        return self.sheet.ok

    @property
    def status_changes(self) -> int:
        return sum(1 for u in self.updated if u.status) + sum(
            1 for r in self.created if r.status and r.status != Status.NOT_STARTED
        )

    @property
    def progress_reports(self) -> int:
        return sum(1 for u in self.updated if u.progress) + sum(1 for r in self.created if r.progress_text)

    def summary(self) -> dict:
        """What ImportRecord.summary keeps: codes by outcome, counts, warnings."""
        return {
            "sheet": self.sheet.sheet_title,
            "rows": len(self.sheet.rows),
            "created": [r.code for r in self.created],
            "updated": {u.row.code: [c.label for c in u.shown] for u in self.updated},
            "unchanged": len(self.unchanged),
            "missing": [t.code for t in self.missing],
            "status_changes": self.status_changes,
            "progress_reports": self.progress_reports,
            "warnings": [str(w) for w in self.sheet.warnings],
        }

    def fingerprint(self) -> str:
        detail = {
            "summary": self.summary(),
            "created": [(r.code, r.title, r.status) for r in self.created],
            "updated": [
                (u.row.code, u.task.pk, u.task.version, [(c.label, c.old, c.new) for c in u.shown], u.status)
                for u in self.updated
            ],
        }
        return hashlib.sha256(json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


# --- Displaying values --------------------------------------------------------------------------------------


def deadline_text(deadline, recurrence: str) -> str:
    if recurrence in RECURRENCE_LABEL:
        return RECURRENCE_LABEL[recurrence]
    return deadline.isoformat() if deadline else ""


def office_names(offices) -> str:
    return "、".join(o.name for o in sorted(offices, key=lambda o: (o.ordering, o.name)))


def leader_text(task: Task) -> str:
    return task.leader_in_charge.display_name if task.leader_in_charge else task.leader_in_charge_name


def responsible_list(task: Task) -> list[str]:
    return [p.display_name for p in task.responsible_people.all()] + task.pending_names


def tasks_for_plan(campaign):
    """The campaign's tasks with everything a comparison or an export reads: 5 queries however many tasks."""
    latest = ProgressReport.objects.filter(task=OuterRef("pk")).order_by("-created_at", "-pk").values("text")[:1]
    return (
        Task.objects.filter(campaign=campaign)
        .select_related("lead_office", "leader_in_charge", "parent")
        .prefetch_related("supporting_offices", "responsible_people", "standards")
        .annotate(latest_progress=Subquery(latest))
        .order_by("code_key", "pk")
    )


# --- Planning ----------------------------------------------------------------------------------------------


@gc_paused()
def plan_import(sheet: Sheet, *, campaign) -> Plan:
    existing = {t.code: t for t in tasks_for_plan(campaign)} if sheet.ok else {}
    created: list[TaskRow] = []
    updated: list[Update] = []
    unchanged: list[TaskRow] = []
    leaders = _leaders([r.leader for r in sheet.rows])
    if sheet.ok:
        for row in sheet.rows:
            task = existing.get(row.code)
            if task is None:
                created.append(row)
                continue
            update = _compare(row, task, sheet.fields, leaders)
            if update.is_change:
                updated.append(update)
            else:
                unchanged.append(row)
    seen = {r.code for r in sheet.rows}
    missing = [t for code, t in existing.items() if code not in seen]
    return Plan(sheet=sheet, created=created, updated=updated, unchanged=unchanged, missing=missing)


def _leaders(names) -> dict[str, User]:
    """Leaders in charge written by name → the one active account with that real name (none when two share it)."""
    found: dict[str, list[User]] = {}
    for user in User.objects.filter(real_name__in={n for n in names if n}, is_active=True):
        found.setdefault(user.real_name, []).append(user)
    return {name: users[0] for name, users in found.items() if len(users) == 1}


def _compare(row: TaskRow, task: Task, fields: frozenset[str], leaders) -> Update:
    u = Update(row=row, task=task)

    def text_field(key: str, label: str, new: str) -> None:
        old = getattr(task, key)
        if key in fields and old != new:
            u.changes[key] = new
            u.shown.append(FieldChange(label, old, new))

    text_field("title", _("Task"), row.title)
    text_field("measures", _("Measures"), row.measures)
    text_field("evidence_requirement", _("Evidence requirement"), row.evidence_requirement)
    text_field("notes", _("Notes"), row.notes)
    if "lead_office" in fields and row.lead_office and task.lead_office_id != row.lead_office.pk:
        u.changes["lead_office"] = row.lead_office
        u.shown.append(FieldChange(_("Lead office"), task.lead_office.name, row.lead_office.name))
    if "supporting_offices" in fields:
        old = list(task.supporting_offices.all())
        if {o.pk for o in old} != {o.pk for o in row.supporting_offices}:
            u.changes["supporting_offices"] = row.supporting_offices
            u.shown.append(
                FieldChange(_("Supporting offices"), office_names(old), office_names(row.supporting_offices))
            )
    if "leader" in fields and leader_text(task) != row.leader:
        u.changes["leader_in_charge"] = leaders.get(row.leader)
        u.changes["leader_in_charge_name"] = row.leader
        u.shown.append(FieldChange(_("Leader in charge"), leader_text(task), row.leader))
    if "responsible" in fields:
        old_names = responsible_list(task)
        if sorted(old_names) != sorted(row.responsible):
            u.changes["responsible_people"] = []
            u.changes["responsible_names"] = "、".join(row.responsible)
            u.shown.append(FieldChange(_("Responsible people"), "、".join(old_names), "、".join(row.responsible)))
    if "deadline" in fields and (task.deadline, task.recurrence) != (row.deadline, row.recurrence):
        u.changes["deadline"] = row.deadline
        u.changes["recurrence"] = row.recurrence
        u.shown.append(
            FieldChange(
                _("Deadline"),
                deadline_text(task.deadline, task.recurrence),
                deadline_text(row.deadline, row.recurrence),
            )
        )
    if "standards" in fields:
        old_standards = list(task.standards.all())
        if {c.pk for c in old_standards} != {c.pk for c in row.standards}:
            u.changes["standards"] = row.standards
            u.shown.append(
                FieldChange(
                    _("Standards"), "、".join(c.code for c in old_standards), "、".join(c.code for c in row.standards)
                )
            )
    old_parent = task.parent.code if task.parent else None
    if old_parent != row.parent_code:
        u.parent_changed, u.parent_code = True, row.parent_code
        u.shown.append(FieldChange(_("Parent task"), old_parent or "", row.parent_code or ""))
    if row.status and row.status != task.status:
        u.status = row.status
        u.shown.append(FieldChange(_("Status"), STATUS_LABEL[task.status], STATUS_LABEL[row.status]))
    if row.progress_text and row.progress_text != (task.latest_progress or ""):  # type: ignore[attr-defined]  # annotated by tasks_for_plan()
        u.progress = row.progress_text
        u.shown.append(FieldChange(_("Progress"), task.latest_progress or "", row.progress_text))  # type: ignore[attr-defined]  # annotated by tasks_for_plan()
    return u


# --- Applying ---------------------------------------------------------------------------------------------


@gc_paused()
@transaction.atomic
def apply_plan(plan: Plan, *, campaign, user, file_name: str, sha256: str) -> ImportRecord:
    """Write the plan: new tasks in bulk (parents before sub-tasks), changed ones through the task services, the
    audit records with source=import, and the ImportRecord. Refuses a plan with errors."""
    if not plan.ok:
        raise ValueError("a plan with errors cannot be applied")
    actor = user if user is not None and getattr(user, "is_authenticated", False) else None
    code_to_pk = dict(Task.objects.filter(campaign=campaign).values_list("code", "pk"))
    _create(plan.created, campaign=campaign, actor=actor, code_to_pk=code_to_pk)
    for u in plan.updated:
        _update(u, actor=actor, code_to_pk=code_to_pk)
    return ImportRecord.objects.create(
        campaign=campaign,
        kind=ImportRecord.Kind.TASKS,
        user=actor,
        file_name=file_name[:255],
        sha256=sha256,
        summary=plan.summary(),
    )


def _create(rows: list[TaskRow], *, campaign, actor, code_to_pk: dict[str, int]) -> None:
    """Bulk inserts: a first import of a 2,000-row breakdown must not take 2,000 × 8 queries."""
    if not rows:
        return
    now = timezone.now()
    names = {n for r in rows for n in r.responsible} | {r.leader for r in rows if r.leader}
    people: dict[str, list[User]] = {}
    for person in User.objects.filter(real_name__in=names, is_active=True):
        people.setdefault(person.real_name, []).append(person)
    through_offices, through_people, through_standards = [], [], []
    events, reports = [], []
    actor_id = actor.pk if actor is not None else None
    for depth in sorted({r.depth for r in rows}):
        level = [r for r in rows if r.depth == depth]
        objs, linked_people = [], []
        for r in level:
            status = r.status or Status.NOT_STARTED
            linked = [people[n][0] for n in r.responsible if len(people.get(n, [])) == 1]
            pending = [n for n in r.responsible if len(people.get(n, [])) != 1]
            leader = people.get(r.leader, [])
            obj = Task(
                campaign=campaign,
                parent_id=code_to_pk.get(r.parent_code) if r.parent_code else None,
                code=r.code,
                code_key=code_sort_key(r.code),
                title=r.title,
                measures=r.measures,
                lead_office=r.lead_office,
                leader_in_charge=leader[0] if len(leader) == 1 else None,
                leader_in_charge_name=r.leader,
                responsible_names="、".join(pending),
                deadline=r.deadline,
                recurrence=r.recurrence or Recurrence.NONE,
                evidence_requirement=r.evidence_requirement,
                notes=r.notes,
                status=status,
                started_at=now if status != Status.NOT_STARTED else None,
                completed_at=now if status == Status.DONE else None,
                last_progress_at=now if r.progress_text else None,
                created_by=actor,
            )
            objs.append(obj)
            linked_people.append(linked)
        insert_many(Task, objs)
        # Codes are unique within the campaign: one query gives the new rows' keys.
        code_to_pk.update(
            Task.objects.filter(campaign=campaign, code__in=[r.code for r in level]).values_list("code", "pk")
        )
        for r, obj, linked in zip(level, objs, linked_people, strict=True):
            obj.pk = code_to_pk[r.code]
            through_offices += [(obj.pk, o.pk) for o in r.supporting_offices]
            through_standards += [(obj.pk, c.pk) for c in r.standards]
            through_people += [(obj.pk, p.pk) for p in linked]
            events.append(
                {
                    "task_id": obj.pk,
                    "actor_id": actor_id,
                    "action": TaskEvent.Action.CREATED,
                    "to_status": obj.status,
                    "note": r.status_reason,
                    "source": TaskEvent.Source.IMPORT,
                }
            )
            if r.progress_text:
                reports.append({"task_id": obj.pk, "author_id": actor_id, "text": r.progress_text})
                events.append(
                    {
                        "task_id": obj.pk,
                        "actor_id": actor_id,
                        "action": TaskEvent.Action.PROGRESS,
                        "note": r.progress_text,
                        "source": TaskEvent.Source.IMPORT,
                    }
                )
    _insert_links(Task.supporting_offices, through_offices)
    _insert_links(Task.standards, through_standards)
    _insert_links(Task.responsible_people, through_people)
    insert_values(TaskEvent, events)
    insert_values(ProgressReport, reports)
    recurring = [code_to_pk[r.code] for r in rows if r.recurrence in Recurrence.periodic()]
    if recurring:
        services.occurrences_roll(tasks=Task.objects.filter(pk__in=recurring))


def _insert_links(descriptor, pairs: list[tuple[int, int]]) -> None:
    """Insert many-to-many link rows in bulk (the ORM would build thousands of two-column objects)."""
    field = descriptor.rel.field
    insert_rows(descriptor.through._meta.db_table, [field.m2m_column_name(), field.m2m_reverse_name()], pairs)


def _update(u: Update, *, actor, code_to_pk: dict[str, int]) -> None:
    task = u.task
    changes = dict(u.changes)
    if u.parent_changed:
        changes["parent"] = Task.objects.get(pk=code_to_pk[u.parent_code]) if u.parent_code else None
    if changes:
        names = changes.pop("responsible_names", None)
        task = services.task_update(
            task=task, user=actor, source=TaskEvent.Source.IMPORT, responsible_names=names, **changes
        )
        if task.is_recurring and "recurrence" in changes:
            services.occurrences_roll(tasks=Task.objects.filter(pk=task.pk))
    if u.status:
        task = services.task_set_status_from_import(task=task, status=u.status, user=actor, reason=u.row.status_reason)
    if u.progress:
        ProgressReport.objects.create(task=task, author=actor, text=u.progress)
        Task.objects.filter(pk=task.pk).update(last_progress_at=timezone.now())
        TaskEvent.objects.create(
            task=task, actor=actor, action=TaskEvent.Action.PROGRESS, note=u.progress, source=TaskEvent.Source.IMPORT
        )
