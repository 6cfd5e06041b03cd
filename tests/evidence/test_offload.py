"""Uploads nginx wrote to disk (evidence/offload.py): the app parses the body file nginx names, with the secret,
under NGINX_UPLOAD_DIR only; the result is the same as a body read by Django, refusals leave nothing behind."""

import hashlib
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from evidence import offload, uploads
from evidence.models import EvidenceItem
from tests.evidence import samples

pytestmark = pytest.mark.django_db

SECRET = "nginx-upload-secret-for-tests"


@pytest.fixture
def nginx_dir(settings, tmp_path) -> Path:
    path = tmp_path / "nginx-body"
    path.mkdir()
    settings.NGINX_UPLOAD_SECRET = SECRET
    settings.NGINX_UPLOAD_DIR = str(path)
    return path


def body_of(**fields) -> bytes:
    return encode_multipart(BOUNDARY, fields)


def post_offloaded(client, body_file: Path, *, secret=SECRET, url=None, **extra):
    """The request nginx passes on: no body, the body file's path and the secret in headers."""
    return client.post(
        url or reverse("evidence:upload_file"),
        data=b"",
        content_type="application/octet-stream",  # no body: not encoded
        # nginx passes the client's Content-Type; the test client sets none for an empty body
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
        HTTP_X_CIVUNIT_UPLOAD_FILE=str(body_file),
        HTTP_X_CIVUNIT_UPLOAD_SECRET=secret,
        HTTP_X_CIVUNIT_UPLOAD_LENGTH=str(body_file.stat().st_size) if body_file.exists() else "0",
        **extra,
    )


def write_body(directory: Path, body: bytes, name="0000000001") -> Path:
    path = directory / name
    path.write_bytes(body)
    return path


def test_an_offloaded_upload_is_stored_as_a_read_body_would_be(cast, campaign, login, nginx_dir, settings):
    photo = samples.jpeg(date="2026:03:05 09:30:00")
    body_file = write_body(
        nginx_dir, body_of(file=SimpleUploadedFile("学雷锋活动.jpg", photo, "image/jpeg"), caption="社区志愿服务")
    )
    response = post_offloaded(login(cast.staff_a), body_file)
    assert response.status_code == 200, response.content.decode()
    item = EvidenceItem.objects.get(pk=response.json()["id"])
    assert item.original_name == "学雷锋活动.jpg"
    assert item.caption == "社区志愿服务"
    stored = item.stored_file
    assert stored is not None
    assert stored.sha256 == hashlib.sha256(photo).hexdigest()
    assert stored.file.read() == photo
    assert list(uploads.temp_dir().glob("*.part")) == []
    assert body_file.exists()  # nginx removes its own file (client_body_in_file_only clean)


@pytest.mark.parametrize(
    "case",
    ["wrong secret", "no secret configured", "outside the folder", "symlink out of the folder", "missing file"],
)
def test_a_body_file_is_trusted_only_with_the_secret_and_under_the_folder(
    cast, campaign, login, nginx_dir, settings, tmp_path, case
):
    body = body_of(file=SimpleUploadedFile("a.jpg", samples.jpeg(), "image/jpeg"))
    body_file = write_body(nginx_dir, body)
    secret = SECRET
    if case == "wrong secret":
        secret = "a-guess-of-the-secret-value"
    elif case == "no secret configured":
        settings.NGINX_UPLOAD_SECRET = ""
    elif case == "outside the folder":
        body_file = write_body(tmp_path, body, name="elsewhere")
    elif case == "symlink out of the folder":
        target = write_body(tmp_path, body, name="elsewhere")
        body_file = nginx_dir / "link"
        body_file.symlink_to(target)
    elif case == "missing file":
        body_file = nginx_dir / "gone"
    response = post_offloaded(login(cast.staff_a), body_file, secret=secret)
    assert response.status_code == 400
    assert EvidenceItem.objects.count() == 0
    assert list(uploads.temp_dir().glob("*.part")) == []


def test_an_offloaded_file_over_the_limit_is_refused(cast, campaign, login, nginx_dir, settings):
    settings.EVIDENCE_MAX_SIZE = dict.fromkeys(settings.EVIDENCE_MAX_SIZE, 1000)
    big = samples.jpeg() + bytes(5000)
    body_file = write_body(nginx_dir, body_of(file=SimpleUploadedFile("big.jpg", big, "image/jpeg")))
    response = post_offloaded(login(cast.staff_a), body_file)
    assert response.status_code == 413
    assert response.json()["error"].startswith("文件过大")
    assert EvidenceItem.objects.count() == 0
    assert list(uploads.temp_dir().glob("*.part")) == []


def test_an_offloaded_request_with_two_files_is_refused(cast, campaign, login, nginx_dir):
    body = body_of(
        file=[
            SimpleUploadedFile("a.jpg", samples.jpeg(), "image/jpeg"),
            SimpleUploadedFile("b.jpg", b"x", "image/jpeg"),
        ]
    )
    response = post_offloaded(login(cast.staff_a), write_body(nginx_dir, body))
    assert response.status_code == 400
    assert EvidenceItem.objects.count() == 0
    assert list(uploads.temp_dir().glob("*.part")) == []


def test_a_truncated_body_file_is_refused_with_a_message(cast, campaign, login, nginx_dir):
    body = body_of(file=SimpleUploadedFile("a.jpg", samples.jpeg(), "image/jpeg"))
    response = post_offloaded(login(cast.staff_a), write_body(nginx_dir, body[: len(body) // 2]))
    assert response.status_code == 400
    assert response.json()["error"]
    assert EvidenceItem.objects.count() == 0
    assert list(uploads.temp_dir().glob("*.part")) == []


def test_an_offloaded_request_without_the_csrf_token_is_refused(cast, campaign, nginx_dir):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.staff_a)
    body_file = write_body(nginx_dir, body_of(file=SimpleUploadedFile("a.jpg", samples.jpeg(), "image/jpeg")))
    response = post_offloaded(client, body_file)
    assert response.status_code == 403
    assert EvidenceItem.objects.count() == 0


@pytest.mark.parametrize("read_size", [1, 7, 64, 4096])
def test_parsing_finds_the_parts_whatever_the_read_size(nginx_dir, settings, monkeypatch, read_size):
    """Boundaries straddling reads, and file bytes that look like the start of a boundary."""
    monkeypatch.setattr(offload, "READ_SIZE", read_size)
    data = b"\r\n--" + os.urandom(3000) + b"\r\n-" + b"\r\n--" + BOUNDARY.encode()[:-1] + os.urandom(100)
    body_file = write_body(
        nginx_dir,
        body_of(title="标题", file=SimpleUploadedFile("v.mp4", data, "video/mp4"), caption="说明", empty=""),
    )
    parsed = offload.parse(body_file, MULTIPART_CONTENT, max_size=10_000)
    assert parsed.fields.get("title") == "标题"
    assert parsed.fields.get("caption") == "说明"
    assert parsed.fields.get("empty") == ""
    assert parsed.received is not None
    assert parsed.received.name == "v.mp4"
    assert parsed.received.size == len(data)
    assert parsed.received.sha256 == hashlib.sha256(data).hexdigest()
    assert parsed.received.temp_path.read_bytes() == data
    parsed.received.temp_path.unlink()
