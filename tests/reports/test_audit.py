"""One audit trail: every history on one page for the coordinator and the administrators, filtered, paginated at
a constant query count, exported formula-safe; the client's address on every event; evidence downloads
recorded with one insert; the records read-only in the admin."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.contrib.admin.sites import site
from django.db import connection
from django.db.models import Model
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from civunit import audit
from civunit.accounts.models import AccountEvent
from civunit.reports.audit import selectors
from civunit.reports.models import BulletinEvent
from evidence.models import EvidenceEvent
from tasks.models import TaskEvent
from tests.evidence.factories import make_evidence
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db

ADDRESS = "10.20.30.40"


@pytest.fixture
def trail(cast, campaign):
    """A task event of office A, an evidence upload of office B, an account change, spread over three days."""
    task = TaskFactory(campaign=campaign, lead_office=cast.office_a, title="=HYPERLINK(1)")
    with audit.client_address_set("192.0.2.7"):
        t = TaskEvent.objects.create(task=task, actor=cast.staff_a, action=TaskEvent.Action.STARTED, note="=1+1")
    item = make_evidence(user=cast.staff_b, campaign=campaign)
    a = AccountEvent.objects.create(
        actor=cast.admin, action=AccountEvent.Action.PERSON_CHANGED, person=cast.staff_a, office=cast.office_a
    )
    now = timezone.now()
    TaskEvent.objects.filter(pk=t.pk).update(created_at=now - datetime.timedelta(days=2))
    AccountEvent.objects.filter(pk=a.pk).update(created_at=now - datetime.timedelta(days=1))
    return {"task": task, "item": item}


def kinds(response) -> list[str]:
    return [row.source.key for row in response.context["rows"]]


def test_the_page_is_the_coordinators_and_the_administrators(cast, login):
    url = reverse("reports:audit")
    for name, user in cast.everyone.items():
        expected = 200 if name in {"coordinator", "admin"} else 403
        assert login(user).get(url).status_code == expected, name
        assert login(user).get(reverse("reports:audit_export")).status_code == expected, name


def test_every_history_on_one_timeline_newest_first(trail, cast, login):
    response = login(cast.coordinator).get(reverse("reports:audit"))
    assert response.status_code == 200
    assert kinds(response)[:1] == ["evidence"] and kinds(response)[-1] == "task"
    assert {"task", "evidence", "account"} <= set(kinds(response))
    html = response.content.decode()
    assert "192.0.2.7" in html and "=1+1" in html


def test_filters_by_person_office_object_and_date(trail, cast, login):
    client = login(cast.coordinator)
    url = reverse("reports:audit")
    assert set(kinds(client.get(url, {"person": cast.staff_a.pk}))) == {"task"}
    assert set(kinds(client.get(url, {"office": cast.office_b.pk}))) == {"evidence"}
    assert set(kinds(client.get(url, {"office": cast.office_a.pk}))) == {"task", "account"}
    task = trail["task"]
    assert kinds(client.get(url, {"kind": "task", "object": task.pk})) == ["task"]
    assert kinds(client.get(url, {"kind": "task", "object": task.pk + 1000})) == []
    today = timezone.localdate()
    assert "task" not in kinds(client.get(url, {"start": today - datetime.timedelta(days=1)}))
    assert kinds(client.get(url, {"end": today - datetime.timedelta(days=2)})) == ["task"]


def test_filters_not_understood_are_left_out_with_a_message(trail, cast, login):
    client = login(cast.coordinator)
    for bad in ({"start": "2026-13-45"}, {"person": "x"}, {"object": "5"}, {"kind": "nothing"}):
        response = client.get(reverse("reports:audit"), bad)
        assert response.status_code == 200, bad
        assert len(kinds(response)) == 3, bad
        assert [str(m) for m in response.context["messages"]], bad
    assert client.get(reverse("reports:audit"), {"page": "-3"}).status_code == 200


def test_a_page_costs_the_same_queries_however_many_events(trail, cast, login, campaign):
    client = login(cast.coordinator)
    client.get(reverse("reports:audit"))  # the session, the campaign switcher: warmed up
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("reports:audit"))
    for n in range(40):
        task = TaskFactory(campaign=campaign, lead_office=cast.office_a if n % 2 else cast.office_b)
        TaskEvent.objects.create(task=task, actor=cast.head_a, action=TaskEvent.Action.UPDATED)
        AccountEvent.objects.create(actor=cast.admin, action=AccountEvent.Action.PERSON_CHANGED, person=cast.staff_b)
    make_evidence(user=cast.staff_a, campaign=campaign)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("reports:audit"))
    assert len(response.context["rows"]) == 50
    assert len(many) == len(few)


def test_the_workbook_holds_the_filtered_rows_as_text(trail, cast, login):
    response = login(cast.admin).get(reverse("reports:audit_export"), {"kind": "task"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet: Any = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert len(values) == 1
    row = values[0]
    assert "192.0.2.7" in row
    # a note or a title that looks like a formula stays text
    assert any(isinstance(v, str) and "=HYPERLINK(1)" in v for v in row)
    assert any(isinstance(v, str) and v.startswith("=1+1") for v in row)
    assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)


def test_the_address_is_taken_from_the_request(cast, campaign, login):
    item = make_evidence(user=cast.staff_a, campaign=campaign)
    client = login(cast.staff_a)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("evidence:download", args=[item.pk]), {"download": "1"}, REMOTE_ADDR=ADDRESS)
        b"".join(response.streaming_content)
    assert response.status_code == 200
    event = EvidenceEvent.objects.get(action=EvidenceEvent.Action.DOWNLOADED)
    assert (event.actor, event.item_id, event.ip_address, event.details) == (
        cast.staff_a,
        item.pk,
        ADDRESS,
        {"variant": "original"},
    )
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1  # the download record; nothing more per download
    # outside a request (a command, a job) the address is empty
    assert EvidenceEvent.objects.get(action=EvidenceEvent.Action.UPLOADED).ip_address is None


def test_a_thumbnail_is_not_a_download(cast, campaign, login):
    from evidence import previews

    item = make_evidence(user=cast.staff_a, campaign=campaign)
    previews.make_previews(item.stored_file_id)
    client = login(cast.staff_a)
    assert client.get(reverse("evidence:preview", args=[item.pk, "thumbnail"])).status_code == 200
    assert not EvidenceEvent.objects.filter(action=EvidenceEvent.Action.DOWNLOADED).exists()
    assert client.get(reverse("evidence:preview", args=[item.pk, "print"])).status_code == 200
    assert EvidenceEvent.objects.get(action=EvidenceEvent.Action.DOWNLOADED).details == {"variant": "print"}


def test_a_trusted_proxy_passes_the_clients_address(settings):
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert audit.request_address(request) == "127.0.0.1"  # not trusted: the proxy's own address
    settings.AUDIT_TRUSTED_PROXIES = ["127.0.0.1"]
    assert audit.request_address(request) == "203.0.113.9"  # the rightmost hop; the left is the client's claim
    assert audit.request_address(factory.get("/", REMOTE_ADDR="bogus")) is None


def test_records_cannot_be_changed_in_the_admin(cast):
    request = RequestFactory().get("/admin/")
    request.user = cast.admin
    for model in (TaskEvent, EvidenceEvent):
        model_admin = site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
    others: tuple[type[Model], ...] = (AccountEvent, selectors.SOURCES["campaign"].model, BulletinEvent)
    for other in others:
        assert other not in site._registry or not site._registry[other].has_change_permission(request)
