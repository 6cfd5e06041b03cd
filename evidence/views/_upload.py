"""The endpoints that receive one file (a new upload, an upload into an activity, a new file for an item) stream it
to a temporary file through EvidenceUploadHandler (evidence/uploads.py), which must be installed before anything
reads the body. CsrfViewMiddleware reads request.POST to find the token, which would parse the body with the
default handlers first; so such a view is exempt from the middleware and the same check runs by hand once the
handler is in place (Django's documented way, "Modifying upload handlers on the fly"). `@streaming_upload` does
this for every such view, so none can forget the token or leave a temporary file behind. The same views take the
upload page's raw bodies (the file itself, its fields in headers: evidence/rawbody.py), whose fields are installed
as request.POST before the view runs and whose token is checked before the body is read.

    @streaming_upload
    def replace(request, pk, *, upload: StreamingUpload):
        ...                                 # checks that need no body (permissions, the item)
        problem, status = upload.receive()  # the body is read and the token checked here
        if problem:
            ...                             # tell the user; nothing was stored
        services.evidence_replace_file(..., received=upload.file)
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from .. import offload, rawbody
from ..sniffing import human_size
from ..uploads import EvidenceUploadHandler, ReceivedFile

logger = logging.getLogger("civunit.uploads")


class CsrfRefused(Exception):
    """The request's CSRF token is missing or wrong; `response` is the CSRF failure page (403)."""

    def __init__(self, response: HttpResponse):
        super().__init__("CSRF check failed")
        self.response = response


def _never_called(request: HttpRequest) -> HttpResponse:
    raise AssertionError("the CSRF middleware is only asked to check a request here")


def _checked_view(request: HttpRequest) -> HttpResponse:
    """Stands for the view in the middleware's check (which skips views marked csrf_exempt: this one is not)."""
    raise AssertionError("never called")


def csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """CsrfViewMiddleware's own check of the request (the form's token or the X-CSRFToken header against the
    cookie, and the Origin or Referer of a secure request), as `csrf_protect` runs it: None when the request
    passes, else the response of settings.CSRF_FAILURE_VIEW (logged as the middleware logs it)."""
    middleware = CsrfViewMiddleware(_never_called)
    middleware.process_request(request)
    return middleware.process_view(request, _checked_view, (), {})


def parse_body(request: HttpRequest) -> str:
    """Parse the request's body through its upload handler (streaming the file to disk). Returns '' or what
    was wrong with the request, for the user."""
    try:
        request.POST  # noqa: B018 (parsing happens on first access)
    except TooManyFilesSent:
        return _("Send one file per request.")
    except TooManyFieldsSent:
        return _("The request carries too many fields.")
    except RequestDataTooBig:
        return _("The form fields are too large.")
    except (MultiPartParserError, BadRequest, OSError):
        return _("The upload was interrupted or unreadable. Please try again.")
    return ""


def file_problem(request: HttpRequest, handler: EvidenceUploadHandler) -> tuple[str, int]:
    """After parsing (and the CSRF check): what is wrong with the request's one file, with the HTTP status to
    answer; ('', 200) when there is exactly one file within the size limit."""
    if handler.too_large:
        return _("The file is too large: at most %(limit)s.") % {"limit": human_size(handler.max_size)}, 413
    if handler.extra_files or len(request.FILES.getlist("file")) > 1 or len(request.FILES) > 1:
        return _("Send one file per request: this request carried several files."), 400
    if handler.received is None or "file" not in request.FILES:
        return _("Choose a file to upload."), 400
    return "", 200


