"""Uploads sent as the raw request body (evidence/rawbody.py): the file is the body, its name and fields in headers.
Without nginx the body is read in chunks; behind nginx its body file is renamed into the storage (the stored file
is nginx's inode), trusted only with the secret, under the folder, as a plain file of the size nginx received;
every refusal leaves nothing in the storage or the upload folder, and never touches a file a request names."""

import hashlib
import io
import os
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from evidence import rawbody, uploads
from evidence.models import EvidenceItem, StoredFile
from tests.evidence import samples

pytestmark = pytest.mark.django_db

SECRET = "nginx-upload-secret-for-tests"


@pytest.fixture
def nginx_dir(settings, tmp_path) -> Path:
    path = tmp_path / "nginx-body"
    (path / "3" / "12").mkdir(parents=True)
    settings.NGINX_UPLOAD_SECRET = SECRET
    settings.NGINX_UPLOAD_DIR = str(path)
    return path


def stored_files() -> list[Path]:
    return [p for p in Path(django_settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def temp_files() -> list[Path]:
    return list(uploads.temp_dir().glob("*.part"))


def raw_headers(name: str, fields: dict | None = None, content_type="image/jpeg", **extra) -> dict:
    return {
        "content_type": content_type,
        "HTTP_X_REQUESTED_WITH": "XMLHttpRequest",
        "HTTP_X_CIVUNIT_FILE_NAME": quote(name),
        "HTTP_X_CIVUNIT_FIELDS": urlencode(fields or {}, doseq=True),
        **extra,
    }


def post_raw(client, data: bytes, name="学雷锋活动.jpg", fields=None, url=None, **extra):
    return client.post(url or reverse("evidence:upload_file"), data=data, **raw_headers(name, fields, **extra))


def post_via_nginx(client, body_file: Path, *, name="学雷锋活动.jpg", fields=None, secret=SECRET, length=None, **extra):
    """The request nginx passes on for a raw body: no body, its body file's path, size and the secret."""
    size = body_file.stat().st_size if body_file.exists() else 0
    return client.post(
        reverse("evidence:upload_file"),
        data=b"",
        **raw_headers(
            name,
            fields,
            HTTP_X_CIVUNIT_UPLOAD_FILE=str(body_file),
            HTTP_X_CIVUNIT_UPLOAD_SECRET=secret,
            HTTP_X_CIVUNIT_UPLOAD_LENGTH=str(size if length is None else length),
            **extra,
        ),
    )


def assert_nothing_written():
    assert EvidenceItem.objects.count() == 0
    assert StoredFile.objects.count() == 0
    assert stored_files() == []
    assert temp_files() == []


def test_a_raw_body_is_read_in_chunks_without_nginx(cast, campaign, login):
    photo = samples.jpeg(date="2026:03:05 09:30:00")
    response = post_raw(login(cast.staff_a), photo, fields={"caption": "社区志愿服务 & 文明实践", "title": "学雷锋"})
    assert response.status_code == 200, response.content.decode()
    item = EvidenceItem.objects.get(pk=response.json()["id"])
    assert item.original_name == "学雷锋活动.jpg"
    assert item.caption == "社区志愿服务 & 文明实践"
    assert item.title == "学雷锋"
    assert item.stored_file is not None
    assert item.stored_file.sha256 == hashlib.sha256(photo).hexdigest()
    assert item.stored_file.file.read() == photo
    assert temp_files() == []


def test_a_raw_body_behind_nginx_is_renamed_into_the_storage(cast, campaign, login, nginx_dir):
    photo = samples.jpeg()
    body_file = nginx_dir / "3" / "12" / "0000000123"
    body_file.write_bytes(photo)
    inode = body_file.stat().st_ino
    response = post_via_nginx(login(cast.staff_a), body_file, fields={"caption": "说明"})
    assert response.status_code == 200, response.content.decode()
    stored = EvidenceItem.objects.get(pk=response.json()["id"]).stored_file
    assert stored is not None
    path = Path(stored.file.path)
    assert path.stat().st_ino == inode  # the same file: renamed, not copied
    assert path.stat().st_mode & 0o777 == 0o640
    assert not body_file.exists()  # nginx's `clean` then finds it gone
    assert stored.sha256 == hashlib.sha256(photo).hexdigest()
    assert path.read_bytes() == photo
    assert temp_files() == []


def test_the_csrf_token_is_checked_before_the_body_is_read(cast, campaign, nginx_dir):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.staff_a)
    photo = samples.jpeg()
    response = post_raw(client, photo, fields={"csrfmiddlewaretoken": "x" * 32})  # a token in the fields is ignored
    assert response.status_code == 403
    body_file = nginx_dir / "0000000007"
    body_file.write_bytes(photo)
    assert post_via_nginx(client, body_file).status_code == 403
    assert body_file.read_bytes() == photo  # untouched: nginx removes it
    assert_nothing_written()
    client.get(reverse("evidence:upload"))
    response = post_raw(client, photo, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    assert response.status_code == 200, response.content.decode()


@pytest.mark.parametrize(
    "case",
    [
        "no secret",
        "wrong secret",
        "outside the folder",
        "dot-dot out of the folder",
        "symlink out of the folder",
        "symlink inside the folder",
        "hard link",
        "a folder",
        "wrong size",
        "no size",
        "a size that only str.isdigit() reads",
        "missing file",
    ],
)
def test_a_named_body_file_is_refused_and_left_alone(cast, campaign, login, nginx_dir, tmp_path, case):
    photo = samples.jpeg()
    victim = tmp_path / "victim.jpg"  # a file the request must not be able to move into the archive
    victim.write_bytes(photo)
    body_file = nginx_dir / "0000000001"
    secret = SECRET
    length: int | str | None = None
    if case == "no secret":
        secret = ""
        body_file = victim
    elif case == "wrong secret":
        secret = "a-guess-of-the-secret-value"
        body_file = victim
    elif case == "outside the folder":
        body_file = victim
    elif case == "dot-dot out of the folder":
        body_file = nginx_dir / ".." / "victim.jpg"
    elif case == "symlink out of the folder":
        body_file.symlink_to(victim)
    elif case == "symlink inside the folder":
        inside = nginx_dir / "3" / "12" / "0000000002"
        inside.write_bytes(photo)
        body_file.symlink_to(inside)
        victim = inside
    elif case == "hard link":
        inside = nginx_dir / "3" / "12" / "0000000002"
        inside.write_bytes(photo)
        os.link(inside, body_file)
        victim = inside
    elif case == "a folder":
        body_file = nginx_dir / "3"
    elif case == "wrong size":
        body_file.write_bytes(photo)
        victim, length = body_file, len(photo) - 1
    elif case == "no size":
        body_file.write_bytes(photo)
        victim, length = body_file, ""
    elif case == "a size that only str.isdigit() reads":  # a header's bytes decode as Latin-1: "²" is b"\xb2"
        body_file.write_bytes(photo)
        victim, length = body_file, "²"
    elif case == "missing file":
        body_file = nginx_dir / "gone"
    response = post_via_nginx(login(cast.staff_a), body_file, secret=secret, length=length)
    assert response.status_code == 400
    assert "上传" in response.content.decode()
    assert victim.read_bytes() == photo
    assert_nothing_written()


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (b"#!/bin/sh\nrm -rf /\n", 415, "脚本"),
        (samples.exe(), 415, "不"),
        (b"", 400, "选择"),
    ],
)
def test_an_unsupported_or_empty_raw_body_is_refused(cast, campaign, login, nginx_dir, data, status, message):
    client = login(cast.staff_a)
    response = post_raw(client, data, name="照片.jpg")
    assert response.status_code == status
    assert message in response.json()["error"]
    body_file = nginx_dir / "0000000009"
    body_file.write_bytes(data)
    response = post_via_nginx(client, body_file, name="照片.jpg")
    assert response.status_code == status
    assert message in response.json()["error"]
    assert not body_file.exists() or data == b""  # removed by the app; nginx's `clean` finds it gone
    assert_nothing_written()


