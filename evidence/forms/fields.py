"""The choice fields the evidence forms share (standards and tasks labelled by code), and which tasks may be linked."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext as _

from campaign.models import Criterion
from civunit.forms import ModelChoiceField, ModelMultipleChoiceField
from tasks.models import Task
from tasks.selectors import MINE, MY_OFFICE, OTHER, closeness_to

from ..models import Activity


def linkable_tasks(user, campaign):
    """The tasks `user` may link evidence to: the campaign's tasks they may read. The offices of a linked task
    read the item, so linking is for whoever may change the item (the views check that); the task breakdown is
    the organ's plan, readable by every working person, so any task of the campaign may be named."""
    return Task.objects.visible_to(user).filter(campaign=campaign)


# The upload page lists at most this many tasks (the person's own, then their office's); any other is found by typing
# its number or words (static/js/task-choice.js asks tasks:choices), never listed with the campaign's hundreds.
LISTED_TASKS = 40


def grouped_task_choices(user, campaign, *, chosen=()) -> list[tuple[str, list[tuple[int, str]]]]:
    """The tasks the upload page lists, as option groups: the person's own tasks first, then their office's (led
    or supported), each in 序号 order, at most LISTED_TASKS of them; and the tasks already `chosen` (uploading from
    a task), whichever group they fall in. One query whatever the number of tasks."""
    chosen_ids = [pk for pk in chosen if pk is not None]
    rows = (
        linkable_tasks(user, campaign)
        .annotate(rank=closeness_to(user))
        .filter(Q(rank__lt=OTHER) | Q(pk__in=chosen_ids))
        .annotate(picked=Case(When(pk__in=chosen_ids, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("picked", "rank", "code_key", "pk")
        .values_list("pk", "code", "title", "rank", "code_key")[:LISTED_TASKS]
    )
    groups: dict[int, list[tuple[int, str, str]]] = {MINE: [], MY_OFFICE: [], OTHER: []}
    for pk, code, title, r, key in rows:
        groups[r].append((pk, key, f"{code} {title}"[:120]))
    labels = {MINE: _("My tasks"), MY_OFFICE: _("My office's tasks"), OTHER: _("Other tasks")}
    return [
        (labels[r], [(pk, label) for pk, _code, label in sorted(options, key=lambda o: (o[1], o[0]))])
        for r, options in groups.items()
        if options
    ]


# The upload page lists at most this many standards (those of the person's own and their office's tasks, and the
# ones already chosen); any other is found by typing its code or words (campaign:standard_choices).
LISTED_STANDARDS = 60


def near_task_ids(user, campaign) -> list[int]:
    """The person's own and their office's tasks (led or supported) in the campaign, whose standards and activities
    the upload page lists first: one query, its ids then given to the lists' queries as plain values (a subquery
    ranking every task of the campaign made PostgreSQL join it row by row with the activities, ~10 ms at 10x)."""
    return list(
        linkable_tasks(user, campaign)
        .annotate(rank=closeness_to(user))
        .filter(rank__lt=OTHER)
        .values_list("pk", flat=True)
    )


def listed_standard_choices(user, campaign, *, chosen=(), near: list[int] | None = None) -> list[tuple[int, str]]:
    """The standards the upload page lists: those `chosen` (from a task or a standard's page) first, then the
    standards of the person's own and their office's tasks (`near`: near_task_ids, read here when not given), in
    the table's order. One query (and one for `near` when not given)."""
    chosen_ids = [pk for pk in chosen if pk is not None]
    near = near_task_ids(user, campaign) if near is None else near
    near_standards = Task.standards.through.objects.filter(task_id__in=near).values("criterion_id")
    rows = (
        Criterion.objects.filter(campaign=campaign, is_leaf=True)
        .filter(Q(pk__in=chosen_ids) | Q(pk__in=near_standards))
        .annotate(picked=Case(When(pk__in=chosen_ids, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("picked", "ordering", "pk")
        .values_list("pk", "code", "title")[:LISTED_STANDARDS]
    )
    return [(pk, f"{code} {title}"[:120]) for pk, code, title in rows]


# The upload page lists at most this many activities: those of the person's own and their office's tasks, the one
# chosen, then the campaign's latest; an activity's own page uploads into any other.
LISTED_ACTIVITIES = 20


def listed_activity_choices(user, campaign, *, chosen=None, near: list[int] | None = None) -> list[tuple[int, str]]:
    """The activities the upload page offers: the one `chosen` (uploading from a task: the task's latest
    activity), then the activities of the person's own and their office's tasks (`near`: near_task_ids, read here
    when not given), then the campaign's latest, each newest first. One query whatever the number of activities
    (and one for `near` when not given)."""
    near = near_task_ids(user, campaign) if near is None else near
    near_activities = Activity.tasks.through.objects.filter(task_id__in=near).values("activity_id")
    rows = (
        Activity.objects.filter(campaign=campaign)
        .annotate(
            picked=Case(
                When(pk=chosen or 0, then=Value(0)),
                When(pk__in=near_activities, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("picked", "-date", "-pk")
        .values_list("pk", "date", "title")[:LISTED_ACTIVITIES]
    )
    return [(pk, f"{date:%Y-%m-%d} {title}"[:120]) for pk, date, title in rows]


def latest_activity_of(task) -> Activity | None:
    """The activity an upload from `task` is offered: the task's latest."""
    return Activity.objects.filter(tasks=task).order_by("-date", "-pk").first()


class ActivityChoiceField(ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.date:%Y-%m-%d} {obj.title}"[:120]


class CriterionChoiceField(ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.title}"[:120]


class CriterionMultipleChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.title}"[:120]


class TaskMultipleChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.title}"[:120]
