"""The coordinator's pages for the Excel round trip of the task breakdown: upload → preview → apply → result, and
the export download. The upload is kept between preview and apply by tasks.excel.storage (keyed by its SHA-256
and the user), so what is applied is byte for byte the file that was previewed."""

from __future__ import annotations

import hashlib
import logging

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.access import campaign_for_request, is_open
from campaign.models import Campaign, ImportRecord
from civunit import access, downloads
from civunit.accounts.models import Office
from civunit.http import AuthenticatedHttpRequest
from civunit.storage import STORAGE_FAILED
from civunit.xlsx import WorkbookError

from . import access as policy
from .excel import ConflictsRefused, PlanChanged, apply_plan, export_workbook, plan_import, read_sheet
from .excel.columns import STATUS_LABEL
from .excel.planning import CONFLICT_SIMILARITY, deadline_text, office_names
from .excel.storage import discard_upload, load_upload, store_upload
from .models import code_sort_key
from .services import StaleTask

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
PREVIEW_LIMIT = 300  # rows listed per section of the preview; the counts are always complete
logger = logging.getLogger(__name__)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Task breakdown workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB.") % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


def _coordinator(request: AuthenticatedHttpRequest) -> None:
    if not access.can_manage_campaign(request.user):
        raise PermissionDenied


def _campaign(request: AuthenticatedHttpRequest, *, for_change: bool = False) -> Campaign:
    """The campaign the coordinator's pages show (campaign.selection); with `for_change`, 403 when archived."""
    campaign = campaign_for_request(request, for_change=for_change)
    if campaign is None:
        raise Http404
    return campaign


@require_http_methods(["GET", "POST"])
def excel_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The upload form and the recent imports; an archived campaign's page lists its imports and takes none."""
    _coordinator(request)
    campaign = campaign_for_request(request, for_change=request.method == "POST")
    form = UploadForm()
    refusal: list[str] = []
    status = 200
    if request.method == "POST" and campaign is not None:
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            try:
                read_sheet(data, filename=upload.name, campaign=campaign)
            except WorkbookError as exc:
                refusal = exc.messages  # the file cannot be read at all: nothing is kept
            else:
                try:
                    digest = store_upload(data, user=request.user, file_name=upload.name)
                except OSError:  # the storage is full or away: keep no half of the upload
                    logger.exception("task breakdown upload: the storage refused the file")
                    discard_upload(user=request.user, digest=hashlib.sha256(data).hexdigest())
                    refusal, status = [str(STORAGE_FAILED)], 503
                else:
                    return redirect("tasks:excel_preview", digest=digest)
    records = (
        ImportRecord.objects.filter(campaign=campaign, kind=ImportRecord.Kind.TASKS).select_related("user")[:10]
        if campaign
        else []
    )
    return render(
        request,
        "tasks/excel_import.html",
        {"campaign": campaign, "form": form, "refusal": refusal, "records": records, "changeable": is_open(campaign)},
        status=status,
    )


def _created_rows(plan) -> list[dict]:
    return [
        {
            "row": r.row,
            "code": r.code,
            "title": r.title,
            "office": r.lead_office.name if r.lead_office else "",
            "supporting": office_names(r.supporting_offices),
            "deadline": deadline_text(r.deadline, r.recurrence),
            "status": STATUS_LABEL.get(r.status, "") if r.status else "",
        }
        for r in plan.created[:PREVIEW_LIMIT]
    ]


@require_GET
def excel_preview(request: AuthenticatedHttpRequest, digest: str) -> HttpResponse:
    _coordinator(request)
    campaign = _campaign(request, for_change=True)
    stored = load_upload(user=request.user, digest=digest)
    if stored is None:
        messages.warning(request, _("That upload is no longer available; please upload the file again."))
        return redirect("tasks:excel_import")
    data, file_name = stored
    try:
        sheet = read_sheet(data, filename=file_name, campaign=campaign)
    except WorkbookError as exc:
        return render(
            request,
            "tasks/excel_import.html",
            {"campaign": campaign, "form": UploadForm(), "refusal": exc.messages, "records": [], "changeable": True},
        )
    plan = plan_import(sheet, campaign=campaign)
    context = {
        "campaign": campaign,
        "digest": digest,
        "file_name": file_name,
        "sheet": sheet,
        "plan": plan,
        "errors": sheet.errors,
        "created": _created_rows(plan),
        "updated": plan.updated[:PREVIEW_LIMIT],
        "conflicts": plan.conflicts[:PREVIEW_LIMIT],
        "conflict_threshold": round(CONFLICT_SIMILARITY * 100),
        "backwards": plan.backwards[:PREVIEW_LIMIT],
        "cleared": plan.cleared[:PREVIEW_LIMIT],
        "expanded": sheet.expanded_names(),
        "unchanged": plan.unchanged[:PREVIEW_LIMIT],
        "missing": plan.missing[:PREVIEW_LIMIT],
        "limit": PREVIEW_LIMIT,
        "changes": len(plan.created) + len(plan.updated),
        "fingerprint": plan.fingerprint() if plan.ok else "",
    }
    return render(request, "tasks/excel_preview.html", context)


