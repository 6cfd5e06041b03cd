from __future__ import annotations

from decimal import Decimal
from typing import TypedDict, cast

from django import forms
from django.core import validators
from django.utils.translation import gettext_lazy as _

from civunit.forms import ModelChoiceField, formfield

from .models import Assessment, Campaign, Criterion, LeadershipMember, Plan, Stage, VetoCondition, WorkArea
from .text import count_chars, normalize_newlines

MAX_TABLE_BYTES = 10 * 1024 * 1024


class CampaignSettingsForm(forms.ModelForm):
    class Meta:
        model = Campaign
        formfield_callback = formfield
        fields = [
            "title",
            "organ_name",
            "target",
            "status",
            "start_date",
            "end_date",
            "explanation_limit",
            "criteria_note",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # archiving is an audited action of its own (the campaigns page), not a field of the settings
        status = cast(forms.ChoiceField, self.fields["status"])
        status.choices = [(value, label) for value, label in Campaign.Status.choices if value != Campaign.Status.CLOSED]

    def clean_explanation_limit(self) -> int:
        limit = self.cleaned_data["explanation_limit"]
        if limit < 1:
            raise forms.ValidationError(_("The limit must be at least 1 character."))
        return limit


PLAN_SECTION_MAX = 20_000


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["guiding_ideology", "goals", "measures", "organisation"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.Meta.fields:  # sections of a plan: pages of text at most, not whole documents
            field = cast(forms.CharField, self.fields[name])
            field.max_length = PLAN_SECTION_MAX
            field.validators.append(validators.MaxLengthValidator(PLAN_SECTION_MAX))
            field.widget.attrs["maxlength"] = str(PLAN_SECTION_MAX)


class _RowForm(forms.ModelForm):
    """A row of a formset table: Bootstrap classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                continue
            css = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
            widget.attrs.setdefault("class", css)


class _RowLimits(TypedDict):
    max_num: int
    absolute_max: int


# A table of the plan has a few dozen rows at most; a posted form count beyond this is refused with a form error
# instead of building (and rendering) the thousands of forms it claims.
ROWS_AT_MOST: _RowLimits = {"max_num": 100, "absolute_max": 100}

StageFormSet = forms.modelformset_factory(
    Stage,
    form=_RowForm,
    formfield_callback=formfield,
    **ROWS_AT_MOST,
    fields=["kind", "name", "start_date", "end_date", "description"],
    extra=1,
    can_delete=True,
    widgets={
        "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        "description": forms.TextInput(),
    },
)
WorkAreaFormSet = forms.modelformset_factory(
    WorkArea,
    form=_RowForm,
    formfield_callback=formfield,
    **ROWS_AT_MOST,
    fields=["name", "description"],
    extra=1,
    can_delete=True,
    widgets={"description": forms.TextInput()},
)
LeadershipFormSet = forms.modelformset_factory(
    LeadershipMember,
    form=_RowForm,
    formfield_callback=formfield,
    **ROWS_AT_MOST,
    fields=["role", "name", "position", "duties", "user"],
    extra=1,
    can_delete=True,
    widgets={"duties": forms.TextInput()},
)


# The notes beside a self-assessment and a veto condition: a few sentences, bounded as the other free texts are.
NOTE_MAX_LENGTH = 2000


def _bounded_note(form: forms.ModelForm) -> None:
    field = cast(forms.CharField, form.fields["note"])
    field.max_length = NOTE_MAX_LENGTH
    field.validators.append(validators.MaxLengthValidator(NOTE_MAX_LENGTH))
    field.widget.attrs["maxlength"] = str(NOTE_MAX_LENGTH)


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["status", "self_score", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, criterion: Criterion, **kwargs):
        super().__init__(*args, **kwargs)
        self.criterion = criterion
        self.instance.criterion = criterion  # the model's clean() checks the score against it
        _bounded_note(self)
        self.fields["self_score"].widget.attrs.update({"min": "0", "step": "0.01"})
        if criterion.max_score is not None:
            self.fields["self_score"].widget.attrs["max"] = str(criterion.max_score)
            self.fields["self_score"].help_text = _("At most %(max)s points.") % {
                "max": format(criterion.max_score.normalize(), "f")
            }

    def clean_self_score(self) -> Decimal | None:
        score = self.cleaned_data.get("self_score")
        c = self.criterion
        if score is not None and score < 0:
            raise forms.ValidationError(_("The self score may not be negative."))
        if (
            score is not None
            and c.max_score is not None
            and c.kind in (Criterion.Kind.SCORED, Criterion.Kind.BONUS)
            and score > c.max_score
        ):
            raise forms.ValidationError(
                _("The self score may not exceed the maximum score of %(max)s.")
                % {"max": format(c.max_score.normalize(), "f")}
            )
        return score


class ExplanationForm(forms.Form):
    text = forms.CharField(label=_("Explanation report"), required=False, strip=False, widget=forms.Textarea)

    def __init__(self, *args, limit: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit = limit
        self.fields["text"].widget.attrs.update(
            {"rows": 10, "data-char-limit": str(limit), "data-testid": "explanation-text"}
        )
        self.fields["text"].help_text = _("At most %(limit)d characters; line breaks count as one character each.") % {
            "limit": limit
        }

    def clean_text(self) -> str:
        text = normalize_newlines(self.cleaned_data.get("text", ""))
        count = count_chars(text)
        if count > self.limit:
            raise forms.ValidationError(
                _("The explanation report has %(count)d characters; the limit is %(limit)d.")
                % {"count": count, "limit": self.limit}
            )
        return text


class VetoForm(forms.ModelForm):
    class Meta:
        model = VetoCondition
        fields = ["status", "note"]
        widgets = {
            "status": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bounded_note(self)


class CriteriaUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Criteria table"),
        help_text=_("An Excel workbook (.xlsx) or the project's JSON format."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.json"}),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_TABLE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": MAX_TABLE_BYTES // (1024 * 1024)}
            )
        return f


# --- Campaigns: the next one, the switcher ----------------------------------------------------------------------


class NextCampaignForm(forms.Form):
    """What the next campaign is and what it takes from the current one (campaign.succession)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    target = forms.ChoiceField(label=_("Target"), choices=Campaign.Target.choices)
    start_date = forms.DateField(
        label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end_date = forms.DateField(label=_("End date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    copy = forms.MultipleChoiceField(
        label=_("Copy from the current campaign"), required=False, widget=forms.CheckboxSelectMultiple
    )
    make_current = forms.BooleanField(
        label=_("Make it the current campaign at once"),
        required=False,
        help_text=_("Otherwise it waits in planning until you switch to it on the campaigns page."),
    )

    def __init__(self, *args, parts, **kwargs):
        super().__init__(*args, **kwargs)
        copy = cast(forms.MultipleChoiceField, self.fields["copy"])
        copy.choices = [(p.key, f"{p.label}：{p.help}") for p in parts]

    def clean(self):
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The campaign cannot end before it starts."))
        return data


class SelectCampaignForm(forms.Form):
    """The navigation's campaign switcher: which campaign the person's pages show."""

    campaign = ModelChoiceField(queryset=Campaign.objects.none())
    next = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(ModelChoiceField, self.fields["campaign"])
        field.queryset = campaigns
