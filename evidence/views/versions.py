"""An item's versions and history, editing its caption fields and links, uploading a new file (a new version).
One view, one action: POST → redirect → GET."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Field
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from campaign.access import is_open
from civunit.http import AuthenticatedHttpRequest
from evidence import access

from .. import services
from ..access import get_evidence_for_user
from ..forms.review import ReturnForm
from ..forms.versions import EvidenceEditForm
from ..models import EvidenceEvent, EvidenceItem
from ..sniffing import Refused, human_size
from ._common import versions_url
from ._upload import StreamingUpload, max_upload_size, streaming_upload


@require_GET
def versions(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
        event.changed_labels = [  # type: ignore[attr-defined]  # set for the template
            _field_label(n) for n in event.details.get("changed", []) if n not in values
        ]
        event.changed_values = [  # type: ignore[attr-defined]  # set for the template
            (_field_label(n), before, after) for n, (before, after) in values.items()
        ]
    user = request.user
    allow_self = item.campaign.allow_self_review
    changeable = is_open(item.campaign)
    context = {
        "item": item,
        "latest": latest,
        "current": current,
        "versions": all_versions,
        "events": events,
        "can_review": changeable
        and latest.status == EvidenceItem.Status.PENDING
        and not latest.is_deleted
        and access.can_review_evidence(user, latest, allow_self_review=allow_self),
        "can_change": changeable and not latest.is_deleted and access.can_change_evidence(user, latest),
        "can_delete": changeable and not latest.is_deleted and access.can_delete_evidence(user, latest),
        "can_restore": changeable and latest.is_deleted and access.can_manage_recycle_bin(user),
        "return_form": ReturnForm(),
    }
    return render(request, "evidence/versions.html", context)


# History entries name changed fields by their model names; pages show the fields' labels.
FIELD_ALIASES = {"file": "stored_file", "link": "url"}


def _field_label(name: str) -> str:
    try:
        field = EvidenceItem._meta.get_field(FIELD_ALIASES.get(name, name))
    except FieldDoesNotExist:  # an entry written by an older version may name a field no longer there
        return name
    return str(field.verbose_name) if isinstance(field, Field) else name


def _latest_for_change(request: AuthenticatedHttpRequest, pk: int) -> EvidenceItem:
    if not access.can_upload_evidence(request.user):
        raise PermissionDenied
    item = get_evidence_for_user(request.user, pk, for_change=True)
    latest = services.latest_version(item)
    if not access.can_change_evidence(request.user, latest):
        raise PermissionDenied
    if latest.is_deleted:
        raise Http404
    return latest


@require_http_methods(["GET", "POST"])
def edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
            return redirect(versions_url(item))
        if result.pk != item.pk:
            messages.success(request, _("Saved as version %(n)d, awaiting review.") % {"n": result.version})
        else:
            messages.success(request, _("Saved."))
        return redirect(versions_url(result))
    return render(request, "evidence/version_edit.html", {"item": item, "form": form})


@require_GET
def replace_form(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _latest_for_change(request, pk)
    return render(
        request,
        "evidence/version_replace.html",
        {"item": item, "max_size": human_size(max_upload_size())},
    )


@streaming_upload
def replace(request: AuthenticatedHttpRequest, pk: int, *, upload: StreamingUpload) -> HttpResponse:
    """A new file for the item: a new version awaiting review."""
    item = _latest_for_change(request, pk)
    back = reverse("evidence:replace_form", args=[item.pk])
    problem, _status = upload.receive()
    if problem:
        messages.error(request, problem)
        return redirect(back)
    try:
        new = services.evidence_replace_file(user=request.user, item=item, received=upload.file)
    except Refused as exc:
        messages.error(request, str(exc))
        return redirect(back)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
        return redirect(versions_url(item))
    messages.success(request, _("Version %(n)d uploaded, awaiting review.") % {"n": new.version})
    return redirect(versions_url(new))
