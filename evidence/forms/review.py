"""Forms of review: returning with a reason, accepting or returning several items at once."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from civunit.forms import ModelMultipleChoiceField

from ..models import EvidenceItem


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

    fields: dict[str, Any]  # the choice fields' querysets (and labels) are set below

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = queryset

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("action") == "return" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why it is returned, so the uploader knows what to fix."))
        return data
