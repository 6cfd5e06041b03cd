"""Activities (活动): the list, one activity's record as inspectors read it, creating and editing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from campaign.models import Campaign
from civunit import access

from . import activities, browsing
from .forms_review import ActivityForm
from .models import Activity

PAGE_SIZE = 50


def _get_activity(user, pk: int) -> Activity:
    """Activities are plan-level (every signed-in person reads them); their evidence is filtered per item."""
    if not access.can_read_plan(user):
        raise Http404
    activity = (
        Activity.objects.select_related("organiser_office", "campaign", "created_by")
        .prefetch_related("standards")
        .filter(pk=pk)
        .first()
    )
    if activity is None:
        raise Http404
    return activity


@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    campaign = Campaign.objects.current()
    rows = browsing.activity_rows(campaign) if campaign is not None else Activity.objects.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "evidence/activity_list.html",
        {"campaign": campaign, "page": page, "can_create": campaign and access.can_create_activity(request.user)},
    )


@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _get_activity(request.user, pk)
    parts = browsing.activity_record(user=request.user, activity=activity)
    can_upload = access.can_upload_evidence(request.user)
    upload_url = ""
    if can_upload:
        try:
            upload_url = f"{reverse('evidence:upload')}?activity={activity.pk}"
        except NoReverseMatch:
            upload_url = ""
    return render(
        request,
        "evidence/activity_detail.html",
        {
            "activity": activity,
            "parts": parts,
            "missing": [p for p in parts if p["missing"]],
            "can_change": access.can_change_activity(request.user, activity),
            "upload_url": upload_url,
        },
    )


@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest) -> HttpResponse:
    if not access.can_create_activity(request.user):
        raise PermissionDenied
    campaign = Campaign.objects.current()
    if campaign is None:
        raise Http404
    initial = {"organiser_office": request.user.office_id}
    form = ActivityForm(request.POST or None, campaign=campaign, initial=initial)
    if request.method == "POST" and form.is_valid():
        activity = activities.activity_create(
            user=request.user,
            campaign=campaign,
            data=form.cleaned_data,
            standards=form.cleaned_data["standards"],
        )
        messages.success(request, _("Activity “%(title)s” created.") % {"title": activity.title})
        return redirect("evidence:activity", pk=activity.pk)
    return render(request, "evidence/activity_form.html", {"form": form, "activity": None})


@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _get_activity(request.user, pk)
    if not access.can_change_activity(request.user, activity):
        raise PermissionDenied
    form = ActivityForm(request.POST or None, instance=activity, campaign=activity.campaign)
    if request.method == "POST" and form.is_valid():
        activities.activity_update(
            user=request.user, activity=activity, data=form.cleaned_data, standards=form.cleaned_data["standards"]
        )
        messages.success(request, _("Activity saved."))
        return redirect("evidence:activity", pk=activity.pk)
    return render(request, "evidence/activity_form.html", {"form": form, "activity": activity})
