"""Forms of review, versions, the recycle bin, activities, browsing and search."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.models import Criterion, EvidenceCategory
from civunit import access
from civunit.accounts.models import Office
from civunit.forms import ModelChoiceField, ModelMultipleChoiceField, formfield
from tasks.models import Task

from ..browsing import EvidenceFilters
from ..models import Activity, EvidenceItem, EvidenceKind
from .upload import CriterionChoiceField, CriterionMultipleChoiceField, TaskMultipleChoiceField, linkable_tasks


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for returning"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why it is returned, so the uploader knows what to fix.")},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why it is returned, so the uploader knows what to fix."))
        return reason


class BulkReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("accept", _("Accept")), ("return", _("Return"))])
    items = ModelMultipleChoiceField(
        queryset=EvidenceItem.objects.none(),
        error_messages={"required": _("Select at least one item.")},
    )
    reason = forms.CharField(label=_("Reason for returning"), max_length=2000, required=False)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = queryset

    def clean(self):
        data = super().clean()
        if data.get("action") == "return" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why it is returned, so the uploader knows what to fix."))
        return data


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
    people = forms.CharField(label=_("People"), max_length=500, required=False)
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


class PurgeForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that the item, all its versions and its files are destroyed for good."),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["title", "date", "place", "organiser_office", "participants", "theme", "standards"]
        formfield_callback = formfield
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "participants": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, campaign, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standards"] = CriterionMultipleChoiceField(
            label=_("Standards"),
            queryset=Criterion.objects.filter(campaign=campaign, is_leaf=True).order_by("ordering", "pk"),
            required=False,
        )
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
        data = super().clean()
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


class BrowseForm(forms.Form):
    """Filters of the browse and search page; every field optional, bad values are simply ignored."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    standard = ModelChoiceField(
        label=_("Standard"), queryset=Criterion.objects.none(), required=False, empty_label=_("All standards")
    )
    task = ModelChoiceField(label=_("Task"), queryset=Task.objects.none(), required=False, empty_label=_("All tasks"))
    activity = ModelChoiceField(
        label=_("Activity"), queryset=Activity.objects.none(), required=False, empty_label=_("All activities")
    )
    office = ModelChoiceField(
        label=_("Office"), queryset=Office.objects.none(), required=False, empty_label=_("All offices")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *EvidenceKind.choices], required=False)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All categories")), *EvidenceCategory.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *EvidenceItem.Status.choices], required=False
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    view = forms.ChoiceField(
        label=_("View"), choices=[("", _("Automatic")), ("list", _("List")), ("grid", _("Photo grid"))], required=False
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            widget = self.fields[name].widget
            widget.attrs["class"] = (
                "form-select form-select-sm" if isinstance(widget, forms.Select) else ("form-control form-control-sm")
            )
        self.fields["standard"].queryset = Criterion.objects.filter(campaign=campaign).order_by("ordering", "pk")
        self.fields["standard"].label_from_instance = lambda c: f"{c.code} {c.title}"[:60]
        self.fields["task"].queryset = Task.objects.filter(campaign=campaign).order_by("code_key", "pk")
        self.fields["task"].label_from_instance = lambda t: f"{t.code} {t.title}"[:60]
        self.fields["activity"].queryset = Activity.objects.filter(campaign=campaign).order_by("-date", "-pk")
        self.fields["office"].queryset = Office.objects.order_by("ordering", "name")

    def filters(self) -> EvidenceFilters:
        """The valid filters; an invalid field (a made-up id, a bad date) is dropped, never an error page."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        return EvidenceFilters(
            q=(data.get("q") or "").strip(),
            standard=data.get("standard"),
            task=data.get("task"),
            activity=data.get("activity"),
            office=data.get("office"),
            kind=data.get("kind") or "",
            category=data.get("category") or "",
            status=data.get("status") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
