from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from civunit.forms import IntegerField, ModelChoiceField

from .models import Office, User
from .roles import Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The username or password is wrong. Please check and try again."),
        "inactive": _("This account has been disabled."),
    }


# --- The people pages ------------------------------------------------------------------------------------------

PHONE = RegexValidator(
    r"^[0-9+()\- ]{3,30}$", _("Write a phone number with digits (and +, -, brackets or spaces if needed).")
)


def role_choices() -> list[tuple[str, str]]:
    return [(role.value, role.group_name) for role in Role]


class PersonForm(forms.Form):
    real_name = forms.CharField(label=_("Name"), max_length=50)
    username = forms.CharField(
        label=_("Login name"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("What the person types to sign in: letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}),
    )
    office = ModelChoiceField(
        label=_("Office"), queryset=Office.objects.all(), required=False, empty_label=_("No office")
    )
    position = forms.CharField(label=_("Position"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False, validators=[PHONE])
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=role_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A person may hold several roles. An office head also needs to be named head of their office."),
    )

    def __init__(self, *args: Any, person: User | None = None, roles: set[Role] | None = None, **kwargs: Any) -> None:
        if person is not None:
            kwargs.setdefault(
                "initial",
                {
                    "real_name": person.real_name,
                    "username": person.username,
                    "office": person.office_id,
                    "position": person.position,
                    "phone": person.phone,
                    "roles": [r.value for r in roles or ()],
                },
            )
        super().__init__(*args, **kwargs)

    def clean_roles(self) -> set[Role]:
        return {Role(value) for value in self.cleaned_data.get("roles") or ()}

    @property
    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {key: data[key] for key in ("real_name", "username", "office", "position", "phone", "roles")}


class PersonChoiceField(ModelChoiceField):
    """People named with their office, so that two people of the same name can be told apart."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name}（{obj.office or _('No office')}）"


class OfficeForm(forms.Form):
    name = forms.CharField(label=_("Office name"), max_length=100)
    short_name = forms.CharField(
        label=_("Other names"),
        max_length=50,
        required=False,
        help_text=_("Other names people write for this office in tables, e.g. 机关办公室."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Office.Kind.choices)
    ordering = IntegerField(
        label=_("Order"), min_value=0, initial=0, help_text=_("Offices are listed by this number, smallest first.")
    )
    head = PersonChoiceField(
        label=_("Head"),
        empty_label=_("No head"),
        queryset=User.objects.filter(is_active=True).order_by("real_name", "username"),
        required=False,
        error_messages={"invalid_choice": _("Choose an active person from the list.")},
    )

    def __init__(self, *args: Any, office: Office | None = None, **kwargs: Any) -> None:
        if office is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": office.name,
                    "short_name": office.short_name,
                    "kind": office.kind,
                    "ordering": office.ordering,
                    "head": office.head_id,
                },
            )
        super().__init__(*args, **kwargs)

    @property
    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
