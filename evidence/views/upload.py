"""The upload page: files sent one by one to the single-file endpoint (JSON for the page's script), web links,
and linking an existing item instead of uploading a duplicate."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaign.access import CampaignArchived, campaign_for_request
from campaign.models import Campaign
from civunit.access import is_coordinator
from civunit.forms import parse_id
from civunit.http import AuthenticatedHttpRequest
from civunit.storage import STORAGE_FAILED
from evidence import access

from .. import services, uploads
from ..access import get_evidence_for_user
from ..forms.fields import latest_activity_of, linkable_tasks, near_task_ids
from ..forms.upload import MAX_UPLOAD_FIELDS, EvidenceMetaForm, LinkExistingForm, LinkForm
from ..sniffing import FORMATS, Refused, human_size
from ._upload import StreamingUpload, max_upload_size, streaming_upload


def _campaign(request, *, for_change: bool = False) -> Campaign | None:
    """The campaign the person files evidence under: the one their pages show (campaign.selection); with
    `for_change`, 403 when it is archived."""
    return campaign_for_request(request, for_change=for_change)


logger = logging.getLogger(__name__)


def _json_error(message: str, status: int = 400, **extra) -> JsonResponse:
    return JsonResponse(
        {"ok": False, "error": message, **extra}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _form_errors(form) -> str:
    return "；".join(
        f"{form.fields[f].label if f in form.fields else ''}{': ' if f in form.fields else ''}{e}"
        for f, errs in form.errors.items()
        for e in errs
    )


@require_GET
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.can_upload_evidence(request.user):
        raise PermissionDenied
    campaign = _campaign(request, for_change=True)
    limits = {kind: human_size(size) for kind, size in settings.EVIDENCE_MAX_SIZE.items()}
    accept = ",".join(sorted({f".{ext}" for fmt in FORMATS.values() for ext in fmt.extensions}))
    initial: dict[str, int | list[int]] = {}
    for_task = None
    task_activity = None
    task_standards: list = []
    if (task_id := parse_id(request.GET.get("task"))) is not None and campaign is not None:
        # Uploading from a task: its standards are chosen, so that the item gets its archive number under the
        # first and counts toward every standard's requirement.
        for_task = linkable_tasks(request.user, campaign).filter(pk=task_id).first()
        if for_task is not None:
            task_standards = list(for_task.standards.filter(is_leaf=True).order_by("ordering", "pk"))
            initial["tasks"] = [for_task.pk]
            if task_standards:
                initial["primary_standard"] = task_standards[0].pk
                initial["other_standards"] = [c.pk for c in task_standards[1:]]
            # and the activity that carries it out, its latest, so the files join that activity's record
            if (task_activity := latest_activity_of(for_task)) is not None:
                initial["activity"] = task_activity.pk
    if (standard_id := parse_id(request.GET.get("standard"))) is not None:
        initial["primary_standard"] = standard_id
    form = EvidenceMetaForm(campaign=campaign, user=request.user, initial=initial)
    link_form = LinkForm(campaign=campaign, user=request.user, prefix="link", initial=initial)
    if campaign is not None:
        form.group_tasks(request.user, campaign, chosen=[for_task.pk] if for_task else [])
        link_form.fields["tasks"].choices = form.fields["tasks"].choices
        primary, others = initial.get("primary_standard"), initial.get("other_standards")
        chosen_standards = [
            primary if isinstance(primary, int) else None,
            *(others if isinstance(others, list) else []),
        ]
        near = near_task_ids(request.user, campaign)  # the person's and their office's tasks, for both lists
        form.list_standards(request.user, campaign, chosen=chosen_standards, near=near)
        activity = initial.get("activity")
        form.list_activities(request.user, campaign, chosen=activity if isinstance(activity, int) else None, near=near)
        for name in ("primary_standard", "other_standards"):
            link_form.fields[name].choices = form.fields[name].choices
    return render(
        request,
        "evidence/upload.html",
        {
            "campaign": campaign,
            "form": form,
            "link_form": link_form,
            "for_task": for_task,
            "task_standards": task_standards,
            "task_activity": task_activity,
            "limits": limits,
            "max_size": max_upload_size(),
            "accept": accept,
        },
    )


@streaming_upload
def upload_file(request: AuthenticatedHttpRequest, *, upload: StreamingUpload) -> HttpResponse:
    """Receive exactly one file with its caption fields; answer JSON for the upload page's XHR."""
    if not access.can_upload_evidence(request.user):
        return _json_error(_("You may read the evidence but not upload it."), 403)
    try:
        campaign = _campaign(request, for_change=True)
    except CampaignArchived as archived:
        return _json_error(str(archived), 403)
    if campaign is None:
        return _json_error(_("There is no current campaign to file evidence under."), 400)
    max_size = max_upload_size()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > max_size + 1024 * 1024:
        return _json_error(_("The file is too large: at most %(limit)s.") % {"limit": human_size(max_size)}, 413)

    problem, status = upload.receive()
    if problem:
        return _json_error(problem, status)
    if sum(len(v) for v in request.POST.lists()) > MAX_UPLOAD_FIELDS:
        return _json_error(_("The request carries too many fields."))
    form = EvidenceMetaForm(request.POST, campaign=campaign, user=request.user)
    if not form.is_valid():
        return _json_error(_form_errors(form))
    try:
        item = services.evidence_register(user=request.user, campaign=campaign, received=upload.file, meta=form.meta())
    except Refused as exc:
        return _json_error(str(exc), 415)
    except services.DuplicateFound as dup:
        return _duplicate_response(request, dup, campaign)
    except OSError:  # the storage is full or away: the registration wrote nothing (its transaction, its clean-up)
        logger.exception("evidence upload: the storage refused the file")
        return _json_error(str(STORAGE_FAILED), 503)
    _maybe_sweep_temp_files()
    return JsonResponse(
        {
            "ok": True,
            "id": item.pk,
            "title": item.title,
            "archive_number": item.archive_number,
            "url": reverse("evidence:detail", args=[item.pk]),
        },
        json_dumps_params={"ensure_ascii": False},
    )


