"""The report's history (报送记录): the pages, the downloads, who may do what, marking a record sent once and the
record's immutability (service, database trigger, admin); `build_report --record`."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib import admin
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from civunit.jobs.models import Job
from civunit.reports.models import ReportRecord
from civunit.reports.report import history
from civunit.reports.report import jobs as report_jobs
from tests.reports.report.records import DOCX, PDF, make_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(cast, campaign):
    return make_record(campaign, cast.coordinator)


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_page_lists_the_history_with_downloads(cast, campaign, login, record):
    newer = make_record(campaign, cast.coordinator, pdf=b"%PDF-1.7 a newer report", docx=None)
    for who in (cast.coordinator, cast.leader, cast.admin):
        page = login(who).get("/report/").content.decode()
        assert f'data-record="{record.pk}"' in page and f'data-record="{newer.pk}"' in page
        assert page.index(f'data-record="{newer.pk}"') < page.index(f'data-record="{record.pk}"')
    assert 'data-testid="report-form"' in login(cast.coordinator).get("/report/").content.decode()
    assert 'data-testid="report-form"' not in login(cast.leader).get("/report/").content.decode()
    # The older report stays downloadable, and the files come through the download helper.
    response = login(cast.leader).get(f"/report/{record.pk}/pdf/")
    assert response.status_code == 200 and _body(response) == PDF
    assert response["Cache-Control"] == "private, no-store, no-transform"
    assert "filename*=UTF-8''" in response["Content-Disposition"] and ".pdf" in response["Content-Disposition"]
    assert login(cast.leader).get(f"/report/{newer.pk}/docx/").status_code == 404  # it has no Word copy
    response = login(cast.coordinator).get(f"/report/{record.pk}/docx/")
    assert _body(response) == DOCX
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert _body(login(cast.leader).get(f"/report/{newer.pk}/pdf/")) == b"%PDF-1.7 a newer report"


def test_staff_and_office_heads_see_no_report(cast, login, record):
    for who in (cast.staff_a, cast.head_a):
        client = login(who)
        assert client.get("/report/").status_code == 403
        for url in (f"/report/{record.pk}/", f"/report/{record.pk}/pdf/", f"/report/{record.pk}/docx/"):
            assert client.get(url).status_code == 404, url
        assert client.post("/report/new/").status_code == 403
        assert client.post(f"/report/{record.pk}/sent/", {"sent_on": "2026-03-06"}).status_code == 404
    assert not Job.objects.exists()


def test_the_coordinator_asks_for_one_report_at_a_time(cast, campaign, login, django_capture_on_commit_callbacks):
    client = login(cast.coordinator)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/report/new/", {"date": timezone.localdate().isoformat()})
    assert response.status_code == 302 and len(callbacks) == 1  # enqueued once the request commits
    job = Job.objects.get()
    assert (job.kind, job.params["campaign"], job.status) == ("report", campaign.pk, Job.Status.QUEUED)
    page = client.get("/report/").content.decode()
    assert 'data-testid="job-progress"' in page and "排队" in page
    client.post("/report/new/", {})
    assert Job.objects.count() == 1
    assert "正在生成" in client.get("/report/").content.decode()
    # The leadership follows the progress of the coordinator's job.
    assert login(cast.leader).get(f"/jobs/{job.pk}/status/").status_code == 200
    assert login(cast.staff_a).get(f"/jobs/{job.pk}/status/").status_code == 404


@pytest.mark.parametrize("date", ["2026-13-45", "🙂", "1999-01-01"])
def test_a_bad_date_gets_a_message_and_starts_nothing(cast, campaign, login, date):
    response = login(cast.coordinator).post("/report/new/", {"date": date}, follow=True)
    assert response.status_code == 200
    assert not Job.objects.exists()
    assert "alert" in response.content.decode()


def test_marking_sent_once_then_the_record_is_kept_as_it_is(cast, login, record):
    client = login(cast.coordinator)
    today = timezone.localdate()
    response = client.post(f"/report/{record.pk}/sent/", {"sent_on": today.isoformat(), "note": "市文明办〔2026〕3号"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.sent_on, record.sent_note, record.sent_by, record.is_sent) == (
        today,
        "市文明办〔2026〕3号",
        cast.coordinator,
        True,
    )
    page = client.get(f"/report/{record.pk}/").content.decode()
    assert "已报送" in page and 'data-testid="sent-form"' not in page
    # Again, by anyone: refused with a message, nothing changed.
    response = client.post(f"/report/{record.pk}/sent/", {"sent_on": today.isoformat(), "note": "改一下"}, follow=True)
    assert "不能再修改" in response.content.decode()
    with pytest.raises(history.RecordRefused):
        history.record_mark_sent(record=record, user=cast.admin, sent_on=today)
    record.refresh_from_db()
    assert record.sent_note == "市文明办〔2026〕3号"
    # The files are still there and still served.
    assert _body(client.get(f"/report/{record.pk}/pdf/")) == PDF


def test_the_date_of_sending_is_checked(cast, login, record):
    today = timezone.localdate()
    with pytest.raises(history.RecordRefused, match="不能晚于"):
        history.record_mark_sent(record=record, user=cast.coordinator, sent_on=today + datetime.timedelta(days=1))
    with pytest.raises(history.RecordRefused, match="不能早于"):
        history.record_mark_sent(record=record, user=cast.coordinator, sent_on=today - datetime.timedelta(days=400))
    with pytest.raises(history.RecordRefused, match="最多"):
        history.record_mark_sent(record=record, user=cast.coordinator, sent_on=today, note="长" * 501)
    response = login(cast.coordinator).post(f"/report/{record.pk}/sent/", {"sent_on": "2026-13-45"}, follow=True)
    assert response.status_code == 200 and "alert" in response.content.decode()
    record.refresh_from_db()
    assert not record.is_sent


def test_the_database_refuses_to_change_a_sent_record_or_any_record_s_files(cast, record):
    # Before sending: the files, their hashes and the figures are fixed already.
    for change in ({"pdf": "reports/other.pdf"}, {"pdf_sha256": "0" * 64}, {"summary": {"standards": "99"}}):
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            ReportRecord.objects.filter(pk=record.pk).update(**change)
    history.record_mark_sent(record=record, user=cast.coordinator, sent_on=timezone.localdate(), note="已报送")
    changes: list[dict[str, Any]] = [
        {"sent_note": "改了"},
        {"sent_on": None, "sent_at": None, "sent_note": ""},
        {"title": "别的"},
    ]
    for change in changes:
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            ReportRecord.objects.filter(pk=record.pk).update(**change)
    if connection.vendor == "postgresql":  # SQLite has no DELETE trigger (Django flushes it with DELETE)
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            ReportRecord.objects.filter(pk=record.pk).delete()
    # The people may still be removed (an account deleted sets them to none).
    ReportRecord.objects.filter(pk=record.pk).update(author=None, sent_by=None)
    record.refresh_from_db()
    assert record.is_sent and record.sent_note == "已报送" and default_storage.exists(record.pdf.name)


def test_the_admin_only_shows_records(cast, record):
    model_admin = admin.site._registry[ReportRecord]
    request = RequestFactory().get("/admin/")
    request.user = cast.admin
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, record)
    assert not model_admin.has_delete_permission(request, record)


def test_a_record_keeps_the_stored_files_or_none(cast, campaign, tmp_path, monkeypatch):
    """A failure after the files are stored (the record's insert, say) removes them again."""
    from tests.reports.report.test_report_job import _stored

    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(PDF)

    class Content:
        date = datetime.date(2026, 3, 5)
        title = "报告"
        totals: dict[str, str] = {}
        evidence_groups: list = []
        veto_rows: list = []

        def indicators(self):
            return []

        def photos(self):
            return []

    def refuse():
        raise RuntimeError("the database went away")

    fake: Any = Content()

    with pytest.raises(RuntimeError):
        history.record_report(
            campaign=campaign, author=cast.coordinator, content=fake, pdf_path=pdf, before_commit=refuse
        )
    assert not ReportRecord.objects.exists() and _stored() == []
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(history.RecordRefused):
        history.record_report(campaign=campaign, author=cast.coordinator, content=fake, pdf_path=empty)
    kept = history.record_report(campaign=campaign, author=cast.coordinator, content=fake, pdf_path=pdf)
    assert kept.pdf_size == len(PDF) and kept.docx == "" and kept.summary["indicators"] == 0
    assert pdf.exists()  # the caller's file is left in place


def test_build_report_may_record_into_the_history(cast, campaign, tmp_path, monkeypatch, capsys):
    from civunit.reports.management.commands import build_report

    def fake(content, out, **kwargs):
        out.write(PDF)
        return 3

    monkeypatch.setattr(build_report, "render_report_pdf", fake)
    call_command("build_report", str(tmp_path / "r.pdf"), "--date", "2026-03-05")
    assert not ReportRecord.objects.exists()
    call_command("build_report", str(tmp_path / "r.pdf"), "--date", "2026-03-05", "--record")
    record = ReportRecord.objects.get()
    assert (record.author, record.summary["pages"], record.docx) == (cast.coordinator, 3, "")
    assert "record" in capsys.readouterr().out


def test_the_job_kind_is_registered_with_its_stages():
    from civunit.jobs import registry

    kind = registry.get("report")
    assert kind is not None and kind.run is report_jobs.run
    assert list(kind.stages) == ["content", "body", "attachments", "join", "docx", "store"]
