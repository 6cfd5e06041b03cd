"""The report as a background job: drawn by the worker with its stages, kept in the history with both files; a
failing render, a full disk, a job given up meanwhile and a killed worker keep nothing and leave a failed status."""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import signal
import threading
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from pypdf import PdfReader

from civunit.jobs.models import Job
from civunit.jobs.services import job_run, job_start, jobs_fail_stale, temp_dir
from civunit.reports.models import ReportRecord
from civunit.reports.report import jobs as report_jobs
from civunit.reports.report.pdf import ReportRenderError
from tests.factories import CriterionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny(cast, campaign):
    """A campaign of one 测评项目, one 测评指标 and one 测评标准: the smallest report there is."""
    item = CriterionFactory(campaign=campaign, code="1", title="组织领导", level=1, is_leaf=False)
    indicator = CriterionFactory(campaign=campaign, code="1.1", title="创建机制", parent=item, level=2, is_leaf=False)
    CriterionFactory(campaign=campaign, code="1.1.1", title="成立领导小组", parent=indicator, level=3, is_leaf=True)
    return campaign


def _stored() -> list[str]:
    try:
        folders, _files = default_storage.listdir("reports")
    except FileNotFoundError:
        return []
    return [f for folder in folders for f in default_storage.listdir(f"reports/{folder}")[1]]


def _temp() -> list[str]:
    return [p.name for p in temp_dir().iterdir()]


def _start(user, campaign, capture, **params):
    with capture(execute=True):
        job = job_start("report", user=user, params={"campaign": campaign.pk, "date": "2026-03-05", **params})
    job.refresh_from_db()
    return job


def test_the_job_draws_both_files_and_keeps_them_in_the_history(
    cast, tiny, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("civunit.jobs.services.PROGRESS_INTERVAL", 0)
    stages: list[str] = []
    real_stage = report_jobs._Stages.set

    def spy(self, code, done, total):
        if not stages or stages[-1] != code:
            stages.append(code)
        real_stage(self, code, done, total)

    monkeypatch.setattr(report_jobs._Stages, "set", spy)
    job = _start(cast.coordinator, tiny, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.DONE, job.message
    assert stages == ["content", "body", "attachments", "join", "docx", "store"]
    record = ReportRecord.objects.get()
    assert job.summary["record"] == record.pk
    assert not job.result  # the files are the record's, not the job's
    assert (record.campaign, record.author, record.report_date) == (tiny, cast.coordinator, datetime.date(2026, 3, 5))
    with record.pdf.open("rb") as fh:
        pdf = fh.read()
    with record.docx.open("rb") as fh:
        docx = fh.read()
    assert (record.pdf_size, record.pdf_sha256) == (len(pdf), hashlib.sha256(pdf).hexdigest())
    assert (record.docx_size, record.docx_sha256) == (len(docx), hashlib.sha256(docx).hexdigest())
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert record.title.replace(" ", "") in text.replace(" ", "").replace("\n", "")
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(docx)).namelist()
    assert record.summary["standards"] == "1" and record.summary["pages"] == len(PdfReader(io.BytesIO(pdf)).pages)
    assert len(_stored()) == 2
    assert _temp() == []


def _half_then(exc):
    def render(content, out, **kwargs):
        out.write(b"%PDF-1.7 half a report")
        raise exc

    return render


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (RuntimeError("layout exploded"), "未保留"),
        (ReportRenderError("照片无法排版"), "照片无法排版"),
        (OSError(28, "No space left on device"), "磁盘"),
    ],
)
def test_a_failing_render_keeps_nothing_and_says_so(
    cast, tiny, login, monkeypatch, django_capture_on_commit_callbacks, error, message
):
    monkeypatch.setattr(report_jobs, "render_report_pdf", _half_then(error))
    job = _start(cast.coordinator, tiny, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.FAILED
    assert message in job.message
    assert not ReportRecord.objects.exists()
    assert _stored() == [] and _temp() == []
    page = login(cast.coordinator).get("/report/").content.decode()
    assert 'data-testid="report-job"' in page and message in page


def test_a_failing_word_copy_keeps_no_pdf_either(cast, tiny, monkeypatch, django_capture_on_commit_callbacks):
    import civunit.reports.report.docx as docx_module

    monkeypatch.setattr(report_jobs, "render_report_pdf", lambda c, out, **kw: out.write(b"%PDF-1.7 whole") and 1)
    monkeypatch.setattr(docx_module, "render_report_docx", _half_then(RuntimeError("python-docx broke")))
    job = _start(cast.coordinator, tiny, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.FAILED
    assert not ReportRecord.objects.exists()
    assert _stored() == [] and _temp() == []


def test_a_job_given_up_while_it_ran_keeps_no_record(cast, tiny, monkeypatch, django_capture_on_commit_callbacks):
    """The sweep failed the job (its heartbeat looked stale) while the worker was still drawing: the worker
    finds out before it commits the record, and removes the files it stored."""

    def slow_then_given_up(content, out, **kwargs):
        out.write(b"%PDF-1.7 a whole report")
        Job.objects.filter(kind="report").update(heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
        assert jobs_fail_stale() == 1
        return 1

    monkeypatch.setattr(report_jobs, "render_report_pdf", slow_then_given_up)
    monkeypatch.setattr("civunit.reports.report.docx.render_report_docx", lambda c, out, **kw: out.write(b"PK docx"))
    job = _start(cast.coordinator, tiny, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.FAILED
    assert "中断" in job.message
    assert not ReportRecord.objects.exists()
    assert _stored() == [] and _temp() == []


def test_a_killed_worker_leaves_no_file_and_a_failed_status(cast, tiny, login, monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("the worker is killed in a forked copy of the in-memory SQLite test database")
    if threading.active_count() > 1:
        pytest.skip("forking is unsafe while this process runs other threads")

    def killed(content, out, **kwargs):
        out.write(b"%PDF-1.7 half a report")
        out.flush()
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(report_jobs, "render_report_pdf", killed)
    job = Job.objects.create(
        kind="report", requested_by=cast.coordinator, params={"campaign": tiny.pk, "date": "2026-03-05"}
    )
    pid = os.fork()
    if pid == 0:  # the worker, killed in the middle of drawing the PDF
        try:
            job_run(job.pk)
        finally:
            os._exit(1)  # not reached
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    assert len(_temp()) == 1  # the half PDF, in the jobs' temporary folder
    assert _stored() == []
    # As the dead worker left it: running, with a heartbeat that has gone stale.
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, heartbeat_at=timezone.now() - datetime.timedelta(hours=1)
    )
    for name in _temp():
        os.utime(temp_dir() / name, (0, 0))
    state = login(cast.coordinator).get(f"/jobs/{job.pk}/status/").json()
    assert state["status"] == "failed" and "未保留" in state["message"]
    assert _temp() == []
    assert not ReportRecord.objects.exists()
    page = login(cast.coordinator).get("/report/").content.decode()
    assert "未保留" in page


def test_a_requester_who_may_no_longer_generate_gets_a_clear_failure(cast, tiny, django_capture_on_commit_callbacks):
    job = Job.objects.create(kind="report", requested_by=cast.leader, params={"campaign": tiny.pk})
    assert job_run(job.pk) == Job.Status.FAILED
    job.refresh_from_db()
    assert "不能再生成" in job.message
    gone = Job.objects.create(kind="report", requested_by=cast.coordinator, params={"campaign": 987654})
    assert job_run(gone.pk) == Job.Status.FAILED
    assert not ReportRecord.objects.exists()
