"""The default file storage when no S3 bucket is configured: Django's FileSystemStorage under MEDIA_ROOT, plus an
fsync of each saved file and of its folder before `save()` returns.

The apps save a file before committing the row that names it, so a committed row must never point at a file that
a power cut could still take away. A complete upload whose temporary file is on the same file system is renamed
into place (Django moves files that have a `temporary_file_path()`); otherwise it is copied, and the fsync here
is what makes the copy durable.
"""

from __future__ import annotations

import os
import tempfile

from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.utils._os import safe_makedirs
from django.utils.translation import gettext_lazy


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _Spooled(File):
    """The bytes of a file being saved, spooled to a temporary file beside its place (Django then renames it)."""

    def __init__(self, path: str):
        super().__init__(open(path, "rb"), name=os.path.basename(path))  # noqa: SIM115 (closed by the caller)
        self._path = path

    def temporary_file_path(self) -> str:
        return self._path


def _same_file_system(content, directory: str) -> bool:
    """Whether `content` is a temporary file that Django can rename into `directory` (no copy, no half file)."""
    if not hasattr(content, "temporary_file_path"):
        return False
    try:
        return os.stat(content.temporary_file_path()).st_dev == os.stat(directory).st_dev
    except OSError:
        return False


class DurableFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        # A disk that fills part-way through a file must leave no half file under any name: anything Django would
        # write or copy in place is first written, whole and fsynced, to a temporary file in the same folder,
        # which Django then renames into place; the temporary file is removed if anything fails.
        directory = os.path.dirname(self.path(name))
        if self.directory_permissions_mode is not None:
            safe_makedirs(directory, self.directory_permissions_mode, exist_ok=True)
        else:
            os.makedirs(directory, exist_ok=True)
        if _same_file_system(content, directory):
            name = super()._save(name, content)  # type: ignore[misc]  # private to Django, not in django-stubs
        else:
            fd, spooled = tempfile.mkstemp(dir=directory, prefix=".saving-")
            try:
                with os.fdopen(fd, "wb") as out:
                    for chunk in content.chunks():
                        out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                    out.flush()
                    os.fsync(out.fileno())
                whole = _Spooled(spooled)
                try:
                    name = super()._save(name, whole)  # type: ignore[misc]
                finally:
                    whole.close()
            finally:
                if os.path.lexists(spooled):
                    os.unlink(spooled)
        full_path = self.path(name)
        _fsync(full_path)
        _fsync(os.path.dirname(full_path))
        return name


# What a person is told when the storage refuses a file (disk full, bucket unreachable: an OSError).
STORAGE_FAILED = gettext_lazy(
    "The file could not be stored: the server's storage is full or unavailable. Nothing was saved; try again "
    "later or tell the administrator."
)
