"""The audit trail's other histories: the criteria's work as django-simple-history keeps it (who changed which
field of a self-assessment, from which address) and the downloads of generated files (a job's result such as
the binder, a kept report's PDF): recorded through the client with person, time and address, on the page and in
the workbook, under the same filters, at a constant query count."""

from __future__ import annotations

import datetime
import hashlib
import io
from typing import Any

import pytest
from django.contrib.admin.sites import site
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from campaign.models import Assessment
from civunit.jobs.models import FileDownload, Job
from evidence.binder.jobs import KIND as BINDER
from tests.factories import CriterionFactory
from tests.reports.report.records import make_record

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.23"


def kinds(response) -> list[str]:
    return [row.source.key for row in response.context["rows"]]


def _binder_job(user) -> Job:
    data = b"PK\x03\x04 a binder"
    name = default_storage.save("jobs/test/binder.zip", ContentFile(data))
    return Job.objects.create(
        kind=BINDER,
        requested_by=user,
        status=Job.Status.DONE,
        result=name,
        result_name="创建档案.zip",
        result_size=len(data),
        result_sha256=hashlib.sha256(data).hexdigest(),
    )


def _download(client, url: str) -> None:
    response = client.get(url, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200, url
    b"".join(response.streaming_content)


def _assess(client, criterion, status: str, score: str) -> None:
    response = client.post(
        reverse("campaign:assessment_save", args=[criterion.pk]),
        {"status": status, "self_score": score, "note": ""},
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 302, response.content[:500]


@pytest.fixture
def standard(campaign):
    return CriterionFactory(campaign=campaign, code="1.1.1", title="开展志愿服务", max_score=10)


def test_a_change_to_a_self_assessment_is_on_the_trail_with_person_address_and_what_changed(
    cast, campaign, standard, login
):
    client = login(cast.coordinator)
    _assess(client, standard, Assessment.Status.IN_PROGRESS, "3")
    _assess(client, standard, Assessment.Status.IN_PROGRESS, "7.5")
    history = Assessment.objects.get(criterion=standard).history.order_by("history_date")
    assert [h.ip_address for h in history] == [ADDRESS, ADDRESS]

    response = login(cast.admin).get(reverse("reports:audit"), {"kind": "assessment"})
    rows = response.context["rows"]
    assert [r.source.key for r in rows] == ["assessment", "assessment"]
    newest, first = rows
    assert (newest.actor, newest.ip, newest.object_id) == (cast.coordinator, ADDRESS, standard.pk)
    assert newest.action == "已修改" or newest.action == "Changed"
    # the change shows only what it touched, against the record before it
    assert any("3.00 → 7.50" in d for d in newest.details), newest.details
    assert not any("推进中 →" in d or "In progress →" in d for d in newest.details), newest.details
    assert any("3.00" in d for d in first.details) and "→" not in " ".join(first.details)
    assert "1.1.1 开展志愿服务" in response.content.decode()
    assert newest.object_url == reverse("campaign:criterion", args=[standard.pk])


def test_downloads_of_the_binder_and_of_a_kept_report_are_recorded_with_person_time_and_address(cast, campaign, login):
    job = _binder_job(cast.coordinator)
    record = make_record(campaign, cast.coordinator)
    client = login(cast.coordinator)
    before = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        _download(client, reverse("jobs:download", args=[job.pk]))
    assert len([q for q in queries.captured_queries if q["sql"].startswith("INSERT")]) == 1
    _download(client, reverse("reports:report_record_pdf", args=[record.pk]))
    _download(client, reverse("reports:report_record_docx", args=[record.pk]))

    fields = ("source", "object_id", "variant", "actor", "ip_address")
    rows = list(FileDownload.objects.order_by("pk").values_list(*fields))
    assert rows == [
        ("job", job.pk, BINDER, cast.coordinator.pk, ADDRESS),
        ("report", record.pk, "pdf", cast.coordinator.pk, ADDRESS),
        ("report", record.pk, "docx", cast.coordinator.pk, ADDRESS),
    ]
    assert all(d.at >= before for d in FileDownload.objects.all())

    response = login(cast.admin).get(reverse("reports:audit"))
    assert kinds(response)[:3] == ["report_file", "report_file", "job_file"]
    html = response.content.decode()
    assert "创建档案.zip" in html and ADDRESS in html
    assert reverse("jobs:detail", args=[job.pk]) in html


def test_a_refused_or_missing_file_is_not_recorded(cast, campaign, login):
    job = _binder_job(cast.coordinator)
    assert login(cast.staff_a).get(reverse("jobs:download", args=[job.pk])).status_code == 404
    record = make_record(campaign, cast.coordinator, docx=None)
    assert login(cast.coordinator).get(reverse("reports:report_record_docx", args=[record.pk])).status_code == 404
    assert not FileDownload.objects.exists()


@pytest.fixture
def mixed(cast, campaign, standard, login):
    """A self-assessment change by the coordinator (办公室), a binder download by the admin (办公室) two days ago,
    a report download by the leader (机关党组) yesterday."""
    _assess(login(cast.coordinator), standard, Assessment.Status.IN_PROGRESS, "4")
    job = _binder_job(cast.coordinator)
    _download(login(cast.admin), reverse("jobs:download", args=[job.pk]))
    record = make_record(campaign, cast.coordinator)
    _download(login(cast.leader), reverse("reports:report_record_pdf", args=[record.pk]))
    now = timezone.now()
    FileDownload.objects.filter(source="job").update(at=now - datetime.timedelta(days=2))
    FileDownload.objects.filter(source="report").update(at=now - datetime.timedelta(days=1))
    return {"job": job, "record": record}


def test_the_filters_apply_to_the_new_kinds(mixed, cast, standard, login):
    client = login(cast.coordinator)
    url = reverse("reports:audit")
    new = {"assessment", "job_file", "report_file"}
    assert new <= set(kinds(client.get(url)))
    assert set(kinds(client.get(url, {"person": cast.admin.pk}))) == {"job_file"}
    assert set(kinds(client.get(url, {"person": cast.leader.pk}))) == {"report_file"}
    assert set(kinds(client.get(url, {"person": cast.coordinator.pk}))) & new == {"assessment"}
    assert set(kinds(client.get(url, {"office": cast.leader.office_id}))) == {"report_file"}
    assert set(kinds(client.get(url, {"office": cast.office_main.pk}))) & new == {"assessment", "job_file"}
    assert set(kinds(client.get(url, {"office": cast.office_a.pk}))) & new == set()
    job, record = mixed["job"], mixed["record"]
    assert kinds(client.get(url, {"kind": "job_file", "object": job.pk})) == ["job_file"]
    assert kinds(client.get(url, {"kind": "job_file", "object": job.pk + 1000})) == []
    assert kinds(client.get(url, {"kind": "report_file", "object": record.pk})) == ["report_file"]
    assert kinds(client.get(url, {"kind": "assessment", "object": standard.pk})) == ["assessment"]
    assert kinds(client.get(url, {"kind": "assessment", "object": standard.pk + 1000})) == []
    today = timezone.localdate()
    since_yesterday = set(kinds(client.get(url, {"start": today - datetime.timedelta(days=1)})))
    assert "job_file" not in since_yesterday and {"report_file", "assessment"} <= since_yesterday
    assert set(kinds(client.get(url, {"end": today - datetime.timedelta(days=2)}))) & new == {"job_file"}


def test_the_workbook_holds_the_new_kinds_under_the_same_filter(mixed, cast, login):
    response = login(cast.admin).get(reverse("reports:audit_export"), {"person": cast.admin.pk})
    sheet: Any = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert len(values) == 1
    assert "创建档案.zip" in values[0] and ADDRESS in values[0]


def _grow(n: int, cast, campaign, standard) -> None:
    """n more records of each new kind (and of the others, through the fixture's helpers)."""
    job = Job.objects.filter(kind=BINDER).first()
    assessment = Assessment.objects.get(criterion=standard)
    for i in range(n):
        assessment.self_score = i % 10
        assessment._history_user = cast.coordinator  # type: ignore[attr-defined]
        assessment.save()
        FileDownload.objects.create(source="job", object_id=job.pk if job else 1, variant=BINDER, actor=cast.admin)
        FileDownload.objects.create(source="report", object_id=1, variant="pdf", actor=cast.leader)


def test_page_and_workbook_cost_the_same_queries_at_two_sizes(mixed, cast, campaign, standard, login):
    client = login(cast.coordinator)
    url, export = reverse("reports:audit"), reverse("reports:audit_export")
    client.get(url)  # the session, the campaign switcher: warmed up
    counts = []
    for n in (20, 140):  # about 60 and 480 records: a full page each time, one workbook chunk (500)
        _grow(n, cast, campaign, standard)
        with CaptureQueriesContext(connection) as page:
            response = client.get(url)
        with CaptureQueriesContext(connection) as book:
            assert client.get(export).status_code == 200
        counts.append((len(page), len(book), len(response.context["rows"])))
    (page_few, book_few, rows_few), (page_many, book_many, rows_many) = counts
    # the page: the session and user, the campaign, the count, the UNION page, one query per history on the page
    # (two for a django-simple-history one: its rows, the rows before them), the people, the offices, the choices
    assert rows_few == rows_many == 50
    assert page_many == page_few, (page_few, page_many)
    # the workbook: the same (its rows are read 500 at a time: a chunk more costs the histories' queries again)
    assert book_many == book_few, (book_few, book_many)


def test_download_records_cannot_be_changed_in_the_admin(cast):
    request = RequestFactory().get("/admin/")
    request.user = cast.admin
    model_admin = site._registry[FileDownload]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
