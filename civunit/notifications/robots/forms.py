"""The robot form (the pages and `manage.py robots add` validate with it): where it posts, its kind, address and
secret. The address and the secret are never put back into the form: left empty when changing a robot, they stay
as stored."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civunit.accounts.models import Office
from civunit.forms import ModelChoiceField

from . import addresses, crypto
from .models import Robot, RobotGroup, RobotKind
from .services import RobotError, check_address


class RobotForm(forms.Form):
    group = forms.ChoiceField(label=_("Posts in"), choices=RobotGroup.choices, initial=RobotGroup.OFFICE)
    office = ModelChoiceField(
        label=_("Office"),
        queryset=Office.objects.all(),
        required=False,
        empty_label=_("Choose an office"),
        help_text=_("For an office's group."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=RobotKind.choices)
    name = forms.CharField(
        label=pgettext_lazy("robot", "Name"),
        max_length=100,
        required=False,
        help_text=_("To tell robots apart, e.g. the group's name."),
    )
    url = forms.CharField(
        label=_("Webhook address"),
        max_length=addresses.MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "url"}),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        max_length=200,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "DingTalk: the SEC… string of 加签; Feishu: the key of 签名校验. WeCom group robots have none. "
            "Strongly recommended: without it, anyone who learns the address can post in the group."
        ),
    )
    clear_secret = forms.BooleanField(label=_("Remove the stored secret"), required=False)
    is_active = forms.BooleanField(
        label=_("Active"), required=False, initial=True, help_text=_("A robot switched off is sent nothing.")
    )

    def __init__(self, *args: Any, robot: Robot | None = None, **kwargs: Any) -> None:
        self.robot = robot
        if robot is not None:
            kwargs.setdefault(
                "initial",
                {
                    "group": robot.group,
                    "office": robot.office_id,
                    "kind": robot.kind,
                    "name": robot.name,
                    "is_active": robot.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        if robot is None:
            del self.fields["clear_secret"], self.fields["is_active"]
        else:
            url = self.fields["url"]
            url.required = False
            url.help_text = _("Stored: %(hint)s. Leave empty to keep it.") % {"hint": robot.url_hint}
            self.fields["secret"].help_text = (
                _("A secret is stored. Leave empty to keep it.") if robot.has_secret else _("No secret is stored.")
            )
            if not robot.has_secret:
                del self.fields["clear_secret"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not crypto.key_available():
            raise forms.ValidationError(str(crypto.MissingKey()))
        group, kind = data.get("group"), data.get("kind")
        if group == RobotGroup.OFFICE and not data.get("office") and "office" not in self.errors:
            self.add_error("office", _("Choose the office whose group the robot posts in."))
        if group != RobotGroup.OFFICE:
            data["office"] = None
        url = (data.get("url") or "").strip()
        data["url"] = url or None
        if url and kind:
            try:
                check_address(url, kind)
            except RobotError as error:
                self.add_error("url", str(error))
        if kind == RobotKind.WECOM and data.get("secret"):
            self.add_error("secret", _("A WeCom group robot has no signing secret: leave the secret empty."))
        data["secret"] = data.get("secret") or None
        return data

    @property
    def values(self) -> dict[str, Any]:
        """The service's keyword arguments."""
        data = self.cleaned_data
        return {
            "group": data["group"],
            "office": data.get("office"),
            "kind": data["kind"],
            "name": data.get("name") or "",
            "url": data.get("url"),
            "secret": data.get("secret"),
            "clear_secret": bool(data.get("clear_secret")),
            "is_active": bool(data.get("is_active")) if "is_active" in self.fields else True,
        }
