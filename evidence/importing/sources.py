"""Reading an existing archive safely: a folder on the server or a ZIP file, as a list of entries whose bytes are
streamed one at a time to a local temporary file (hashed on the way), exactly as an upload arrives
(evidence/uploads.py), so that every file then goes through the upload's intake.

A ZIP is checked whole before a single entry is extracted, and refused (ArchiveRefused, nothing read) when an
entry's name is absolute or climbs out with `..`, when an entry is a symbolic link or another special file (the
Unix mode in `external_attr`), or when the entry count or the declared unpacked size is over the caps
(EVIDENCE_IMPORT_MAX_FILES, EVIDENCE_IMPORT_MAX_BYTES). While extracting, the bytes actually decompressed are
counted against the entry's declared size and the run's cap, so a ZIP that lies about its sizes stops the run.

Names: a ZIP written by Windows' own compressor or an older tool stores GBK names without the UTF-8 flag (bit 11),
which Python reads as cp437; they are turned back into their bytes and read as UTF-8, else GB18030 (an Info-ZIP
Unicode Path extra field, when present and matching, wins). Hidden files (.DS_Store, Thumbs.db, desktop.ini,
Office's ~$ lock files, __MACOSX/ and any folder or file whose name begins with a dot) are skipped and counted.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Protocol

from django.conf import settings
from django.utils.translation import gettext as _

from .. import uploads
from ..sniffing import human_size

CHUNK_SIZE = 1024 * 1024
# Names that are the system's, not the archive's.
HIDDEN_NAMES = {"__macosx", "thumbs.db", "ehthumbs.db", "desktop.ini", "$recycle.bin", "system volume information"}
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
_UNICODE_PATH_EXTRA = 0x7075
_DRIVE = re.compile(r"^[A-Za-z]:")
# What reading a damaged, encrypted or oddly compressed entry raises.
_UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, zlib.error)


class ArchiveRefused(Exception):
    """The whole folder or ZIP is refused before anything is taken; str(self) is the message for the user."""


class EntryUnreadable(Exception):
    """One entry cannot be read (damaged, encrypted, an unknown compression); the others can."""


@dataclass(frozen=True)
class Entry:
    """One file of the archive: its path as people read it ('6.2.1 常态化志愿服务/学雷锋/照片1.jpg')."""

    path: str
    size: int  # as declared (a ZIP's central directory) or found (a folder's file)
    key: object = field(default=None, compare=False, repr=False)  # the source's handle on it
    refusal: str = ""  # refused before reading (a link in a folder, an encrypted entry)

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.path.split("/"))

    @property
    def name(self) -> str:
        return self.parts[-1]


class ArchiveSource(Protocol):
    label: str
    entries: list[Entry]
    skipped: list[str]

    def receive(self, entry: Entry) -> uploads.ReceivedFile: ...

    def close(self) -> None: ...


def max_files() -> int:
    return int(settings.EVIDENCE_IMPORT_MAX_FILES)


def max_bytes() -> int:
    return int(settings.EVIDENCE_IMPORT_MAX_BYTES)


def max_file_size() -> int:
    """No evidence file may be larger than the largest kind's limit."""
    limits: dict[str, int] = settings.EVIDENCE_MAX_SIZE
    return max(limits.values())


def is_hidden(parts: tuple[str, ...]) -> bool:
    return any(p.startswith((".", "~$")) or p.lower() in HIDDEN_NAMES for p in parts)


def _too_many(count: int) -> ArchiveRefused:
    return ArchiveRefused(
        _("The archive holds %(count)d entries, more than the %(limit)d one import may take. Split it into parts.")
        % {"count": count, "limit": max_files()}
    )


def _too_big(size: int) -> ArchiveRefused:
    return ArchiveRefused(
        _("The archive unpacks to %(size)s, more than the %(limit)s one import may take. Split it into parts.")
        % {"size": human_size(size), "limit": human_size(max_bytes())}
    )


def _copy_to_temp(
    src: IO[bytes], *, name: str, limit: int, on_bytes: Callable[[int], None] | None = None
) -> uploads.ReceivedFile:
    """Stream `src` to a new temporary file while hashing it; more than `limit` bytes raises EntryTooLarge."""
    path, fd = uploads.open_temp()
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := src.read(CHUNK_SIZE):
                size += len(chunk)
                if size > limit:
                    raise _EntryTooLarge(size)
                if on_bytes is not None:
                    on_bytes(len(chunk))
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        uploads.remove_quietly(path)
        raise
    return uploads.ReceivedFile(
        temp_path=path, name=name, size=size, sha256=digest.hexdigest(), browser_content_type=""
    )


