"""Reads of the task breakdown shared by the pages (and the Excel export, the dashboard and reports)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from civunit.access import is_coordinator
from tasks import access

from .models import OPEN_STATES, Status, Task, TaskEvent, TaskOccurrence


def task_rows(*, user, campaign, today: datetime.date | None = None) -> QuerySet[Task]:
    """The tasks of `campaign` the user may read, with every flag a list row shows, in code order."""
    return (
        Task.objects.for_campaign(campaign)
        .visible_to(user)
        .with_flags(stalled_after_days=campaign.stalled_after_days, today=today)
        .for_list()
        .order_by("code_key", "pk")
    )


def listed(rows: QuerySet[Task]) -> QuerySet[Task]:
    """`rows` (task_rows and its narrowings) as the task tables show them (tasks/_table.html): everything
    for_list() fetches but the standards, which no row shows (one query and ~100 objects fewer per page), the
    supporting offices and the people as plain lists (`listed_supporting`, `listed_people`: Django builds no
    related manager and queryset per row for them, ~40 µs each, 4 per row)."""
    return rows.prefetch_related(None).prefetch_related(
        Prefetch("supporting_offices", to_attr="listed_supporting"),
        Prefetch("responsible_people", to_attr="listed_people"),
    )


SORTS = {
    "code": ("code_key", "pk"),
    # tasks with no due date (ongoing ones) come last either way, on SQLite and PostgreSQL alike
    "due": (F("due").asc(nulls_last=True), "code_key", "pk"),
    "-due": (F("due").desc(nulls_last=True), "code_key", "pk"),
    # in workflow order: returned work first (it needs action), then not started, in progress, pending, done
    "status": (
        Case(
            *(
                When(status=s, then=Value(i))
                for i, s in enumerate(
                    [Status.RETURNED, Status.NOT_STARTED, Status.IN_PROGRESS, Status.PENDING_REVIEW, Status.DONE]
                )
            ),
            output_field=IntegerField(),
        ),
        "code_key",
        "pk",
    ),
    "office": ("lead_office__ordering", "lead_office__name", "code_key", "pk"),
    "updated": ("-updated_at", "pk"),
}


@dataclass(frozen=True)
class TaskFilters:
    office_id: int | None = None
    status: str = ""
    work_area_id: int | None = None
    standard_id: int | None = None
    overdue: bool = False
    due_within: int | None = None
    stalled: bool = False
    q: str = ""
    sort: str = "code"
    top_level: bool = False  # the breakdown's own lines only (what the home page's figures count)
    to_review: bool = False  # checked off and waiting for the reader's review (the home's 待我审核)
    supervised: bool = False  # tasks whose 分管领导 is the reader


def filter_tasks(rows: QuerySet[Task], filters: TaskFilters, *, campaign, today=None) -> QuerySet[Task]:
    today = today or timezone.localdate()
    if filters.office_id:
        office_id = filters.office_id
        rows = rows.filter(
            Q(lead_office_id=office_id)
            | Q(pk__in=Task.supporting_offices.through.objects.filter(office_id=office_id).values("task_id"))
        )
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.work_area_id:
        rows = rows.filter(work_area_id=filters.work_area_id)
    if filters.standard_id:
        rows = rows.filter(
            pk__in=Task.standards.through.objects.filter(criterion_id=filters.standard_id).values("task_id")
        )
    if filters.overdue:
        rows = rows.filter(is_overdue=True)  # type: ignore[misc]  # annotated by with_flags(); the plugin knows fields only
    if filters.due_within is not None:
        rows = rows.filter(  # type: ignore[misc]  # annotated by with_flags(); the plugin knows fields only
            due__range=(today, today + datetime.timedelta(days=filters.due_within)), status__in=OPEN_STATES
        )
    if filters.stalled:
        rows = rows.filter(is_stalled=True)  # type: ignore[misc]  # annotated by with_flags(); the plugin knows fields only
    if filters.top_level:
        rows = rows.filter(parent__isnull=True)
    if filters.q:
        rows = rows.filter(Q(title__icontains=filters.q) | Q(measures__icontains=filters.q) | Q(code=filters.q))
    return rows.order_by(*SORTS.get(filters.sort, SORTS["code"]))


def supervised_task_rows(*, user, campaign) -> QuerySet[Task]:
    """我分管的工作: the tasks whose leader in charge (分管领导) is the user."""
    return task_rows(user=user, campaign=campaign).filter(leader_in_charge=user)


def my_task_rows(*, user, campaign) -> QuerySet[Task]:
    """Tasks the user is responsible for."""
    return task_rows(user=user, campaign=campaign).filter(
        pk__in=Task.responsible_people.through.objects.filter(user_id=user.pk).values("task_id")
    )


def awaiting_review_rows(*, user, campaign) -> QuerySet[Task]:
    """Tasks (or periods of recurring tasks) checked off and waiting for this user's review."""
    reviewable = Q(pk__in=[])
    if is_coordinator(user):
        # top-level tasks, and sub-tasks whose parent's office has no head (see access.is_task_reviewer)
        reviewable |= Q(parent__isnull=True) | Q(parent__lead_office__head__isnull=True)
    if user.headed_office_ids:
        reviewable |= Q(parent__lead_office_id__in=user.headed_office_ids)
    if not access.may_work_on_tasks(user):
        return Task.objects.none()
    pending_period = Exists(TaskOccurrence.objects.filter(task=OuterRef("pk"), status=Status.PENDING_REVIEW))
    return (
        task_rows(user=user, campaign=campaign)
        .filter(reviewable)
        .filter(Q(status=Status.PENDING_REVIEW) | pending_period)
    )


