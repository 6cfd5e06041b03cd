"""The coordinator opens the archive page from the navigation, watches an export's progress, starts one, and
downloads the ZIP; on a desktop (1280 px) and a phone (390 px).

The tests run jobs with the immediate backend (tests/conftest.py): the export started here is done by the time
the page comes back. The progress being watched is that of a job already running (its row moved on by the test
as a worker would), which the page's script refreshes until it ends."""

import io
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone

from civunit.jobs.models import Job
from evidence.binder import jobs as binder_jobs
from evidence.models import ArchiveCheck
from tests.evidence.binder_data import build_archive

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


@pytest.mark.django_db(transaction=True)
def test_the_coordinator_watches_an_export_starts_one_and_downloads_the_zip(
    page, live_server, cast, campaign, browser_login, screenshot
):
    build_archive(cast, campaign)
    running = Job.objects.create(
        kind=binder_jobs.KIND,
        requested_by=cast.admin,
        params={"campaign": campaign.pk, "layout": "standard"},
        status=Job.Status.RUNNING,
        stage="files",
        done=3,
        total=10,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    browser_login(page, cast.coordinator)
    page.locator('[data-nav="archive"]').click()
    page.wait_for_url("**/evidence/archive/")
    box = page.locator(f'#export-{running.pk} [data-testid="job-progress"]')
    assert box.locator('[data-job-field="percent"]').inner_text() == "30"
    assert box.locator('[data-job-field="stage"]').inner_text() == "正在写入文件"
    screenshot(page, "archive-running-1280")

    # the worker moves on: the page follows without a reload, then reloads once the job has ended
    Job.objects.filter(pk=running.pk).update(done=7, heartbeat_at=timezone.now())
    page.wait_for_function(
        f"() => document.querySelector('#export-{running.pk} [data-job-field=percent]').textContent === '70'"
    )
    assert page.locator(f"#export-{running.pk} progress").get_attribute("value") == "70"
    Job.objects.filter(pk=running.pk).update(
        status=Job.Status.FAILED, message="测试：已中止", finished_at=timezone.now()
    )
    page.wait_for_selector(f'#export-{running.pk} [data-job-field="message"]:has-text("测试：已中止")')

    # a new export, by standard
    page.locator("#id_layout_0").check()
    page.get_by_test_id("binder-start").click()
    page.wait_for_url("**/evidence/archive/#export-*")
    job = Job.objects.filter(kind=binder_jobs.KIND).exclude(pk=running.pk).get()
    assert job.status == Job.Status.DONE, job.message
    assert "正在生成归档" in page.locator(".alert-success").inner_text()
    article = page.locator(f"#export-{job.pk}")
    assert article.locator('[data-job-field="percent"]').inner_text() == "100"
    screenshot(page, "archive-done-1280")
    with page.expect_download() as info:
        article.get_by_test_id("binder-download").click()
    download = info.value
    assert download.suggested_filename == job.result_name
    data = Path(download.path()).read_bytes()
    assert len(data) == job.result_size
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        assert "封面及总目录.pdf" in names
        assert "6.2.1 开展学雷锋志愿服务/6.2.1_20260305_学雷锋社区服务_01.jpg" in names
        assert zf.testzip() is None

    page.set_viewport_size(PHONE)
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "archive-390")
    page.set_viewport_size(DESKTOP)


@pytest.mark.django_db(transaction=True)
def test_the_coordinator_sees_a_failed_check_on_the_dashboard_and_its_findings(
    page, live_server, cast, campaign, browser_login, screenshot
):
    now = timezone.now()
    check = ArchiveCheck.objects.create(
        started_at=now,
        finished_at=now,
        storage="DurableFileSystemStorage",
        files_checked=1234,
        bytes_checked=5 * 1024**3,
        missing=1,
        mismatched=1,
        findings=[
            {
                "kind": "missing",
                "name": "evidence/files/2026/03/0f1e2d3c4b5a69788796a5b4c3d2e1f0.jpg",
                "detail": "原件 #12 缺失",
            },
            {
                "kind": "sha256",
                "name": "evidence/files/2026/03/aa1e2d3c4b5a69788796a5b4c3d2e1f0.pdf",
                "detail": "原件 #13 的 SHA-256 为 " + "b" * 64 + "，记录为 " + "c" * 64,
            },
        ],
    )
    browser_login(page, cast.coordinator)
    card = page.get_by_test_id("archive-check-card")
    assert "2 个问题" in card.inner_text()
    screenshot(page, "dashboard-archive-check-1280")
    card.get_by_role("link", name="详情").click()
    page.wait_for_url(f"**/evidence/archive/checks/{check.pk}/")
    assert page.locator('[data-testid="check-findings"] tr[data-kind="sha256"]').is_visible()
    screenshot(page, "archive-check-1280")
    for url in (f"{live_server.url}/", f"{live_server.url}/evidence/archive/checks/{check.pk}/"):
        page.set_viewport_size(PHONE)
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], url
    screenshot(page, "archive-check-390")
    page.set_viewport_size(DESKTOP)
