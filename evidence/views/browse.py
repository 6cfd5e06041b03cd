"""Browsing and searching evidence: one page with the filters and the search box (list or photo grid), and the
standards tree with organ-wide counts and requirement warnings."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from campaign.access import campaign_for_request, is_open
from campaign.selectors import item_picker
from civunit import access as core_access
from civunit import downloads
from civunit.http import AuthenticatedHttpRequest
from civunit.xlsx_table import XLSX_TYPE
from evidence import access

from .. import browsing, workbooks
from ..forms.browse import BrowseForm
from ..models import EvidenceKind
from ._common import PAGE_SIZE, nav_flags

GRID_PAGE_SIZE = 48


@require_GET
def browse(request: AuthenticatedHttpRequest) -> HttpResponse:
    campaign = campaign_for_request(request)
    if campaign is None:
        return render(request, "evidence/browse_search.html", {"campaign": None, **nav_flags(request.user)})
    form = BrowseForm(request.GET, campaign=campaign)
    filters = form.filters()
    grid = form.cleaned_data.get("view") == "grid" or (
        filters.kind == EvidenceKind.PHOTO and form.cleaned_data.get("view") != "list"
    )
    rows = browsing.evidence_rows(user=request.user, campaign=campaign, filters=filters)
    page = Paginator(rows, GRID_PAGE_SIZE if grid else PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "evidence/browse_search.html",
        {
            "campaign": campaign,
            "form": form,
            "filters": filters,
            "page": page,
            "grid": grid,
            "can_upload": access.can_upload_evidence(request.user) and is_open(campaign),
            **nav_flags(request.user),
        },
    )


@require_GET
def standards_tree(request: AuthenticatedHttpRequest) -> HttpResponse:
    campaign = campaign_for_request(request)
    # the items' and the campaign's figures are summed in the database (one query); one 测评项目 is shown at a
    # time (?item=<code>) and only its branch is loaded: the page stays small at any scale
    overview = browsing.standards_overview(campaign) if campaign is not None else None
    item = overview.item((request.GET.get("item") or "")[:30]) if overview is not None else None
    nodes = browsing.standards_tree(campaign, item_id=item.pk) if item is not None else []
    # the choice of item: a <select> of every item (one line of text each) and a strip of a few around the one shown
    accepted, unmet = _("%(accepted)s/%(total)s accepted"), _("%(n)s unmet")
    picker = item_picker(
        overview.items if overview is not None else [],
        item,
        figures=lambda i: (
            accepted % {"accepted": i.accepted, "total": i.total}
            + (" · " + unmet % {"n": i.warnings} if i.warnings else "")
        ),
    )
    return render(
        request,
        "evidence/standards_tree.html",
        {
            "campaign": campaign,
            "item": item,
            "picker": picker,
            "nodes": nodes,
            "warnings": overview.lacking if overview is not None else 0,
            "can_download_index": access.can_download_evidence_index(request.user),
            **nav_flags(request.user),
        },
    )


@require_GET
def index_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The evidence index (佐证材料目录) as a formatted workbook: the items the person may read."""
    if not access.can_download_evidence_index(request.user):
        raise PermissionDenied
    campaign = campaign_for_request(request)
    if campaign is None:
        raise Http404
    today = timezone.localdate()
    data = workbooks.evidence_index_workbook(
        campaign, user=request.user, today=today, partial=not core_access.sees_everything(request.user)
    )
    return downloads.attachment(
        data,
        content_type=XLSX_TYPE,
        filename=f"佐证材料目录-{today:%Y%m%d}.xlsx",
        fallback=f"evidence-index-{today:%Y%m%d}",
    )
