"""Uploaded breakdowns kept between the preview and the apply.

The preview must apply exactly the file the coordinator looked at, and a workbook is too big for the session.
The file is kept under MEDIA_ROOT/imports/tasks/<user id>/<sha256>.xlsx (never served: MEDIA_URL is not set), so
the URL carries only the digest, one person cannot reach another's upload, and the same file uploaded twice is
stored once. Files are written to a temporary name, fsynced and renamed; they are deleted once applied, and any
left over (a preview never applied) after a day, at the next upload.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path

from django.conf import settings

from civunit.utils import write_atomically

KEEP_SECONDS = 24 * 3600
DIGEST_RE = re.compile(r"[0-9a-f]{64}")


def _dir(user) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "tasks" / str(int(user.pk))


def _write(path: Path, data: bytes) -> None:
    write_atomically(path, data, prefix=".upload-")


def store_upload(data: bytes, *, user, file_name: str) -> str:
    """Keep `data` for `user`; returns its SHA-256 (hex), the key of the preview and apply URLs."""
    digest = hashlib.sha256(data).hexdigest()
    folder = _dir(user)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    purge(folder)
    _write(folder / f"{digest}.xlsx", data)
    _write(folder / f"{digest}.json", json.dumps({"file_name": file_name}, ensure_ascii=False).encode())
    return digest


def load_upload(*, user, digest: str) -> tuple[bytes, str] | None:
    """(data, original file name), or None when there is no such upload of this user (expired, applied)."""
    if not DIGEST_RE.fullmatch(digest or ""):
        return None
    folder = _dir(user)
    try:
        data = (folder / f"{digest}.xlsx").read_bytes()
        meta = json.loads((folder / f"{digest}.json").read_text())
    except (OSError, ValueError):
        return None
    if hashlib.sha256(data).hexdigest() != digest:
        return None
    return data, str(meta.get("file_name") or f"{digest[:8]}.xlsx")


def discard_upload(*, user, digest: str) -> None:
    if DIGEST_RE.fullmatch(digest or ""):
        for suffix in (".xlsx", ".json"):
            (_dir(user) / f"{digest}{suffix}").unlink(missing_ok=True)


def purge(folder: Path, *, now: float | None = None) -> None:
    cutoff = (now or time.time()) - KEEP_SECONDS
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue
