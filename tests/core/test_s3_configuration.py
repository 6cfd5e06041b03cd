"""The app set up on S3 by configuration alone: with AWS_STORAGE_BUCKET_NAME and its companions in the environment
(pointing at the loopback moto endpoint), `migrate` and `seed_demo` leave nothing under MEDIA_ROOT, the demo's
files are objects in the bucket, and a download through the app returns the stored bytes."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.storage import S3_KEYS, S3_REGION, drop_bucket, new_bucket

ROOT = Path(__file__).resolve().parents[2]

DOWNLOAD = """
import hashlib, json
from django.core.files.storage import storages
from django.test import Client
from django.urls import reverse
from evidence.models import EvidenceItem
item = EvidenceItem.objects.filter(stored_file__kind="photo").select_related("stored_file", "uploader").first()
client = Client()
client.force_login(item.uploader)
response = client.get(reverse("evidence:download", args=[item.pk]))
body = b"".join(response.streaming_content)
storage = storages["default"]
print(json.dumps({
    "status": response.status_code,
    "key": item.stored_file.file.name,
    "sha256": item.stored_file.sha256,
    "body_sha256": hashlib.sha256(body).hexdigest(),
    "backend": f"{type(storage).__module__}.{type(storage).__name__}",
    "max_memory_size": storage.max_memory_size,
}))
"""


def test_migrate_and_seed_demo_on_s3_write_nothing_under_media_root_and_downloads_return_the_objects(
    moto_endpoint, tmp_path
):
    bucket = new_bucket(moto_endpoint)
    media_root = tmp_path / "media"
    (tmp_path / "tmp").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DATABASE_URL", "DJANGO_SETTINGS"))}
    env.update(
        {
            "DEBUG": "on",
            "SECRET_KEY": "s3-configuration-test",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "MEDIA_ROOT": str(media_root),
            "FILE_UPLOAD_TEMP_DIR": str(tmp_path / "tmp"),
            "ALLOWED_HOSTS": "testserver",
            "TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "LOG_LEVEL": "WARNING",
            "AWS_STORAGE_BUCKET_NAME": bucket.name,
            "AWS_S3_ENDPOINT_URL": moto_endpoint,
            "AWS_ACCESS_KEY_ID": S3_KEYS["access_key"],
            "AWS_SECRET_ACCESS_KEY": S3_KEYS["secret_key"],
            "AWS_S3_REGION_NAME": S3_REGION,
        }
    )

    def manage(*args: str) -> str:
        done = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    try:
        manage("migrate", "-v0")
        manage("seed_demo")
        assert not media_root.exists() or [p for p in media_root.rglob("*") if p.is_file()] == []
        keys = bucket.object_keys()
        assert any(k.startswith("evidence/files/demo/") for k in keys)
        assert any(k.startswith("evidence/previews/") for k in keys)

        result = json.loads(manage("shell", "-c", DOWNLOAD).strip().splitlines()[-1])
        assert result["status"] == 200
        assert result["backend"] == "storages.backends.s3.S3Storage"
        assert result["max_memory_size"] == 8 * 1024 * 1024  # large objects spill to disk, not RAM
        stored = bucket.read(result["key"])
        assert result["body_sha256"] == hashlib.sha256(stored).hexdigest() == result["sha256"]
        assert not media_root.exists() or [p for p in media_root.rglob("*") if p.is_file()] == []
    finally:
        drop_bucket(bucket)


PROBE = """
import json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civunit.settings")
from django.conf import settings
print(json.dumps(settings.STORAGES["default"]))
"""


def probe(tmp_path, **env):
    full = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DJANGO_", "DATABASE_URL"))}
    full.update({"DEBUG": "on", "SECRET_KEY": "x" * 60, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **env})
    return subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", PROBE], cwd=ROOT, env=full, capture_output=True, text=True, timeout=60
    )


def test_the_s3_variables_configure_the_default_storage(tmp_path):
    done = probe(
        tmp_path,
        AWS_STORAGE_BUCKET_NAME="civunit-archive",
        AWS_S3_ENDPOINT_URL="https://s3.intranet.example:9000",
        AWS_ACCESS_KEY_ID="key",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_S3_REGION_NAME="cn-north-1",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "civunit-archive",
            "endpoint_url": "https://s3.intranet.example:9000",
            "access_key": "key",
            "secret_key": "secret",
            "region_name": "cn-north-1",
            "addressing_style": "path",
            "max_memory_size": 8 * 1024 * 1024,
            "default_acl": None,
            "querystring_auth": False,
        },
    }
    without = probe(tmp_path)
    assert json.loads(without.stdout) == {"BACKEND": "civunit.storage.DurableFileSystemStorage"}


def test_a_memory_limit_of_zero_is_refused(tmp_path):
    done = probe(tmp_path, AWS_STORAGE_BUCKET_NAME="b", AWS_S3_MAX_MEMORY_SIZE="0")
    assert done.returncode != 0
    assert "AWS_S3_MAX_MEMORY_SIZE" in done.stderr
