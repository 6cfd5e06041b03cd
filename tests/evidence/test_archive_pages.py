"""The archive page: the coordinator starts a binder export (a background job), sees it and downloads the ZIP;
the integrity checks' pages; who may do what."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from civunit.jobs.models import Job
from evidence.binder import jobs as binder_jobs
from evidence.binder import writer
from evidence.models import ArchiveCheck
from tests.evidence.binder_data import build_archive

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fake_cover(monkeypatch):
    monkeypatch.setattr(writer, "make_cover", lambda plan, path: path.write_bytes(b"%PDF-1.7 cover") and 0)


@pytest.fixture
def failed_check(db):
    now = timezone.now()
    return ArchiveCheck.objects.create(
        started_at=now,
        finished_at=now,
        storage="DurableFileSystemStorage",
        files_checked=12,
        bytes_checked=3456,
        missing=1,
        orphans=1,
        findings=[
            {"kind": "missing", "name": "evidence/files/2026/03/a.jpg", "detail": "原件 #3 缺失"},
            {"kind": "orphan", "name": "evidence/files/2026/03/b.jpg", "detail": "没有任何记录引用此文件"},
        ],
    )


def test_the_coordinator_starts_an_export_and_downloads_the_zip(
    cast, campaign, login, django_capture_on_commit_callbacks
):
    build_archive(cast, campaign)
    client = login(cast.coordinator)
    page = client.get(reverse("evidence:archive"))
    assert page.status_code == 200
    assert b'data-testid="binder-form"' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evidence:archive_export"), {"campaign": campaign.pk, "layout": "year"})
    job = Job.objects.get(kind=binder_jobs.KIND)
    assert response.status_code == 302 and response["Location"].endswith(f"#export-{job.pk}")
    assert job.status == Job.Status.DONE, job.message
    assert job.params == {"campaign": campaign.pk, "layout": "year"}
    assert job.result_name.startswith("台账资料归档_按年度_") and job.result_name.endswith(".zip")
    assert job.summary["files"] == 10 and job.summary["problem_count"] == 0

    page = client.get(reverse("evidence:archive"))
    assert f'id="export-{job.pk}"'.encode() in page.content
    assert reverse("jobs:download", args=[job.pk]).encode() in page.content
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200
    data = b"".join(download.streaming_content)
    assert len(data) == job.result_size
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert "2026年/目录.xlsx" in zf.namelist()
    # another coordinator or an administrator sees it too; an office's staff does not
    assert login(cast.admin).get(reverse("jobs:detail", args=[job.pk])).status_code == 200
    assert login(cast.staff_a).get(reverse("jobs:detail", args=[job.pk])).status_code == 404
    assert login(cast.staff_a).get(reverse("jobs:download", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("who", ["staff_a", "head_a", "leader"])
def test_nobody_else_may_export(cast, campaign, login, who):
    client = login(getattr(cast, who))
    assert client.get(reverse("evidence:archive")).status_code == 403
    assert (
        client.post(reverse("evidence:archive_export"), {"campaign": campaign.pk, "layout": "standard"}).status_code
        == 403
    )
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"campaign": "99999999999999999999999", "layout": "standard"}, "请从列表中选择创建周期。"),
        ({"campaign": "abc", "layout": "standard"}, "请从列表中选择创建周期。"),
        ({"layout": "by-colour"}, "请选择归档方式。"),
    ],
)
def test_a_bad_request_changes_nothing_and_says_why(cast, campaign, login, data, message):
    response = login(cast.coordinator).post(reverse("evidence:archive_export"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Job.objects.exists()


def test_a_checks_findings_are_shown_to_the_coordinator_only(cast, login, failed_check):
    url = reverse("evidence:archive_check", args=[failed_check.pk])
    page = login(cast.coordinator).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "evidence/files/2026/03/a.jpg" in text and "无主文件" in text and "2 个问题" in text
    for who in ("staff_a", "head_b", "leader"):
        assert login(getattr(cast, who)).get(url).status_code == 404
    listing = login(cast.coordinator).get(reverse("evidence:archive")).content.decode()
    assert url in listing


def test_the_dashboard_shows_the_coordinator_the_last_check(cast, campaign, login, failed_check):
    page = login(cast.coordinator).get(reverse("reports:dashboard")).content.decode()
    assert 'data-testid="archive-check-card"' in page and 'data-testid="archive-check-problems"' in page
    assert reverse("evidence:archive_check", args=[failed_check.pk]) in page
    ArchiveCheck.objects.create(started_at=timezone.now(), finished_at=timezone.now(), files_checked=12)
    page = login(cast.coordinator).get(reverse("reports:dashboard")).content.decode()
    assert 'data-testid="archive-check-ok"' in page
    assert (
        'data-testid="archive-check-card"' not in login(cast.leader).get(reverse("reports:dashboard")).content.decode()
    )