def office_task_rows(*, user, campaign, office_id: int) -> QuerySet[Task]:
    return filter_tasks(task_rows(user=user, campaign=campaign), TaskFilters(office_id=office_id), campaign=campaign)


def task_history(task: Task) -> QuerySet[TaskEvent]:
    return task.events.select_related("actor", "occurrence").order_by("-created_at", "-pk")


def task_children(*, user, task: Task) -> QuerySet[Task]:
    return task_rows(user=user, campaign=task.campaign).filter(parent=task)


def task_occurrences(task: Task) -> QuerySet[TaskOccurrence]:
    return task.occurrences.select_related("checked_off_by").order_by("-period_start")


def tasks_for_standard(*, user, criterion) -> QuerySet[Task]:
    """The tasks linked to one standard, for the standard's page (template tasks/_criterion_tasks.html)."""
    return task_rows(user=user, campaign=criterion.campaign).filter(
        pk__in=Task.standards.through.objects.filter(criterion_id=criterion.pk).values("task_id")
    )


def tasks_by_standard(*, user, campaign) -> dict[int, list[Task]]:
    """Every task of the campaign grouped by linked standard id (one list query, for a page of many standards)."""
    grouped: dict[int, list[Task]] = {}
    for task in task_rows(user=user, campaign=campaign):
        for criterion in task.standards.all():
            grouped.setdefault(criterion.pk, []).append(task)
    return grouped


# --- Figures ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskFigures:
    """How many tasks are in each state, and how many are overdue, due within 7 days or stalled.

    The one counter of task states: the home page, the dashboard, bulletins and the report all take it from
    task_figures() / task_figures_by(), so a figure reads the same everywhere."""

    total: int = 0
    not_started: int = 0
    in_progress: int = 0
    pending_review: int = 0
    done: int = 0
    returned: int = 0
    overdue: int = 0
    due_soon: int = 0
    stalled: int = 0

    @property
    def open(self) -> int:
        """Tasks the office still owes work on (OPEN_STATES)."""
        return self.not_started + self.in_progress + self.returned

    @property
    def done_percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def _figure_aggregates() -> dict:
    return {
        "total": Count("pk"),
        **{status.value: Count("pk", filter=Q(status=status)) for status in Status},
        "overdue": Count("pk", filter=Q(is_overdue=True)),
        "due_soon": Count("pk", filter=Q(is_due_soon=True)),
        "stalled": Count("pk", filter=Q(is_stalled=True)),
    }


