"""The select widgets written in Python (evidence/forms/widgets.py) write what Django's templates write."""

from __future__ import annotations

import pytest
from django import forms
from django.utils.translation import gettext_lazy

from evidence.forms.widgets import Select, SelectMultiple

CHOICES = [
    ("", gettext_lazy("(no standard yet)")),
    ("我的任务", [(1, "1 <b>我的</b> & “任务”"), (2, "2 本科室的任务")]),
    ('Other "tasks"', [(3, "3 别人的任务")]),
    (4, "4 ungrouped"),
]


@pytest.mark.parametrize(
    ("fast", "slow", "value"),
    [
        (Select, forms.Select, None),
        (Select, forms.Select, 2),
        (Select, forms.Select, "4"),
        (SelectMultiple, forms.SelectMultiple, [1, "3"]),
        (SelectMultiple, forms.SelectMultiple, []),
    ],
)
def test_the_python_select_writes_what_the_template_writes(fast, slow, value):
    attrs = {"size": 6, "class": "select form-select", "required": True, "disabled": False, "data-x": 'a"<'}
    expected = slow(attrs=attrs, choices=CHOICES).render("tasks", value, attrs={"id": "id_tasks"})
    written = fast(attrs=attrs, choices=CHOICES).render("tasks", value, attrs={"id": "id_tasks"})
    assert written == expected
    assert "&lt;b&gt;" in written
    if value:
        assert written.count(" selected>") == (len(value) if isinstance(value, list) else 1)


def test_the_widgets_keep_djangos_names_and_classes():
    # crispy names the CSS class after the widget's class, and its templates ask isinstance(…, forms.Select)
    assert Select.__name__ == "Select" and isinstance(Select(), forms.Select)
    assert SelectMultiple.__name__ == "SelectMultiple" and isinstance(SelectMultiple(), forms.SelectMultiple)