class _EntryTooLarge(Exception):
    def __init__(self, size: int):
        super().__init__(size)
        self.size = size


# --- ZIP ---------------------------------------------------------------------------------------------------


def _unicode_path(info: zipfile.ZipInfo, raw: bytes) -> str | None:
    """The Info-ZIP Unicode Path extra field (0x7075): a UTF-8 name, valid when its CRC is the raw name's."""
    extra = info.extra
    pos = 0
    while pos + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, pos)
        data = extra[pos + 4 : pos + 4 + length]
        pos += 4 + length
        if tag != _UNICODE_PATH_EXTRA or len(data) < 5 or data[0] != 1:
            continue
        (crc,) = struct.unpack_from("<I", data, 1)
        if crc != zlib.crc32(raw):
            return None
        try:
            return data[5:].decode("utf-8")
        except UnicodeDecodeError:
            return None
    return None


def entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as it was written: UTF-8 when flagged, else the bytes Python read as cp437, read as UTF-8
    or else GB18030 (the names Windows writes in a Chinese locale)."""
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    if (unicode := _unicode_path(info, raw)) is not None:
        return unicode
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _unix_mode(info: zipfile.ZipInfo) -> int:
    return (info.external_attr >> 16) & 0xFFFF


def _declared_entry_count(path: Path) -> int | None:
    """The entry count of the end of central directory record (zip64 included), read before Python builds the
    whole directory in memory; None when the record cannot be read (ZipFile then says what is wrong)."""
    end_record = getattr(zipfile, "_EndRecData", None)
    if end_record is None:  # pragma: no cover (a Python without it)
        return None
    try:
        with path.open("rb") as fh:
            record = end_record(fh)
    except (OSError, struct.error, zipfile.BadZipFile):
        return None
    if not record:
        return None
    return int(record[zipfile._ECD_ENTRIES_TOTAL])  # type: ignore[attr-defined]  # (private, stable since 2.x)


def check_zip(path: Path) -> None:
    """Refuse a hostile or oversized ZIP from its directory alone (nothing extracted). Raises ArchiveRefused."""
    ZipSource(path).close()


class ZipSource:
    """The files of a ZIP, checked whole when opened."""

    def __init__(self, path: Path, *, label: str = ""):
        self.label = label or path.name
        self.entries: list[Entry] = []
        self.skipped: list[str] = []
        self._unpacked = 0
        declared = _declared_entry_count(path)
        if declared is not None and declared > max_files():
            raise _too_many(declared)
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise ArchiveRefused(_("This is not a ZIP file, or it is damaged.")) from exc
        try:
            self._read_directory()
        except BaseException:
            self._zip.close()
            raise

    def _read_directory(self) -> None:
        infos = self._zip.infolist()
        if len(infos) > max_files():
            raise _too_many(len(infos))
        total = 0
        for info in infos:
            name = entry_name(info).replace("\\", "/")
            if name.startswith("/") or _DRIVE.match(name):
                raise ArchiveRefused(
                    _("The ZIP is refused: the entry “%(name)s” has an absolute path.") % {"name": name[:200]}
                )
            parts = [p for p in name.split("/") if p not in ("", ".")]
            if ".." in parts:
                message = _("The ZIP is refused: the entry “%(name)s” points outside the archive (..).")
                raise ArchiveRefused(message % {"name": name[:200]})
            mode = _unix_mode(info)
            kind = stat.S_IFMT(mode)
            if stat.S_ISLNK(mode):
                raise ArchiveRefused(_("The ZIP is refused: the entry “%(name)s” is a link.") % {"name": name[:200]})
            if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
                raise ArchiveRefused(
                    _("The ZIP is refused: the entry “%(name)s” is not an ordinary file.") % {"name": name[:200]}
                )
            if info.is_dir() or kind == stat.S_IFDIR or not parts:
                continue
            total += info.file_size
            if total > max_bytes():
                raise _too_big(total)
            path = "/".join(parts)
            if is_hidden(tuple(parts)):
                self.skipped.append(path)
                continue
            refusal = _("The file is encrypted and cannot be read.") if info.flag_bits & _ENCRYPTED_FLAG else ""
            self.entries.append(Entry(path=path, size=info.file_size, key=info, refusal=refusal))

    def receive(self, entry: Entry) -> uploads.ReceivedFile:
        info = entry.key
        if not isinstance(info, zipfile.ZipInfo):
            raise TypeError("not an entry of this ZIP")
        limit = min(info.file_size, max_file_size() + 1)

        def count(n: int) -> None:
            self._unpacked += n
            if self._unpacked > max_bytes():
                raise _too_big(self._unpacked)

        try:
            with self._zip.open(info) as src:
                return _copy_to_temp(src, name=entry.name, limit=limit, on_bytes=count)
        except _EntryTooLarge as exc:
            if exc.size > info.file_size:
                raise ArchiveRefused(
                    _("The ZIP is refused: “%(name)s” unpacks to more than it declares.") % {"name": entry.path[:200]}
                ) from exc
            raise EntryUnreadable(
                _("The file is too large: at most %(limit)s.") % {"limit": human_size(max_file_size())}
            ) from exc
        except _UNREADABLE as exc:
            raise EntryUnreadable(_("The file is damaged inside the ZIP and cannot be read.")) from exc

    def close(self) -> None:
        self._zip.close()


# --- A folder on the server ------------------------------------------------------------------------------


class FolderSource:
    """The files under a folder, walked without following links; links and special files are refused one by one."""

    def __init__(self, root: Path, *, label: str = ""):
        self.label = label or str(root)
        self.root = root
        self.entries: list[Entry] = []
        self.skipped: list[str] = []
        count = total = 0
        for path, parts, st in self._walk():
            count += 1
            if count > max_files():
                raise _too_many(count)
            rel = "/".join(parts)
            if is_hidden(parts):
                self.skipped.append(rel)
                continue
            if stat.S_ISLNK(st.st_mode):
                self.entries.append(Entry(path=rel, size=0, refusal=_("Links are not imported.")))
                continue
            if not stat.S_ISREG(st.st_mode):
                self.entries.append(Entry(path=rel, size=0, refusal=_("This is not an ordinary file.")))
                continue
            total += st.st_size
            if total > max_bytes():
                raise _too_big(total)
            self.entries.append(Entry(path=rel, size=st.st_size, key=path))

    def _walk(self) -> Iterator[tuple[Path, tuple[str, ...], os.stat_result]]:
        for dirpath, dirnames, filenames in os.walk(self.root, followlinks=False):
            here = Path(dirpath)
            rel = here.relative_to(self.root).parts
            dirnames.sort()
            for name in list(dirnames):
                if (here / name).is_symlink():  # listed, never entered
                    dirnames.remove(name)
                    filenames.append(name)
                elif is_hidden((name,)):  # not entered: skipped whole
                    dirnames.remove(name)
                    self.skipped.append("/".join((*rel, name)) + "/")
            for name in sorted(filenames):
                path = here / name
                with contextlib.suppress(FileNotFoundError):
                    yield path, (*rel, name), path.lstat()

    def receive(self, entry: Entry) -> uploads.ReceivedFile:
        path = entry.key
        if not isinstance(path, Path):
            raise TypeError("not a file of this folder")
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError as exc:
            raise EntryUnreadable(_("The file cannot be read.")) from exc
        with os.fdopen(fd, "rb") as src:
            if not stat.S_ISREG(os.fstat(src.fileno()).st_mode):
                raise EntryUnreadable(_("This is not an ordinary file."))
            try:
                return _copy_to_temp(src, name=entry.name, limit=max_file_size())
            except _EntryTooLarge as exc:
                raise EntryUnreadable(
                    _("The file is too large: at most %(limit)s.") % {"limit": human_size(max_file_size())}
                ) from exc

    def close(self) -> None:
        pass


@contextlib.contextmanager
def open_source(path: Path, *, label: str = "") -> Iterator[ArchiveSource]:
    """The folder or ZIP at `path`, checked; raises ArchiveRefused."""
    source: ArchiveSource
    if path.is_dir():
        source = FolderSource(path, label=label)
    elif path.is_file():
        source = ZipSource(path, label=label)
    else:
        raise ArchiveRefused(_("There is no folder or ZIP file at %(path)s.") % {"path": str(path)})
    try:
        yield source
    finally:
        source.close()
