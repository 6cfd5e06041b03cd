"""Every file the evidence archive keeps goes through here, and only here: originals, previews, downloads, the
purge, the sweep, and the reads of the binder and the integrity check (open_chunks, digest_of, stored_names).
Files live in Django's default storage (`storages["default"]`): MEDIA_ROOT, or an S3 bucket by configuration
(civunit/settings.py); nothing else in the app knows which.

An upload arrives as a complete local temporary file (evidence/uploads.py streams it there while hashing it).
It is saved under its final name *before* the transaction that writes the row naming it, and outside it (a
500 MB object going to a bucket must not hold the database's write lock), so a committed row never points at a
missing file; the caller deletes what it saved when its transaction does not commit, and `clean_stale_uploads`
removes what a killed process left in between — stored objects that no row names, older than the grace period —
along with the temporary files of interrupted uploads.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import batched, chain
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import uploads
from .models import StoredFile

log = logging.getLogger(__name__)

CHUNK_SIZE = 1024 * 1024
FILE_FIELDS = ("file", "thumbnail", "screen", "print_copy")
# Where the sweep looks for stored objects that no row names. evidence/tmp is where uploads were streamed before
# they moved out of MEDIA_ROOT: whatever an interrupted upload left there is swept too.
SWEPT_FOLDERS = ("evidence/files", "evidence/previews", "evidence/tmp")
IMPORTS_FOLDER = "evidence/imports"


def storage() -> Storage:
    return storages["default"]


def evidence_file_name(extension: str) -> str:
    """A generated name for an original (never the uploader's file name)."""
    return f"evidence/files/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


def import_zip_name() -> str:
    """Where the coordinator's uploaded ZIP waits for its import job (the worker reads it from the storage: web
    and worker may be different machines); the job deletes it when it ends, the sweep if it never ran."""
    return f"{IMPORTS_FOLDER}/{uuid.uuid4().hex}.zip"


def preview_name(sha256: str, variant: str) -> str:
    return f"evidence/previews/{sha256[:2]}/{uuid.uuid4().hex}-{variant}.jpg"


class _LocalFile(File):
    """A complete local file handed to `Storage.save()`: the file system storage renames it into place when it
    is on the same file system (Django moves files that have a `temporary_file_path()`) instead of copying it;
    other storages read it in chunks (S3: a multipart upload)."""

    def __init__(self, path: Path):
        super().__init__(path.open("rb"), name=path.name)
        self._local_path = path

    def temporary_file_path(self) -> str:
        return str(self._local_path)


def save_local_file(path: Path, name: str) -> str:
    """Save a complete local file under `name`; returns the stored name (a storage may alter a taken name).
    The local file may be gone afterwards (renamed into place); the caller removes it if it is not."""
    with _LocalFile(path) as content:
        return storage().save(name, content)


def save_bytes(name: str, data: bytes) -> str:
    return storage().save(name, ContentFile(data))


def delete_quietly(names: Iterable[str]) -> None:
    """Delete stored files; a failure is logged, not raised (the sweep removes what no row names later)."""
    store = storage()
    for name in names:
        if not name:
            continue
        try:
            store.delete(name)
        except Exception:  # OSError on disk, botocore's errors on S3: neither may undo the caller's work
            log.warning("could not delete stored file %s", name, exc_info=True)


def delete_after_commit(names: Iterable[str]) -> None:
    """Delete stored files once the current transaction commits (a rollback keeps them)."""
    names = [n for n in names if n]
    transaction.on_commit(lambda: delete_quietly(names))


def open_stored(name: str) -> File:
    """The stored file opened for reading in chunks (downloads). Raises FileNotFoundError when it is missing.
    On S3 the object is spooled to a temporary file that spills to disk past AWS_S3_MAX_MEMORY_SIZE."""
    return storage().open(name, "rb")


@contextmanager
def local_path(name: str) -> Iterator[Path]:
    """A local path with the stored file's bytes, for the tools that need a path (Pillow, pdftoppm): the file
    itself on the file system storage, otherwise a temporary copy made in chunks and removed afterwards.
    Raises FileNotFoundError when the stored file is missing."""
    store = storage()
    try:
        path = Path(store.path(name))
    except NotImplementedError:  # not on the local file system
        pass
    else:
        if not path.is_file():
            raise FileNotFoundError(name)
        yield path
        return
    with (
        store.open(name, "rb") as src,
        tempfile.NamedTemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR, suffix=Path(name).suffix) as copy,
    ):
        shutil.copyfileobj(src, copy, CHUNK_SIZE)
        copy.flush()
        yield Path(copy.name)


