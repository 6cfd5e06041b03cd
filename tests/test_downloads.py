"""Every file the app sends (exports and evidence) carries the same headers, from one helper (civunit/downloads.py)."""

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.urls import reverse

from civunit.downloads import content_disposition
from tests.evidence import samples
from tests.evidence.factories import make_evidence

BASE = Path(settings.BASE_DIR)


def cache_directives(response) -> set[str]:
    return {d.strip() for d in response["Cache-Control"].split(",")}


def filenames(response) -> tuple[str, str]:
    """(the ASCII filename=, the decoded filename*=) of a Content-Disposition."""
    disposition = response["Content-Disposition"]
    plain = re.search(r'; filename="([^"]*)"', disposition)
    extended = re.search(r"; filename\*=UTF-8''([^;\s]+)", disposition)
    assert plain and extended, disposition
    assert plain.group(1).isascii()
    return plain.group(1), unquote(extended.group(1))


@pytest.fixture
def photo(cast, campaign, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # previews are made after the commit
        return make_evidence(user=cast.staff_a, campaign=campaign, name="志愿服务照片.jpg")


@pytest.fixture
def pdf(cast, campaign):
    return make_evidence(user=cast.staff_a, campaign=campaign, data=samples.pdf(), name="会议纪要（第1次）.pdf")


def test_the_task_workbook_is_private_uncached_and_named_twice(cast, campaign, login):
    response = login(cast.coordinator).get(reverse("tasks:excel_export"))
    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_directives(response)
    assert response["Content-Disposition"].startswith("attachment;")
    today = re.findall(r"\d{8}", filenames(response)[1])[0]
    assert filenames(response) == (f"tasks-{today}.xlsx", f"工作任务分解表-{today}.xlsx")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("fmt", ["xlsx", "json"])
def test_the_criteria_exports_are_private_uncached_and_named_twice(cast, campaign, login, fmt):
    response = login(cast.coordinator).get(reverse(f"campaign:criteria_export_{fmt}"))
    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_directives(response)
    plain, real = filenames(response)
    assert plain == real
    assert re.fullmatch(rf"criteria-\d{{8}}\.{fmt}", plain)


def test_an_evidence_file_is_private_uncached_and_named_twice(pdf, cast, login):
    response = login(cast.staff_a).get(reverse("evidence:download", args=[pdf.pk]))
    assert response.status_code == 200
    assert {"private", "no-store", "no-transform"} <= cache_directives(response)
    assert response["Content-Disposition"].startswith("attachment;")
    assert filenames(response) == (f"evidence-{pdf.pk}.pdf", "会议纪要（第1次）.pdf")


def test_a_photo_shown_inline_and_its_previews_are_private_uncached_and_named_twice(photo, cast, login):
    client = login(cast.staff_a)
    response = client.get(reverse("evidence:download", args=[photo.pk]))
    assert response["Content-Disposition"].startswith("inline;")
    assert filenames(response) == (f"evidence-{photo.pk}.jpg", "志愿服务照片.jpg")
    assert {"private", "no-store"} <= cache_directives(response)
    response = client.get(reverse("evidence:preview", args=[photo.pk, "thumbnail"]))
    assert response.status_code == 200
    assert filenames(response) == (f"evidence-{photo.pk}-thumbnail.jpg", "志愿服务照片-thumbnail.jpg")
    assert {"private", "no-store"} <= cache_directives(response)


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("report.pdf", "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"),
        (
            "年度总结.docx",
            "attachment; filename=\"item-7.docx\"; filename*=UTF-8''%E5%B9%B4%E5%BA%A6%E6%80%BB%E7%BB%93.docx",
        ),
        (
            'a "quoted" 100%.txt',
            "attachment; filename=\"a _quoted_ 100_.txt\"; filename*=UTF-8''a%20%22quoted%22%20100%25.txt",
        ),
        ("line\r\nbreak.txt", "attachment; filename=\"linebreak.txt\"; filename*=UTF-8''linebreak.txt"),
        ("无扩展名", "attachment; filename=\"item-7\"; filename*=UTF-8''%E6%97%A0%E6%89%A9%E5%B1%95%E5%90%8D"),
        ("照片.扩展", "attachment; filename=\"item-7\"; filename*=UTF-8''%E7%85%A7%E7%89%87.%E6%89%A9%E5%B1%95"),
    ],
)
def test_content_disposition_has_an_ascii_fallback_beside_the_utf8_name(name, header):
    assert content_disposition(name, fallback="item-7") == header


def test_no_view_writes_its_own_content_disposition():
    # One helper for every download: a new export that sets the header itself would skip the fallback and the
    # cache policy.
    pattern = re.compile(r"""\[["']Content-Disposition["']\]\s*=|content_disposition_header|as_attachment\s*=""")
    offenders = []
    for app in ("civunit", "campaign", "tasks", "evidence"):
        for path in (BASE / app).rglob("*.py"):
            if path != BASE / "civunit" / "downloads.py" and pattern.search(path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(BASE)))
    assert offenders == []
