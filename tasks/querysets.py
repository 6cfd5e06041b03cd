"""Reads of tasks as chainable QuerySet methods. Deadlines are compared with Asia/Shanghai dates (the project's
TIME_ZONE, `timezone.localdate()`), and every flag is computed in SQL so that lists ask the database a fixed number
of times however many tasks they show."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import models
from django.db.models import (
    BooleanField,
    Case,
    DateField,
    Expression,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from civunit import access

from .choices import OPEN_STATES, Recurrence, Status

if TYPE_CHECKING:
    from campaign.models import Campaign
    from civunit.accounts.models import User

    from .models import Task  # noqa: F401  (named as a string below)


def _periodic_values() -> list[str]:
    return list(Recurrence.periodic())


def _open_values() -> list[str]:
    return list(OPEN_STATES)


class _Correlated(Expression):
    """A scalar subquery over the rows of `model_name` (an app_label.Model of this project) whose `fk` column is
    the outer task's pk and that meet `conditions` ((field, "=" | "<" | "in", value), ANDed): COUNT(*) of them, or
    with `first_by` the `first_by` column of the first of them in that order.

    The SQL is written here rather than built as an inner QuerySet: with_flags() runs on every list page, and six
    inner queries cost ~3 ms of Python per request to build, resolve and compile; this costs a few string joins.
    The outer pk is a resolved column, so the query can still be relabelled (used as a subquery) safely."""

    _OPERATORS = {"=": "= %s", "<": "< %s"}
    _ALIAS = "flag_row"  # the inner table's alias; never one Django gives (they are table names or U0, T2 …)

    def __init__(self, model_name, fk, conditions=(), *, first_by=None, output_field=None, outer=None):
        super().__init__(output_field=output_field or IntegerField())
        self.model_name = model_name
        self.fk = fk
        self.conditions = tuple(conditions)
        self.first_by = first_by
        self.outer = outer if outer is not None else F("pk")

    def get_source_expressions(self):
        return [self.outer]

    def set_source_expressions(self, exprs):
        (self.outer,) = exprs

    def as_sql(self, compiler, connection):
        model = apps.get_model(self.model_name)
        quote = connection.ops.quote_name
        alias = quote(self._ALIAS)

        def column(name):
            return f"{alias}.{quote(model._meta.get_field(name).column)}"

        outer_sql, outer_params = compiler.compile(self.outer)
        where = [f"{column(self.fk)} = {outer_sql}"]
        params = list(outer_params)
        for name, operator, value in self.conditions:
            field = model._meta.get_field(name)
            if operator == "in":
                values = [field.get_db_prep_value(v, connection) for v in value]
                where.append(f"{column(name)} IN ({', '.join(['%s'] * len(values))})")
                params.extend(values)
            else:
                where.append(f"{column(name)} {self._OPERATORS[operator]}")
                params.append(field.get_db_prep_value(value, connection))
        select = column(self.first_by) if self.first_by else "COUNT(*)"
        # names from the models' meta and placeholders only: every value is a parameter
        sql = f"SELECT {select} FROM {quote(model._meta.db_table)} {alias} WHERE {' AND '.join(where)}"  # noqa: S608
        if self.first_by:
            sql += f" ORDER BY {column(self.first_by)} ASC LIMIT 1"
        return f"({sql})", params


class TaskQuerySet(models.QuerySet["Task"]):
    # --- scope ----------------------------------------------------------------------------------------------
    def for_campaign(self, campaign: Campaign) -> TaskQuerySet:
        return self.filter(campaign=campaign)

    def visible_to(self, user: User) -> TaskQuerySet:
        """Tasks the user may read: the task breakdown is the organ's internal plan (civunit.access)."""
        if not access.is_active_user(user) or not access.can_read_plan(user):
            return self.none()
        return self.all()

    def top_level(self) -> TaskQuerySet:
        return self.filter(parent__isnull=True)

    def of_office(self, office_id: int):
        """Tasks an office leads or supports."""
        return self.filter(Q(lead_office_id=office_id) | Q(supporting_offices__id=office_id)).distinct()

    def assigned_to(self, user):
        return self.filter(responsible_people=user)

    def in_current_campaign(self):
        """Tasks of the current campaign (a subquery: no extra query)."""
        return self.filter(campaign__in=apps.get_model("campaign", "Campaign").objects.filter_current())

    # --- deadlines --------------------------------------------------------------------------------------------
    def with_due(self):
        """Annotate `due`: the date the office must meet next.

        One-off tasks: their deadline. Recurring tasks: the due date of their earliest occurrence still open.
        Ongoing (长期/常态化) tasks: none, they are never overdue.
        """
        if "due" in self.query.annotations:
            return self
        next_open = _Correlated(
            "tasks.TaskOccurrence",
            "task",
            [("status", "in", _open_values())],
            first_by="due_date",
            output_field=DateField(),
        )
        return self.annotate(
            due=Case(
                When(recurrence__in=_periodic_values(), then=next_open),
                When(recurrence=Recurrence.ONGOING, then=Value(None, output_field=DateField())),
                default=F("deadline"),
                output_field=DateField(),
            )
        )

    def overdue(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.with_due().filter(due__lt=today, status__in=_open_values())

    def due_within(self, days: int, today: datetime.date | None = None):
        """Open tasks due from today to `days` days ahead (inclusive), not yet overdue."""
        today = today or timezone.localdate()
        return self.with_due().filter(
            due__range=(today, today + datetime.timedelta(days=days)), status__in=_open_values()
        )

    def stalled(self, days: int, now: datetime.datetime | None = None):
        """Open tasks with no progress report for `days` days (counted from their start, or creation).

        Recurring tasks are never stalled: their periods have their own due dates, and a period left undone
        shows as missed and makes the task overdue.
        """
        return self.with_activity().filter(self._stalled_q(self._stall_cutoff(days, now)))

    @staticmethod
    def _stalled_q(cutoff: datetime.datetime) -> Q:
        return Q(last_activity__lt=cutoff) & Q(status__in=_open_values()) & ~Q(recurrence__in=_periodic_values())

    @staticmethod
    def _stall_cutoff(days: int, now: datetime.datetime | None) -> datetime.datetime:
        return (now or timezone.now()) - datetime.timedelta(days=days)

    def with_activity(self):
        if "last_activity" in self.query.annotations:
            return self
        return self.annotate(last_activity=Coalesce("last_progress_at", "started_at", "created_at"))

    def with_flags(
        self, *, stalled_after_days: int, today: datetime.date | None = None, now: datetime.datetime | None = None
    ) -> TaskQuerySet:
        """Annotate is_overdue, is_due_soon (within 7 days), is_stalled, children counts and occurrence counts."""
        today = today or timezone.localdate()
        cutoff = self._stall_cutoff(stalled_after_days, now)
        open_q = Q(status__in=_open_values())
        qs = self.with_due().with_activity()
        done = ("status", "=", Status.DONE.value)
        return qs.annotate(
            is_overdue=ExpressionWrapper(Q(due__lt=today) & open_q, output_field=BooleanField()),
            # BETWEEN: the due date (a CASE with a subquery) written, and evaluated, once rather than twice
            is_due_soon=ExpressionWrapper(
                Q(due__range=(today, today + datetime.timedelta(days=7))) & open_q, output_field=BooleanField()
            ),
            is_stalled=ExpressionWrapper(self._stalled_q(cutoff), output_field=BooleanField()),
            children_total=_Correlated("tasks.Task", "parent"),
            children_done=_Correlated("tasks.Task", "parent", [done]),
            periods_done=_Correlated("tasks.TaskOccurrence", "task", [done]),
            periods_late=_Correlated("tasks.TaskOccurrence", "task", [done, ("checked_off_late", "=", True)]),
            periods_missed=_Correlated(
                "tasks.TaskOccurrence", "task", [("status", "in", _open_values()), ("due_date", "<", today)]
            ),
        )

    def for_list(self):
        """Everything a list row shows, joined or prefetched once."""
        return self.select_related("lead_office", "work_area", "parent", "leader_in_charge").prefetch_related(
            "supporting_offices", "responsible_people", "standards"
        )
