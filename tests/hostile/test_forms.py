"""Every form of every page, spoilt one kind of field at a time: text with NUL bytes, lone surrogates and 200 KB,
ids that are another campaign's, missing, negative or not numbers. The forms come from the pages (the resolver's
URLs over a world of one object of each kind), so a form added later is walked too.

For each: a clear answer (a form error or a 4xx, never a 5xx) and the database and the stored files exactly as
they were; a lone surrogate, which the request's decoder turns into U+FFFD, may be kept as that character only.
One walk per person serves every kind of spoilt value (walking the pages is the slow part).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve

from tests.evidence import samples
from tests.hostile.conftest import Snapshot, stored_surrogates
from tests.hostile.forms import Form, every_form
from tests.test_url_matrix import ACT_REGARDLESS

pytestmark = pytest.mark.slow

NUL = "第\x00一"
SURROGATE = "第\ud800一"  # sent as the bytes a careless encoder makes of it, ED A0 80: not UTF-8
LONG = "长" + "a" * 200_000  # 200 KB
TEXT_VALUES = {"nul": NUL, "surrogate": SURROGATE, "200k": LONG}
ID_VALUES = {"missing": "987654321", "negative": "-1", "not a number": "1x", "empty": " "}

# Forms whose POST acts whatever its fields say (marks notifications read, signs out).
NOT_REFUSED = {*ACT_REGARDLESS, "logout", "notifications:settings"}


@pytest.fixture
def foreign(cast, django_capture_on_commit_callbacks):
    """One object of each kind in another campaign, open but not the current one: its ids are foreign."""
    from evidence.models import Activity
    from tests.evidence.factories import make_evidence
    from tests.factories import CampaignFactory, CriterionFactory
    from tests.tasks.factories import TaskFactory

    other = CampaignFactory(title="另一届创建", is_current=False)
    criterion = CriterionFactory(campaign=other, code="9.1", is_leaf=True, level=2)
    task = TaskFactory(campaign=other, code="9", lead_office=cast.office_b)
    activity = Activity.objects.create(
        campaign=other, title="往届活动", date="2025-03-05", organiser_office=cast.office_b, created_by=cast.head_b
    )
    with django_capture_on_commit_callbacks(execute=True):
        item = make_evidence(user=cast.staff_b, campaign=other)
    return {"task": task.pk, "criterion": criterion.pk, "activity": activity.pk, "evidence": item.pk}


def foreign_id(field: str, foreign: dict) -> str:
    """The other campaign's object a field names by its name; others get an id no row has."""
    name = field.rsplit("-", 1)[-1]
    if name in ("tasks", "task"):
        return str(foreign["task"])
    if "standard" in name or name == "criterion":
        return str(foreign["criterion"])
    if name == "activity":
        return str(foreign["activity"])
    if name == "items":
        return str(foreign["evidence"])
    return "987654320"


def encode(data: dict[str, list[str]]) -> bytes:
    """An urlencoded body as a browser would send it; lone surrogates become the bytes ED A0 80."""
    from urllib.parse import quote

    return "&".join(
        f"{quote(k)}={quote(v.encode('utf-8', 'surrogatepass'))}" for k, values in data.items() for v in values
    ).encode()


def send(client, form: Form, data: dict[str, list[str]]):
    if form.method == "get":
        return client.get(form.action + "?" + encode(data).decode())
    if form.files:
        # multipart: the test client encodes text strictly, so the surrogate goes as the character a decoder
        # makes of its bytes (Django decodes ED A0 80 with errors="replace")
        payload: dict = {k: [v.replace("\ud800", "\ufffd") for v in vs] for k, vs in data.items()}
        for name in form.files:
            payload[name] = SimpleUploadedFile("照片.jpg", samples.jpeg(color=(9, 8, 7)), content_type="image/jpeg")
        return client.post(form.action, payload)
    return client.post(form.action, encode(data), content_type="application/x-www-form-urlencoded")


def spoilt(form: Form, foreign: dict):
    """(what, data) for every kind of spoilt value that applies to the form."""
    texts = sorted(form.texts)
    for what in ("nul", "surrogate"):
        if texts:
            yield what, {**form.values, **{key: [TEXT_VALUES[what]] for key in texts}}
    # 200 KB: the fields the page bounds (maxlength) together, at most 8 at once to stay under
    # DATA_UPLOAD_MAX_MEMORY_SIZE; every unbounded one alone, so that no other field's refusal hides it.
    bounded = sorted(form.bounded)
    for start in range(0, len(bounded), 8):
        yield "200k", {**form.values, **{key: [LONG] for key in bounded[start : start + 8]}}
    for name in sorted(form.texts - form.bounded):
        yield f"200k in {name}", {**form.values, name: [LONG]}
    for what, value in ID_VALUES.items():
        if form.ints:
            yield f"{what} id", {**form.values, **{name: [value] for name in form.ints}}
    if form.ints:
        yield "foreign id", {**form.values, **{name: [foreign_id(name, foreign)] for name in form.ints}}


def check_forms(client, forms: list[Form], foreign: dict) -> list[str]:
    problems = []
    for form in forms:
        view = resolve(form.action.split("?")[0]).view_name
        for what, data in spoilt(form, foreign):
            before = Snapshot()
            response = send(client, form, data)
            where = f"{form.method.upper()} {form.action} ({view}) with {what}"
            if response.status_code >= 500:
                problems.append(f"{where}: {response.status_code}")
                continue
            if what == "surrogate":
                # the request's decoder turns the bytes into U+FFFD: the text may be kept, never the surrogate
                if stored_surrogates():
                    problems.append(f"{where}: a lone surrogate reached {stored_surrogates()}")
                continue
            if form.method == "post" and view not in NOT_REFUSED:
                changed = before.unchanged()
                if changed:
                    problems.append(f"{where}: answered {response.status_code} and changed {changed}")
    return problems


def test_every_form_of_the_coordinator_refuses_spoilt_values_and_changes_nothing(cast, login, world, foreign):
    client = login(cast.coordinator)
    client.raise_request_exception = False  # a 500 is counted, not raised
    forms = every_form(client, world)
    assert len(forms) >= 40, [f.action for f in forms]
    problems = check_forms(client, forms, foreign)
    assert not problems, "\n".join(problems)


def test_every_form_of_the_administrator_refuses_spoilt_values_and_changes_nothing(cast, login, world, foreign):
    client = login(cast.admin)
    client.raise_request_exception = False
    forms = every_form(client, world, names=("accounts:",))
    assert {"/people/add/", "/offices/add/"} <= {f.action for f in forms}
    problems = check_forms(client, forms, foreign)
    assert not problems, "\n".join(problems)


def test_the_walk_flags_a_form_that_no_longer_bounds_its_text(cast, login, world, foreign, monkeypatch):
    """The walk shown able to fail: with the task form's title unbounded (max_length, its validator and the
    page's maxlength removed, as a careless edit would), the 200 KB title is taken (SQLite) or breaks the
    write (PostgreSQL's varchar(500)): either way the walk reports the task edit page."""
    from tasks.forms import TaskForm

    title = TaskForm.base_fields["title"]
    monkeypatch.setattr(title, "max_length", None)
    monkeypatch.setattr(title, "validators", [])
    monkeypatch.setattr(title.widget, "attrs", {k: v for k, v in title.widget.attrs.items() if k != "maxlength"})
    client = login(cast.coordinator)
    client.raise_request_exception = False
    forms = every_form(client, world, names=("tasks:edit",))
    assert forms, "the task edit page holds no form"
    problems = check_forms(client, forms, foreign)
    assert any("200k in title" in p for p in problems), problems