def _flagged(rows: QuerySet[Task]) -> QuerySet[Task]:
    if "is_overdue" not in rows.query.annotations:
        raise ValueError("task_figures() counts rows annotated by Task.objects.with_flags() (task_rows does).")
    return rows.order_by()


def task_figures(rows: QuerySet[Task]) -> TaskFigures:
    """The figures of `rows` (tasks carrying with_flags(), e.g. task_rows(...) narrowed as needed): one query.

    Counts what `rows` holds: narrow it to what the reader may see (task_rows does) before counting."""
    return TaskFigures(**_flagged(rows).aggregate(**_figure_aggregates()))


def task_figures_by(rows: QuerySet[Task], field: str) -> dict:
    """The figures of `rows` grouped by `field` (e.g. "lead_office_id"): {value: TaskFigures}, one query.

    Groups without tasks are absent; their figures are TaskFigures()."""
    grouped = _flagged(rows).values(field).annotate(**_figure_aggregates()).order_by()
    return {row.pop(field): TaskFigures(**row) for row in grouped}


def task_figures_by_with(rows: QuerySet[Task], field: str, **extra) -> dict:
    """task_figures_by() with the caller's own aggregates (`extra`, e.g. Count(..., filter=...)) computed in the same
    grouped query: {value: (TaskFigures, {name: value})}, one query (the dashboard's offices table)."""
    grouped = _flagged(rows).values(field).annotate(**_figure_aggregates(), **extra).order_by()
    result = {}
    for row in grouped:
        key = row.pop(field)
        extras = {name: row.pop(name) for name in extra}
        result[key] = (TaskFigures(**row), extras)
    return result


# --- choosing a task by typing (the evidence filters, the upload page) ----------------------------------------
CHOICE_LIMIT = 20
MINE, MY_OFFICE, OTHER = 0, 1, 2


def closeness_to(user) -> Case:
    """0 for the person's own tasks (they are responsible), 1 for their office's (led or supported, offices they
    head included), 2 for the rest: the order in which a person looks for a task."""
    offices = {user.office_id, *user.headed_office_ids} - {None}
    return Case(
        When(Exists(Task.responsible_people.through.objects.filter(task=OuterRef("pk"), user=user)), then=Value(MINE)),
        When(
            Q(lead_office_id__in=offices)
            | Exists(Task.supporting_offices.through.objects.filter(task=OuterRef("pk"), office_id__in=offices)),
            then=Value(MY_OFFICE),
        ),
        default=Value(OTHER),
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class TaskChoice:
    pk: int
    code: str
    title: str
    closeness: int

    @property
    def label(self) -> str:
        return f"{self.code} {self.title}"[:120]


def task_choices(*, user, campaign, text: str = "", limit: int = CHOICE_LIMIT) -> list[TaskChoice]:
    """At most `limit` tasks of `campaign` the user may read matching `text` (every word in the 序号 or the title;
    a word matching the 序号 exactly or at its start ranks first), the person's own and their office's before
    the rest, then in 序号 order. One query, whatever the number of tasks."""
    rows = Task.objects.visible_to(user).filter(campaign=campaign)
    words = text.split()[:5]
    for word in words:
        rows = rows.filter(Q(code__icontains=word) | Q(title__icontains=word))
    order: list = []
    if words:
        first = words[0]
        order.append(
            Case(
                When(code__iexact=first, then=Value(0)),
                When(code__istartswith=first, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
    rows = rows.annotate(closeness=closeness_to(user)).order_by(*order, "closeness", "code_key", "pk")
    return [TaskChoice(*row) for row in rows.values_list("pk", "code", "title", "closeness")[: max(limit, 0)]]