def _link_url(user, item, campaign: Campaign) -> str:
    """Where the upload page links the existing item instead: in this campaign, to the chosen standards and tasks
    (its uploader, office head or the coordinator); from an earlier campaign, into this one (the coordinator or
    its office), when this campaign is the current one."""
    if item.is_deleted:
        return ""
    if item.campaign_id == campaign.pk:
        return reverse("evidence:link_existing", args=[item.pk]) if access.can_change_evidence(user, item) else ""
    if campaign.is_current and access.can_link_into_campaign(user, item):
        return reverse("evidence:link_into_current", args=[item.pk])
    return ""


def _duplicate_response(request, dup: services.DuplicateFound, campaign: Campaign) -> JsonResponse:
    """409: the same bytes are already in the archive. Only the items the person may open are described (an
    item in the recycle bin only to the coordinator, who alone opens it there); of any other item nothing is
    said but that the file is there. The person is offered to link an item only if they may change it, or, for
    an item of an earlier campaign, to link it into this one; items of this campaign come first."""
    user = request.user
    readable = [
        item
        for item in dup.items
        if access.can_read_evidence(user, item) and (not item.is_deleted or is_coordinator(user))
    ]
    readable.sort(key=lambda item: (item.campaign_id != campaign.pk, item.pk))
    items = [
        {
            "id": item.pk,
            "title": item.title,
            "archive_number": item.archive_number,
            "office": item.office.name,
            "url": reverse("evidence:detail", args=[item.pk]),
            "link_url": _link_url(user, item, campaign),
            "in_recycle_bin": item.is_deleted,
            "earlier_campaign": item.campaign_id != campaign.pk,
        }
        for item in readable
    ]
    alive = [i for i in items if not i["in_recycle_bin"]]
    first_link = next((i for i in alive if i["link_url"]), None)
    if first_link is not None and first_link["earlier_campaign"]:
        message = _(
            "This file is already in the archive of an earlier campaign. Link that item into this campaign instead?"
        )
    elif first_link is not None:
        message = _("This file is already in the archive. Link the existing item to your standard and task instead?")
    elif alive:
        message = _(
            "This file is already in the archive as “%(title)s”. Ask its uploader or the head of its office to link "
            "it to your standard and task."
        ) % {"title": alive[0]["title"]}
    elif items:
        message = _(
            "This file is already in the archive, in the recycle bin: restore it instead of uploading it again."
        )
    else:
        message = _("This file is already in the archive.")
    return _json_error(message, 409, duplicate=True, items=items)


def _wants_json(request) -> bool:
    """The upload page's script, which reads the answer as JSON."""
    return request.headers.get("x-requested-with") == "XMLHttpRequest"


def _maybe_sweep_temp_files() -> None:
    """Queue the sweep of interrupted uploads now and then (at most every half grace period)."""
    from ..jobs import clean_stale_uploads

    marker = uploads.temp_dir() / ".last-sweep"
    interval = settings.EVIDENCE_TEMP_GRACE_HOURS * 1800
    try:
        if marker.exists() and time.time() - marker.stat().st_mtime < interval:
            return
        marker.touch()
    except OSError:
        return
    clean_stale_uploads.enqueue()


@require_POST
def upload_link(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A media report given as a web address."""
    if not access.can_upload_evidence(request.user):
        raise PermissionDenied
    campaign = _campaign(request, for_change=True)
    form = LinkForm(request.POST, campaign=campaign, user=request.user, prefix="link")
    if campaign is None or not form.is_valid():
        messages.error(request, _form_errors(form) if campaign else _("There is no current campaign."))
        return redirect("evidence:upload")
    try:
        item = services.evidence_register_link(
            user=request.user, campaign=campaign, url=form.cleaned_data["url"], meta=form.meta()
        )
    except Refused as exc:
        messages.error(request, str(exc))
        return redirect("evidence:upload")
    messages.success(request, _("The link was filed."))
    return redirect("evidence:detail", pk=item.pk)


@require_POST
def link_existing(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Instead of uploading a duplicate: link the existing item to the chosen standards and tasks.

    Linking an item to a task lets the task's offices read it, so it takes the right to change the item (its
    uploader, the head of its office, the coordinator): anyone else who reads it gets 403."""
    item = get_evidence_for_user(request.user, pk, for_change=True)
    if not item.is_current or item.is_deleted:
        raise Http404
    if not access.can_change_evidence(request.user, item):
        raise PermissionDenied
    form = LinkExistingForm(request.POST, campaign=item.campaign, user=request.user)
    if not form.is_valid():
        return _json_error(_form_errors(form))
    changed = services.evidence_link(
        user=request.user, item=item, standards=form.standards(), tasks=list(form.cleaned_data["tasks"])
    )
    if changed:
        message = _("The existing item was linked.")
    else:
        message = _("Nothing changed: the item is already linked to these standards and tasks.")
    url = reverse("evidence:detail", args=[item.pk])
    if _wants_json(request):
        return JsonResponse(
            {"ok": True, "changed": changed, "message": message, "id": item.pk, "title": item.title, "url": url},
            json_dumps_params={"ensure_ascii": False},
        )
    (messages.success if changed else messages.info)(request, message)
    return redirect(url)
