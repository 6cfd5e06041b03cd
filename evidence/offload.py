"""Uploads that nginx already wrote to disk (deploy/nginx/civunit.conf.template): the request carries no body but
the path of nginx's request body file (`client_body_in_file_only`), with the secret both share. The multipart body
is parsed from that file: the fields are read, the one file's bytes are hashed (and counted against the size
limit) where they lie, and only then copied inside the kernel (copy_file_range, same file system) to a temporary
upload file under FILE_UPLOAD_TEMP_DIR, which the storage then takes over by a rename as always; the rest of the
intake (sniffing, checks) runs exactly as for a body read by Django. Python reads the bytes once, to hash them,
and never writes them: against gunicorn reading the body (a copy through Python per chunk, then a write) a 500 MB
upload cost 1.0-1.9x copying, fsyncing and hashing the file once, the disk permitting (bench/
nginx_upload_bench.py, README). This is the fallback of the upload page without its script: the script sends the
file as the raw body, whose body file is renamed into the storage instead (evidence/rawbody.py).

Trusted only when the request carries NGINX_UPLOAD_SECRET (nginx overwrites whatever a client sends) and the path
lies under NGINX_UPLOAD_DIR and names a regular file, not a symbolic link; anything else is refused with 400,
never read.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.http import parse_header_parameters

from .uploads import CHUNK_SIZE, ReceivedFile, open_temp, remove_quietly

SECRET_HEADER = "HTTP_X_CIVUNIT_UPLOAD_SECRET"  # noqa: S105 (a header name)
FILE_HEADER = "HTTP_X_CIVUNIT_UPLOAD_FILE"
LENGTH_HEADER = "HTTP_X_CIVUNIT_UPLOAD_LENGTH"
READ_SIZE = 4 * CHUNK_SIZE
MAX_HEADER_BYTES = 16 * 1024


class OffloadRefused(Exception):
    """The request names a body file it may not (wrong secret, a path outside NGINX_UPLOAD_DIR, not a file)."""


class Malformed(Exception):
    """The body file is not a well-formed multipart body."""


def body_file(request: HttpRequest) -> Path | None:
    """nginx's body file for this request, or None when the request carries its body itself."""
    named = request.META.get(FILE_HEADER, "")
    given = request.META.get(SECRET_HEADER, "")
    if not named and not given:
        return None
    secret = settings.NGINX_UPLOAD_SECRET
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        raise OffloadRefused("wrong or missing upload secret")
    base = Path(os.path.realpath(settings.NGINX_UPLOAD_DIR))
    path = Path(os.path.realpath(named))
    if not named.startswith("/") or base not in path.parents:
        raise OffloadRefused("body file outside NGINX_UPLOAD_DIR")
    try:
        named_stat = os.lstat(named)  # the name itself: nginx never names a symbolic link
    except OSError:
        raise OffloadRefused("body file missing") from None
    if not stat.S_ISREG(named_stat.st_mode) or not path.is_file():
        raise OffloadRefused("body file missing or not a regular file")
    declared = request.META.get(LENGTH_HEADER, "")
    if declared.isascii() and declared.isdigit() and int(declared) != path.stat().st_size:
        raise OffloadRefused("body file is not whole")
    return path


@dataclass
class Parsed:
    fields: QueryDict
    received: ReceivedFile | None = None
    extra_files: int = 0
    too_large: bool = False
    field_name: str = ""


def _disposition(headers: bytes) -> tuple[str, str | None, str]:
    """(field name, file name or None, content type) of a part's headers."""
    name, filename, content_type = "", None, ""
    for line in headers.decode("utf-8", "replace").split("\r\n"):
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key == "content-disposition":
            _, params = parse_header_parameters(value.strip())
            name = params.get("name", "")
            if "filename" in params:
                filename = params["filename"]
        elif key == "content-type":
            content_type = value.strip()
    return name, filename, content_type


class _Reader:
    """Sequential reads of the body file with a small look-ahead buffer; `offset` is the file offset of buf[0]."""

    def __init__(self, fh):
        self.fh = fh
        self.buf = b""
        self.offset = 0
        self.eof = False

    def more(self) -> bool:
        if self.eof:
            return False
        chunk = self.fh.read(READ_SIZE)
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def consume(self, n: int) -> None:
        self.buf = self.buf[n:]
        self.offset += n

    def find(self, needle: bytes, limit: int | None = None) -> int:
        """Index of `needle` in the buffer, reading on as needed (at most `limit` bytes buffered); -1 at EOF."""
        start = 0
        while True:
            idx = self.buf.find(needle, start)
            if idx >= 0:
                return idx
            if limit is not None and len(self.buf) > limit:
                raise Malformed("part headers too long")
            start = max(0, len(self.buf) - len(needle) + 1)
            if not self.more():
                return -1


