"""Uploaded breakdowns kept between the preview and the apply.

The preview must apply exactly the file the coordinator looked at, and a workbook is too big for the session.
The file is kept in the default storage (MEDIA_ROOT or the S3 bucket) as imports/tasks/<user id>/<sha256>.xlsx,
never served (MEDIA_URL is not set), so the URL carries only the digest, one person cannot reach another's
upload, and the same file uploaded twice is stored once. A reader never takes half a file for the upload: the
bytes are checked against the digest when loaded. Files are deleted once applied, and any left over (a preview
never applied) after a day, at the next upload.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.utils import timezone

KEEP_SECONDS = 24 * 3600
DIGEST_RE = re.compile(r"[0-9a-f]{64}")


def _storage() -> Storage:
    return storages["default"]


def _folder(user) -> str:
    return f"imports/tasks/{int(user.pk)}"


def _replace(name: str, data: bytes) -> None:
    storage = _storage()
    storage.delete(name)  # the same digest again: write it afresh (and restart its day)
    storage.save(name, ContentFile(data))


def store_upload(data: bytes, *, user, file_name: str) -> str:
    """Keep `data` for `user`; returns its SHA-256 (hex), the key of the preview and apply URLs."""
    digest = hashlib.sha256(data).hexdigest()
    folder = _folder(user)
    purge(folder)
    _replace(f"{folder}/{digest}.xlsx", data)
    _replace(f"{folder}/{digest}.json", json.dumps({"file_name": file_name}, ensure_ascii=False).encode())
    return digest


def _read(name: str) -> bytes:
    with _storage().open(name, "rb") as fh:
        return fh.read()


def load_upload(*, user, digest: str) -> tuple[bytes, str] | None:
    """(data, original file name), or None when there is no such upload of this user (expired, applied)."""
    if not DIGEST_RE.fullmatch(digest or ""):
        return None
    folder = _folder(user)
    try:
        data = _read(f"{folder}/{digest}.xlsx")
        meta = json.loads(_read(f"{folder}/{digest}.json"))
    except (OSError, ValueError):
        return None
    if hashlib.sha256(data).hexdigest() != digest:
        return None
    return data, str(meta.get("file_name") or f"{digest[:8]}.xlsx")


def discard_upload(*, user, digest: str) -> None:
    if DIGEST_RE.fullmatch(digest or ""):
        for suffix in (".xlsx", ".json"):
            _storage().delete(f"{_folder(user)}/{digest}{suffix}")


def purge(folder: str, *, now: datetime.datetime | None = None) -> None:
    """Delete the files in `folder` last written more than a day before `now`."""
    storage = _storage()
    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=KEEP_SECONDS)
    try:
        _folders, names = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        try:
            if storage.get_modified_time(f"{folder}/{name}") < cutoff:
                storage.delete(f"{folder}/{name}")
        except OSError:
            continue