class StoredStream:
    """A stored file being read in chunks: its size as the storage reports it before any byte is read, and its
    bytes in chunks of at most CHUNK_SIZE. Memory stays at one chunk whatever the file's size, on every
    backend: on S3 the object's body is read as it arrives (Storage.open() would first spool the whole object
    to a temporary file)."""

    def __init__(self, size: int, chunks: Iterator[bytes], close: Callable[[], object]):
        self.size = size
        self._chunks = chunks
        self._close = close

    def __iter__(self) -> Iterator[bytes]:
        return self._chunks

    def close(self) -> None:
        self._close()


def _file_chunks(fh: IO[bytes]) -> Iterator[bytes]:
    while chunk := fh.read(CHUNK_SIZE):
        yield chunk


@contextmanager
def open_chunks(name: str) -> Iterator[StoredStream]:
    """The stored file `name` as a StoredStream (the binder, the integrity check). Raises FileNotFoundError
    when it is missing."""
    store = storage()
    try:
        path = Path(store.path(name))
    except NotImplementedError:  # not on the local file system
        stream = _remote_stream(store, name)
    else:
        try:
            fh = path.open("rb")
        except IsADirectoryError as exc:
            raise FileNotFoundError(name) from exc
        stream = StoredStream(os.fstat(fh.fileno()).st_size, _file_chunks(fh), fh.close)
    try:
        yield stream
    finally:
        stream.close()


def _remote_stream(store: Storage, name: str) -> StoredStream:
    opened = store.open(name, "rb")  # S3: a HEAD request; FileNotFoundError when there is no such object
    obj = getattr(opened, "obj", None)
    if obj is not None and callable(getattr(obj, "get", None)):  # django-storages' S3File: stream the body
        body = obj.get()["Body"]
        return StoredStream(int(obj.content_length), body.iter_chunks(CHUNK_SIZE), body.close)
    return StoredStream(store.size(name), _file_chunks(opened), opened.close)


@dataclass(frozen=True)
class Digest:
    size: int
    sha256: str


def digest_of(name: str) -> Digest:
    """The size and SHA-256 of the stored file `name`, read in chunks. Raises FileNotFoundError."""
    sha = hashlib.sha256()
    size = 0
    with open_chunks(name) as stream:
        for chunk in stream:
            sha.update(chunk)
            size += len(chunk)
    return Digest(size, sha.hexdigest())


def stored_names(folders: Iterable[str]) -> Iterator[str]:
    """Every stored name under `folders`, folder by folder (S3: listed page by page)."""
    store = storage()
    for folder in folders:
        yield from _walk(store, folder)


# --- The sweep of interrupted uploads ----------------------------------------------------------------------


def _walk(store: Storage, folder: str) -> Iterator[str]:
    try:
        folders, names = store.listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _walk(store, f"{folder}/{sub}")


def clean_orphans(*, cutoff: datetime.datetime) -> int:
    """Delete stored objects under SWEPT_FOLDERS that no row names and that were last changed before `cutoff`
    (a younger one may belong to an upload whose transaction has not committed yet); returns how many."""
    store = storage()
    removed = 0
    everything = chain.from_iterable(_walk(store, folder) for folder in SWEPT_FOLDERS)
    for batch in batched(everything, 500):
        any_field = Q()
        for field in FILE_FIELDS:
            any_field |= Q(**{f"{field}__in": batch})
        named = set(chain.from_iterable(StoredFile.objects.filter(any_field).values_list(*FILE_FIELDS)))
        for name in batch:
            if name in named:
                continue
            try:
                if store.get_modified_time(name) >= cutoff:
                    continue
                store.delete(name)
            except FileNotFoundError:
                continue
            removed += 1
    return removed


def clean_import_zips(*, cutoff: datetime.datetime) -> int:
    """Delete uploaded import ZIPs older than `cutoff` that no unfinished job is waiting to read (a job deletes its
    own when it ends; this removes those of jobs that never ran or whose worker died); returns how many."""
    from civunit.jobs.models import Job

    store = storage()
    waiting = {str(p.get("zip")) for p in Job.objects.unfinished().values_list("params", flat=True) if p}
    removed = 0
    for name in _walk(store, IMPORTS_FOLDER):
        try:
            if name in waiting or store.get_modified_time(name) >= cutoff:
                continue
            store.delete(name)
        except FileNotFoundError:
            continue
        removed += 1
    return removed


def clean_stale_uploads(*, older_than_hours: float | None = None, now: datetime.datetime | None = None) -> int:
    """Remove what interrupted uploads left behind longer ago than the grace period: their local temporary
    files, stored objects that no row names, and import ZIPs no job will read. Returns how many files were
    removed."""
    hours = settings.EVIDENCE_TEMP_GRACE_HOURS if older_than_hours is None else older_than_hours
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=hours)
    return (
        uploads.clean_stale_temp_files(cutoff=cutoff.timestamp())
        + clean_orphans(cutoff=cutoff)
        + clean_import_zips(cutoff=cutoff)
    )