@dataclass
class StreamingUpload:
    """The one file of a request to a `@streaming_upload` view, received when the view calls `receive()`."""

    request: HttpRequest
    handler: EvidenceUploadHandler
    # nginx's request body file when nginx wrote the body to disk (evidence/offload.py), else None.
    body_file: Path | None = None
    # The body is the file itself, its fields in headers (evidence/rawbody.py); what was wrong with those.
    raw: bool = False
    raw_problem: str = ""
    _checked: bool = field(default=False, init=False)

    def receive(self) -> tuple[str, int]:
        """Read the body (the file streams to a temporary file), check the CSRF token, then the file. Returns
        ('', 200) when exactly one file within the size limit arrived, else what was wrong, for the user, with
        the HTTP status to answer. A missing or wrong token raises CsrfRefused, which the decorator answers with
        the CSRF failure page."""
        if self.raw:
            return self._receive_raw()
        if self.body_file is not None:
            if problem := self._parse_offloaded(self.body_file):
                return problem, 400
        elif problem := parse_body(self.request):
            return problem, 400
        if (refusal := csrf_refusal(self.request)) is not None:
            raise CsrfRefused(refusal)
        self._checked = True
        return file_problem(self.request, self.handler)

    def _receive_raw(self) -> tuple[str, int]:
        """The body is the file (evidence/rawbody.py): the token is checked before a byte of it is read, then its
        size, then the file is taken over (behind nginx) or read to a temporary upload file."""
        request, handler = self.request, self.handler
        if (refusal := csrf_refusal(request)) is not None:
            raise CsrfRefused(refusal)
        if self.raw_problem:
            return self.raw_problem, 400
        size = rawbody.declared_size(request, self.body_file)
        if size is None:
            return _("The upload was interrupted or unreadable. Please try again."), 400
        if size == 0:
            return _("Choose a file to upload."), 400
        if size > handler.max_size:
            return _("The file is too large: at most %(limit)s.") % {"limit": human_size(handler.max_size)}, 413
        name = rawbody.file_name(request)
        content_type = request.META.get("CONTENT_TYPE", "")
        try:
            if self.body_file is not None:
                received = rawbody.take_over(self.body_file, size=size, name=name, content_type=content_type)
            else:
                received = rawbody.read_body(request, size=size, name=name, content_type=content_type)
        except (rawbody.Unreadable, OSError) as exc:
            logger.warning("A raw upload could not be received: %s", exc)
            return _("The upload was interrupted or unreadable. Please try again."), 400
        handler.received = received
        handler._path = received.temp_path  # removed by discard() unless the storage took it
        request._files = MultiValueDict({"file": [received]})  # type: ignore[attr-defined]
        self._checked = True
        return "", 200

    def _parse_offloaded(self, path: Path) -> str:
        """The body nginx wrote to `path`, parsed into the request's POST and FILES and the handler's outcome as
        Django's parsing through the handler would have left them."""
        handler = self.handler
        try:
            parsed = offload.parse(path, self.request.META.get("CONTENT_TYPE", ""), max_size=handler.max_size)
        except (offload.Malformed, OSError) as exc:
            logger.warning("An upload's body file from nginx could not be read: %s", exc)
            return _("The upload was interrupted or unreadable. Please try again.")
        offload.install(self.request, parsed)
        handler.too_large = parsed.too_large
        handler.extra_files = parsed.extra_files
        handler.received = parsed.received
        if parsed.received is not None:
            handler._path = parsed.received.temp_path  # removed by discard() unless the storage took it
        return ""

    @property
    def file(self) -> ReceivedFile:
        """The received file, once `receive()` found nothing wrong."""
        if not self._checked or self.handler.received is None:
            raise RuntimeError("call receive() and check its answer before using the file")
        return self.handler.received


def max_upload_size() -> int:
    limits: dict[str, int] = settings.EVIDENCE_MAX_SIZE  # bytes per kind of file
    return max(limits.values())


View = Callable[..., HttpResponse]


def streaming_upload_with(max_size: Callable[[], int]) -> Callable[[View], View]:
    """@streaming_upload with another size limit than an evidence file's (the archive import's ZIP)."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "POST":
                return HttpResponse(status=405, headers={"Allow": "POST"})
            handler = EvidenceUploadHandler(request, max_size=max_size())
            request.upload_handlers = [handler]
            try:
                body_file = offload.body_file(request)
            except offload.OffloadRefused as exc:
                logger.warning("An upload named a body file it may not: %s", exc)
                return HttpResponse(
                    _("The upload was interrupted or unreadable. Please try again."),
                    status=400,
                    content_type="text/plain; charset=utf-8",
                )
            raw = rawbody.is_raw(request)
            # Before anything reads request.POST: the body is the file, never to be parsed as a form.
            raw_problem = rawbody.install_fields(request) if raw else ""
            upload = StreamingUpload(request, handler, body_file, raw=raw, raw_problem=raw_problem)
            try:
                return view(request, *args, upload=upload, **kwargs)
            except CsrfRefused as refused:
                return refused.response
            finally:
                handler.discard()

        return csrf_exempt(wrapped)

    return decorate


def streaming_upload(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Make `view` an endpoint that receives one streamed file: anything but POST gets 405; the upload handler is
    installed before anything reads the body; the view gets the StreamingUpload as its keyword argument `upload`
    and calls its receive() (parsing and the CSRF check) after the checks that need no body; a refused token gets
    the CSRF failure page (403); the temporary file is always removed when the view is done (a saved file is in
    the storage by then). The view is csrf_exempt only so that the middleware does not parse the body first.
    The file may be as large as the largest kind of evidence file (max_upload_size)."""
    return streaming_upload_with(max_upload_size)(view)