def parse(path: Path, content_type: str, *, max_size: int) -> Parsed:
    """Parse the multipart body in `path`: fields, and the first file's bytes hashed where they lie and then moved
    to a temporary upload file of their own (see the module's docstring). Later files are counted, not kept."""
    kind, params = parse_header_parameters(content_type)
    boundary = params.get("boundary", "").encode("ascii", "replace")
    if kind != "multipart/form-data" or not boundary or len(boundary) > 200:
        raise Malformed("not a multipart body")
    delimiter = b"--" + boundary
    separator = b"\r\n" + delimiter
    fields = QueryDict(mutable=True)
    parsed = Parsed(fields=fields)
    field_bytes = 0
    file_span: tuple[int, int] | None = None
    with path.open("rb", buffering=0) as fh:
        reader = _Reader(fh)
        idx = reader.find(delimiter, limit=MAX_HEADER_BYTES)
        if idx < 0:
            raise Malformed("no boundary")
        reader.consume(idx + len(delimiter))
        while True:
            while len(reader.buf) < 2 and reader.more():
                pass
            if reader.buf.startswith(b"--"):
                break  # the closing delimiter
            if not reader.buf.startswith(b"\r\n"):
                raise Malformed("bad delimiter line")
            reader.consume(2)
            end = reader.find(b"\r\n\r\n", limit=MAX_HEADER_BYTES)
            if end < 0:
                raise Malformed("part headers never end")
            name, filename, part_type = _disposition(reader.buf[:end])
            reader.consume(end + 4)
            is_file = filename is not None
            keep_file = is_file and bool(filename) and file_span is None
            if is_file and filename and file_span is not None:
                parsed.extra_files += 1
            digest = hashlib.sha256() if keep_file else None
            start = reader.offset
            value = bytearray()
            while True:
                idx = reader.buf.find(separator)
                upto = idx if idx >= 0 else max(0, len(reader.buf) - len(separator) + 1)
                if upto:
                    if digest is not None:
                        digest.update(memoryview(reader.buf)[:upto])
                        if reader.offset + upto - start > max_size:
                            parsed.too_large = True
                            return parsed
                    elif not is_file:
                        field_bytes += upto
                        if field_bytes > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                            raise Malformed("form fields too large")
                        value += reader.buf[:upto]
                    reader.consume(upto)
                if idx >= 0:
                    break
                if not reader.more():
                    raise Malformed("part never ends")
            end_offset = reader.offset
            reader.consume(len(separator))
            if keep_file and digest is not None:
                file_span = (start, end_offset)
                parsed.field_name = name
                parsed.received = ReceivedFile(
                    temp_path=path,  # replaced by the moved file below
                    name=filename or "",
                    size=end_offset - start,
                    sha256=digest.hexdigest(),
                    browser_content_type=part_type,
                )
            elif not is_file:
                if len(fields) >= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:
                    raise Malformed("too many fields")
                fields.appendlist(name, value.decode("utf-8", "replace"))
    fields._mutable = False
    if parsed.received is not None and file_span is not None:
        parsed.received.temp_path = copy_out(path, *file_span)
    return parsed


def copy_out(body: Path, start: int, end: int) -> Path:
    """The file's bytes [start, end) of the body file as a new temporary upload file, fsynced: copied inside the
    kernel (copy_file_range: on one file system no byte passes through Python, nor through user space)."""
    target, fd = open_temp()
    try:
        with body.open("rb") as src:
            copied = 0
            while copied < end - start:
                n = os.copy_file_range(src.fileno(), fd, end - start - copied, start + copied)
                if n == 0:
                    raise OSError("body file shrank while it was copied")
                copied += n
        os.fsync(fd)
    except BaseException:
        remove_quietly(target)
        raise
    finally:
        os.close(fd)
    return target


def install(request: HttpRequest, parsed: Parsed) -> None:
    """Make the parsed body the request's POST and FILES, as Django's own parsing would have."""
    request._post = parsed.fields  # type: ignore[attr-defined]
    files: MultiValueDict = MultiValueDict()
    if parsed.received is not None:
        files.appendlist(parsed.field_name, parsed.received)
    request._files = files  # type: ignore[attr-defined]
