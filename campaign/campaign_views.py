"""Pages of the campaigns themselves (the coordinator's): the list with its audit trail, starting the next campaign
with a preview of what it will create, making one current, archiving and reopening; and the navigation's switcher
(everyone): which campaign the person's pages show."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civunit.http import AuthenticatedHttpRequest

from . import selection, services, succession
from .access import get_campaign_for_manager, require_manager, require_open
from .forms import NextCampaignForm, SelectCampaignForm
from .models import Campaign, CampaignEvent


@require_GET
def campaigns(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_manager(request.user)
    rows = selection.campaigns(request)
    return render(
        request,
        "campaign/campaigns.html",
        {
            "campaigns": rows,
            "shown": selection.pick(rows, selection.chosen_id(request)),
            "events": list(
                CampaignEvent.objects.select_related("campaign", "actor").order_by("-created_at", "-pk")[:30]
            ),
        },
    )


def _initial(source: Campaign | None) -> dict:
    """The next campaign's dates follow the current one's: a year from the day after it ends."""
    if source is None:
        start = timezone.localdate().replace(month=1, day=1)
    else:
        start = source.end_date + datetime.timedelta(days=1)
    try:
        end = start.replace(year=start.year + 1) - datetime.timedelta(days=1)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + 1, day=28)
    return {
        "title": _("%(year)d yearly review") % {"year": start.year},
        "target": Campaign.Target.NATIONAL_REVIEW,
        "start_date": start,
        "end_date": end,
        "copy": ["plan", "leadership", "criteria"],
    }


@require_http_methods(["GET", "POST"])
def campaign_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The next campaign: the form, then (「预览」) what will be created, then (「开始」) create it."""
    require_manager(request.user)
    source = Campaign.objects.current()
    parts = succession.parts()
    form = NextCampaignForm(request.POST or None, parts=parts, initial=_initial(source))
    preview = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            spec = succession.NextCampaign(
                title=data["title"],
                target=data["target"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                copy=frozenset(data["copy"]),
                make_current=data["make_current"],
            )
            try:
                if "confirm" in request.POST:
                    campaign, _counts = succession.campaign_start_next(source=source, user=request.user, spec=spec)
                    messages.success(
                        request,
                        _("“%(title)s” was started.") % {"title": campaign.title}
                        + ("" if campaign.is_current else " " + _("Switch to it here when it begins.")),
                    )
                    return redirect("campaign:campaigns")
                preview = succession.preview(source=source, spec=spec)
            except succession.StartRefused as refused:
                form.add_error(None, str(refused))
                status = 400
        else:
            status = 400
    return render(
        request,
        "campaign/campaign_new.html",
        {"form": form, "source": source, "preview": preview},
        status=status,
    )


def _change(request: AuthenticatedHttpRequest, pk: int, action, success: str, *, open_only: bool) -> HttpResponse:
    campaign = get_campaign_for_manager(request.user, pk)
    if open_only:
        require_open(campaign)
    try:
        action(campaign=campaign, user=request.user)
    except services.CampaignChangeRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, success % {"title": campaign.title})
    return redirect("campaign:campaigns")


@require_POST
def make_current(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _change(
        request,
        pk,
        services.campaign_make_current,
        _("“%(title)s” is now the current campaign: reminders and everyone's pages follow it."),
        open_only=True,
    )


@require_POST
def archive(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _change(
        request,
        pk,
        services.campaign_archive,
        _("“%(title)s” is archived: it stays readable, read-only."),
        open_only=True,
    )


@require_POST
def reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The one change an archived campaign takes: undoing the archiving (audited)."""
    return _change(request, pk, services.campaign_reopen, _("“%(title)s” is open again."), open_only=False)


@require_POST
def select(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show another campaign on the person's pages (their session only; nothing in the database changes)."""
    form = SelectCampaignForm(request.POST, campaigns=selection.readable_campaigns(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose a campaign from the list."))
        return redirect("reports:home")
    campaign = form.cleaned_data["campaign"]
    selection.select(request, campaign)  # the pages then say which campaign they show (campaign/_campaign_banner.html)
    target = form.cleaned_data["next"]
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("reports:home")
