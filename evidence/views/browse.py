"""Browsing and searching evidence: one page with the filters and the search box (list or photo grid), and the
standards tree with organ-wide counts and requirement warnings."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from campaign.access import campaign_for_request, is_open
from civunit.http import AuthenticatedHttpRequest
from evidence import access

from .. import browsing
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
    nodes = browsing.standards_tree(campaign) if campaign is not None else []
    return render(
        request,
        "evidence/standards_tree.html",
        {
            "campaign": campaign,
            "nodes": nodes,
            "warnings": sum(1 for n in nodes if n.criterion.is_leaf and not n.evidence.met),
            **nav_flags(request.user),
        },
    )
