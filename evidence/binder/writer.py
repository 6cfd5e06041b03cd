"""Writes a binder (a BinderPlan) as a ZIP, streaming: each stored file is read from the storage in chunks and
written through the standard library's zipfile as it arrives, so memory stays at a chunk or two whatever the
size of the archive, on the file system and on S3. Media and the zip containers of Office files are stored as
they are (ZIP_STORED); the indexes, the cover and the formats that do compress are deflated.

Names are UTF-8 with the ZIP's language-encoding flag (general purpose bit 11) set on every entry, so that
Windows Explorer, macOS Archive Utility and 7-Zip show the Chinese names; entries larger than 4 GiB get ZIP64.

The files come first, then each folder's index and the cover: a stored file found missing, or not of its recorded
size, is left out and the indexes and the cover say so (the integrity check, verify_archive, says why).
"""

from __future__ import annotations

import datetime
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Protocol

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import files
from .cover import make_cover
from .index import folder_index
from .plan import BinderPlan, Entry, cover_file_name

UTF8_FLAG = 0x800  # general purpose bit 11: the name is UTF-8
FILE_MODE = 0o644 << 16
DIR_MODE = (0o40755 << 16) | 0x10  # a directory, and MS-DOS's directory attribute
ZIP64_AT = 2**32 * 0.9


class BinderError(Exception):
    """The binder could not be written (a file changed while it was read)."""


class Progress(Protocol):
    def stage(self, code: str, total: int = 0) -> None: ...

    def advance(self, steps: int = 1) -> None: ...

    def heartbeat(self) -> None: ...


class NoProgress:
    def stage(self, code: str, total: int = 0) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass

    def heartbeat(self) -> None:
        pass


@dataclass
class BinderResult:
    files: int = 0
    bytes: int = 0
    problems: list[str] = field(default_factory=list)
    cover_peak_kib: int = 0  # the peak memory of the process that rendered the cover
    cover_seconds: float = 0.0


class _Utf8Info(zipfile.ZipInfo):
    """An entry whose name is always written as UTF-8 with bit 11 set (zipfile sets it for non-ASCII names only,
    and clears the flags it does not know when the entry is opened for writing)."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("utf-8"), self.flag_bits | UTF8_FLAG


def _zip_time(moment: datetime.datetime | None, fallback: datetime.datetime) -> tuple[int, int, int, int, int, int]:
    local = timezone.localtime(moment or fallback)
    if local.year < 1980:  # ZIP's dates begin in 1980
        return (1980, 1, 1, 0, 0, 0)
    return (local.year, local.month, local.day, local.hour, local.minute, local.second)


def _info(name: str, when: tuple[int, int, int, int, int, int], *, compress: bool) -> _Utf8Info:
    info = _Utf8Info(name, when)
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = FILE_MODE
    return info


def _mkdir(zf: zipfile.ZipFile, name: str, when: tuple[int, int, int, int, int, int]) -> None:
    info = _Utf8Info(name.rstrip("/") + "/", when)
    info.compress_size = info.file_size = info.CRC = 0
    info.external_attr = DIR_MODE
    zf.mkdir(info)


def _copy(zf: zipfile.ZipFile, entry: Entry, when: tuple[int, int, int, int, int, int], progress: Progress) -> int:
    """Stream one stored file into the ZIP; returns its size, or 0 when it is left out (entry.problem says why)."""
    try:
        with files.open_chunks(entry.stored_name) as stream:
            if stream.size != entry.size:
                entry.problem = _("Not included: the stored file has %(found)s where %(recorded)s were recorded.") % {
                    "found": filesizeformat(stream.size),
                    "recorded": filesizeformat(entry.size),
                }
                return 0
            info = _info(entry.path, when, compress=entry.compress)
            info.file_size = stream.size
            written = 0
            with zf.open(info, "w", force_zip64=stream.size > ZIP64_AT) as dest:
                for chunk in stream:
                    dest.write(chunk)
                    written += len(chunk)
                    progress.heartbeat()
    except FileNotFoundError:
        entry.problem = _("Not included: the stored file is missing.")
        return 0
    if written != entry.size:
        raise BinderError(f"{entry.stored_name}: read {written} bytes of {entry.size}")
    return written


def write_binder(plan: BinderPlan, out: IO[bytes], *, progress: Progress | None = None) -> BinderResult:
    """Write the binder to `out` (a local file opened for writing, seekable). Call it with the binder's
    language active."""
    progress = progress or NoProgress()
    result = BinderResult()
    generated = _zip_time(plan.generated_at, plan.generated_at)
    with zipfile.ZipFile(out, "w", allowZip64=True) as zf:
        progress.stage("files", total=len(plan.files))
        for folder in plan.folders:
            _mkdir(zf, folder.name, generated)
            for entry in folder.filed:
                if not entry.has_file:
                    continue
                written = _copy(zf, entry, _zip_time(entry.modified, plan.generated_at), progress)
                if entry.problem:
                    result.problems.append(f"{entry.path}: {entry.problem}")
                else:
                    result.files += 1
                    result.bytes += written
                progress.advance()

        progress.stage("indexes", total=len(plan.folders))
        for folder in plan.folders:
            zf.writestr(_info(folder.index_name, generated, compress=True), folder_index(plan, folder))
            progress.advance()

        progress.stage("cover", total=1)
        with tempfile.TemporaryDirectory(dir=settings.FILE_UPLOAD_TEMP_DIR or None) as tmp:
            cover = Path(tmp) / "cover.pdf"
            started = time.monotonic()
            result.cover_peak_kib = make_cover(plan, cover)
            result.cover_seconds = time.monotonic() - started
            with cover.open("rb") as src, zf.open(_info(cover_file_name(), generated, compress=True), "w") as dest:
                while chunk := src.read(files.CHUNK_SIZE):
                    dest.write(chunk)
        progress.advance()
    return result
