"""Review (待审核): the queue of the versions a person reviews, accepting and returning one or several at once.
One view, one action: POST → redirect → GET."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaign.access import campaign_for_request
from civunit.http import AuthenticatedHttpRequest
from evidence import access

from .. import browsing, services
from ..access import get_evidence_for_user
from ..forms.review import BulkReviewForm, ReturnForm
from ._common import PAGE_SIZE, back, nav_flags, versions_url


@require_GET
def review_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """待审核: the versions the user reviews, oldest first, with bulk accept/return."""
    if not access.can_upload_evidence(request.user):
        raise PermissionDenied
    campaign = campaign_for_request(request)
    if campaign is None:
        raise Http404
    rows = browsing.review_queue(user=request.user, campaign=campaign)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "evidence/review_queue.html",
        {"page": page, "return_form": ReturnForm(), **nav_flags(request.user)},
    )


@require_POST
def accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = get_evidence_for_user(request.user, pk, for_change=True)
    # where to go back to is read first: a body that cannot be parsed is refused (400) before anything is written
    back_to = back(request, versions_url(item))
    try:
        services.evidence_accept(user=request.user, item=item)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("“%(title)s” accepted.") % {"title": item.title})
    return redirect(back_to)


@require_POST
def return_item(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = get_evidence_for_user(request.user, pk, for_change=True)
    form = ReturnForm(request.POST)
    if not access.can_review_evidence(request.user, item, allow_self_review=item.campaign.allow_self_review):
        raise PermissionDenied
    if not form.is_valid():
        for error in form.errors.get("reason", []):
            messages.error(request, str(error))
        return redirect(back(request, versions_url(item)))
    try:
        services.evidence_return(user=request.user, item=item, reason=form.cleaned_data["reason"])
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("“%(title)s” returned to its uploader.") % {"title": item.title})
    return redirect(back(request, versions_url(item)))


@require_POST
def bulk_review(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.can_upload_evidence(request.user):
        raise PermissionDenied
    campaign = campaign_for_request(request, for_change=True)
    if campaign is None:
        raise Http404
    queryset = browsing.review_queue(user=request.user, campaign=campaign).select_related("campaign")
    form = BulkReviewForm(request.POST, queryset=queryset)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
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
