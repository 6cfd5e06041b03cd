"""What an import will change (the preview), and applying exactly that in one transaction.

The plan compares every valid row with the campaign's tasks by code: created, updated (field by field), unchanged,
and tasks missing from the sheet (kept, and listed). A row whose code is an existing task's but whose text is
clearly different (another table numbered the same way, not an edit of this one) is a conflict: it is applied
only when the coordinator says so (apply_plan(..., on_conflict="update")). A state moved backwards (已完成 →
未开始) or responsible people cleared are applied but never silently: the plan lists them and the ImportRecord
keeps them. Applying re-reads the file and re-plans inside the transaction; the preview's fingerprint must still
match, so what is applied is what the coordinator saw.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field

from django.db import transaction
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
from .snapshot import TaskSnapshot, task_snapshots

# A row with an existing task's code is the same task edited when its text (工作任务, or 具体措施 when both have
# one) is at least this similar to the task's: difflib.SequenceMatcher's ratio, 2 × matching characters / total
# characters, spaces ignored. An edit keeps most of the words (组织理论学习 → 组织理论学习（修订）: 0.75); another
# table's task 3 shares a few common words with this one's (组织理论学习 / 开展志愿服务: 0.0; 开展理论学习 /
# 开展志愿服务: 0.33).
CONFLICT_SIMILARITY = 0.5

# How far along the workflow a state is: an import setting a lower rank moves the task backwards.
STATE_RANK = {
    Status.NOT_STARTED: 0,
    Status.IN_PROGRESS: 1,
    Status.RETURNED: 1,
    Status.PENDING_REVIEW: 2,
    Status.DONE: 3,
}
ON_CONFLICT = ("refuse", "update")


class PlanChanged(Exception):
    """The data changed between the preview and the apply: the coordinator must look at the preview again."""


class ConflictsRefused(Exception):
    """The plan has conflicts and the coordinator did not choose to update those tasks: nothing was imported."""


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class Update:
    row: TaskRow
    task: TaskSnapshot
    changes: dict = field(default_factory=dict)  # task_update keyword arguments
    shown: list[FieldChange] = field(default_factory=list)
    parent_changed: bool = False
    parent_code: str | None = None  # the new parent's code, resolved at apply time (it may be created first)
    status: str | None = None
    progress: str = ""
    similarity: float = 1.0  # of the row's text to the task's (see CONFLICT_SIMILARITY)
    cleared_people: list[str] = field(default_factory=list)  # responsible people the row removes, leaving none

    @property
    def is_change(self) -> bool:
        return bool(self.changes or self.shown or self.status or self.progress)

    @property
    def is_conflict(self) -> bool:
        return self.similarity < CONFLICT_SIMILARITY

    @property
    def backwards(self) -> bool:
        """The row moves the task back along the workflow (已完成 → 未开始)."""
        return bool(self.status) and STATE_RANK[self.status] < STATE_RANK[self.task.status]  # type: ignore[index]

    @property
    def shown_status(self) -> tuple[str, str]:
        """The old and new state in the table's words (未开始, 已完成)."""
        return STATUS_LABEL[self.task.status], STATUS_LABEL[self.status] if self.status else ""

    @property
    def similarity_percent(self) -> int:
        return round(self.similarity * 100)


