"""The shared id and integer fields (civunit/forms.py): a number beyond 64 bits is a Chinese form error, never a
query; and every form of the project uses them."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.utils import translation

from civunit import forms as shared
from civunit.accounts.models import Office

BEYOND = [str(2**63), str(2**64), str(-(2**64)), "99999999999999999999999"]


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def test_parse_id_takes_whole_numbers_the_databases_can_store():
    assert shared.parse_id("42") == 42
    assert shared.parse_id(" 7 ") == 7
    assert shared.parse_id(str(2**63 - 1)) == 2**63 - 1
    for value in [*BEYOND, "", "x", "1.5", "²", "١٢", "1_000", "--1", None, True, [1]]:
        assert shared.parse_id(value) is None, value


@pytest.mark.parametrize("value", BEYOND)
def test_an_id_beyond_64_bits_is_not_one_of_the_choices(db, value):
    Office.objects.create(name="研究室")
    single = shared.ModelChoiceField(queryset=Office.objects.all())
    several = shared.ModelMultipleChoiceField(queryset=Office.objects.all())
    with pytest.raises(forms.ValidationError) as single_error:
        single.clean(value)
    with pytest.raises(forms.ValidationError) as several_error:
        several.clean([value])
    assert "有效的选项" in single_error.value.messages[0]
    assert "有效的选项" in several_error.value.messages[0]


def test_the_shared_choice_fields_still_choose(db):
    office = Office.objects.create(name="研究室")
    assert shared.ModelChoiceField(queryset=Office.objects.all()).clean(str(office.pk)) == office
    assert list(shared.ModelMultipleChoiceField(queryset=Office.objects.all()).clean([str(office.pk)])) == [office]


@pytest.mark.parametrize("value", BEYOND)
def test_a_number_beyond_64_bits_is_out_of_range(value):
    with pytest.raises(forms.ValidationError) as error:
        shared.IntegerField().clean(value)
    assert error.value.messages == ["数值超出范围。"]
    assert shared.IntegerField(min_value=1).clean("5") == 5


@pytest.mark.parametrize("value", [*BEYOND, "abc", "²"])
def test_an_id_list_refuses_what_is_not_an_id(value):
    with pytest.raises(forms.ValidationError):
        shared.IdListField().clean(["3", value])
    assert shared.IdListField().clean(["3", "1", "3"]) == [1, 3]


# --- every form of the project uses the shared fields ---------------------------------------------------

APPS = ("campaign", "tasks", "evidence", "civunit")
PLAIN = (forms.ModelChoiceField, forms.ModelMultipleChoiceField, forms.IntegerField)  # Decimal and Float too
SHARED = (shared.ModelChoiceField, shared.ModelMultipleChoiceField, shared.IntegerField)


def _project_form_classes():
    """Form classes defined or built (formsets) at module level anywhere in the project's apps."""
    found = {}
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if ".migrations" in info.name or ".management" in info.name or info.name.endswith(".settings"):
                continue
            module = importlib.import_module(info.name)
            for attr, value in vars(module).items():
                if not inspect.isclass(value):
                    continue
                if issubclass(value, forms.BaseForm) and value.__module__ == info.name:
                    found[f"{info.name}.{attr}"] = value
                elif issubclass(value, forms.BaseFormSet) and hasattr(value, "form"):
                    found[f"{info.name}.{attr}.form"] = value.form
    return found


def test_the_walk_finds_the_project_forms():
    names = set(_project_form_classes())
    assert {
        "tasks.forms.TaskForm",
        "evidence.forms.upload.EvidenceMetaForm",
        "evidence.forms.activities.ActivityForm",
    } <= names


def test_every_id_and_integer_field_of_every_form_refuses_numbers_beyond_64_bits():
    plain = [
        f"{name}.{field_name}"
        for name, cls in _project_form_classes().items()
        for field_name, field in cls.base_fields.items()
        if isinstance(field, PLAIN) and not isinstance(field, (*SHARED, forms.DecimalField, forms.FloatField))
    ]
    assert plain == [], "use civunit.forms' fields (or Meta.formfield_callback = civunit.forms.formfield)"
