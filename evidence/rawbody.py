"""Uploads sent as the raw request body: the upload page's script sends the File itself (its own Content-Type), its
name percent-encoded in X-Civunit-File-Name and the form's fields URL-encoded in X-Civunit-Fields; the CSRF
token travels in X-CSRFToken as for any script's request. The endpoints that receive one file
(evidence/views/_upload.py) take such a request when X-Civunit-File-Name is present; multipart stays the
page's fallback without the script (and for fields too long for a header).

Behind nginx (deploy/nginx/civunit.conf.template) the body is the whole of nginx's request body file
(`client_body_in_file_only`), whose path nginx alone passes, with NGINX_UPLOAD_SECRET (evidence/offload.py
checks both and that the path lies under NGINX_UPLOAD_DIR). That file becomes the upload's file itself: opened
without following a link, checked to be a regular file with one name and exactly the size nginx received,
read once to hash it, fsynced, and then renamed into the storage by the file system storage (Django moves a
file that has a temporary_file_path()): no byte is copied, in Python or in the kernel. On S3, across file
systems, or when the file is not the app's own (it could not set its permissions), the bytes are copied as
for any upload. Without nginx the body is read from the request in chunks to a temporary upload file, as
the multipart handler does.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from . import offload
from .uploads import CHUNK_SIZE, ReceivedFile, open_temp, remove_quietly

NAME_HEADER = "HTTP_X_CIVUNIT_FILE_NAME"
FIELDS_HEADER = "HTTP_X_CIVUNIT_FIELDS"
READ_SIZE = 4 * CHUNK_SIZE
# The token is taken from X-CSRFToken only (never from a field the request carries in a header of its own).
CSRF_FIELD = "csrfmiddlewaretoken"


class Unreadable(Exception):
    """The body is not what the request says it is (shorter, longer, not a plain file): nothing was kept."""


def is_raw(request: HttpRequest) -> bool:
    return NAME_HEADER in request.META


def install_fields(request: HttpRequest) -> str:
    """Make the fields of X-Civunit-Fields the request's POST (and its FILES empty) before anything reads the
    body, which is the file. Returns '' or what was wrong, for the user."""
    request._files = MultiValueDict()  # type: ignore[attr-defined]
    request._post = QueryDict()  # type: ignore[attr-defined]
    encoded = request.META.get(FIELDS_HEADER, "")
    if len(encoded) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return _("The form fields are too large.")
    try:
        fields = QueryDict(encoded, mutable=True, encoding="utf-8")  # at most DATA_UPLOAD_MAX_NUMBER_FIELDS
    except TooManyFieldsSent:
        return _("The request carries too many fields.")
    fields.pop(CSRF_FIELD, None)
    fields._mutable = False
    request._post = fields  # type: ignore[attr-defined]
    if not file_name(request):
        return _("The file's name could not be read. Please rename the file and try again.")
    return ""


def file_name(request: HttpRequest) -> str:
    """The file's name as the browser gave it ('' when missing or not UTF-8 once percent-decoded)."""
    try:
        name = unquote(request.META.get(NAME_HEADER, ""), errors="strict")
    except UnicodeDecodeError:
        return ""
    return name if "\x00" not in name else ""


def declared_size(request: HttpRequest, body_file: Path | None) -> int | None:
    """The body's size as nginx received it (behind nginx) or as the request declares it; None if unknown."""
    if body_file is None:
        value = request.META.get("CONTENT_LENGTH") or "0"  # none: no body, as Django reads it
    else:
        value = request.META.get(offload.LENGTH_HEADER, "")  # none: nginx received a chunked body
    return int(value) if value.isascii() and value.isdigit() else None


def take_over(path: Path, *, size: int, name: str, content_type: str) -> ReceivedFile:
    """nginx's body file `path` (checked by offload.body_file) as the upload's file, hashed and fsynced where it
    lies; a copy only when the file is not the app's own. Raises Unreadable."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise Unreadable(f"cannot open the body file: {exc}") from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode) or opened.st_nlink != 1:
            raise Unreadable("the body file is not a plain file with one name")
        if opened.st_size != size:
            raise Unreadable(f"the body file holds {opened.st_size} bytes, nginx received {size}")
        digest = _hash(fd, size)
        os.fsync(fd)
        now = os.lstat(path)
        if (now.st_dev, now.st_ino, now.st_size) != (opened.st_dev, opened.st_ino, opened.st_size):
            raise Unreadable("the body file changed while it was read")
    finally:
        os.close(fd)
    temp_path = path
    if opened.st_uid != os.geteuid():
        # Renamed, it would stay another user's file, whose mode the storage cannot set: copy it instead.
        temp_path = offload.copy_out(path, 0, size)
    return ReceivedFile(temp_path=temp_path, name=name, size=size, sha256=digest, browser_content_type=content_type)


def _hash(fd: int, size: int) -> str:
    digest = hashlib.sha256()
    buffer = bytearray(READ_SIZE)
    view = memoryview(buffer)
    total = 0
    with contextlib.suppress(OSError):
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
    while n := os.readv(fd, [buffer]):
        digest.update(view[:n])
        total += n
    if total != size:
        raise Unreadable("the body file changed size while it was read")
    return digest.hexdigest()


def read_body(request: HttpRequest, *, size: int, name: str, content_type: str) -> ReceivedFile:
    """The request's body (without nginx) streamed to a new temporary upload file while it is hashed, fsynced.
    Raises Unreadable when fewer or more bytes than declared arrive; the temporary file is then removed."""
    path, fd = open_temp()
    digest = hashlib.sha256()
    total = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := request.read(CHUNK_SIZE):
                total += len(chunk)
                if total > size:
                    raise Unreadable("the body is longer than declared")
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if total != size:
            raise Unreadable(f"the body ended after {total} of {size} bytes")
    except BaseException:
        remove_quietly(path)
        raise
    return ReceivedFile(
        temp_path=path, name=name, size=size, sha256=digest.hexdigest(), browser_content_type=content_type
    )
