"""The task breakdown (工作任务分解): tasks by office, sub-tasks, their audit trail, progress reports and the
occurrences of recurring tasks.

Every change of state goes through tasks/services.py, which writes the audit record (TaskEvent) in the same
transaction and updates rows conditionally on their `version` so that two people acting at once cannot both win.
Reads are QuerySet methods (`Task.objects.for_campaign(c).visible_to(user).overdue()`), see tasks/querysets.py.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civunit.audit import client_address
from civunit.models import TimeStampedModel

# The choices live in tasks/choices.py (the QuerySet methods need them too); callers import them from here.
from .choices import OPEN_STATES as OPEN_STATES
from .choices import Recurrence, Status
from .querysets import TaskQuerySet

_CODE_PART = re.compile(r"\d+|\D+")


def code_sort_key(code: str) -> str:
    """A string that sorts task codes naturally: "2" < "10" < "10.2" < "10.10"."""
    parts = []
    for piece in code.strip().split("."):
        for token in _CODE_PART.findall(piece):
            parts.append(token.zfill(6) if token.isdigit() else token)
    return ".".join(parts)[:120]


# 具体措施, 佐证材料要求 and 备注, in the task form and in an imported breakdown, as long as a progress report.
TEXT_MAX = 4000


class Task(TimeStampedModel):
    """One line of the task breakdown, or a sub-task an office head split from it (any depth)."""

    Status = Status
    Recurrence = Recurrence

    campaign = models.ForeignKey(
        "campaign.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="tasks"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent task"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField(_("number"), max_length=30, help_text=_("序号, e.g. 12 or 12.3"))
    # Kept by the services from `code` (code_sort_key); lists sort on it.
    code_key = models.CharField(max_length=120, blank=True, editable=False)
    title = models.CharField(_("task"), max_length=500)
    measures = models.TextField(_("measures"), blank=True)
    work_area = models.ForeignKey(
        "campaign.WorkArea",
        verbose_name=_("work area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    standards = models.ManyToManyField(
        "campaign.Criterion", verbose_name=_("standards"), blank=True, related_name="tasks"
    )
    lead_office = models.ForeignKey(
        "accounts.Office", verbose_name=_("lead office"), on_delete=models.PROTECT, related_name="led_tasks"
    )
    supporting_offices = models.ManyToManyField(
        "accounts.Office", verbose_name=_("supporting offices"), blank=True, related_name="supported_tasks"
    )
    leader_in_charge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader in charge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_in_charge_tasks",
    )
    leader_in_charge_name = models.CharField(
        _("leader in charge (name)"),
        max_length=50,
        blank=True,
        help_text=_("As written in the table, when no account has that name yet."),
    )
    responsible_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible people"), blank=True, related_name="responsible_tasks"
    )
    # Names of responsible people without an account yet, separated by "、"; linked (moved into
    # responsible_people) by services.link_pending_people() when an account with that real name appears.
    responsible_names = models.CharField(_("responsible people without an account"), max_length=500, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    recurrence = models.CharField(_("recurrence"), max_length=20, choices=Recurrence.choices, default=Recurrence.NONE)
    evidence_requirement = models.TextField(pgettext_lazy("task", "evidence requirement"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    # Raised by every change; a write succeeds only where the version is still the one the actor saw.
    version = models.PositiveIntegerField(default=1)
    notes = models.TextField(_("notes"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    checked_off_at = models.DateTimeField(_("checked off at"), null=True, blank=True)
    checked_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked off by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # Time of the latest progress report, kept by the services (stalled and ongoing tasks read it).
    last_progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "code_key", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="task_unique_code"),
            models.CheckConstraint(condition=Q(version__gte=1), name="task_version_positive"),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="task_not_own_parent"),
            models.CheckConstraint(condition=Q(status__in=[s.value for s in Status]), name="task_status_valid"),
            models.CheckConstraint(
                condition=Q(recurrence__in=[r.value for r in Recurrence]), name="task_recurrence_valid"
            ),
        ]
        indexes = [
            # the list of a campaign's tasks in code order
            models.Index(fields=["campaign", "code_key"], name="task_campaign_code_idx"),
            # "my office's tasks" filtered by status
            models.Index(fields=["lead_office", "status"], name="task_office_status_idx"),
            # overdue / due-soon scans
            models.Index(fields=["campaign", "status", "deadline"], name="task_deadline_idx"),
            # the dashboard's tasks completed per week and per period: range counts on the completion time, read
            # from the index alone (the lead office last, for an office's view)
            models.Index(
                fields=["campaign", "status", "parent", "completed_at", "lead_office"], name="task_completed_idx"
            ),
            # the dashboard's overdue and due-soon lists: which open tasks are due when is read from the index,
            # and only those listed are fetched
            models.Index(fields=["campaign", "status", "parent", "recurrence", "deadline"], name="task_open_due_idx"),
            # the stalled list, the longest quiet first: read in the order of the last activity (with_activity(),
            # the same expression) from the oldest, stopping at the tenth open task, however many there are
            models.Index(
                F("campaign"),
                Coalesce("last_progress_at", "started_at", "created_at"),
                F("code_key"),
                name="task_activity_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_recurring(self) -> bool:
        return self.recurrence in Recurrence.periodic()

    @property
    def is_ongoing(self) -> bool:
        return self.recurrence == Recurrence.ONGOING

    @property
    def pending_names(self) -> list[str]:
        return split_names(self.responsible_names)


def split_names(text: str) -> list[str]:
    """Names as written in a table cell: separated by 、，, ; / or spaces."""
    return [n for n in re.split(r"[、，,;；/\s]+", text or "") if n]


class TaskOccurrence(TimeStampedModel):
    """One period of a recurring task (每月/每季度/每半年/每年), with its own check-off and review."""

    Status = Status

    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="occurrences")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    # The day the period's work is due: by default its last day.
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    version = models.PositiveIntegerField(default=1)
    checked_off_at = models.DateTimeField(_("checked off at"), null=True, blank=True)
    checked_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked off by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Checked off after the due date (Asia/Shanghai days); counts the period as late.
    checked_off_late = models.BooleanField(_("checked off late"), default=False)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["task", "period_start"]
        verbose_name = _("occurrence")
        verbose_name_plural = _("occurrences")
        constraints = [
            models.UniqueConstraint(fields=["task", "period_start"], name="occurrence_unique_period"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="occurrence_period_ordered"),
            models.CheckConstraint(condition=Q(version__gte=1), name="occurrence_version_positive"),
        ]
        indexes = [
            # the earliest open occurrence of a task (its next due date) and overdue scans
            models.Index(fields=["task", "status", "due_date"], name="occurrence_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"


class TaskEvent(models.Model):
    """The audit trail of a task: who did what, when, from which state to which, and through what channel."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        STARTED = "started", _("Started")
        PROGRESS = "progress", _("Reported progress")
        CHECKED_OFF = "checked_off", _("Checked off")
        ACCEPTED = "accepted", pgettext_lazy("task event", "Accepted")
        RETURNED = "returned", _("Returned")
        RESUMED = "resumed", _("Resumed")
        ASSIGNED = "assigned", _("Assigned")
        SPLIT = "split", _("Split into a sub-task")
        DEADLINE_CHANGED = "deadline_changed", _("Deadline changed")
        STATUS_SET = "status_set", _("Status set")
        PEOPLE_LINKED = "people_linked", _("Responsible people linked")

    class Source(models.TextChoices):
        WEB = "web", _("Web")
        BULK = "bulk", _("Bulk action")
        IMPORT = "import", _("Import")
        SYSTEM = "system", _("System")

    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="events")
    occurrence = models.ForeignKey(
        TaskOccurrence,
        verbose_name=_("occurrence"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices, blank=True)
    note = models.TextField(pgettext_lazy("task event", "note"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.WEB)
    ip_address = models.GenericIPAddressField(
        _("address"), null=True, blank=True, editable=False, default=client_address
    )

    class Meta:
        ordering = ["task", "created_at", "pk"]
        verbose_name = _("task event")
        verbose_name_plural = _("task events")
        indexes = [
            # a task's history timeline
            models.Index(fields=["task", "created_at"], name="taskevent_task_idx"),
            # the dashboard's recent activity: the newest events first, however many there are
            models.Index(fields=["created_at"], name="taskevent_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.created_at:%Y-%m-%d %H:%M}"


class ProgressReport(models.Model):
    """进展情况: a dated note of what was done, by whom. Evidence items attach to it once the archive lands."""

    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="progress_reports")
    occurrence = models.ForeignKey(
        TaskOccurrence,
        verbose_name=_("occurrence"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="progress_reports",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    text = models.TextField(_("progress"))

    class Meta:
        ordering = ["task", "-created_at", "-pk"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        indexes = [
            # a task's progress timeline, newest first
            models.Index(fields=["task", "-created_at"], name="progress_task_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d}"