@dataclass
class Plan:
    sheet: Sheet
    created: list[TaskRow]
    updated: list[Update]
    unchanged: list[TaskRow]
    missing: list[TaskSnapshot]
    conflicts: list[Update] = field(default_factory=list)  # rows whose code is another task's: not in `updated`

    @property
    def ok(self) -> bool:
        return self.sheet.ok

    def changes(self, *, on_conflict: str = "refuse") -> list[Update]:
        """The updates applied, in natural 序号 order: with the conflicts when the coordinator chose so."""
        if on_conflict == "update" and self.conflicts:
            return sorted(self.updated + self.conflicts, key=_update_key)
        return self.updated

    @property
    def backwards(self) -> list[Update]:
        return sorted((u for u in self.updated + self.conflicts if u.backwards), key=_update_key)

    @property
    def cleared(self) -> list[Update]:
        return sorted((u for u in self.updated + self.conflicts if u.cleared_people), key=_update_key)

    def status_changes(self, *, on_conflict: str = "refuse") -> int:
        return sum(1 for u in self.changes(on_conflict=on_conflict) if u.status) + sum(
            1 for r in self.created if r.status and r.status != Status.NOT_STARTED
        )

    def progress_reports(self, *, on_conflict: str = "refuse") -> int:
        return sum(1 for u in self.changes(on_conflict=on_conflict) if u.progress) + sum(
            1 for r in self.created if r.progress_text
        )

    def summary(self, *, on_conflict: str = "refuse") -> dict:
        """What ImportRecord.summary keeps: codes by outcome, counts, warnings, and what went backwards."""
        applied = {id(u) for u in self.changes(on_conflict=on_conflict)}
        return {
            "sheet": self.sheet.sheet_title,
            "rows": len(self.sheet.rows),
            "created": [r.code for r in self.created],
            "updated": {u.row.code: [c.label for c in u.shown] for u in self.changes(on_conflict=on_conflict)},
            "unchanged": len(self.unchanged),
            "missing": [t.code for t in self.missing],
            "status_changes": self.status_changes(on_conflict=on_conflict),
            "progress_reports": self.progress_reports(on_conflict=on_conflict),
            "warnings": [str(w) for w in self.sheet.warnings],
            # rows that replaced another table's task of the same number (applied only with on_conflict=update)
            "conflicts": {
                u.row.code: {"old": u.task.title, "new": u.row.title, "similarity": round(u.similarity, 2)}
                for u in (self.conflicts if on_conflict == "update" else [])
            },
            "state_backwards": {u.row.code: list(u.shown_status) for u in self.backwards if id(u) in applied},
            "responsible_cleared": {u.row.code: u.cleared_people for u in self.cleared if id(u) in applied},
            "expanded": {e["name"]: e["offices"] for e in self.sheet.expanded_names()},
        }

    def fingerprint(self) -> str:
        detail = {
            "summary": self.summary(on_conflict="update"),
            "created": [(r.code, r.title, r.status) for r in self.created],
            "updated": [
                (u.row.code, u.task.pk, u.task.version, [(c.label, c.old, c.new) for c in u.shown], u.status)
                for u in self.updated + self.conflicts
            ],
        }
        return hashlib.sha256(json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def _update_key(u: Update) -> str:
    return code_sort_key(u.row.code)


# --- Displaying values --------------------------------------------------------------------------------------


def deadline_text(deadline, recurrence: str) -> str:
    if recurrence in RECURRENCE_LABEL:
        return RECURRENCE_LABEL[recurrence]
    return deadline.isoformat() if deadline else ""


def office_names(offices) -> str:
    return "、".join(o.name for o in sorted(offices, key=lambda o: (o.ordering, o.name)))


def similarity(old: str, new: str) -> float:
    """How alike two texts are, 0 to 1 (difflib's ratio), spaces ignored."""
    a, b = "".join(old.split()), "".join(new.split())
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


# --- Planning ----------------------------------------------------------------------------------------------


@gc_paused()
def plan_import(sheet: Sheet, *, campaign) -> Plan:
    existing = {t.code: t for t in task_snapshots(campaign)} if sheet.ok else {}
    created: list[TaskRow] = []
    updated: list[Update] = []
    conflicts: list[Update] = []
    unchanged: list[TaskRow] = []
    leaders = _leaders([r.leader for r in sheet.rows])
    if sheet.ok:
        for row in sheet.rows:
            task = existing.get(row.code)
            if task is None:
                created.append(row)
                continue
            update = _compare(row, task, sheet.fields, leaders)
            if update.is_conflict:
                conflicts.append(update)
            elif update.is_change:
                updated.append(update)
            else:
                unchanged.append(row)
    seen = {r.code for r in sheet.rows}
    missing = [t for code, t in existing.items() if code not in seen]
    return Plan(
        sheet=sheet,
        created=sorted(created, key=lambda r: code_sort_key(r.code)),
        updated=sorted(updated, key=_update_key),
        unchanged=unchanged,
        missing=missing,
        conflicts=sorted(conflicts, key=_update_key),
    )


def _leaders(names) -> dict[str, User]:
    """Leaders in charge written by name → the one active account with that real name (none when two share it)."""
    found: dict[str, list[User]] = {}
    for user in User.objects.filter(real_name__in={n for n in names if n}, is_active=True):
        found.setdefault(user.real_name, []).append(user)
    return {name: users[0] for name, users in found.items() if len(users) == 1}


def _compare(row: TaskRow, task: TaskSnapshot, fields: frozenset[str], leaders) -> Update:
    u = Update(row=row, task=task)

    def text_field(key: str, label: str, new: str) -> None:
        old = getattr(task, key)
        if key in fields and old != new:
            u.changes[key] = new
            u.shown.append(FieldChange(label, old, new))

    text_field("title", _("Task"), row.title)
    text_field("measures", _("Measures"), row.measures)
    if "title" in u.changes:
        # The same task edited keeps most of its words in its title or (when the sheet and the task both have
        # them) its measures; another table's task of the same number shares neither.
        u.similarity = similarity(task.title, row.title)
        if "measures" in fields and task.measures and row.measures:
            u.similarity = max(u.similarity, similarity(task.measures, row.measures))
    text_field("evidence_requirement", _("Evidence requirement"), row.evidence_requirement)
    text_field("notes", _("Notes"), row.notes)
    if "lead_office" in fields and row.lead_office and task.lead_office.pk != row.lead_office.pk:
        u.changes["lead_office"] = row.lead_office
        u.shown.append(FieldChange(_("Lead office"), task.lead_office.name, row.lead_office.name))
    if "supporting_offices" in fields:
        old = task.supporting_offices
        if {o.pk for o in old} != {o.pk for o in row.supporting_offices}:
            u.changes["supporting_offices"] = row.supporting_offices
            u.shown.append(
                FieldChange(_("Supporting offices"), office_names(old), office_names(row.supporting_offices))
            )
    if "leader" in fields and task.leader != row.leader:
        u.changes["leader_in_charge"] = leaders.get(row.leader)
        u.changes["leader_in_charge_name"] = row.leader
        u.shown.append(FieldChange(_("Leader in charge"), task.leader, row.leader))
    if "responsible" in fields:
        old_names = task.responsible
        if sorted(old_names) != sorted(row.responsible):
            u.changes["responsible_people"] = []
            u.changes["responsible_names"] = "、".join(row.responsible)
            u.shown.append(FieldChange(_("Responsible people"), "、".join(old_names), "、".join(row.responsible)))
            if not row.responsible:
                u.cleared_people = list(old_names)
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
        old_standards = task.standards
        if {c.pk for c in old_standards} != {c.pk for c in row.standards}:
            u.changes["standards"] = row.standards
            u.shown.append(
                FieldChange(
                    _("Standards"), "、".join(c.code for c in old_standards), "、".join(c.code for c in row.standards)
                )
            )
    if task.parent_code != row.parent_code:
        u.parent_changed, u.parent_code = True, row.parent_code
        u.shown.append(FieldChange(_("Parent task"), task.parent_code or "", row.parent_code or ""))
    if row.status and row.status != task.status:
        u.status = row.status
        u.shown.append(FieldChange(_("Status"), STATUS_LABEL[task.status], STATUS_LABEL[row.status]))
    if row.progress_text and row.progress_text != task.latest_progress:
        u.progress = row.progress_text
        u.shown.append(FieldChange(_("Progress"), task.latest_progress, row.progress_text))
    return u


# --- Applying ---------------------------------------------------------------------------------------------


@gc_paused()
@transaction.atomic
def apply_plan(plan: Plan, *, campaign, user, file_name: str, sha256: str, on_conflict: str = "refuse") -> ImportRecord:
    """Write the plan: new tasks in bulk (parents before sub-tasks), changed ones through the task services, the
    audit records with source=import, and the ImportRecord. Refuses a plan with errors; raises ConflictsRefused
    (writing nothing) for a plan with conflicts unless `on_conflict` is "update"."""
    if not plan.ok:
        raise ValueError("a plan with errors cannot be applied")
    if on_conflict not in ON_CONFLICT:
        raise ValueError(f"on_conflict must be one of {ON_CONFLICT}")
    if plan.conflicts and on_conflict != "update":
        raise ConflictsRefused([u.row.code for u in plan.conflicts])
    actor = user if user is not None and getattr(user, "is_authenticated", False) else None
    code_to_pk = dict(Task.objects.filter(campaign=campaign).values_list("code", "pk"))
    _create(plan.created, campaign=campaign, actor=actor, code_to_pk=code_to_pk)
    changes = plan.changes(on_conflict=on_conflict)
    instances = Task.objects.select_related("campaign").in_bulk([u.task.pk for u in changes])
    for u in changes:
        instance = instances.get(u.task.pk)
        if instance is None or instance.version != u.task.version:
            raise PlanChanged(u.row.code)
        _update(u, instance, actor=actor, code_to_pk=code_to_pk)
    return ImportRecord.objects.create(
        campaign=campaign,
        kind=ImportRecord.Kind.TASKS,
        user=actor,
        file_name=file_name[:255],
        sha256=sha256,
        summary=plan.summary(on_conflict=on_conflict),
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


def _update(u: Update, task: Task, *, actor, code_to_pk: dict[str, int]) -> None:
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
