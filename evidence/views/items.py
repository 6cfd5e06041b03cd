"""An item's page, the lists of one's own uploads and of a standard's and a task's evidence, and the protected
downloads of originals and previews (streamed from the storage)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaign.access import campaign_for_request, is_open
from campaign.models import Campaign, Criterion
from civunit import downloads
from civunit.access import can_read_plan, is_coordinator
from civunit.http import AuthenticatedHttpRequest
from evidence import access
from tasks.models import Task

from .. import files, selectors, services
from ..access import get_evidence_for_user
from ..models import EvidenceEvent, EvidenceItem, StoredFile
from ..sniffing import FORMATS
from ._common import PAGE_SIZE

INLINE_FORMATS = {"jpeg", "png", "webp"}


# Inline images: nothing may run, nothing may load but the image itself.
IMAGE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


# Everything else is downloaded; should a browser render it anyway, it runs in a sandbox.
ATTACHMENT_CSP = "default-src 'none'; sandbox"


@require_GET
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = get_evidence_for_user(request.user, pk)
    standards = [link.criterion for link in item.standard_links.select_related("criterion").order_by("position")]
    tasks = list(item.tasks.select_related("lead_office").order_by("pk"))
    events = list(EvidenceEvent.objects.filter(lineage=item.lineage).select_related("actor").order_by("at", "pk"))
    versions = list(
        access.evidence_visible_to(request.user, EvidenceItem.objects.filter(lineage=item.lineage))
        .select_related("uploader")
        .order_by("version")
    )
    current = Campaign.objects.current()
    elsewhere = current is not None and current.pk != item.campaign_id
    linked = services.already_linked(item, current) if elsewhere and current is not None else None
    return render(
        request,
        "evidence/detail.html",
        {
            "item": item,
            "current_campaign": current if elsewhere else None,
            "linked_there": linked,
            "can_link_into": elsewhere
            and linked is None
            and is_open(current)
            and item.is_current
            and not item.is_deleted
            and access.can_link_into_campaign(request.user, item),
            "stored": item.stored_file,
            "standards": standards,
            "tasks": tasks,
            "events": events,
            "versions": versions,
            "inline": item.stored_file is not None and item.stored_file.format in INLINE_FORMATS,
            "can_change": is_open(item.campaign) and access.can_change_evidence(request.user, item),
            # the file's SHA-256 is for the leadership group's office (technical details), not for every reader
            "show_technical": is_coordinator(request.user),
        },
    )


@require_POST
def link_into_current(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """File an item of an earlier campaign into the current one: a new item sharing the same stored file
    (evidence.services.evidence_link_into), for the coordinator and the item's office."""
    item = get_evidence_for_user(request.user, pk)
    if not access.can_link_into_campaign(request.user, item):
        raise PermissionDenied
    campaign = Campaign.objects.current()
    wants_json = request.headers.get("x-requested-with") == "XMLHttpRequest"  # the upload page's duplicate offer
    try:
        if campaign is None:
            raise services.ReviewError(_("There is no current campaign."))
        new = services.evidence_link_into(user=request.user, item=item, campaign=campaign)
    except services.ReviewError as exc:
        if wants_json:
            return JsonResponse({"ok": False, "error": str(exc)}, status=400, json_dumps_params={"ensure_ascii": False})
        messages.error(request, str(exc))
        return redirect("evidence:detail", pk=item.pk)
    message = _("“%(title)s” is now filed in “%(campaign)s” too, awaiting review; the file is shared, not copied.") % {
        "title": new.title,
        "campaign": campaign.title,
    }
    url = reverse("evidence:detail", args=[new.pk])
    if wants_json:
        return JsonResponse(
            {"ok": True, "changed": True, "message": message, "id": new.pk, "title": new.title, "url": url},
            json_dumps_params={"ensure_ascii": False},
        )
    messages.success(request, message)
    return redirect(url)


def _paginated(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@require_GET
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's uploads in the campaign their pages show."""
    campaign = campaign_for_request(request)
    page = _paginated(request, selectors.visible_items(request.user).filter(uploader=request.user, campaign=campaign))
    return render(request, "evidence/mine.html", {"page": page, "campaign": campaign})


@require_GET
def standard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not can_read_plan(request.user):
        raise Http404
    criterion = get_object_or_404(Criterion.objects.select_related("campaign"), pk=pk)
    selectors.annotate_standards([criterion])
    page = _paginated(request, selectors.visible_items(request.user).filter(standard_links__criterion=criterion))
    return render(request, "evidence/standard.html", {"criterion": criterion, "page": page})


@require_GET
def task(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not can_read_plan(request.user):
        raise Http404
    the_task = get_object_or_404(Task.objects.select_related("lead_office", "campaign"), pk=pk)
    standards = selectors.annotate_standards(list(the_task.standards.order_by("ordering", "pk")))
    page = _paginated(request, selectors.visible_items(request.user).filter(tasks=the_task))
    return render(request, "evidence/task.html", {"task": the_task, "standards": standards, "page": page})


def _file_response(
    file: FieldFile, *, content_type: str, filename: str, inline: bool, fallback: str
) -> HttpResponseBase:
    """The stored file handed to nginx or S3 where the deployment allows (downloads.offloaded_file_response), else
    streamed in chunks from the storage (never read whole into memory)."""
    if not file.name:
        raise Http404
    csp = IMAGE_CSP if inline else ATTACHMENT_CSP
    try:
        offloaded = downloads.offloaded_file_response(
            files.storage(),
            file.name,
            content_type=content_type,
            filename=filename,
            inline=inline,
            fallback=fallback,
            csp=csp,
        )
    except FileNotFoundError as exc:
        raise Http404 from exc
    if offloaded is not None:
        return offloaded
    try:
        fh = files.open_stored(file.name)
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(fh, content_type=content_type)
    downloads.protect(response, filename=filename, inline=inline, fallback=fallback)
    response["Content-Security-Policy"] = csp
    return response


@require_GET
@downloads.throttle_not_found
def download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The original file, byte for byte: images inline (unless ?download=1), everything else as an attachment."""
    item = get_evidence_for_user(request.user, pk)
    stored = item.stored_file
    if stored is None:
        raise Http404
    inline = stored.format in INLINE_FORMATS and request.GET.get("download") != "1"
    response = _file_response(
        stored.file,
        content_type=stored.content_type,
        filename=item.original_name or f"evidence-{item.pk}.{FORMATS[stored.format].extensions[0]}",
        inline=inline,
        fallback=f"evidence-{item.pk}",
    )
    services.evidence_downloaded(user=request.user, item=item, variant="original")
    return response


PREVIEW_FIELDS = {"thumbnail": "thumbnail", "screen": "screen", "print": "print_copy"}


@require_GET
@downloads.throttle_not_found
def preview(request: AuthenticatedHttpRequest, pk: int, variant: str) -> HttpResponseBase:
    item = get_evidence_for_user(request.user, pk)
    stored: StoredFile | None = item.stored_file
    field = PREVIEW_FIELDS.get(variant)
    if stored is None or field is None or not getattr(stored, field):
        raise Http404
    stem = item.original_name.rpartition(".")[0] or item.title
    response = _file_response(
        getattr(stored, field),
        content_type="image/jpeg",
        filename=f"{stem}-{variant}.jpg",
        inline=True,
        fallback=f"evidence-{item.pk}-{variant}",
    )
    if variant == "print":  # the print copy is a download; thumbnails and screen previews are parts of pages
        services.evidence_downloaded(user=request.user, item=item, variant="print")
    return response
