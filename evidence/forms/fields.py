"""The choice fields the evidence forms share (standards and tasks labelled by code), and which tasks may be linked."""

from __future__ import annotations

from civunit.forms import ModelChoiceField, ModelMultipleChoiceField
from tasks.models import Task


def linkable_tasks(user, campaign):
    """The tasks `user` may link evidence to: the campaign's tasks they may read. The offices of a linked task
    read the item, so linking is for whoever may change the item (the views check that); the task breakdown is
    the organ's plan, readable by every working person, so any task of the campaign may be named."""
    return Task.objects.visible_to(user).filter(campaign=campaign)


class CriterionChoiceField(ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.title}"[:120]


class CriterionMultipleChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.title}"[:120]


class TaskMultipleChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.title}"[:120]
