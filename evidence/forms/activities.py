"""Forms of activities (活动): creating or changing one, uploading a file into it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import validators
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaign.models import Criterion, EvidenceCategory
from civunit import access
from civunit.accounts.models import Office
from civunit.forms import formfield
from tasks.models import Task

from ..models import Activity
from .fields import CriterionMultipleChoiceField, TaskMultipleChoiceField, grouped_task_choices, linkable_tasks
from .widgets import Select, SelectMultiple

PARTICIPANTS_MAX = 2000  # 参加人员: names or a description, as long as a caption


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["title", "date", "place", "organiser_office", "participants", "theme", "standards", "tasks"]
        formfield_callback = formfield
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "participants": forms.Textarea(attrs={"rows": 2}),
            "organiser_office": Select(),
        }

    fields: dict[str, Any]  # the choice fields' querysets (and labels) are set below

    def __init__(self, *args, campaign, user, **kwargs):
        super().__init__(*args, **kwargs)
        participants = self.fields["participants"]
        participants.max_length = PARTICIPANTS_MAX
        participants.validators.append(validators.MaxLengthValidator(PARTICIPANTS_MAX))
        participants.widget.attrs["maxlength"] = str(PARTICIPANTS_MAX)
        self.fields["standards"] = CriterionMultipleChoiceField(
            label=_("Standards"),
            queryset=Criterion.objects.filter(campaign=campaign, is_leaf=True).order_by("ordering", "pk"),
            required=False,
            widget=SelectMultiple(),
        )
        # The tasks it carries out: the person's own and their office's listed (any other by typing), and those
        # it has; the posted form validates against every task of the campaign they may read, and those it has.
        linked = list(self.instance.tasks.values_list("pk", flat=True)) if self.instance.pk else []
        tasks = TaskMultipleChoiceField(
            label=_("Tasks"),
            queryset=Task.objects.filter(Q(pk__in=linkable_tasks(user, campaign).values("pk")) | Q(pk__in=linked)),
            required=False,
            widget=SelectMultiple(attrs={"size": 6}),
            help_text=_("The breakdown's tasks this activity carries out: what is uploaded into it counts for them."),
        )
        if not self.is_bound:
            tasks.choices = grouped_task_choices(user, campaign, chosen=linked)
        self.fields["tasks"] = tasks
        office = self.fields["organiser_office"]
        office.queryset = Office.objects.order_by("ordering", "name")
        if self.instance.pk is None:
            self.initial["organiser_office"] = user.office_id
        if not access.is_coordinator(user):
            # The person's own office organises a new activity, and an edit keeps the office it has: only the
            # coordinator chooses another (a disabled field ignores whatever is posted for it).
            office.disabled = True
            office.help_text = _("Your office organises it; the coordinator can choose another office.")

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if self.fields["organiser_office"].disabled and data.get("organiser_office") is None:
            raise forms.ValidationError(
                _("Your account belongs to no office; ask an administrator to set your office.")
            )
        return data


class ActivityUploadForm(forms.Form):
    """One file into an activity: which part of the record it is; empty caption fields come from the activity."""

    # Photos are most of an activity's record: the form offers that category first.
    category = forms.ChoiceField(label=_("Category"), choices=EvidenceCategory.choices, initial=EvidenceCategory.PHOTO)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    caption = forms.CharField(label=_("Caption"), max_length=2000, required=False)
