"""The coordinator's archive import from the web: a ZIP streamed to a temporary file, checked at once, saved to the
storage for the worker, imported by a background job with progress, then a report (page and workbook); the ZIP is
deleted after the job. Only the coordinator imports; others get 403 on the page and 404 on the job. Tests that take
`stored` run on the file system and on S3."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from civunit.jobs.models import Job
from civunit.jobs.services import job_run
from evidence import files
from evidence.jobs import IMPORT_KIND
from evidence.models import EvidenceItem, StoredFile
from tests.db_state import database_state
from tests.evidence import samples, zips
from tests.factories import CriterionFactory
from tests.storage import StoredFiles

pytestmark = pytest.mark.django_db


@pytest.fixture
def standards(campaign):
    return [
        CriterionFactory(campaign=campaign, code="6.2.1", title="常态化志愿服务", is_leaf=True),
        CriterionFactory(campaign=campaign, code="6.2.2", title="社区共建", is_leaf=True),
    ]


ARCHIVE = {
    "6.2.1 常态化志愿服务/2026-03-05 学雷锋志愿服务/合影.jpg": samples.jpeg(color=(1, 2, 3)),
    "6.2.1 常态化志愿服务/方案.pdf": samples.pdf(),
    "6.2.1 常态化志愿服务/页面.html": samples.html(),
    "6.2.2 社区共建/合影副本.jpg": samples.jpeg(color=(1, 2, 3)),
    "9.9 未知/说明.docx": samples.docx(),
    "__MACOSX/._合影.jpg": b"x",
}


def post_zip(client, data: bytes, *, office, name: str = "台账.zip", **fields):
    payload = {"file": SimpleUploadedFile(name, data, "application/zip"), **fields}
    if office is not None:
        payload["office"] = office.pk
    return client.post(reverse("evidence:import_upload"), payload)


def import_zips() -> list[str]:
    return StoredFiles("", Path()).names(files.IMPORTS_FOLDER)


def temp_files(settings) -> list[Path]:
    return [p for p in Path(settings.FILE_UPLOAD_TEMP_DIR).rglob("*") if p.is_file() and p.name != ".last-sweep"]


def test_the_coordinator_imports_a_zip_in_the_background_and_gets_a_report(
    cast, campaign, standards, login, settings, stored, django_capture_on_commit_callbacks
):
    client = login(cast.coordinator)
    page = client.get(reverse("evidence:import"))
    assert page.status_code == 200
    assert "导入已有档案" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = post_zip(client, zips.build(ARCHIVE), office=cast.office_b)
    job = Job.objects.get(kind=IMPORT_KIND)
    assert response.status_code == 302
    assert response["Location"] == reverse("evidence:import_job", args=[job.pk])
    assert job.status == Job.Status.DONE, job.message
    assert (job.stage, job.done, job.total) == ("report", job.total, job.total)
    assert job.summary["counts"] == {"taken": 2, "duplicate": 1, "refused": 1, "not_filed": 1, "skipped": 1}
    assert import_zips() == []  # the uploaded ZIP is deleted after the job
    assert temp_files(settings) == []

    items = EvidenceItem.objects.select_related("activity").order_by("original_name")
    assert [(i.original_name, i.office, i.uploader, i.activity and i.activity.title) for i in items] == [
        ("合影.jpg", cast.office_b, cast.coordinator, "学雷锋志愿服务"),
        ("方案.pdf", cast.office_b, cast.coordinator, None),
    ]
    assert items[0].stored_file is not None
    assert items[0].stored_file.preview_status == StoredFile.PreviewStatus.READY

    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    assert "已导入 2" in text and "重复 1" in text and "拒收 1" in text and "未归档 1" in text
    assert "已建立的活动：学雷锋志愿服务（2026-03-05）" in text
    assert "与本次导入的“6.2.1 常态化志愿服务/2026-03-05 学雷锋志愿服务/合影.jpg”是同一个文件。" in text
    assert "不能上传网页、SVG 图形或脚本文件。" in text
    assert "当前创建周期中没有测评标准 9.9。" in text
    assert reverse("evidence:detail", args=[items[0].pk]) in text
    assert 'data-job-finished="1"' in text
    assert "js/jobs-progress.js" in text

    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("结果", "文件", "测评标准", "活动", "标题", "档案号", "原因")
    by_file = {row[1]: row for row in rows[2:]}
    assert by_file["6.2.1 常态化志愿服务/方案.pdf"][:6] == (
        "已导入",
        "6.2.1 常态化志愿服务/方案.pdf",
        "6.2.1",
        None,
        "方案",
        items[1].archive_number,
    )
    assert by_file["6.2.2 社区共建/合影副本.jpg"][0] == "重复"
    assert by_file["6.2.1 常态化志愿服务/页面.html"][0] == "拒收"
    assert by_file["9.9 未知/说明.docx"][0] == "未归档"
    assert by_file["__MACOSX/._合影.jpg"][0] == "已跳过"
    assert job.result_name == f"台账导入报告-{timezone.localdate():%Y%m%d}.xlsx"


def test_the_zip_waits_in_the_storage_for_the_worker_and_the_page_shows_the_progress(
    cast, campaign, standards, login, settings, stored
):
    client = login(cast.coordinator)
    data = zips.build(ARCHIVE)
    response = post_zip(client, data, office=cast.office_a)  # on_commit not run: the job waits
    job = Job.objects.get(kind=IMPORT_KIND)
    assert job.status == Job.Status.QUEUED
    assert job.params["zip"].startswith("evidence/imports/")
    assert stored.read(job.params["zip"]) == data
    assert temp_files(settings) == []  # the upload's temporary file is gone: the worker reads the storage
    page = client.get(response["Location"])
    text = page.content.decode()
    assert 'data-job-finished="0"' in text
    assert reverse("jobs:status", args=[job.pk]) in text
    assert "排队中" in text
    assert client.get(reverse("jobs:status", args=[job.pk])).json()["status"] == "queued"

    assert job_run(job.pk) == Job.Status.DONE  # the worker
    assert not stored.exists(job.params["zip"])
    assert EvidenceItem.objects.filter(office=cast.office_a).count() == 2
    assert client.get(reverse("evidence:import")).content.decode().count(response["Location"]) == 1


def test_a_hostile_zip_is_refused_on_the_page_and_nothing_is_queued(cast, campaign, standards, login, settings):
    client = login(cast.coordinator)
    before = database_state()
    for data, message in [
        (zips.build({"../越界.jpg": b"x"}), "指向压缩包之外"),
        (zips.build([(zips.link("6.2.1 x/链接.jpg", "/etc/passwd"), b"/etc/passwd")]), "是一个链接"),
        (samples.pdf(), "这不是 ZIP 文件"),
    ]:
        response = post_zip(client, data, office=cast.office_a)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert "未导入任何文件" in response.content.decode()
    settings.EVIDENCE_IMPORT_MAX_FILES = 2
    response = post_zip(client, zips.build({f"6.2.1 x/{n}.jpg": b"x" for n in range(3)}), office=cast.office_a)
    assert response.status_code == 400
    assert "有 3 个条目，超过一次导入最多的 2 个" in response.content.decode()
    assert database_state() == before
    assert not Job.objects.exists()
    assert StoredFiles("", Path(settings.MEDIA_ROOT)).names() == []
    assert temp_files(settings) == []


def test_check_only_from_the_web_changes_nothing(
    cast, campaign, standards, login, settings, django_capture_on_commit_callbacks
):
    client = login(cast.coordinator)
    before = database_state()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_zip(client, zips.build(ARCHIVE), office=cast.office_a, dry_run="on")
    job = Job.objects.get(kind=IMPORT_KIND)
    assert job.status == Job.Status.DONE
    assert job.summary["dry_run"] is True
    assert job.summary["counts"]["taken"] == 2
    assert database_state() == before
    assert StoredFiles("", Path(settings.MEDIA_ROOT)).names() == [job.result.name]  # only the report
    text = client.get(response["Location"]).content.decode()
    assert "只检查：未做任何更改" in text
    assert "将建立的活动：学雷锋志愿服务（2026-03-05）" in text


def test_form_problems_are_shown_and_nothing_is_kept(cast, campaign, standards, login, settings):
    client = login(cast.coordinator)
    response = post_zip(client, zips.build(ARCHIVE), office=None)
    assert response.status_code == 400
    assert "这个字段是必填项" in response.content.decode()
    response = client.post(reverse("evidence:import_upload"), {"office": cast.office_a.pk})
    assert response.status_code == 400
    assert "请选择要上传的文件" in response.content.decode()
    response = client.post(
        reverse("evidence:import_upload"),
        {"file": SimpleUploadedFile("台账.zip", zips.build(ARCHIVE)), "office": str(2**64)},
    )
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode()
    settings.EVIDENCE_IMPORT_MAX_UPLOAD = 1024
    response = post_zip(client, zips.build(ARCHIVE), office=cast.office_a)
    assert response.status_code == 413
    assert "文件过大：最大为 1.0 KB" in response.content.decode()
    assert not Job.objects.exists()
    assert StoredFiles("", Path(settings.MEDIA_ROOT)).names() == []
    assert temp_files(settings) == []


def test_only_the_coordinator_imports(cast, campaign, standards, login, client, settings):
    """(and administrators, who count as coordinators everywhere)"""
    assert login(cast.admin).get(reverse("evidence:import")).status_code == 200
    for user in [cast.staff_a, cast.head_a, cast.head_b, cast.leader]:
        assert login(user).get(reverse("evidence:import")).status_code == 403, user
        response = post_zip(login(user), zips.build(ARCHIVE), office=cast.office_a)
        assert response.status_code == 403, user
    assert client.get(reverse("evidence:import")).status_code == 302
    assert client.post(reverse("evidence:import_upload")).status_code == 302
    assert not Job.objects.exists()
    assert StoredFiles("", Path(settings.MEDIA_ROOT)).names() == []
    assert temp_files(settings) == []


def test_only_coordinators_and_administrators_see_an_import_job(
    cast, campaign, standards, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_zip(login(cast.coordinator), zips.build(ARCHIVE), office=cast.office_a)
    job = Job.objects.get(kind=IMPORT_KIND)
    urls = [
        reverse("evidence:import_job", args=[job.pk]),
        reverse("jobs:detail", args=[job.pk]),
        reverse("jobs:status", args=[job.pk]),
        reverse("jobs:download", args=[job.pk]),
    ]
    for user in [cast.staff_a, cast.head_a, cast.staff_b, cast.leader]:
        for url in urls:
            assert login(user).get(url).status_code == 404, (user, url)
    for user in [cast.coordinator, cast.admin]:
        for url in urls:
            assert login(user).get(url).status_code == 200, (user, url)
    other = Job.objects.create(kind="something-else", requested_by=cast.coordinator)
    assert login(cast.coordinator).get(reverse("evidence:import_job", args=[other.pk])).status_code == 404
    assert login(cast.coordinator).get(reverse("evidence:import_job", args=[987654])).status_code == 404


def test_an_import_job_that_cannot_run_fails_with_its_reason_and_keeps_nothing(
    cast, campaign, standards, login, settings
):
    client = login(cast.coordinator)
    post_zip(client, zips.build(ARCHIVE), office=cast.office_a)
    post_zip(client, zips.build(ARCHIVE), office=cast.office_a)
    gone, capped = Job.objects.filter(kind=IMPORT_KIND).order_by("pk")
    default_storage.delete(gone.params["zip"])
    assert job_run(gone.pk) == Job.Status.FAILED
    gone.refresh_from_db()
    assert gone.message == "上传的 ZIP 文件已不存在，请重新上传。"
    assert gone.message in client.get(reverse("evidence:import_job", args=[gone.pk])).content.decode()

    settings.EVIDENCE_IMPORT_MAX_FILES = 3  # lowered after the upload: the worker checks again
    assert job_run(capped.pk) == Job.Status.FAILED
    capped.refresh_from_db()
    assert capped.message.startswith("未导入任何文件。待导入的资料有 6 个条目")
    assert not capped.result.name
    assert not EvidenceItem.objects.exists()
    assert import_zips() == []


def test_the_sweep_removes_import_zips_that_no_job_will_read(cast, campaign, standards, login, settings):
    client = login(cast.coordinator)
    post_zip(client, zips.build(ARCHIVE), office=cast.office_a)
    waiting = Job.objects.get(kind=IMPORT_KIND).params["zip"]
    orphan = files.save_bytes(files.import_zip_name(), b"PK")
    later = timezone.now() + datetime.timedelta(hours=settings.EVIDENCE_TEMP_GRACE_HOURS + 1)
    assert files.clean_stale_uploads(now=later) == 1
    assert import_zips() == [waiting]
    assert orphan not in import_zips()
    Job.objects.update(status=Job.Status.FAILED, finished_at=timezone.now())
    assert files.clean_stale_uploads(now=later) == 1
    assert import_zips() == []


def test_the_imports_page_links_the_import(cast, campaign, login):
    text = login(cast.coordinator).get(reverse("campaign:manage")).content.decode()
    assert reverse("evidence:import") in text
