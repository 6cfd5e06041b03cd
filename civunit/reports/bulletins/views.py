"""Bulletin pages: the list (everyone), a bulletin (published: everyone; a draft: the coordinator, as a preview
of what publishing freezes), and the coordinator's draft, edit, publish and delete actions."""

from __future__ import annotations

import io
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.access import campaign_for_request
from civunit.downloads import attachment, throttle_not_found
from civunit.forms import IntegerField
from civunit.http import AuthenticatedHttpRequest
from civunit.reports.models import Bulletin

from . import access, services
from .forms import BulletinForm
from .pdf import bulletin_file_name, render_bulletin_pdf
from .periods import period_label
from .snapshot import UnknownSnapshot, bulletin_content

PAGE_SIZE = 20


class _VersionForm(forms.Form):
    version = IntegerField(min_value=1)


def _label(bulletin: Bulletin) -> str:
    return period_label(bulletin.period_kind, bulletin.period_start, bulletin.period_end)


@require_GET
def bulletin_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = access.visible_bulletins(request.user).select_related("campaign")
    published = Paginator(rows.filter(status=Bulletin.Status.PUBLISHED), PAGE_SIZE).get_page(request.GET.get("page"))
    drafts = list(rows.filter(status=Bulletin.Status.DRAFT).order_by("-updated_at", "-pk"))
    for bulletin in [*published, *drafts]:
        bulletin.period_name = _label(bulletin)  # type: ignore[attr-defined]  # set for the template
    return render(
        request,
        "reports/bulletins/list.html",
        {
            "page_obj": published,
            "published": published.object_list,
            "drafts": drafts,
            "may_manage": access.can_manage_bulletins(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def bulletin_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_manage(request.user)
    campaign = campaign_for_request(request, for_change=True)
    if campaign is None:
        messages.error(request, _("There is no current campaign to report on."))
        return redirect("reports:bulletins")
    form = BulletinForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        bulletin = services.bulletin_create(user=request.user, campaign=campaign, **form.values)
        messages.success(request, _("The draft is saved. Check the preview, then publish it."))
        return redirect(bulletin)
    return render(request, "reports/bulletins/form.html", {"form": form, "bulletin": None})


@require_GET
def bulletin_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    bulletin = access.get_bulletin_for_user(request.user, pk)
    try:
        content = bulletin_content(bulletin, user=request.user)
    except UnknownSnapshot:
        content = None
    return render(
        request,
        "reports/bulletins/detail.html",
        {
            "bulletin": bulletin,
            "content": content,
            "period_name": _label(bulletin),
            "may_manage": access.can_manage_bulletins(request.user)
            and not bulletin.is_published
            and not bulletin.campaign.is_archived,
        },
    )


@require_GET
@throttle_not_found
def bulletin_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A published bulletin as a PDF in the official layout (a draft has none: 404). A bulletin is a few pages
    of stored figures, drawn here in well under a second; the large report is drawn by the worker."""
    bulletin = access.get_bulletin_for_user(request.user, pk)
    if not bulletin.is_published:
        raise Http404
    try:
        content = bulletin_content(bulletin, user=request.user)
    except UnknownSnapshot as exc:
        raise Http404 from exc
    out = io.BytesIO()
    render_bulletin_pdf(bulletin, content, out)
    return attachment(
        out.getvalue(), content_type="application/pdf", filename=bulletin_file_name(bulletin), fallback="bulletin"
    )


@require_http_methods(["GET", "POST"])
def bulletin_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    bulletin = access.get_draft_for_change(request.user, pk)
    if request.method == "POST":
        form = BulletinForm(request.POST, campaign=bulletin.campaign)
        version = _VersionForm(request.POST)
        if form.is_valid() and version.is_valid():
            try:
                services.bulletin_update(
                    bulletin=bulletin, user=request.user, version=version.cleaned_data["version"], **form.values
                )
            except services.BulletinError as error:
                messages.error(request, str(error))
                return redirect(bulletin)
            messages.success(request, _("The draft is saved."))
            return redirect(bulletin)
        if not version.is_valid():
            messages.error(request, str(services.StaleBulletin()))
    else:
        form = BulletinForm(initial=BulletinForm.initial_for(bulletin), campaign=bulletin.campaign)
    return render(request, "reports/bulletins/form.html", {"form": form, "bulletin": bulletin})


def _versioned_action(request: AuthenticatedHttpRequest, pk: int, action: Callable[..., object]) -> Bulletin:
    bulletin = access.get_draft_for_change(request.user, pk)
    version = _VersionForm(request.POST)
    if not version.is_valid():
        raise services.StaleBulletin()
    action(bulletin=bulletin, user=request.user, version=version.cleaned_data["version"])
    return bulletin


@require_POST
def bulletin_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        bulletin = _versioned_action(request, pk, services.bulletin_publish)
    except services.BulletinError as error:
        messages.error(request, str(error))
        return redirect("reports:bulletin", pk=pk)
    messages.success(
        request,
        _("Bulletin %(number)s is published; everyone has been notified.") % {"number": bulletin_number(bulletin)},
    )
    return redirect(bulletin)


@require_POST
def bulletin_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        _versioned_action(request, pk, services.bulletin_delete)
    except services.BulletinError as error:
        messages.error(request, str(error))
        return redirect("reports:bulletin", pk=pk)
    messages.success(request, _("The draft is deleted."))
    return redirect("reports:bulletins")


def bulletin_number(bulletin: Bulletin) -> str:
    return _("%(year)s no. %(number)s") % {"year": bulletin.year, "number": bulletin.number}
