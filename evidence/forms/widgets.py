"""Select widgets that write their options in Python.

Django renders a <select> through a template and each of its <option>s through an {% include %} of another (with
a third for the attributes): about 0.3 ms an option, so the upload page's few hundred options (its standards,
tasks and activities, in two forms) took most of its time. These widgets write byte for byte what Django's
templates write (tests/evidence/test_select_widgets.py compares them) from the same context (`get_context`: the
chosen values, the option groups, the attributes), so the forms, crispy's rendering and the pages' scripts see no
difference. They keep Django's class names, which crispy turns into the widget's CSS class ("select",
"selectmultiple").
"""

from __future__ import annotations

from django import forms
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: ` name="value"` for each attribute, the name alone for True, none for False."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{escape(value)}"')  # |stringformat:'s': always escaped
    return "".join(out)


def render_select(widget: dict) -> SafeString:
    """django/forms/widgets/select.html with select_option.html included for each option, from a Select
    widget's context."""
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            out.append(
                f'\n  <option value="{escape(option["value"])}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")  # the renderer strips the template's last newline
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)


class _PythonRendered:
    def render(self, name, value, attrs=None, renderer=None):
        return render_select(self.get_context(name, value, attrs)["widget"])  # type: ignore[attr-defined]


class Select(_PythonRendered, forms.Select):
    """forms.Select, rendered without templates."""


class SelectMultiple(_PythonRendered, forms.SelectMultiple):
    """forms.SelectMultiple, rendered without templates."""
