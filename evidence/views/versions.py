"""Pages and actions of review, versions and the recycle bin. One view, one action: POST → redirect → GET."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import (
    FieldDoesNotExist,
    PermissionDenied,
)
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.models import Campaign
from evidence import access

from .. import browsing, services, uploads
from ..access import get_evidence_for_user
from ..forms.review import BulkReviewForm, EvidenceEditForm, PurgeForm, ReturnForm
from ..models import EvidenceEvent, EvidenceItem
from ..sniffing import Refused, human_size

PAGE_SIZE = 50


def _back(request: HttpRequest, default: str) -> str:
    """The page to return to after an action: a same-site `next`, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _versions_url(item: EvidenceItem) -> str:
    return reverse("evidence:versions", args=[item.pk])


# --- Review -------------------------------------------------------------------------------------------------


@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    """待审核: the versions the user reviews, oldest first, with bulk accept/return."""
    if not access.can_upload_evidence(request.user):
        raise PermissionDenied
    campaign = Campaign.objects.current()
    if campaign is None:
        raise Http404
    rows = browsing.review_queue(user=request.user, campaign=campaign)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "evidence/review_queue.html",
        {"page": page, "return_form": ReturnForm(), **browsing.nav_flags(request.user)},
    )


@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_evidence_for_user(request.user, pk)
    try:
        services.evidence_accept(user=request.user, item=item)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("“%(title)s” accepted.") % {"title": item.title})
    return redirect(_back(request, _versions_url(item)))


@require_POST
def return_item(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_evidence_for_user(request.user, pk)
    form = ReturnForm(request.POST)
    if not access.can_review_evidence(request.user, item, allow_self_review=item.campaign.allow_self_review):
        raise PermissionDenied
    if not form.is_valid():
        for error in form.errors.get("reason", []):
            messages.error(request, error)
        return redirect(_back(request, _versions_url(item)))
    try:
        services.evidence_return(user=request.user, item=item, reason=form.cleaned_data["reason"])
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("“%(title)s” returned to its uploader.") % {"title": item.title})
    return redirect(_back(request, _versions_url(item)))


@require_POST
def bulk_review(request: HttpRequest) -> HttpResponse:
    if not access.can_upload_evidence(request.user):
        raise PermissionDenied
    campaign = Campaign.objects.current()
    if campaign is None:
        raise Http404
    queryset = browsing.review_queue(user=request.user, campaign=campaign).select_related("campaign")
    form = BulkReviewForm(request.POST, queryset=queryset)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("evidence:review")
    items = list(form.cleaned_data["items"])
    try:
        count = services.evidence_bulk_review(
            user=request.user, items=items, action=form.cleaned_data["action"], reason=form.cleaned_data["reason"]
        )
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        if form.cleaned_data["action"] == services.ACCEPT:
            messages.success(request, _("%(count)d items accepted.") % {"count": count})
        else:
            messages.success(request, _("%(count)d items returned.") % {"count": count})
    return redirect("evidence:review")


# --- Versions and history ------------------------------------------------------------------------------------


@require_GET
def versions(request: HttpRequest, pk: int) -> HttpResponse:
    """Every version of the item with its file, status and review note; the item's history; the actions."""
    item = get_evidence_for_user(request.user, pk)
    all_versions = list(
        access.evidence_visible_to(request.user, EvidenceItem.objects.filter(lineage=item.lineage))
        .select_related("stored_file", "uploader", "reviewed_by", "primary_standard", "activity")
        .order_by("-version")
    )
    latest = all_versions[0] if all_versions else item
    current = next((v for v in all_versions if v.is_current), item)
    events = list(
        EvidenceEvent.objects.filter(lineage=item.lineage).select_related("actor", "item").order_by("at", "pk")
    )
    for event in events:
        values = event.details.get("values") or {}
        event.changed_labels = [_field_label(n) for n in event.details.get("changed", []) if n not in values]
        event.changed_values = [(_field_label(n), before, after) for n, (before, after) in values.items()]
    user = request.user
    allow_self = item.campaign.allow_self_review
    context = {
        "item": item,
        "latest": latest,
        "current": current,
        "versions": all_versions,
        "events": events,
        "can_review": latest.status == EvidenceItem.Status.PENDING
        and not latest.is_deleted
        and access.can_review_evidence(user, latest, allow_self_review=allow_self),
        "can_change": not latest.is_deleted and access.can_change_evidence(user, latest),
        "can_delete": not latest.is_deleted and access.can_delete_evidence(user, latest),
        "can_restore": latest.is_deleted and access.can_manage_recycle_bin(user),
        "return_form": ReturnForm(),
    }
    return render(request, "evidence/versions.html", context)


# History entries name changed fields by their model names; pages show the fields' labels.
FIELD_ALIASES = {"file": "stored_file", "link": "url"}


def _field_label(name: str) -> str:
    try:
        return str(EvidenceItem._meta.get_field(FIELD_ALIASES.get(name, name)).verbose_name)
    except FieldDoesNotExist:  # an entry written by an older version may name a field no longer there
        return name


