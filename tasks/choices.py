"""The workflow states and recurrences of tasks, apart from the models so that the QuerySet methods
(tasks/querysets.py, imported by the models) compare with the same members."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    """The workflow states, shared by tasks and by the occurrences of recurring tasks."""

    NOT_STARTED = "not_started", pgettext_lazy("task status", "Not started")  # 未开始
    IN_PROGRESS = "in_progress", pgettext_lazy("task status", "In progress")  # 进行中
    PENDING_REVIEW = "pending_review", pgettext_lazy("task status", "Pending review")  # 待审核
    DONE = "done", pgettext_lazy("task status", "Done")  # 已完成
    RETURNED = "returned", pgettext_lazy("task status", "Returned")  # 已退回


# States in which the office still owes work (a deadline passing in one of them makes the task overdue).
OPEN_STATES = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.RETURNED)


class Recurrence(models.TextChoices):
    NONE = "none", _("One-off")  # 完成时限 is a date
    MONTHLY = "monthly", _("Monthly")  # 每月
    QUARTERLY = "quarterly", _("Quarterly")  # 每季度
    HALF_YEARLY = "half_yearly", _("Half-yearly")  # 每半年
    YEARLY = "yearly", _("Yearly")  # 每年
    ONGOING = "ongoing", _("Ongoing")  # 长期 / 常态化

    @classmethod
    def periodic(cls) -> tuple[Recurrence, ...]:
        return (cls.MONTHLY, cls.QUARTERLY, cls.HALF_YEARLY, cls.YEARLY)
