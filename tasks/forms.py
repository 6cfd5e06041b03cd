from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Case, Q, Value, When
from django.db.models import IntegerField as DjIntegerField
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campaign.models import Criterion, WorkArea
from civunit.accounts.models import Office, User
from civunit.forms import IdListField, IntegerField, ModelChoiceField, ModelMultipleChoiceField, parse_id

from .models import TEXT_MAX, Recurrence, Status, Task
from .selectors import SORTS, TaskFilters


def _small_widgets(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select form-select-sm"
        else:
            widget.attrs["class"] = "form-control form-control-sm"


class _ListedChoices(ModelChoiceIterator):
    """The choices of a short table (offices, work areas, an office's people) read with one plain query, kept for
    len() too: Django's iterator() opens a server-side cursor on PostgreSQL (DECLARE, FETCH, CLOSE: three round
    trips) for a dozen rows, and its len() (a template's {% for %} over the choices) counts them in another."""

    def _rows(self) -> list:
        if not hasattr(self, "_listed"):
            self._listed = list(self.queryset)
        return self._listed

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self._rows():
            yield self.choice(obj)

    def __len__(self):
        return len(self._rows()) + (1 if self.field.empty_label is not None else 0)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self._rows())


class TaskFilterForm(forms.Form):
    """The filters of the task list (GET). Bad values are dropped, never an error page."""

    office = ModelChoiceField(
        label=pgettext_lazy("task filter", "Office"), queryset=Office.objects.none(), required=False
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    work_area = ModelChoiceField(label=_("Work area"), queryset=WorkArea.objects.none(), required=False)
    # The standard by its code, typed or chosen from the matches the page's script loads as one types
    # (static/js/task-choice.js, from campaign:standard_choices): never every standard of the campaign as an
    # option (340 of them at the demo's 10x cost ~30 ms per page to render). An id (links made before) still works.
    standard = forms.CharField(label=_("Standard"), max_length=30, required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    stalled = forms.BooleanField(label=_("Stalled only"), required=False)
    due_within = IntegerField(label=_("Due within (days)"), required=False, min_value=0, max_value=3650)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    top = forms.BooleanField(label=_("Top-level tasks only"), required=False)
    review = forms.BooleanField(label=_("Awaiting my review"), required=False)
    supervised = forms.BooleanField(label=_("Tasks I supervise"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("code", _("Number")),
            ("due", _("Due date, earliest first")),
            ("-due", _("Due date, latest first")),
            ("status", _("Status")),
            ("office", _("Lead office")),
            ("updated", _("Recently changed")),
        ],
    )

    fields: dict[str, Any]  # queryset, empty_label, labels of the choice fields are set below

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("office", "work_area"):
            self.fields[name].iterator = _ListedChoices  # before the querysets: setting one gives the widget choices
        self.fields["office"].queryset = Office.objects.all()
        self.fields["office"].empty_label = _("Any office")
        self.fields["work_area"].empty_label = _("Any work area")
        self.fields["status"].choices = [("", _("Any status")), *Status.choices]
        self.fields["work_area"].queryset = WorkArea.objects.filter(campaign=campaign)
        self.campaign = campaign
        _small_widgets(self)
        self.fields["standard"].widget.attrs.update(
            {"placeholder": _("Standard code or words"), "autocomplete": "off", "spellcheck": "false"}
        )

    def clean_standard(self) -> Criterion | None:
        """The standard (a leaf) of the campaign coded so, else the one with that id (links made before); one
        query."""
        code = (self.cleaned_data.get("standard") or "").strip()
        if not code:
            return None
        match = Q(code=code)
        if code.isascii() and code.isdigit() and (pk := parse_id(code)) is not None:
            match |= Q(pk=pk)
        criterion = (
            Criterion.objects.filter(match, campaign=self.campaign, is_leaf=True)
            .annotate(by_code=Case(When(code=code, then=Value(0)), default=Value(1), output_field=DjIntegerField()))
            .order_by("by_code", "pk")
            .first()
        )
        if criterion is None:
            raise forms.ValidationError(_("No standard coded “%(code)s”."), params={"code": code[:30]})
        return criterion

    def filters(self) -> TaskFilters:
        if not self.is_valid():
            # Keep whatever fields were valid; an invalid one is ignored.
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        else:
            data = self.cleaned_data
        sort = data.get("sort") or "code"
        return TaskFilters(
            office_id=data["office"].pk if data.get("office") else None,
            status=data.get("status") or "",
            work_area_id=data["work_area"].pk if data.get("work_area") else None,
            standard_id=data["standard"].pk if data.get("standard") else None,
            overdue=bool(data.get("overdue")),
            stalled=bool(data.get("stalled")),
            due_within=data.get("due_within"),
            q=(data.get("q") or "").strip(),
            sort=sort if sort in SORTS else "code",
            top_level=bool(data.get("top")),
            to_review=bool(data.get("review")),
            supervised=bool(data.get("supervised")),
        )


class VersionedForm(forms.Form):
    """Every action posts the version of the row its page showed; a stale one is refused."""

    version = IntegerField(widget=forms.HiddenInput, min_value=1)
    occurrence = IntegerField(widget=forms.HiddenInput, required=False)


class CheckOffForm(VersionedForm):
    note = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Name the evidence that proves it (documents, minutes, photos)."),
    )
    # Posted by the confirmation page: check off although the task does not look complete.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ReviewForm(VersionedForm):
    note = forms.CharField(
        label=pgettext_lazy("task review", "Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )


class ReturnForm(VersionedForm):
    reason = forms.CharField(
        label=pgettext_lazy("task review", "Reason for returning"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    occurrence = IntegerField(widget=forms.HiddenInput, required=False)


def _people_field(office_ids) -> ModelMultipleChoiceField:
    field = ModelMultipleChoiceField(
        label=_("Responsible people"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    field.iterator = _ListedChoices  # before the queryset: setting it gives the widget its choices
    field.queryset = User.objects.filter(office_id__in=office_ids, is_active=True).order_by("username")
    field.label_from_instance = lambda obj: obj.display_name  # type: ignore[method-assign]  # on this instance only
    return field


class AssignForm(forms.Form):
    version = IntegerField(widget=forms.HiddenInput, min_value=1)
    deadline = forms.DateField(
        label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"] = _people_field([task.lead_office_id])
        self.order_fields(["people", "deadline", "version"])


class SplitForm(forms.Form):
    title = forms.CharField(label=_("Sub-task"), max_length=500)
    code = forms.CharField(
        label=_("Number"), max_length=30, required=False, help_text=_("Leave empty to number it automatically.")
    )
    lead_office = ModelChoiceField(label=_("Office doing it"), queryset=Office.objects.none())
    measures = forms.CharField(
        label=_("Measures"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=TEXT_MAX
    )
    deadline = forms.DateField(
        label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    fields: dict[str, Any]  # queryset, empty_label, labels of the choice fields are set below

    def __init__(self, *args, parent, **kwargs):
        super().__init__(*args, **kwargs)
        office_ids = [parent.lead_office_id, *(o.pk for o in parent.supporting_offices.all())]
        self.fields["lead_office"].queryset = Office.objects.filter(pk__in=office_ids)
        self.fields["lead_office"].initial = parent.lead_office_id
        self.fields["people"] = _people_field([parent.lead_office_id])
        self.fields["people"].help_text = _(
            "People of your office. A sub-task for a supporting office is assigned by that office's head."
        )
        self.order_fields(["title", "code", "lead_office", "people", "measures", "deadline"])

    def clean(self):
        super().clean()
        data = self.cleaned_data
        office = data.get("lead_office")
        people = data.get("people")
        if office and people and any(p.office_id != office.pk for p in people):
            self.add_error("people", _("Only people of the office doing the sub-task can be responsible for it."))
        return data


class BulkForm(forms.Form):
    ACTIONS = [("assign", _("Assign to")), ("deadline", _("Set deadline"))]

    action = forms.ChoiceField(label=pgettext_lazy("task bulk", "Action"), choices=ACTIONS)
    # which of the tasks the user may change is decided in the service
    tasks = IdListField(
        label=pgettext_lazy("task", "Tasks"),
        error_messages={"required": _("Select at least one task."), "invalid": _("Select tasks from the list.")},
    )
    deadline = forms.DateField(label=_("Deadline"), required=False)

    def __init__(self, *args, office_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"] = _people_field(office_ids)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("action") == "assign" and not data.get("people"):
            self.add_error("people", _("Choose the people to assign."))
        return data


CODE_PATTERN = r"^\d+(\.\d+)*$"


class TaskForm(forms.Form):
    """A line of the breakdown, as the coordinator writes it (the Excel import writes the same fields)."""

    code = forms.RegexField(
        label=_("Number"),
        regex=CODE_PATTERN,
        max_length=30,
        error_messages={"invalid": _("Write the number like 12 or 12.3.")},
    )
    title = forms.CharField(label=_("Task"), max_length=500)
    measures = forms.CharField(
        label=_("Measures"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=TEXT_MAX
    )
    work_area = ModelChoiceField(label=_("Work area"), queryset=WorkArea.objects.none(), required=False)
    standards = ModelMultipleChoiceField(
        label=_("Standards"),
        queryset=Criterion.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    lead_office = ModelChoiceField(label=_("Lead office"), queryset=Office.objects.all())
    supporting_offices = ModelMultipleChoiceField(
        label=_("Supporting offices"),
        queryset=Office.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    leader_in_charge_name = forms.CharField(label=_("Leader in charge"), max_length=50, required=False)
    deadline = forms.DateField(
        label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    recurrence = forms.ChoiceField(label=_("Recurrence"), choices=Recurrence.choices)
    evidence_requirement = forms.CharField(
        label=_("Evidence requirement"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=TEXT_MAX
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=TEXT_MAX
    )
    version = IntegerField(widget=forms.HiddenInput, required=False)

    fields: dict[str, Any]  # queryset, empty_label, labels of the choice fields are set below

    def __init__(self, *args, campaign, task=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.task = task
        self.fields["work_area"].queryset = WorkArea.objects.filter(campaign=campaign)
        self.fields["standards"].queryset = Criterion.objects.filter(campaign=campaign, is_leaf=True)
        self.fields["standards"].label_from_instance = lambda c: f"{c.code} {c.title[:40]}"
        self.fields["work_area"].empty_label = "—"
        self.fields["lead_office"].empty_label = _("Choose an office")

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        taken = Task.objects.filter(campaign=self.campaign, code=code)
        if self.task is not None:
            taken = taken.exclude(pk=self.task.pk)
        if taken.exists():
            raise forms.ValidationError(_("The number %(code)s is already used.") % {"code": code})
        return code

    def clean(self):
        super().clean()
        data = self.cleaned_data
        lead, supporting = data.get("lead_office"), data.get("supporting_offices") or []
        if lead and any(o.pk == lead.pk for o in supporting):
            self.add_error("supporting_offices", _("The lead office cannot also be a supporting office."))
        if data.get("recurrence") == Recurrence.NONE and not data.get("deadline"):
            self.add_error("deadline", _("A one-off task needs a deadline (or choose a recurrence)."))
        return data

    @classmethod
    def initial_for(cls, task: Task) -> dict:
        return {
            "code": task.code,
            "title": task.title,
            "measures": task.measures,
            "work_area": task.work_area_id,
            "standards": [c.pk for c in task.standards.all()],
            "lead_office": task.lead_office_id,
            "supporting_offices": [o.pk for o in task.supporting_offices.all()],
            "leader_in_charge_name": task.leader_in_charge.display_name
            if task.leader_in_charge
            else task.leader_in_charge_name,
            "deadline": task.deadline,
            "recurrence": task.recurrence,
            "evidence_requirement": task.evidence_requirement,
            "notes": task.notes,
            "version": task.version,
        }
