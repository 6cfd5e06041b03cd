"""The recycle bin's confirmation of a purge."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PurgeForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that the item, all its versions and its files are destroyed for good."),
        error_messages={"required": _("Tick the box to confirm.")},
    )
