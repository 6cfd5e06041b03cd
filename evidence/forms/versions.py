"""The form that changes an item's caption fields and links (a locked item's change makes a new version)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campaign.models import Criterion, EvidenceCategory
from civunit.forms import ModelChoiceField
from tasks.models import Task

from ..models import Activity, EvidenceItem
from .fields import CriterionChoiceField, CriterionMultipleChoiceField, TaskMultipleChoiceField, linkable_tasks


class EvidenceEditForm(forms.Form):
    """The caption fields and links of an item (a locked item's change makes a new version)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=EvidenceCategory.choices)
    caption = forms.CharField(
        label=_("Caption"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    description = forms.CharField(
        label=_("Description"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    taken_on = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    people = forms.CharField(label=pgettext_lazy("in a photo", "People"), max_length=500, required=False)
    activity = ModelChoiceField(label=_("Activity"), queryset=Activity.objects.none(), required=False)
    primary_standard = CriterionChoiceField(
        label=_("Standard"),
        queryset=Criterion.objects.none(),
        required=False,
        help_text=_("The primary standard gives the archive number."),
    )
    other_standards = CriterionMultipleChoiceField(
        label=_("Further standards"), queryset=Criterion.objects.none(), required=False
    )
    tasks = TaskMultipleChoiceField(label=_("Tasks"), queryset=Task.objects.none(), required=False)

    FIELDS = ("title", "category", "caption", "description", "taken_on", "place", "people", "activity")

    fields: dict[str, Any]  # the choice fields' querysets (and labels) are set below

    def __init__(self, *args, campaign, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = Activity.objects.filter(campaign=campaign).order_by("-date", "-pk")
        standards = Criterion.objects.filter(campaign=campaign, is_leaf=True).order_by("ordering", "pk")
        self.fields["primary_standard"].queryset = standards
        self.fields["other_standards"].queryset = standards
        self.fields["tasks"].queryset = linkable_tasks(user, campaign).order_by("code_key", "pk")

    @classmethod
    def initial_for(cls, item: EvidenceItem) -> dict:
        initial = {name: getattr(item, name) for name in cls.FIELDS}
        linked = [link.criterion_id for link in item.standard_links.order_by("position")]
        initial["primary_standard"] = linked[0] if linked else None
        initial["other_standards"] = linked[1:]
        initial["tasks"] = list(item.tasks.values_list("pk", flat=True))
        return initial

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}

    def ordered_standards(self) -> list[Criterion]:
        """The primary standard first, then the others (a further standard alone becomes the primary)."""
        primary = self.cleaned_data.get("primary_standard")
        others = list(self.cleaned_data.get("other_standards") or [])
        if primary is None and others:
            primary, others = others[0], others[1:]
        return ([primary] if primary else []) + [c for c in others if c != primary]
