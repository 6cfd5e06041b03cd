"""Every file the app sends goes through here: one Content-Disposition, no caching, and no id probing.

- `Content-Disposition` follows RFC 6266: an ASCII `filename="…"` for old clients beside
  `filename*=UTF-8''…` with the real (usually Chinese) name, which every current browser prefers.
- `Cache-Control: private, no-store, no-transform`: office computers are shared, and a workbook of the whole
  breakdown or an evidence file must not stay in a browser's or a proxy's cache; no proxy may recompress it.
- `record_download` for the generated files (a job's result, the binder among them; a kept report's PDF or Word
  copy): who, when, which file, from which address, one insert, on the audit trail beside the evidence downloads
  (which evidence keeps in its own history, evidence/services/downloads.py).
- `throttle_not_found` on the views that serve files by id: a person who meets many 404s on them in a short
  time (walking the ids) gets 429 for a while, and the log says who.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import wraps
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, Storage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render

from civunit.http import client_ip
from civunit.jobs.models import FileDownload
from civunit.log import describe_person

logger = logging.getLogger("civunit.downloads")

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


def protect[R: HttpResponseBase](response: R, *, filename: str, inline: bool = False, fallback: str = "download") -> R:
    """The headers every file download carries (the caller adds a Content-Security-Policy where it serves one).
    Any response: an HttpResponse built in memory or a FileResponse streamed from storage."""
    response["Content-Disposition"] = content_disposition(filename, inline=inline, fallback=fallback)
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def attachment(data: bytes | str, *, content_type: str, filename: str, fallback: str = "download") -> HttpResponse:
    """An export (workbook, JSON) built in memory, as a download."""
    return protect(HttpResponse(data, content_type=content_type), filename=filename, fallback=fallback)


def record_download(*, user, source: str, object_id: int, variant: str = "", file_name: str = "") -> FileDownload:
    """One insert per download of a generated file (the address comes from the request through civunit.audit);
    `source` is a FileDownload.Source, `variant` the job's kind or the file's format."""
    return FileDownload.objects.create(
        source=source, object_id=object_id, variant=variant[:50], file_name=file_name[:255], actor_id=user.pk
    )


# --- id probing on download URLs ---------------------------------------------------------------------


def _who(request: HttpRequest) -> tuple[str, str]:
    """(cache key part, text for the log) for the person making the request."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}", describe_person(request)
    address = client_ip(request)
    return f"addr:{address}", f"anonymous at {address}"


def _count_not_found(request: HttpRequest, key: str, who: str) -> None:
    window = settings.DOWNLOAD_NOT_FOUND_WINDOW
    counter = f"downloads:404:{key}"
    cache.add(counter, 0, timeout=window)
    try:
        count = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.set(counter, 1, timeout=window)
        count = 1
    if count >= settings.DOWNLOAD_NOT_FOUND_LIMIT:
        cache.set(f"downloads:blocked:{key}", True, timeout=settings.DOWNLOAD_BLOCK_SECONDS)
        cache.delete(counter)
        logger.warning(
            "Download probing: %s met %d not-found downloads within %d s (last %s %s); downloads refused for %d s",
            who,
            count,
            window,
            request.method,
            request.path.encode("unicode_escape").decode("ascii"),
            settings.DOWNLOAD_BLOCK_SECONDS,
        )


def _too_many_requests(request: HttpRequest) -> HttpResponse:
    response = render(request, "429.html", status=429)
    response["Retry-After"] = str(settings.DOWNLOAD_BLOCK_SECONDS)
    response["Cache-Control"] = CACHE_CONTROL
    return response


def throttle_not_found(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """For views that serve a file by id: count the person's 404s; past the limit, answer 429 for a while.
    The view's response (a FileResponse too) passes through untouched."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        key, who = _who(request)
        if cache.get(f"downloads:blocked:{key}"):
            return _too_many_requests(request)
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            _count_not_found(request, key, who)
            raise
        if response.status_code == 404:
            _count_not_found(request, key, who)
        return response

    return wrapped


# --- handing stored files to nginx or S3 --------------------------------------------------------------


def offloaded_file_response(
    storage: Storage, name: str, *, content_type: str, filename: str, inline: bool, fallback: str, csp: str = ""
) -> HttpResponseBase | None:
    """A response that lets nginx or S3 send the stored file `name` (access has been checked), or None when the
    app must stream it itself:

    - on the local file system with NGINX_ACCEL_PREFIX set: an empty response with `X-Accel-Redirect` to nginx's
      internal alias of MEDIA_ROOT (deploy/nginx/civunit.conf.template), which keeps the app's Content-Type,
      Content-Disposition and Cache-Control and sets the Content-Security-Policy given here in X-Civunit-Csp;
    - on S3 with AWS_S3_DOWNLOAD_URL_SECONDS > 0: a redirect to a presigned URL valid that long, whose response
      carries the same Content-Type and Content-Disposition.

    Raises FileNotFoundError when the file is missing (for a 404, as the streamed path does)."""
    disposition = content_disposition(filename, inline=inline, fallback=fallback)
    prefix = settings.NGINX_ACCEL_PREFIX
    if prefix and isinstance(storage, FileSystemStorage):
        if not storage.exists(name):
            raise FileNotFoundError(name)
        response = protect(HttpResponse(content_type=content_type), filename=filename, inline=inline, fallback=fallback)
        response["X-Accel-Redirect"] = prefix + quote(name.lstrip("/"), safe="/")
        if csp:
            response["X-Civunit-Csp"] = csp
            response["Content-Security-Policy"] = csp
        return response
    seconds = settings.AWS_S3_DOWNLOAD_URL_SECONDS
    connection = getattr(storage, "connection", None)
    if seconds > 0 and connection is not None and hasattr(storage, "bucket_name"):
        if not storage.exists(name):
            raise FileNotFoundError(name)
        url = connection.meta.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": storage.bucket_name,
                "Key": storage._normalize_name(name),  # type: ignore[attr-defined]  # django-storages' key
                "ResponseContentType": content_type,
                "ResponseContentDisposition": disposition,
                "ResponseCacheControl": CACHE_CONTROL,
            },
            ExpiresIn=seconds,
        )
        redirect = HttpResponseRedirect(url)
        redirect["Cache-Control"] = CACHE_CONTROL
        return redirect
    return None
