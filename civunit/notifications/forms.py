from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Notification


class PreferencesForm(forms.Form):
    email_kinds = forms.MultipleChoiceField(
        label=_("Also send me an e-mail for"),
        choices=Notification.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
