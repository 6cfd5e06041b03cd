"""The default file storage when no S3 bucket is configured: Django's FileSystemStorage under MEDIA_ROOT, plus an
fsync of each saved file and of its folder before `save()` returns.

The apps save a file before committing the row that names it, so a committed row must never point at a file that
a power cut could still take away. A complete upload whose temporary file is on the same file system is renamed
into place (Django moves files that have a `temporary_file_path()`); otherwise it is copied, and the fsync here
is what makes the copy durable.
"""

from __future__ import annotations

import os

from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext_lazy


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DurableFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        name = super()._save(name, content)  # type: ignore[misc]  # private to Django, not in django-stubs
        full_path = self.path(name)
        _fsync(full_path)
        _fsync(os.path.dirname(full_path))
        return name


# What a person is told when the storage refuses a file (disk full, bucket unreachable: an OSError).
STORAGE_FAILED = gettext_lazy(
    "The file could not be stored: the server's storage is full or unavailable. Nothing was saved; try again "
    "later or tell the administrator."
)
