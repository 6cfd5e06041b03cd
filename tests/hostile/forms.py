"""Every form of every page, with every named field and the value the page gives it: the hostile suite starts
from what a person would send and spoils one kind of field at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.urls import get_resolver

from tests.test_url_matrix import INTEGER, SENT_BY_SCRIPT, walk, world_url


@dataclass
class Form:
    action: str
    method: str
    page: str
    values: dict[str, list[str]] = field(default_factory=dict)  # every named field, as the page fills it
    ints: set[str] = field(default_factory=set)  # fields whose values or options are whole numbers
    texts: set[str] = field(default_factory=set)  # free text: text-like inputs and textareas
    bounded: set[str] = field(default_factory=set)  # free text the page bounds (maxlength)
    files: set[str] = field(default_factory=set)


TEXT_TYPES = {"text", "search", "email", "url", "tel", "password", "date", "datetime-local", "month", "time", ""}
SKIP = {"csrfmiddlewaretoken"}


class AllFields(HTMLParser):
    def __init__(self, page: str):
        super().__init__()
        self.page = page
        self.forms: list[tuple[str, Form]] = []
        self._by_id: dict[str, Form] = {}
        self._form: Form | None = None
        self._select: tuple[Form, str, bool] | None = None
        self._textarea: tuple[Form, str] | None = None

    def _target(self, a) -> Form | None:
        return self._by_id.get(a["form"]) if a.get("form") else self._form

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(
                action=a.get("action") or self.page, method=(a.get("method") or "get").lower(), page=self.page
            )
            self.forms.append((a.get("id", ""), self._form))
            if a.get("id"):
                self._by_id[a["id"]] = self._form
            return
        if tag == "option" and self._select:
            form, name, multiple = self._select
            value = a.get("value", "")
            if INTEGER.match(value):
                form.ints.add(name)
            if "selected" in a:
                form.values[name] = [*form.values.get(name, []), value] if multiple else [value]
            elif not multiple and name not in form.values and value:
                form.values[name] = [value]  # the first option, as a browser sends it
            return
        target = self._target(a)
        field_name = a.get("name")
        if target is None or not field_name or field_name in SKIP or "disabled" in a:
            return
        form, name = target, field_name
        if tag == "select":
            self._select = (form, name, "multiple" in a)
        elif tag == "textarea":
            self._textarea = (form, name)
            form.texts.add(name)
            if a.get("maxlength"):
                form.bounded.add(name)
            form.values[name] = [""]
        elif tag == "input":
            kind = a.get("type", "text").lower()
            value = a.get("value", "")
            if kind == "file":
                form.files.add(name)
                return
            if kind in ("submit", "button", "reset", "image"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.values.setdefault(name, []).append(value or "on")
                if INTEGER.match(value):
                    form.ints.add(name)
                return
            if kind == "number" or (kind == "hidden" and INTEGER.match(value)):
                form.ints.add(name)
            elif kind in TEXT_TYPES:
                form.texts.add(name)
                if a.get("maxlength") or kind in ("date", "datetime-local", "month", "time"):
                    form.bounded.add(name)
            form.values.setdefault(name, []).append(value)

    def handle_data(self, data):
        if self._textarea:
            form, name = self._textarea
            form.values[name] = [form.values[name][0] + data]

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def every_form(client, world: dict, names: tuple[str, ...] = ()) -> list[Form]:
    """Every form (GET and POST) on every page of the world the client can open (of the URL names starting with
    one of `names`, if given), keyed by where it is sent."""
    from django.urls import reverse

    found: dict[tuple[str, str], Form] = {}
    for name, route, _p in walk(get_resolver()):
        url = world_url(name, route, world)
        if url is None or url.startswith("/admin/") or name == "logout" or (names and not name.startswith(names)):
            continue
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = AllFields(url)
        parser.feed(response.content.decode())
        for form_id, form in parser.forms:
            targets = [(form.action, form.method, form.files)]
            if form_id in SENT_BY_SCRIPT:
                targets = [
                    (reverse(t, args=[world[kind]] if kind else []), "post", {"file"} if with_file else set())
                    for t, kind, with_file in SENT_BY_SCRIPT[form_id]
                ]
            for action, method, files in targets:
                key = (action, method)
                if key in found:
                    merged = found[key]
                    for k, v in form.values.items():
                        merged.values.setdefault(k, v)
                    merged.ints |= form.ints
                    merged.texts |= form.texts
                    merged.bounded |= form.bounded
                    merged.files |= files
                else:
                    found[key] = Form(
                        action, method, url, dict(form.values), set(form.ints), set(form.texts), set(files)
                    )
                    found[key].bounded = set(form.bounded)
    return list(found.values())
