"""The choice fields the evidence forms share (standards and tasks labelled by code), and which tasks may be linked."""

from __future__ import annotations

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.utils.translation import gettext as _

from civunit.forms import ModelChoiceField, ModelMultipleChoiceField
from tasks.models import Task


def linkable_tasks(user, campaign):
    """The tasks `user` may link evidence to: the campaign's tasks they may read. The offices of a linked task
    read the item, so linking is for whoever may change the item (the views check that); the task breakdown is
    the organ's plan, readable by every working person, so any task of the campaign may be named."""
    return Task.objects.visible_to(user).filter(campaign=campaign)


def grouped_task_choices(user, campaign) -> list[tuple[str, list[tuple[int, str]]]]:
    """The linkable tasks as option groups: the person's own tasks first, then their office's (led or
    supported), then the rest, each in 序号 order. One query whatever the number of tasks."""
    offices = {user.office_id, *user.headed_office_ids} - {None}
    rank = Case(
        When(Exists(Task.responsible_people.through.objects.filter(task=OuterRef("pk"), user=user)), then=Value(0)),
        When(
            Q(lead_office_id__in=offices)
            | Exists(Task.supporting_offices.through.objects.filter(task=OuterRef("pk"), office_id__in=offices)),
            then=Value(1),
        ),
        default=Value(2),
        output_field=IntegerField(),
    )
    rows = (
        linkable_tasks(user, campaign)
        .annotate(rank=rank)
        .order_by("rank", "code_key", "pk")
        .values_list("pk", "code", "title", "rank")
    )
    groups: dict[int, list[tuple[int, str]]] = {0: [], 1: [], 2: []}
    for pk, code, title, r in rows:
        groups[r].append((pk, f"{code} {title}"[:120]))
    labels = {0: _("My tasks"), 1: _("My office's tasks"), 2: _("Other tasks")}
    return [(labels[r], options) for r, options in groups.items() if options]


class CriterionChoiceField(ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.title}"[:120]


class CriterionMultipleChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.title}"[:120]


class TaskMultipleChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.title}"[:120]
