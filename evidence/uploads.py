"""Receiving one uploaded file: streamed to a local temporary file (under FILE_UPLOAD_TEMP_DIR, never under
MEDIA_ROOT) while its SHA-256 is computed, never held whole in memory, fsynced when complete. The services save
it to the storage (evidence/files.py); whatever an interrupted upload leaves behind is removed after a grace
period (files.clean_stale_uploads). The views that receive a file install the handler, check the CSRF token and
discard the temporary file through one decorator (evidence/views/_upload.py, @streaming_upload)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopFutureHandlers, StopUpload

TEMP_SUFFIX = ".part"
CHUNK_SIZE = 1024 * 1024


def temp_dir() -> Path:
    path = Path(settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir()) / "civunit-uploads"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def open_temp() -> tuple[Path, int]:
    """A new temporary file (exclusive create), returned as (path, fd)."""
    path = temp_dir() / f"{uuid.uuid4().hex}{TEMP_SUFFIX}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    return path, fd


def remove_quietly(path: Path | None) -> None:
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def clean_stale_temp_files(*, cutoff: float) -> int:
    """Remove temporary files of interrupted uploads last changed before `cutoff` (a time.time() value)."""
    removed = 0
    for path in temp_dir().glob(f"*{TEMP_SUFFIX}"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


@dataclass
class ReceivedFile:
    """A whole uploaded file in a local temporary file (not yet stored)."""

    temp_path: Path
    name: str  # as the browser sent it; clean it before showing or storing
    size: int
    sha256: str
    browser_content_type: str

    def close(self) -> None:
        """Django closes parsed files when parsing fails; the file on disk is already closed."""


class EvidenceUploadHandler(FileUploadHandler):
    """Streams the request's single file to disk and hashes it on the way; skips any further file.

    After parsing, `received`, `extra_files` and `too_large` say what arrived; `discard()` is always called
    afterwards (by @streaming_upload): the temporary file stays until then, whether or not it was saved to the
    storage.
    """

    chunk_size = CHUNK_SIZE

    def __init__(self, request=None, *, max_size: int):
        super().__init__(request)
        self.max_size = max_size
        self.received: ReceivedFile | None = None
        self.extra_files = 0
        self.too_large = False
        self._path: Path | None = None
        self._fh: BinaryIO | None = None
        self._hash: Any = None  # a hashlib object
        self._seen_file = False

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        if self._seen_file:
            self.extra_files += 1
            raise SkipFile
        self._seen_file = True
        self._path, fd = open_temp()
        self._fh = os.fdopen(fd, "wb")
        self._hash = hashlib.sha256()
        raise StopFutureHandlers

    def receive_data_chunk(self, raw_data, start):
        if self._fh is None:
            return None
        if start + len(raw_data) > self.max_size:
            self.too_large = True
            self._abort()
            raise StopUpload(connection_reset=False)
        self._fh.write(raw_data)
        self._hash.update(raw_data)
        return None

    def file_complete(self, file_size):
        if self._fh is None or self._path is None:
            return None
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        self._fh = None
        self.received = ReceivedFile(
            temp_path=self._path,
            name=self.file_name or "",
            size=file_size,
            sha256=self._hash.hexdigest(),
            browser_content_type=self.content_type or "",
        )
        return self.received

    def upload_interrupted(self):
        self._abort()

    def _abort(self):
        if self._fh is not None:
            try:
                self._fh.close()
            finally:
                self._fh = None
        remove_quietly(self._path)
        self._path = None
        self.received = None

    def discard(self) -> None:
        """Remove the temporary file (already gone if the file system storage renamed it into place)."""
        self._abort()
