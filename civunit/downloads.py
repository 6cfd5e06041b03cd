"""Every file the app sends goes through here: one Content-Disposition and no caching.

- `Content-Disposition` follows RFC 6266: an ASCII `filename="…"` for old clients beside
  `filename*=UTF-8''…` with the real (usually Chinese) name, which every current browser prefers.
- `Cache-Control: private, no-store, no-transform`: office computers are shared, and a workbook of the whole
  breakdown or an evidence file must not stay in a browser's or a proxy's cache; no proxy may recompress it.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from django.http import HttpResponse

CACHE_CONTROL = "private, no-store, no-transform"
# RFC 5987 attr-char besides letters and digits: everything else in filename* is percent-encoded.
_ATTR_CHARS = "!#$&+-.^_`|~"
# Printable ASCII a quoted filename may hold: no quote, backslash or percent (some clients decode it).
_UNSAFE_IN_FALLBACK = re.compile(r'[^\x20-\x7e]|["\\%]')


def content_disposition(filename: str, *, inline: bool = False, fallback: str = "download") -> str:
    """`attachment; filename="…"; filename*=UTF-8''…` (or `inline; …`).

    The ASCII name is the file name itself when it is plain ASCII, else `fallback` with the file's extension.
    """
    filename = re.sub(r"[\x00-\x1f\x7f]", "", filename) or fallback
    stem, dot, ext = filename.rpartition(".")
    if not filename.isascii():
        ext = ext if dot and stem and ext.isascii() and ext.isalnum() else ""
        ascii_name = f"{fallback}.{ext}" if ext else fallback
    else:
        ascii_name = filename
    ascii_name = _UNSAFE_IN_FALLBACK.sub("_", ascii_name)
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe=_ATTR_CHARS)}"


def protect(response: HttpResponse, *, filename: str, inline: bool = False, fallback: str = "download"):
    """The headers every file download carries (the caller adds a Content-Security-Policy where it serves one)."""
    response["Content-Disposition"] = content_disposition(filename, inline=inline, fallback=fallback)
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def attachment(data: bytes | str, *, content_type: str, filename: str, fallback: str = "download") -> HttpResponse:
    """An export (workbook, JSON) built in memory, as a download."""
    return protect(HttpResponse(data, content_type=content_type), filename=filename, fallback=fallback)
