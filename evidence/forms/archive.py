"""The archive page's form: which campaign's binder, laid out how."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign
from civunit.forms import ModelChoiceField

from ..binder import Layout


class BinderForm(forms.Form):
    campaign = ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.order_by("-start_date", "-pk"),
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Choose a campaign from the list.")},
    )
    layout = forms.ChoiceField(
        label=_("Layout"),
        choices=Layout.choices,
        initial=Layout.STANDARD,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Choose a layout."), "invalid_choice": _("Choose a layout.")},
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        current = Campaign.objects.current()
        if current is not None:
            self.fields["campaign"].initial = current.pk
