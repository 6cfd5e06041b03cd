"""Form fields every app uses for ids and whole numbers.

Both databases store ids and integers in at most 64 signed bits; a larger number posted in a form
(99999999999999999999999) made SQLite raise OverflowError inside the query (a 500) and would make PostgreSQL
refuse the row. These fields refuse such a number as a form error before any query sees it: an id is "not one of
the choices", any other number is "out of range". ModelForms get them through `formfield` (their
`Meta.formfield_callback`); views that read an id by hand use `parse_id`. URLs use the `id` converter
(civunit/converters.py) for the same reason.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import BaseValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def _whole_number(value) -> int | None:
    """The integer a posted value writes in ASCII digits (with an optional sign), else None."""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return None
    text = str(value).strip()
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not (digits.isascii() and digits.isdigit()):
        return None
    return int(text)


def parse_id(value) -> int | None:
    """A whole number within the 64-bit range read from a query or a form by hand; None for anything else."""
    number = _whole_number(value)
    return number if number is not None and INT64_MIN <= number <= INT64_MAX else None


def _outside_int64(value) -> bool:
    """A posted whole number the databases cannot store."""
    number = _whole_number(value)
    return number is not None and not INT64_MIN <= number <= INT64_MAX


def _integer_key(field: forms.ModelChoiceField) -> bool:
    """Whether the field's choices are named by an integer column (the primary key unless to_field_name)."""
    if field.queryset is None:  # no queryset, no choices to name
        return False
    opts = field.queryset.model._meta
    column = opts.pk if field.to_field_name in (None, "pk") else opts.get_field(field.to_field_name)
    return isinstance(column, models.IntegerField)


class ModelChoiceField(forms.ModelChoiceField):
    """One object chosen by its id; an id beyond 64 bits is not one of the choices."""

    def to_python(self, value):
        if value not in self.empty_values and _integer_key(self) and _outside_int64(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several objects chosen by their ids; an id beyond 64 bits is not one of the choices."""

    def _check_values(self, value):
        if _integer_key(self):
            for pk in value:
                if _outside_int64(pk):
                    raise ValidationError(
                        self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                    )
        return super()._check_values(value)  # type: ignore[misc]  # private to Django, not in django-stubs


class Int64RangeValidator(BaseValidator):
    message = _("This number is out of range.")
    code = "out_of_range"

    def __init__(self):
        super().__init__(limit_value=(INT64_MIN, INT64_MAX))

    def compare(self, value, limit):
        return not limit[0] <= value <= limit[1]


class IntegerField(forms.IntegerField):
    """A whole number the databases can store (narrower limits still come from min_value and max_value)."""

    default_validators = [Int64RangeValidator()]


class IdListField(forms.Field):
    """A list of ids from checkboxes, as sorted unique integers; which of them the user may act on is decided
    by the caller. Anything but whole numbers within 64 bits is the field's `invalid` error."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("Select from the list.")}

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        ids = [parse_id(v) for v in value]
        if any(i is None for i in ids):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return sorted(set(ids))


def formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """`Meta.formfield_callback` of the project's ModelForms: the fields above instead of Django's."""
    if isinstance(db_field, models.ManyToManyField):
        kwargs.setdefault("form_class", ModelMultipleChoiceField)
    elif isinstance(db_field, models.ForeignKey):
        kwargs.setdefault("form_class", ModelChoiceField)
    elif isinstance(db_field, models.IntegerField) and not isinstance(db_field, models.AutoField):
        kwargs.setdefault("form_class", IntegerField)
    return db_field.formfield(**kwargs)