def test_a_raw_body_over_the_limit_is_refused_before_it_is_read(cast, campaign, login, nginx_dir, settings):
    settings.EVIDENCE_MAX_SIZE = dict.fromkeys(settings.EVIDENCE_MAX_SIZE, 1000)
    big = samples.jpeg() + bytes(5000)
    client = login(cast.staff_a)
    response = post_raw(client, big)
    assert response.status_code == 413
    assert response.json()["error"].startswith("文件过大")
    body_file = nginx_dir / "0000000003"
    body_file.write_bytes(big)
    response = post_via_nginx(client, body_file)
    assert response.status_code == 413
    assert_nothing_written()


@pytest.mark.parametrize("declared", [-10, 10])
def test_a_body_shorter_or_longer_than_declared_leaves_nothing(settings, tmp_path, declared):
    """A connection that drops early (or a body longer than its Content-Length) is refused; no temporary file."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    photo = samples.jpeg()

    class Request:
        stream = io.BytesIO(photo)

        def read(self, n):
            return self.stream.read(n)

    with pytest.raises(rawbody.Unreadable):
        rawbody.read_body(Request(), size=len(photo) + declared, name="a.jpg", content_type="image/jpeg")  # type: ignore[arg-type]
    assert temp_files() == []


def test_a_duplicate_raw_body_is_not_stored_twice(cast, campaign, login, nginx_dir):
    client = login(cast.staff_a)
    photo = samples.jpeg()
    assert post_raw(client, photo).status_code == 200
    before = stored_files()
    body_file = nginx_dir / "0000000004"
    body_file.write_bytes(photo)
    response = post_via_nginx(client, body_file)
    assert response.status_code == 409
    assert response.json()["duplicate"] is True
    assert stored_files() == before
    assert StoredFile.objects.count() == 1
    assert temp_files() == []


@pytest.mark.parametrize(
    ("name", "fields", "message"),
    [
        ("%FF%FE.jpg", {}, "文件名"),
        ("", {}, "文件名"),
        ("a.jpg", {f"f{n}": "x" for n in range(1200)}, "字段"),
        ("a.jpg", {"primary_standard": "999999"}, ""),
    ],
)
def test_bad_headers_are_refused_with_a_message(cast, campaign, login, name, fields, message):
    response = login(cast.staff_a).post(
        reverse("evidence:upload_file"),
        data=samples.jpeg(),
        content_type="image/jpeg",
        HTTP_X_CIVUNIT_FILE_NAME=name,
        HTTP_X_CIVUNIT_FIELDS=urlencode(fields),
    )
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert_nothing_written()


def test_a_raw_body_that_looks_like_a_form_is_never_parsed_as_one(cast, campaign, login):
    """The body is the file whatever its Content-Type: a urlencoded or multipart type does not make it fields."""
    photo = samples.jpeg()
    response = post_raw(login(cast.staff_a), photo, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200, response.content.decode()
    stored = EvidenceItem.objects.get().stored_file
    assert stored is not None
    assert stored.file.read() == photo


def test_a_raw_new_version_checks_object_access_before_the_body(cast, campaign, login, nginx_dir):
    """The other endpoints that receive one file take raw bodies too, after their own access checks."""
    from tests.evidence.factories import make_evidence

    item = make_evidence(user=cast.staff_a, campaign=campaign, name="原照片.jpg")
    photo = samples.jpeg(color=(9, 9, 9))
    body_file = nginx_dir / "0000000042"
    body_file.write_bytes(photo)
    url = reverse("evidence:replace", args=[item.pk])
    headers = raw_headers(
        "重拍.jpg",
        HTTP_X_CIVUNIT_UPLOAD_FILE=str(body_file),
        HTTP_X_CIVUNIT_UPLOAD_SECRET=SECRET,
        HTTP_X_CIVUNIT_UPLOAD_LENGTH=str(len(photo)),
    )
    before = stored_files()
    response = login(cast.staff_b).post(url, data=b"", **headers)  # another office: the item does not exist
    assert response.status_code == 404
    assert body_file.read_bytes() == photo
    assert stored_files() == before
    response = login(cast.staff_a).post(url, data=b"", **headers)
    assert response.status_code == 302
    new = EvidenceItem.objects.get(lineage=item.lineage, version=2)
    assert new.stored_file is not None
    assert new.stored_file.sha256 == hashlib.sha256(photo).hexdigest()
    assert not body_file.exists()  # renamed into the storage


def test_a_raw_upload_onto_a_full_disk_stores_nothing(cast, campaign, login, nginx_dir, settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "tests.hostile.full_storage.FullStorage"}}
    photo = samples.jpeg()
    body_file = nginx_dir / "0000000077"
    body_file.write_bytes(photo)
    response = post_via_nginx(login(cast.staff_a), body_file)
    assert response.status_code == 503
    assert "存储空间已满" in response.json()["error"]
    assert not body_file.exists()  # removed by the app once taken over; nginx's `clean` finds it gone
    assert_nothing_written()


def test_a_body_file_of_another_user_is_copied_not_renamed(cast, campaign, login, nginx_dir, monkeypatch):
    """Renamed, it would stay nginx's user's file, whose mode the storage could not set."""
    monkeypatch.setattr(rawbody.os, "geteuid", lambda: os.getuid() + 1)
    photo = samples.jpeg()
    body_file = nginx_dir / "0000000088"
    body_file.write_bytes(photo)
    response = post_via_nginx(login(cast.staff_a), body_file)
    assert response.status_code == 200, response.content.decode()
    stored = EvidenceItem.objects.get().stored_file
    assert stored is not None
    assert Path(stored.file.path).stat().st_ino != body_file.stat().st_ino
    assert Path(stored.file.path).read_bytes() == photo
    assert body_file.read_bytes() == photo  # nginx's own, removed by nginx (`clean`)
    assert temp_files() == []
