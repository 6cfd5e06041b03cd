"""The coordinator's import/export pages: upload → preview → apply → result, refusals, and who may use them."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl.worksheet.worksheet import Worksheet

from campaign.models import ImportRecord
from tasks.models import Task
from tests.tasks.test_excel_import import HEADER, xlsx_bytes

GOOD = [
    HEADER,
    [1, "", "组织理论学习", "", "办公室", "研究室", "", "陈静", "每月", "会议记录", "推进中", ""],
    [2, "", "开展志愿服务", "", "研究室", "", "", "张伟", "2026-09-30", "照片", "", ""],
]
BAD = [HEADER, [1, "", "甲", "", "宣传部", "", "", "", "2026年2月30日", "", "", ""]]


def upload(client, rows=None, *, data=None, name="分解表.xlsx"):
    data = data if data is not None else xlsx_bytes(rows)
    return client.post(reverse("tasks:excel_import"), {"file": SimpleUploadedFile(name, data)})


@pytest.mark.parametrize("who", ["staff_a", "head_a", "leader"])
def test_only_the_coordinator_may_use_the_import_and_export_pages(cast, campaign, login, who):
    client = login(getattr(cast, who))
    assert client.get(reverse("tasks:excel_import")).status_code == 403
    if who == "staff_a":  # heads and leadership export what they are entitled to (test_export_by_role.py)
        assert client.get(reverse("tasks:excel_export")).status_code == 403
    assert upload(client, GOOD).status_code == 403
    assert Task.objects.count() == 0


def test_anonymous_visitors_are_sent_to_login(client, campaign):
    response = client.get(reverse("tasks:excel_import"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_coordinator_uploads_previews_and_applies_a_breakdown(cast, campaign, login, stored):
    client = login(cast.coordinator)
    data = xlsx_bytes(GOOD)
    response = upload(client, data=data)
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert preview.context["plan"].ok
    assert [r["code"] for r in preview.context["created"]] == ["1", "2"]
    assert Task.objects.count() == 0  # nothing before the apply
    digest = preview.context["digest"]
    kept = f"imports/tasks/{cast.coordinator.pk}/{digest}.xlsx"
    assert stored.read(kept) == data

    applied = client.post(reverse("tasks:excel_apply", args=[digest]), {"fingerprint": preview.context["fingerprint"]})

    record = ImportRecord.objects.get()
    assert applied["Location"] == reverse("tasks:excel_result", args=[record.pk])
    assert Task.objects.count() == 2
    assert (record.user, record.file_name, record.sha256) == (cast.coordinator, "分解表.xlsx", digest)
    assert stored.names("imports") == []  # applied uploads are not kept
    result = client.get(applied["Location"])
    assert result.status_code == 200
    assert result.context["created"] == ["1", "2"]


def test_a_table_with_bad_rows_shows_every_row_error_and_cannot_be_applied(cast, campaign, login):
    client = login(cast.coordinator)
    preview = client.get(upload(client, BAD)["Location"])
    errors = preview.context["errors"]
    assert [e.row for e in errors] == [2, 2]
    assert b"excel-apply-form" not in preview.content
    digest = preview.context["digest"]
    response = client.post(reverse("tasks:excel_apply", args=[digest]), {"fingerprint": "x"})
    assert response.status_code == 302
    assert Task.objects.count() == 0 and ImportRecord.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "data"),
    [("a.xls", b"whatever"), ("a.ods", b"whatever"), ("a.et", b"whatever"), ("a.xlsx", b"not a workbook")],
)
def test_a_refused_file_is_shown_on_the_upload_page_and_not_kept(cast, campaign, login, settings, name, data):
    client = login(cast.coordinator)
    response = upload(client, data=data, name=name)
    assert response.status_code == 200
    assert response.context["refusal"]
    assert not (Path(settings.MEDIA_ROOT) / "imports").exists()


def test_a_preview_made_stale_by_another_change_must_be_looked_at_again(cast, campaign, login):
    client = login(cast.coordinator)
    data = xlsx_bytes(GOOD)  # built once: openpyxl stamps the time into each new file
    preview = client.get(upload(client, data=data)["Location"])
    digest, fingerprint = preview.context["digest"], preview.context["fingerprint"]
    client.post(reverse("tasks:excel_apply", args=[digest]), {"fingerprint": fingerprint})
    Task.objects.filter(code="1").update(title="别人改过")
    preview = client.get(upload(client, data=data)["Location"])
    assert preview.context["digest"] == digest
    Task.objects.filter(code="1").update(title="又改了一次", version=9)

    response = client.post(reverse("tasks:excel_apply", args=[digest]), {"fingerprint": preview.context["fingerprint"]})

    assert response["Location"] == reverse("tasks:excel_preview", args=[digest])
    assert Task.objects.get(code="1").title == "又改了一次"
    assert ImportRecord.objects.count() == 1


def test_another_persons_upload_cannot_be_previewed_or_applied(cast, campaign, login):
    coordinator = login(cast.coordinator)
    preview = coordinator.get(upload(coordinator, GOOD)["Location"])
    digest, fingerprint = preview.context["digest"], preview.context["fingerprint"]
    admin = login(cast.admin)
    assert admin.get(reverse("tasks:excel_preview", args=[digest]))["Location"] == reverse("tasks:excel_import")
    admin.post(reverse("tasks:excel_apply", args=[digest]), {"fingerprint": fingerprint})
    assert Task.objects.count() == 0


def test_apply_only_answers_post(cast, campaign, login):
    client = login(cast.coordinator)
    assert client.get(reverse("tasks:excel_apply", args=["0" * 64])).status_code == 405


def test_the_export_downloads_a_workbook_of_the_breakdown(cast, campaign, login):
    client = login(cast.coordinator)
    preview = client.get(upload(client, GOOD)["Location"])
    client.post(
        reverse("tasks:excel_apply", args=[preview.context["digest"]]), {"fingerprint": preview.context["fingerprint"]}
    )
    response = client.get(reverse("tasks:excel_export") + "?by_office=1")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["工作任务分解表", "办公室", "研究室"]
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    assert [sheet.cell(row=r, column=1).value for r in (4, 5)] == ["1", "2"]


def test_the_coordinators_imports_and_exports_page_links_to_the_breakdown_round_trip(cast, campaign, login):
    page = login(cast.coordinator).get(reverse("campaign:manage"))
    assert page.status_code == 200
    assert reverse("tasks:excel_import").encode() in page.content
    assert reverse("tasks:excel_export").encode() in page.content


def test_uploads_left_unapplied_for_a_day_are_removed_at_the_next_upload(cast, campaign, login, settings):
    import os
    import time

    folder = Path(settings.MEDIA_ROOT) / "imports" / "tasks" / str(cast.coordinator.pk)
    folder.mkdir(parents=True)
    old = folder / f"{'a' * 64}.xlsx"
    old.write_bytes(b"old")
    os.utime(old, (time.time() - 2 * 86400, time.time() - 2 * 86400))

    upload(login(cast.coordinator), GOOD)

    assert not old.exists()
    assert len(list(folder.glob("*.xlsx"))) == 1


def test_without_a_current_campaign_the_page_says_so_and_imports_nothing(cast, login):
    client = login(cast.coordinator)
    page = client.get(reverse("tasks:excel_import"))
    assert page.status_code == 200 and page.context["campaign"] is None
    assert upload(client, GOOD).status_code == 200
    assert client.get(reverse("tasks:excel_export")).status_code == 404
    assert Task.objects.count() == 0


def test_a_kept_upload_is_purged_once_it_is_a_day_old(cast, campaign, login, stored):
    import datetime

    from django.utils import timezone

    from tasks.excel import storage as kept

    upload(login(cast.coordinator), GOOD)
    folder = f"imports/tasks/{cast.coordinator.pk}"
    assert len(stored.names(folder)) == 2  # the workbook and its file name
    kept.purge(folder, now=timezone.now() + datetime.timedelta(hours=23))
    assert len(stored.names(folder)) == 2
    kept.purge(folder, now=timezone.now() + datetime.timedelta(hours=25))
    assert stored.names(folder) == []
