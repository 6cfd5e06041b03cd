"""The filters of the browse and search page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.models import Criterion, EvidenceCategory
from civunit.accounts.models import Office
from civunit.forms import ModelChoiceField
from tasks.models import Task

from ..browsing import EvidenceFilters
from ..models import Activity, EvidenceItem, EvidenceKind
from .widgets import Select


class BrowseForm(forms.Form):
    """Filters of the browse and search page; every field optional, bad values are simply ignored."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    # The standard (or a branch: its standards below) by its code, typed or chosen from the matches the page's
    # script loads as one types (campaign:standard_choices): never every standard of the table as an option.
    standard = forms.CharField(label=_("Standard"), max_length=30, required=False)
    # The task by its 序号, typed (a page without scripts) or chosen from the matches the page's script loads as one
    # types (static/js/task-choice.js, from tasks:choices): never every task of the campaign as an option.
    task = forms.CharField(label=_("Task"), max_length=120, required=False)
    # The activity by its id (the value the choice and the links to the filtered list use) or by words of its
    # title typed without the page's script; chosen from the matches it loads as one types
    # (evidence:activity_choices): never every activity of the campaign as an option.
    activity = forms.CharField(label=_("Activity"), max_length=200, required=False)
    office = ModelChoiceField(
        label=_("Office"),
        queryset=Office.objects.none(),
        required=False,
        empty_label=_("All offices"),
        widget=Select(),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *EvidenceKind.choices], required=False, widget=Select()
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("All categories")), *EvidenceCategory.choices],
        required=False,
        widget=Select(),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *EvidenceItem.Status.choices],
        required=False,
        widget=Select(),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    view = forms.ChoiceField(
        label=_("View"),
        choices=[("", _("Automatic")), ("list", _("List")), ("grid", _("Photo grid"))],
        required=False,
        widget=Select(),
    )

    fields: dict[str, Any]  # the choice fields' querysets (and labels) are set below

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            widget = self.fields[name].widget
            widget.attrs["class"] = (
                "form-select form-select-sm" if isinstance(widget, forms.Select) else ("form-control form-control-sm")
            )
        self.campaign = campaign
        self.fields["standard"].widget.attrs.update(
            {"placeholder": _("Standard code or words"), "autocomplete": "off", "spellcheck": "false"}
        )
        self.fields["task"].widget.attrs.update(
            {"placeholder": _("Task number or words"), "autocomplete": "off", "spellcheck": "false"}
        )
        self.fields["activity"].widget.attrs.update(
            {"placeholder": _("Activity: words or date"), "autocomplete": "off", "spellcheck": "false"}
        )
        self.fields["office"].queryset = Office.objects.order_by("ordering", "name")

    def clean_standard(self) -> Criterion | None:
        code = self.cleaned_data.get("standard", "").strip()
        if not code:
            return None
        criterion = Criterion.objects.filter(campaign=self.campaign, code=code).first()
        if criterion is None:
            raise forms.ValidationError(_("No standard coded “%(code)s”."), params={"code": code[:30]})
        return criterion

    def clean_task(self) -> Task | None:
        code = self.cleaned_data.get("task", "").strip()
        if not code:
            return None
        task = Task.objects.filter(campaign=self.campaign, code=code).first()
        if task is None:
            raise forms.ValidationError(_("No task numbered “%(code)s”."), params={"code": code[:40]})
        return task

    def clean_activity(self) -> Activity | None:
        text = self.cleaned_data.get("activity", "").replace("\x00", "").strip()
        if not text:
            return None
        activities = Activity.objects.filter(campaign=self.campaign)
        if text.isascii() and text.isdigit():  # an id ("²" and "٣" are digits to isdigit(), not to int())
            found = activities.filter(pk=int(text)).first() if len(text) < 19 else None
            if found is None:
                raise forms.ValidationError(_("No activity numbered “%(text)s”."), params={"text": text[:30]})
            return found
        exact = activities.filter(title=text).order_by("-date", "-pk").first()
        if exact is not None:
            return exact
        matches = list(activities.filter(title__icontains=text).order_by("-date", "-pk")[:2])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise forms.ValidationError(
                _("Several activities match “%(text)s”: choose one from the list."), params={"text": text[:30]}
            )
        raise forms.ValidationError(_("No activity titled “%(text)s”."), params={"text": text[:30]})

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
