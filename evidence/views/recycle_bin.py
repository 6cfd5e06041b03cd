"""The recycle bin: deleting an item into it, the list, restoring and purging. One view, one action."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.access import campaign_for_request, is_open
from civunit.http import AuthenticatedHttpRequest
from evidence import access

from .. import browsing, services
from ..access import get_evidence_for_user
from ..forms.recycle_bin import PurgeForm
from ..models import EvidenceEvent, EvidenceItem
from ._common import PAGE_SIZE, nav_flags, versions_url


@require_POST
def delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = get_evidence_for_user(request.user, pk, for_change=True)
    try:
        services.evidence_delete(user=request.user, item=item)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
        return redirect(versions_url(item))
    messages.success(
        request, _("“%(title)s” moved to the recycle bin; the coordinator can restore it.") % {"title": item.title}
    )
    return redirect("evidence:browse")


@require_GET
def recycle_bin(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.can_read_recycle_bin(request.user):
        raise PermissionDenied
    campaign = campaign_for_request(request)
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
            "can_manage": access.can_manage_recycle_bin(request.user) and is_open(campaign),
            **nav_flags(request.user),
        },
    )


def _binned_item(request: AuthenticatedHttpRequest, pk: int) -> EvidenceItem:
    if not access.can_manage_recycle_bin(request.user):
        raise PermissionDenied
    item = get_evidence_for_user(request.user, pk, for_change=True)
    if not item.is_deleted:
        raise Http404
    return item


@require_POST
def restore(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _binned_item(request, pk)
    try:
        services.evidence_restore(user=request.user, item=item)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("“%(title)s” restored.") % {"title": item.title})
    return redirect("evidence:recycle_bin")


@require_http_methods(["GET", "POST"])
def purge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
