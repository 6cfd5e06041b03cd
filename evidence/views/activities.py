"""Activities (活动): the list, one activity's record as inspectors read it, creating and editing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import (
    PermissionDenied,
)
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from campaign.access import campaign_for_request, is_open
from civunit.access import can_read_plan
from civunit.http import AuthenticatedHttpRequest
from evidence import access
from tasks.models import Task

from .. import browsing, services
from ..access import get_activity_for_user
from ..forms.activities import ActivityForm, ActivityUploadForm
from ..services import DuplicateFound, EvidenceMeta, evidence_register
from ..sniffing import Refused, human_size
from ._common import nav_flags
from ._upload import StreamingUpload, max_upload_size, streaming_upload


@require_GET
def activity_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The selected campaign's activities, 20 a page, newest first, with the total count."""
    campaign = campaign_for_request(request)
    page = browsing.activity_rows(campaign, page_number=request.GET.get("page"))
    return render(
        request,
        "evidence/activity_list.html",
        {
            "campaign": campaign,
            "page": page,
            "can_create": is_open(campaign) and access.can_create_activity(request.user),
            **nav_flags(request.user),
        },
    )


@require_GET
def activity_choices(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The search-as-you-type choice of an activity (the evidence filter): at most 20 activities of the selected
    campaign matching `q` by words of the title, theme or place or by date; none without a campaign. The field
    takes the activity's id (`value`), as the links to the filtered list do."""
    campaign = campaign_for_request(request) if can_read_plan(request.user) else None
    text = (request.GET.get("q") or "").replace("\x00", "")[:100]  # no NUL: PostgreSQL refuses it
    rows = [] if campaign is None else browsing.activity_choices(campaign, text=text)
    return JsonResponse(
        {
            "results": [
                {"id": c.pk, "value": str(c.pk), "code": f"{c.date:%Y-%m-%d}", "title": c.title, "label": c.label}
                for c in rows
            ]
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def activity_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk)
    changeable = is_open(activity.campaign)
    parts = browsing.activity_record(user=request.user, activity=activity)
    return render(
        request,
        "evidence/activity_detail.html",
        {
            "activity": activity,
            "activity_tasks": Task.objects.visible_to(request.user).filter(activities=activity).order_by("code_key"),
            "parts": parts,
            "missing": [p for p in parts if p["missing"]],
            "can_change": changeable and access.can_change_activity(request.user, activity),
            "can_upload": changeable and access.can_upload_evidence(request.user),
            "upload_form": ActivityUploadForm(),
            "max_size": human_size(max_upload_size()),
        },
    )


@require_http_methods(["GET", "POST"])
def activity_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.can_create_activity(request.user):
        raise PermissionDenied
    campaign = campaign_for_request(request, for_change=True)
    if campaign is None:
        raise Http404
    form = ActivityForm(request.POST or None, campaign=campaign, user=request.user)
    if request.method == "POST" and form.is_valid():
        activity = services.activity_create(
            user=request.user,
            campaign=campaign,
            data=form.cleaned_data,
            standards=form.cleaned_data["standards"],
            tasks=form.cleaned_data["tasks"],
        )
        messages.success(request, _("Activity “%(title)s” created.") % {"title": activity.title})
        return redirect("evidence:activity", pk=activity.pk)
    return render(request, "evidence/activity_form.html", {"form": form, "activity": None})


@require_http_methods(["GET", "POST"])
def activity_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk, for_change=True)
    if not access.can_change_activity(request.user, activity):
        raise PermissionDenied
    form = ActivityForm(request.POST or None, instance=activity, campaign=activity.campaign, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.activity_update(
            user=request.user,
            activity=activity,
            data=form.cleaned_data,
            standards=form.cleaned_data["standards"],
            tasks=form.cleaned_data["tasks"],
        )
        messages.success(request, _("Activity saved."))
        return redirect("evidence:activity", pk=activity.pk)
    return render(request, "evidence/activity_form.html", {"form": form, "activity": activity})


@streaming_upload
def activity_upload(request: AuthenticatedHttpRequest, pk: int, *, upload: StreamingUpload) -> HttpResponse:
    """One file into the activity. Its empty caption fields (date, place, people, caption) come from the
    activity; it is linked to the activity's standards and tasks."""
    if not access.can_upload_evidence(request.user):
        raise PermissionDenied
    activity = get_activity_for_user(request.user, pk, for_change=True)
    back = reverse("evidence:activity", args=[activity.pk])
    problem, _status = upload.receive()
    if problem:
        messages.error(request, problem)
        return redirect(back)
    form = ActivityUploadForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a file and its category."))
        return redirect(back)
    fields = browsing.apply_activity_defaults(
        {"caption": form.cleaned_data["caption"], "taken_on": None, "place": "", "people": ""}, activity
    )
    meta = EvidenceMeta(
        title=form.cleaned_data["title"],
        category=form.cleaned_data["category"],
        standards=list(activity.standards.all()),
        tasks=list(activity.tasks.all()),
        activity=activity,
        **fields,
    )
    try:
        item = evidence_register(user=request.user, campaign=activity.campaign, received=upload.file, meta=meta)
    except Refused as exc:
        messages.error(request, str(exc))
        return redirect(back)
    except DuplicateFound:
        messages.error(request, _("This file is already in the archive."))
        return redirect(back)
    messages.success(request, _("“%(title)s” uploaded into the activity, awaiting review.") % {"title": item.title})
    return redirect(back)
