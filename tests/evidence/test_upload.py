"""The single-file upload endpoint: what arrives whole and valid is stored; everything else is refused with a
Chinese message and leaves nothing behind (no row, no stored file, no temporary file). Tests that take `stored`
run on the file system and on S3."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence import files, uploads
from evidence.models import EvidenceEvent, EvidenceItem, StoredFile
from evidence.services import intake
from tests.evidence import samples
from tests.evidence.factories import make_evidence
from tests.storage import StoredFiles

pytestmark = pytest.mark.django_db


def stored_files(settings) -> list[str]:
    """Whatever the default storage holds, on either backend."""
    return StoredFiles("", Path(settings.MEDIA_ROOT)).names()


def temp_files() -> list[Path]:
    return list(uploads.temp_dir().glob("*.part"))


def assert_nothing_stored(settings):
    assert EvidenceItem.objects.count() == 0
    assert StoredFile.objects.count() == 0
    assert stored_files(settings) == []
    assert StoredFiles("", Path(settings.MEDIA_ROOT)).media_root_files() == []
    assert temp_files() == []


def test_staff_uploads_a_photo_linked_to_a_standard_and_a_task(
    cast, campaign, standard, task_b, post_file, settings, stored
):
    response = post_file(
        cast.staff_a,
        "学雷锋活动.jpg",
        samples.jpeg(date="2026:03:05 09:30:00"),
        content_type="text/html",  # the browser's claim is ignored
        primary_standard=standard.pk,
        tasks=[task_b.pk],
        caption="2026年3月5日，研究室在社区开展志愿服务",
        place="阳光社区",
    )
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert body["ok"] is True
    assert body["archive_number"] == "6.2.1-001"
    item = EvidenceItem.objects.get(pk=body["id"])
    assert item.kind == "photo"
    assert item.stored_file is not None
    assert item.stored_file.content_type == "image/jpeg"
    assert item.original_name == "学雷锋活动.jpg"
    assert item.title == "学雷锋活动"
    assert item.office == cast.office_a
    assert item.uploader == cast.staff_a
    assert item.primary_standard == standard
    assert list(item.tasks.all()) == [task_b]
    assert str(item.taken_on) == "2026-03-05"
    assert item.status == EvidenceItem.Status.PENDING
    assert item.is_current
    name = item.stored_file.file.name
    assert name is not None
    assert stored.read(name) == samples.jpeg(date="2026:03:05 09:30:00")
    assert "学雷锋" not in name  # stored under a generated name
    assert name.startswith("evidence/files/")
    assert temp_files() == []
    assert EvidenceEvent.objects.filter(lineage=item.lineage, action="uploaded").count() == 1


def test_archive_numbers_count_up_per_primary_standard(cast, campaign, standard, other_standard):
    first = make_evidence(user=cast.staff_a, campaign=campaign, standards=[standard])
    second = make_evidence(user=cast.staff_b, campaign=campaign, standards=[standard, other_standard])
    other = make_evidence(user=cast.staff_b, campaign=campaign, standards=[other_standard])
    assert [first.archive_number, second.archive_number, other.archive_number] == [
        "6.2.1-001",
        "6.2.1-002",
        "6.2.2-001",
    ]
    assert list(second.standard_links.values_list("criterion__code", "position")) == [("6.2.1", 0), ("6.2.2", 1)]


BAD_FILES = [
    ("logo.svg", samples.svg, "网页"),
    ("photo.jpg", samples.svg, "网页"),
    ("photo.png", samples.html, "网页"),
    ("photo.jpg", samples.script, "网页"),
    ("photo.png", samples.png_header_then_html, "不是有效的"),
    ("photo.jpg", samples.pdf, "扩展名"),
    ("setup.exe", samples.exe, "程序"),
    ("holiday.jpg", samples.exe, "程序"),
    ("方案.docm", samples.docm, "宏"),
    ("方案.docx", samples.docx_with_vba_part, "宏"),
    ("旧文件.doc", samples.doc_with_macros, "宏"),
    ("表格.xls", samples.xls_with_macros, "宏"),
    ("flood.png", samples.pixel_flood_png, "像素"),
    ("empty.jpg", lambda: b"", "空"),
]


@pytest.mark.parametrize(("name", "maker", "message"), BAD_FILES)
def test_bad_files_are_refused_and_nothing_is_stored(cast, campaign, post_file, settings, name, maker, message):
    response = post_file(cast.staff_a, name, maker(), content_type="image/jpeg")
    assert response.status_code in (400, 415)
    assert message in response.json()["error"]
    assert_nothing_stored(settings)


def test_one_byte_over_the_limit_is_refused_and_the_limit_itself_accepted(cast, campaign, post_file, settings):
    data = samples.jpeg()
    settings.EVIDENCE_MAX_SIZE = {**settings.EVIDENCE_MAX_SIZE, "photo": len(data) - 1}
    response = post_file(cast.staff_a, "a.jpg", data)
    assert response.status_code == 415
    assert "过大" in response.json()["error"]
    assert_nothing_stored(settings)
    settings.EVIDENCE_MAX_SIZE = {**settings.EVIDENCE_MAX_SIZE, "photo": len(data)}
    assert post_file(cast.staff_a, "a.jpg", data).status_code == 200


def test_a_file_over_every_limit_is_stopped_while_streaming(cast, campaign, post_file, settings):
    settings.EVIDENCE_MAX_SIZE = dict.fromkeys(settings.EVIDENCE_MAX_SIZE, 1000)
    response = post_file(cast.staff_a, "a.jpg", samples.jpeg(400, 400, quality=100))
    assert response.status_code == 413
    assert "过大" in response.json()["error"]
    assert_nothing_stored(settings)


def test_a_request_declaring_more_than_any_limit_is_refused_before_it_is_read(cast, campaign, login, settings):
    settings.EVIDENCE_MAX_SIZE = dict.fromkeys(settings.EVIDENCE_MAX_SIZE, 1000)
    response = login(cast.staff_a).generic(
        "POST",
        reverse("evidence:upload_file"),
        b"x" * 10,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(5 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "过大" in response.json()["error"]
    assert_nothing_stored(settings)


def test_several_files_in_one_request_are_refused(cast, campaign, login, settings):
    files = [SimpleUploadedFile(f"{i}.jpg", samples.jpeg(color=(i, 0, 0))) for i in range(3)]
    response = login(cast.staff_a).post(reverse("evidence:upload_file"), {"file": files})
    assert response.status_code == 400
    assert "一个文件" in response.json()["error"]
    assert_nothing_stored(settings)


def test_more_files_than_django_allows_get_a_chinese_message_not_a_bare_400(cast, campaign, login, settings):
    files = [SimpleUploadedFile(f"{i}.jpg", b"x") for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)]
    response = login(cast.staff_a).post(reverse("evidence:upload_file"), {"file": files})
    assert response.status_code == 400
    assert "一个文件" in response.json()["error"]
    assert_nothing_stored(settings)


def test_too_many_fields_are_refused(cast, campaign, login, settings):
    fields = {f"f{i}": "x" for i in range(100)}
    response = login(cast.staff_a).post(
        reverse("evidence:upload_file"), {"file": SimpleUploadedFile("a.jpg", samples.jpeg()), **fields}
    )
    assert response.status_code == 400
    assert "字段过多" in response.json()["error"]
    assert_nothing_stored(settings)


def test_more_fields_than_django_allows_are_refused_in_chinese(cast, campaign, login, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    fields = {f"f{i}": "x" for i in range(20)}
    response = login(cast.staff_a).post(
        reverse("evidence:upload_file"), {"file": SimpleUploadedFile("a.jpg", samples.jpeg()), **fields}
    )
    assert response.status_code == 400
    assert "字段过多" in response.json()["error"]
    assert_nothing_stored(settings)


def test_a_request_without_a_file_is_refused(cast, campaign, login):
    response = login(cast.staff_a).post(reverse("evidence:upload_file"), {"title": "x"})
    assert response.status_code == 400
    assert "选择" in response.json()["error"]


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("a\x00b.jpg", "ab.jpg"),
        ("a\x01\x1fb.jpg", "ab.jpg"),
        ('he said "yes".jpg', "he said _yes_.jpg"),
        ("photo\u202egpj.jpg", "photogpj.jpg"),
    ],
)
def test_file_names_are_kept_only_as_clean_text(cast, campaign, post_file, raw, kept, settings):
    response = post_file(cast.staff_a, raw, samples.jpeg(color=(len(raw), 1, 2)))
    assert response.status_code == 200, response.content.decode()
    item = EvidenceItem.objects.get()
    assert item.original_name == kept
    assert item.stored_file is not None
    name = item.stored_file.file.name
    assert name is not None
    assert Path(name).name.endswith(".jpg")
    assert ".." not in name
    assert stored_files(settings) == [name]


def test_line_breaks_in_a_file_name_never_reach_the_stored_name(cast, campaign, post_file):
    response = post_file(cast.staff_a, "two\r\nlines.jpg", samples.jpeg(color=(7, 1, 2)))
    assert response.status_code == 200
    name = EvidenceItem.objects.get().original_name
    assert "\r" not in name
    assert "\n" not in name
    assert name.endswith(".jpg")


def test_a_300_character_name_is_shortened(cast, campaign, post_file):
    response = post_file(cast.staff_a, "很" * 300 + ".jpg", samples.jpeg())
    assert response.status_code == 200
    name = EvidenceItem.objects.get().original_name
    assert len(name) <= 200
    assert name.endswith(".jpg")


def test_leadership_cannot_upload(cast, campaign, post_file, settings):
    response = post_file(cast.leader, "a.jpg", samples.jpeg())
    assert response.status_code == 403
    assert "不能上传" in response.json()["error"]
    assert_nothing_stored(settings)


def test_leadership_cannot_file_a_link(cast, campaign, login):
    response = login(cast.leader).post(reverse("evidence:upload_link"), {"link-url": "https://example.com/a"})
    assert response.status_code == 403
    assert EvidenceItem.objects.count() == 0


def test_a_media_report_link_is_filed(cast, campaign, login, standard):
    response = login(cast.staff_a).post(
        reverse("evidence:upload_link"),
        {
            "link-url": "https://www.example.gov.cn/news/1.html",
            "link-title": "市政协机关开展志愿服务",
            "link-primary_standard": standard.pk,
        },
    )
    item = EvidenceItem.objects.get()
    assert response.status_code == 302
    assert item.kind == "link"
    assert item.category == "media_report"
    assert item.url == "https://www.example.gov.cn/news/1.html"
    assert item.archive_number == "6.2.1-001"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html,x",
        "ftp://x.cn/a",
        "file:///etc/passwd",
    ],
)
def test_links_other_than_http_and_https_are_refused(cast, campaign, login, url):
    client = login(cast.staff_a)
    response = client.post(reverse("evidence:upload_link"), {"link-url": url}, follow=True)
    assert EvidenceItem.objects.count() == 0
    assert "http" in response.content.decode()
    assert "网址" in response.content.decode()


def test_the_same_file_again_is_flagged_as_a_duplicate_and_can_be_linked(
    cast, campaign, post_file, standard, other_standard, task_b, login, settings
):
    data = samples.jpeg(color=(1, 2, 3))
    first = post_file(cast.staff_a, "a.jpg", data, primary_standard=standard.pk).json()
    files_before = stored_files(settings)
    response = post_file(cast.head_a, "again.jpg", data)
    assert response.status_code == 409
    body = response.json()
    assert body["duplicate"] is True
    assert "已在台账中" in body["error"]
    assert body["items"][0]["id"] == first["id"]
    assert EvidenceItem.objects.count() == 1
    assert stored_files(settings) == files_before  # the second copy was not kept

    linked = login(cast.head_a).post(
        body["items"][0]["link_url"],
        {"primary_standard": other_standard.pk, "tasks": [task_b.pk]},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert linked.status_code == 200
    item = EvidenceItem.objects.get()
    assert list(item.standard_links.values_list("criterion__code", flat=True)) == ["6.2.1", "6.2.2"]
    assert list(item.tasks.all()) == [task_b]
    assert item.archive_number == "6.2.1-001"


def test_a_duplicate_of_an_item_the_user_may_not_read_says_only_that_the_file_is_in_the_archive(
    cast, campaign, post_file, login
):
    data = samples.jpeg(color=(9, 9, 9))
    first = post_file(cast.staff_a, "内部.jpg", data, title="内部照片").json()
    response = post_file(cast.staff_b, "copy.jpg", data)
    assert response.status_code == 409
    assert response.json() == {"ok": False, "error": "该文件已在台账中。", "duplicate": True, "items": []}
    response = login(cast.staff_b).post(reverse("evidence:link_existing", args=[first["id"]]), {})
    assert response.status_code == 404


def test_a_duplicate_in_the_recycle_bin_is_not_told_to_its_office(cast, campaign, post_file, login):
    """Only the coordinator opens the recycle bin: to anyone else an item there is simply not shown."""
    data = samples.jpeg(color=(8, 8, 8))
    first = post_file(cast.staff_a, "旧.jpg", data, title="旧照片").json()
    login(cast.staff_a).post(reverse("evidence:delete", args=[first["id"]]))
    assert EvidenceItem.objects.get(pk=first["id"]).is_deleted
    for user in (cast.staff_a, cast.head_a, cast.staff_b):
        body = post_file(user, "again.jpg", data).json()
        assert body == {"ok": False, "error": "该文件已在台账中。", "duplicate": True, "items": []}, user
    body = post_file(cast.coordinator, "again.jpg", data).json()
    assert body["items"][0]["in_recycle_bin"] is True
    assert body["items"][0]["link_url"] == ""
    assert "回收站" in body["error"]


def test_a_duplicate_the_user_reads_but_may_not_change_is_named_without_a_link_offer(cast, campaign, post_file, task_b):
    data = samples.jpeg(color=(7, 7, 7))
    post_file(cast.staff_a, "志愿.jpg", data, title="志愿服务照片", tasks=[task_b.pk])
    body = post_file(cast.staff_b, "copy.jpg", data).json()  # office B reads it through its task
    assert body["items"][0]["title"] == "志愿服务照片"
    assert body["items"][0]["link_url"] == ""
    assert "志愿服务照片" in body["error"]
    assert "负责人" in body["error"]


def test_an_exception_after_the_file_is_saved_leaves_no_row_and_deletes_the_file(
    cast, campaign, post_file, settings, monkeypatch, stored
):
    saved = []
    real_save = files.save_local_file

    def save_and_remember(path, name):
        saved.append(real_save(path, name))
        return saved[-1]

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(files, "save_local_file", save_and_remember)
    monkeypatch.setattr(EvidenceEvent.objects, "create", fail)
    with pytest.raises(RuntimeError):
        post_file(cast.staff_a, "a.jpg", samples.jpeg())
    assert saved, "the file had been saved to the storage before the failure"
    assert not stored.exists(saved[0])
    assert_nothing_stored(settings)


def test_the_file_is_in_the_storage_before_its_row_is_written(cast, campaign, post_file, monkeypatch, stored):
    """A committed row never names a file that is not there yet."""
    seen = []
    real_create = StoredFile.objects.create

    def create_and_look(**fields):
        seen.append(stored.exists(fields["file"]))
        return real_create(**fields)

    monkeypatch.setattr(StoredFile.objects, "create", create_and_look)
    assert post_file(cast.staff_a, "a.jpg", samples.jpeg()).status_code == 200
    assert seen == [True]


def test_an_upload_interrupted_before_the_file_is_whole_leaves_no_row(cast, campaign, login, settings):
    client = login(cast.staff_a)
    boundary = "BoUnDaRy"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode() + samples.jpeg()[:200]  # the connection drops here: no closing boundary
    response = client.generic(
        "POST",
        reverse("evidence:upload_file"),
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 400
    assert_nothing_stored(settings)


def test_stale_temporary_files_are_removed_after_the_grace_period(settings):
    import os
    import time

    old, _fd = uploads.open_temp()
    os.close(_fd)
    fresh, fd2 = uploads.open_temp()
    os.close(fd2)
    os.utime(old, (time.time() - 7 * 3600, time.time() - 7 * 3600))
    settings.EVIDENCE_TEMP_GRACE_HOURS = 6
    from django.core.management import call_command

    call_command("clean_evidence_uploads")
    assert not old.exists()
    assert fresh.exists()


def test_the_worker_job_also_cleans_stale_uploads(settings):
    import os

    from evidence.jobs import clean_stale_uploads

    path, fd = uploads.open_temp()
    os.close(fd)
    os.utime(path, (0, 0))
    result = clean_stale_uploads.enqueue()
    assert result.return_value == 1
    assert not path.exists()


def test_stored_files_that_no_row_names_are_swept_after_the_grace_period(cast, campaign, settings, stored):
    """What a process killed between saving a file and committing its row leaves behind."""
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    item = make_evidence(user=cast.staff_a, campaign=campaign)
    kept = item.stored_file.file.name
    orphans = [
        stored.save("evidence/files/2026/03/0123456789abcdef.jpg", b"no row names me"),
        stored.save("evidence/previews/ab/0123456789abcdef-screen.jpg", b"nor me"),
        stored.save("evidence/tmp/0123456789abcdef.part", b"left where uploads used to stream"),
    ]
    unrelated = stored.save("imports/tasks/1/" + "a" * 64 + ".xlsx", b"not the sweep's")
    settings.EVIDENCE_TEMP_GRACE_HOURS = 6

    call_command("clean_evidence_uploads")  # all of them are younger than the grace period
    assert all(stored.exists(name) for name in [kept, *orphans])

    later = timezone.now() + datetime.timedelta(hours=7)
    assert files.clean_stale_uploads(now=later) == 3
    assert stored.names() == sorted([kept, unrelated])
    assert stored.read(kept) == item.stored_file.file.open("rb").read()


def test_registering_twice_at_once_gives_one_item_and_a_duplicate(cast, campaign, monkeypatch):
    """The second of two concurrent registrations of the same bytes meets the unique SHA-256."""
    data = samples.jpeg(color=(4, 5, 6))
    make_evidence(user=cast.staff_a, campaign=campaign, data=data, name="a.jpg")
    monkeypatch.setattr(intake, "find_duplicate", lambda sha, _real=intake.find_duplicate: None)
    # With the early check blinded, the database constraint still catches it.
    monkeypatch.setattr(intake, "find_duplicate", lambda sha: None)
    with pytest.raises(Exception) as exc:
        make_evidence(user=cast.staff_b, campaign=campaign, data=data, name="b.jpg")
    assert EvidenceItem.objects.count() == 1
    assert exc.type.__name__ in {"IntegrityError", "DuplicateFound"}


def test_the_upload_endpoint_still_checks_the_csrf_token(cast, campaign, settings):
    """The view is csrf_exempt only to install its upload handler first; it checks the token itself."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.staff_a)
    response = client.post(reverse("evidence:upload_file"), {"file": SimpleUploadedFile("a.jpg", samples.jpeg())})
    assert response.status_code == 403
    assert_nothing_stored(settings)
    client.get(reverse("evidence:upload"))
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("evidence:upload_file"),
        {"file": SimpleUploadedFile("a.jpg", samples.jpeg())},
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200
