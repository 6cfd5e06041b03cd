"""Stored files in tests, on either backend: the file system under the per-test MEDIA_ROOT, or a real S3 endpoint
on loopback (moto's server, started once per test process on 127.0.0.1 and a free port: its default address
would listen on every interface).

`stored` is parametrised over both backends: a test that asks for it runs twice, and on S3 it also fails if
anything was written under MEDIA_ROOT. `s3` alone points the default storage at a fresh bucket.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from django.core.files.storage import storages

S3_REGION = "us-east-1"
S3_KEYS = {"access_key": "testing", "secret_key": "testing"}  # moto accepts any


@dataclass
class S3Bucket:
    endpoint_url: str
    name: str

    @property
    def client(self):
        return s3_client(self.endpoint_url)

    def object_keys(self) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return sorted(obj["Key"] for page in pages for obj in page.get("Contents", ()))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def storage_settings(self, **options) -> dict:
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": self.name,
                "endpoint_url": self.endpoint_url,
                "region_name": S3_REGION,
                "addressing_style": "path",
                "default_acl": None,
                "querystring_auth": False,
                # Small, so that the tests' files spill to disk as large ones do in production.
                "max_memory_size": 64 * 1024,
                **S3_KEYS,
                **options,
            },
        }


def s3_client(endpoint_url: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=S3_REGION,
        aws_access_key_id=S3_KEYS["access_key"],
        aws_secret_access_key=S3_KEYS["secret_key"],
    )


def new_bucket(endpoint_url: str) -> S3Bucket:
    bucket = S3Bucket(endpoint_url=endpoint_url, name=f"civunit-test-{uuid.uuid4().hex[:16]}")
    s3_client(endpoint_url).create_bucket(Bucket=bucket.name)
    return bucket


def drop_bucket(bucket: S3Bucket) -> None:
    client = bucket.client
    for key in bucket.object_keys():
        client.delete_object(Bucket=bucket.name, Key=key)
    client.delete_bucket(Bucket=bucket.name)


@pytest.fixture(scope="session")
def moto_endpoint():
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one log line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    assert host == "127.0.0.1"
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(moto_endpoint, settings):
    """The default storage on a fresh bucket of the loopback S3 endpoint."""
    bucket = new_bucket(moto_endpoint)
    settings.STORAGES = {**settings.STORAGES, "default": bucket.storage_settings()}
    yield bucket
    drop_bucket(bucket)


class StoredFiles:
    """What the default storage holds, whichever backend it is."""

    def __init__(self, backend: str, media_root: Path, bucket: S3Bucket | None = None):
        self.backend = backend
        self.media_root = media_root
        self.bucket = bucket

    @property
    def storage(self):
        return storages["default"]

    def names(self, folder: str = "") -> list[str]:
        """Every stored name under `folder`, sorted."""
        found: list[str] = []

        def walk(path: str) -> None:
            try:
                folders, names = self.storage.listdir(path)
            except FileNotFoundError:
                return
            found.extend(f"{path}/{n}".lstrip("/") for n in names)
            for sub in folders:
                walk(f"{path}/{sub}".lstrip("/"))

        walk(folder)
        return sorted(found)

    def exists(self, name: str) -> bool:
        return self.storage.exists(name)

    def read(self, name: str) -> bytes:
        with self.storage.open(name, "rb") as fh:
            return fh.read()

    def save(self, name: str, data: bytes) -> str:
        from django.core.files.base import ContentFile

        return self.storage.save(name, ContentFile(data))

    def media_root_files(self) -> list[Path]:
        return sorted(p for p in self.media_root.rglob("*") if p.is_file())


@pytest.fixture(params=["filesystem", "s3"])
def stored(request, settings):
    """The default storage's contents; the test runs on the file system and on S3."""
    media_root = Path(settings.MEDIA_ROOT)
    if request.param == "s3":
        bucket = request.getfixturevalue("s3")
        files = StoredFiles("s3", media_root, bucket)
        yield files
        assert files.media_root_files() == [], "nothing may be written under MEDIA_ROOT when the files are on S3"
    else:
        yield StoredFiles("filesystem", media_root)
    # Temporary copies (previews, S3 downloads) are removed once used; only the sweep's marker stays.
    left = [p for p in Path(settings.FILE_UPLOAD_TEMP_DIR).rglob("*") if p.is_file() and p.name != ".last-sweep"]
    assert left == [], "temporary files were left behind"
