"""The coordinator's import of an existing archive: the office the evidence belongs to, and whether only to check."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civunit import forms as id_fields
from civunit.accounts.models import Office


class EvidenceImportForm(forms.Form):
    office = id_fields.ModelChoiceField(
        label=_("Office"),
        queryset=Office.objects.order_by("ordering", "name"),
        empty_label=_("(choose the office)"),
        help_text=_("The office the imported evidence belongs to; its people and head will see it."),
    )
    dry_run = forms.BooleanField(
        label=_("Check only: report what would be imported and change nothing"),
        required=False,
    )
