"""Forms of the upload page: the caption fields of a batch of files, a web link, linking an existing item."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campaign.models import Criterion, EvidenceCategory
from tasks.models import Task

from ..browsing import apply_activity_defaults
from ..models import Activity
from ..services import EvidenceMeta
from .fields import (
    ActivityChoiceField,
    CriterionChoiceField,
    CriterionMultipleChoiceField,
    TaskMultipleChoiceField,
    grouped_task_choices,
    linkable_tasks,
    listed_activity_choices,
    listed_standard_choices,
)
from .widgets import Select, SelectMultiple

# The single-file endpoint takes the caption fields and one file; anything beyond this is not a form we sent.
MAX_UPLOAD_FIELDS = 60
# The caption fields an activity fills when left empty (evidence.browsing.apply_activity_defaults).
ACTIVITY_DEFAULTED = ("caption", "taken_on", "place", "people")


class EvidenceMetaForm(forms.Form):
    """The caption fields of an upload; the page keeps them across a batch of files."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Left empty, each file's name is its title."),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("Automatic (from the file)")), *EvidenceCategory.choices],
        required=False,
        widget=Select(),
    )
    primary_standard = CriterionChoiceField(
        label=_("Standard"),
        queryset=Criterion.objects.none(),
        required=False,
        empty_label=_("(no standard yet)"),
        widget=Select(),
        help_text=_("The archive number follows this standard."),
    )
    other_standards = CriterionMultipleChoiceField(
        label=_("Further standards"),
        queryset=Criterion.objects.none(),
        required=False,
        widget=SelectMultiple(attrs={"size": 4}),
    )
    tasks = TaskMultipleChoiceField(
        label=_("Tasks"),
        queryset=Task.objects.none(),
        required=False,
        widget=SelectMultiple(attrs={"size": 6}),
    )
    activity = ActivityChoiceField(
        label=_("Activity"),
        queryset=Activity.objects.none(),
        required=False,
        empty_label=_("(not part of an activity)"),
        widget=Select(),
        help_text=_("Filed into the activity's record; empty caption fields come from the activity."),
    )
    caption = forms.CharField(
        label=_("Caption"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Time, place, people and theme of the occasion."),
    )
    taken_on = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Left empty, a photo's date is read from the camera."),
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    people = forms.CharField(label=pgettext_lazy("in a photo", "People"), max_length=500, required=False)
    description = forms.CharField(
        label=_("Description"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    fields: dict[str, Any]  # the choice fields' querysets (and labels) are set below

    def __init__(self, *args, campaign=None, user, **kwargs):
        super().__init__(*args, **kwargs)
        if campaign is not None:
            standards = Criterion.objects.filter(campaign=campaign, is_leaf=True).order_by("ordering", "pk")
            self.fields["primary_standard"].queryset = standards
            self.fields["other_standards"].queryset = standards
            self.fields["tasks"].queryset = linkable_tasks(user, campaign).order_by("pk")
            self.fields["activity"].queryset = Activity.objects.filter(campaign=campaign)

    def group_tasks(self, user, campaign, *, chosen=()) -> None:
        """For the page: the person's own and their office's tasks as option groups, and those `chosen`; the page
        finds any other by typing (the posted form validates against every linkable task and needs no groups)."""
        self.fields["tasks"].choices = grouped_task_choices(user, campaign, chosen=chosen)

    def list_standards(self, user, campaign, *, chosen=(), near: list[int] | None = None) -> None:
        """For the page: the standards of the person's own and their office's tasks, and those `chosen`; the page
        finds any other by typing (the posted form validates against every standard and needs no list)."""
        options = listed_standard_choices(user, campaign, chosen=chosen, near=near)
        self.fields["primary_standard"].choices = [("", self.fields["primary_standard"].empty_label), *options]
        self.fields["other_standards"].choices = options

    def list_activities(self, user, campaign, *, chosen=None, near: list[int] | None = None) -> None:
        """For the page: the activity `chosen`, those of the person's own and their office's tasks, then the
        campaign's latest (the posted form validates against every activity of the campaign)."""
        field = self.fields["activity"]
        field.choices = [("", field.empty_label), *listed_activity_choices(user, campaign, chosen=chosen, near=near)]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        activity = data.get("activity")
        if activity is not None:
            # Like an upload on the activity's own page: its caption fields fill the empty ones, its standards
            # are the item's when none is chosen, and its tasks are linked beside the chosen ones.
            data.update(apply_activity_defaults({k: data.get(k) for k in ACTIVITY_DEFAULTED}, activity))
            if not (data.get("primary_standard") or data.get("other_standards")):
                data["other_standards"] = list(activity.standards.order_by("ordering", "pk"))
            chosen = list(data.get("tasks") or [])
            data["tasks"] = chosen + [t for t in activity.tasks.order_by("pk") if t not in chosen]
        primary = data.get("primary_standard")
        others = list(data.get("other_standards") or [])
        if others and primary is None:
            primary, others = others[0], others[1:]
        data["standards"] = ([primary] if primary else []) + [c for c in others if c != primary]
        return data

    def meta(self) -> EvidenceMeta:
        d = self.cleaned_data
        return EvidenceMeta(
            title=d.get("title", ""),
            category=d.get("category", ""),
            caption=d.get("caption", ""),
            description=d.get("description", ""),
            taken_on=d.get("taken_on"),
            place=d.get("place", ""),
            people=d.get("people", ""),
            standards=d.get("standards", []),
            tasks=list(d.get("tasks") or []),
            activity=d.get("activity"),
        )


class LinkForm(EvidenceMetaForm):
    """A media report published on the web: its address instead of a file."""

    url = forms.CharField(
        label=_("Link"),
        max_length=1000,
        validators=[
            URLValidator(schemes=["http", "https"], message=_("Enter a web address starting with http:// or https://."))
        ],
        help_text=_("The address of the published report (http or https)."),
    )

    field_order = ["url", "title"]


class LinkExistingForm(forms.Form):
    """The standards and tasks to add to an existing item (the upload page sends its caption fields)."""

    primary_standard = CriterionChoiceField(label=_("Standard"), queryset=Criterion.objects.none(), required=False)
    other_standards = CriterionMultipleChoiceField(
        label=_("Further standards"), queryset=Criterion.objects.none(), required=False
    )
    tasks = TaskMultipleChoiceField(label=_("Tasks"), queryset=Task.objects.none(), required=False)

    fields: dict[str, Any]  # the choice fields' querysets (and labels) are set below

    def __init__(self, *args, campaign=None, user, **kwargs):
        super().__init__(*args, **kwargs)
        if campaign is not None:
            standards = Criterion.objects.filter(campaign=campaign, is_leaf=True)
            self.fields["primary_standard"].queryset = standards
            self.fields["other_standards"].queryset = standards
            self.fields["tasks"].queryset = linkable_tasks(user, campaign)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not self.errors and not (data.get("primary_standard") or data.get("other_standards") or data.get("tasks")):
            raise forms.ValidationError(_("Choose a standard or a task to link the item to."))
        return data

    def standards(self):
        d = self.cleaned_data
        first = [d["primary_standard"]] if d.get("primary_standard") else []
        return first + [c for c in d.get("other_standards") or [] if c not in first]