def _latest_for_change(request: HttpRequest, pk: int) -> EvidenceItem:
    if not access.can_upload_evidence(request.user):
        raise PermissionDenied
    item = get_evidence_for_user(request.user, pk)
    latest = services.latest_version(item)
    if not access.can_change_evidence(request.user, latest):
        raise PermissionDenied
    if latest.is_deleted:
        raise Http404
    return latest


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the caption fields and links. An accepted or returned item is locked: saving makes a new version."""
    item = _latest_for_change(request, pk)
    form = EvidenceEditForm(
        request.POST or None, campaign=item.campaign, user=request.user, initial=EvidenceEditForm.initial_for(item)
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = services.evidence_edit(
                user=request.user,
                item=item,
                changes=form.changes(),
                standards=form.ordered_standards(),
                tasks=form.cleaned_data["tasks"],
            )
        except services.ReviewError as exc:
            messages.error(request, str(exc))
            return redirect(_versions_url(item))
        if result.pk != item.pk:
            messages.success(request, _("Saved as version %(n)d, awaiting review.") % {"n": result.version})
        else:
            messages.success(request, _("Saved."))
        return redirect(_versions_url(result))
    return render(request, "evidence/version_edit.html", {"item": item, "form": form})


@require_GET
def replace_form(request: HttpRequest, pk: int) -> HttpResponse:
    item = _latest_for_change(request, pk)
    return render(
        request,
        "evidence/version_replace.html",
        {"item": item, "max_size": human_size(max(settings.EVIDENCE_MAX_SIZE.values()))},
    )


@csrf_exempt  # checked in _replace_checked, after the streaming upload handler is in place (Django's documented way)
def replace(request: HttpRequest, pk: int) -> HttpResponse:
    """A new file for the item: a new version awaiting review."""
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    item = _latest_for_change(request, pk)
    handler = uploads.EvidenceUploadHandler(request, max_size=max(settings.EVIDENCE_MAX_SIZE.values()))
    request.upload_handlers = [handler]
    back = reverse("evidence:replace_form", args=[item.pk])
    try:
        if problem := uploads.parse_body(request):
            messages.error(request, problem)
            return redirect(back)
        return _replace_checked(request, handler, item, back)
    finally:
        handler.discard()


@csrf_protect
def _replace_checked(request, handler: uploads.EvidenceUploadHandler, item: EvidenceItem, back: str) -> HttpResponse:
    problem, _status = uploads.file_problem(request, handler)
    if problem:
        messages.error(request, problem)
        return redirect(back)
    try:
        new = services.evidence_replace_file(user=request.user, item=item, received=handler.received)
    except Refused as exc:
        messages.error(request, str(exc))
        return redirect(back)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
        return redirect(_versions_url(item))
    messages.success(request, _("Version %(n)d uploaded, awaiting review.") % {"n": new.version})
    return redirect(_versions_url(new))


# --- Recycle bin ----------------------------------------------------------------------------------------------


@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_evidence_for_user(request.user, pk)
    try:
        services.evidence_delete(user=request.user, item=item)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
        return redirect(_versions_url(item))
    messages.success(
        request, _("“%(title)s” moved to the recycle bin; the coordinator can restore it.") % {"title": item.title}
    )
    return redirect("evidence:browse")


@require_GET
def recycle_bin(request: HttpRequest) -> HttpResponse:
    if not access.can_read_recycle_bin(request.user):
        raise PermissionDenied
    campaign = Campaign.objects.current()
    if campaign is None:
        raise Http404
    page = Paginator(browsing.recycle_bin_rows(campaign), PAGE_SIZE).get_page(request.GET.get("page"))
    purged = list(
        EvidenceEvent.objects.filter(action=EvidenceEvent.Action.PURGED).select_related("actor").order_by("-at")[:20]
    )
    return render(
        request,
        "evidence/recycle_bin.html",
        {
            "page": page,
            "purged": purged,
            "can_manage": access.can_manage_recycle_bin(request.user),
            **browsing.nav_flags(request.user),
        },
    )


def _binned_item(request: HttpRequest, pk: int) -> EvidenceItem:
    if not access.can_manage_recycle_bin(request.user):
        raise PermissionDenied
    item = get_evidence_for_user(request.user, pk)
    if not item.is_deleted:
        raise Http404
    return item


@require_POST
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    item = _binned_item(request, pk)
    try:
        services.evidence_restore(user=request.user, item=item)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("“%(title)s” restored.") % {"title": item.title})
    return redirect("evidence:recycle_bin")


@require_http_methods(["GET", "POST"])
def purge(request: HttpRequest, pk: int) -> HttpResponse:
    """Destroy an item for good, after confirmation: every version's row and its files."""
    item = _binned_item(request, pk)
    form = PurgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_purge(user=request.user, item=item)
        except services.ReviewError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("“%(title)s” purged with its files.") % {"title": item.title})
        return redirect("evidence:recycle_bin")
    version_count = EvidenceItem.objects.filter(lineage=item.lineage).count()
    return render(request, "evidence/purge_confirm.html", {"item": item, "form": form, "version_count": version_count})