@require_POST
def excel_apply(request: AuthenticatedHttpRequest, digest: str) -> HttpResponse:
    _coordinator(request)
    campaign = _campaign(request, for_change=True)
    stored = load_upload(user=request.user, digest=digest)
    if stored is None:
        messages.warning(request, _("That upload is no longer available; please upload the file again."))
        return redirect("tasks:excel_import")
    data, file_name = stored
    try:
        sheet = read_sheet(data, filename=file_name, campaign=campaign)
    except WorkbookError:
        return redirect("tasks:excel_preview", digest=digest)
    plan = plan_import(sheet, campaign=campaign)
    if not plan.ok:
        messages.error(request, _("The table has errors; nothing was imported."))
        return redirect("tasks:excel_preview", digest=digest)
    changed = _("The tasks changed since this preview was made. Check the preview again before importing.")
    if plan.fingerprint() != request.POST.get("fingerprint", ""):
        messages.warning(request, changed)
        return redirect("tasks:excel_preview", digest=digest)
    on_conflict = "update" if request.POST.get("on_conflict") == "update" else "refuse"
    try:
        record = apply_plan(
            plan, campaign=campaign, user=request.user, file_name=file_name, sha256=digest, on_conflict=on_conflict
        )
    except ConflictsRefused:
        messages.error(
            request,
            _(
                "Some rows have the number of an existing task but a clearly different text: choose whether to "
                "update those tasks or to import nothing. Nothing was imported."
            ),
        )
        return redirect("tasks:excel_preview", digest=digest)
    except (PlanChanged, StaleTask):
        messages.warning(request, changed)
        return redirect("tasks:excel_preview", digest=digest)
    discard_upload(user=request.user, digest=digest)
    updated = len(plan.changes(on_conflict=on_conflict))
    messages.success(
        request,
        _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
        % {"created": len(plan.created), "updated": updated, "unchanged": len(plan.unchanged)},
    )
    return redirect("tasks:excel_result", pk=record.pk)


@require_GET
def excel_result(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _coordinator(request)
    record = get_object_or_404(
        ImportRecord.objects.select_related("user", "campaign"), pk=pk, kind=ImportRecord.Kind.TASKS
    )
    summary = record.summary or {}

    def natural(codes):
        return sorted(codes, key=code_sort_key)

    def by_code(mapping: dict) -> list[tuple]:
        return sorted(mapping.items(), key=lambda kv: code_sort_key(kv[0]))

    context = {
        "record": record,
        "created": natural(summary.get("created", [])),
        "updated": by_code(summary.get("updated") or {}),
        "conflicts": by_code(summary.get("conflicts") or {}),
        "backwards": by_code(summary.get("state_backwards") or {}),
        "cleared": by_code(summary.get("responsible_cleared") or {}),
        "expanded": sorted((summary.get("expanded") or {}).items()),
        "unchanged": summary.get("unchanged", 0),
        "missing": natural(summary.get("missing", [])),
        "warnings": summary.get("warnings", []),
        "status_changes": summary.get("status_changes", 0),
        "progress_reports": summary.get("progress_reports", 0),
    }
    return render(request, "tasks/excel_result.html", context)


@require_GET
def excel_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The breakdown as .xlsx: the whole of it for the coordinator and leadership, an office head's own
    office's lines (the offices they head) for them, nothing for anyone else (403)."""
    office_ids = policy.task_export_office_ids(request.user)
    if office_ids is not None and not office_ids:
        raise PermissionDenied
    campaign = _campaign(request)
    today = timezone.localdate()
    data = export_workbook(campaign, by_office=request.GET.get("by_office") == "1", today=today, office_ids=office_ids)
    name = "工作任务分解表"
    if office_ids is not None:
        name += "-" + "、".join(
            Office.objects.filter(pk__in=office_ids).order_by("ordering", "name").values_list("name", flat=True)
        )
    return downloads.attachment(
        data, content_type=XLSX_TYPE, filename=f"{name}-{today:%Y%m%d}.xlsx", fallback=f"tasks-{today:%Y%m%d}"
    )
