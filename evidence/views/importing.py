"""The coordinator's import of an existing archive: a ZIP streamed to a temporary file (@streaming_upload), its
directory checked at once (a hostile or oversized ZIP is refused before anything is queued), saved to the storage
for the worker, and imported by a background job (evidence/jobs.py) whose page shows the progress and the report."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from campaign.access import campaign_for_request
from civunit.accounts.models import User
from civunit.http import AuthenticatedHttpRequest
from civunit.jobs import registry
from civunit.jobs import services as jobs
from civunit.jobs.access import get_job_for_user
from civunit.jobs.models import Job
from civunit.jobs.views import job_state

from .. import access, files
from ..forms.importing import EvidenceImportForm
from ..importing import report
from ..importing.sources import ArchiveRefused, check_zip, max_bytes, max_files
from ..jobs import IMPORT_KIND
from ..sniffing import human_size
from ._upload import StreamingUpload, streaming_upload_with

RECENT_JOBS = 10


def _max_upload() -> int:
    return int(settings.EVIDENCE_IMPORT_MAX_UPLOAD)


def _require_importer(user: User) -> None:
    if not access.can_import_evidence(user):
        raise PermissionDenied


def _page(
    request: AuthenticatedHttpRequest, form: EvidenceImportForm, *, error: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "evidence/import.html",
        {
            "campaign": campaign_for_request(request),
            "form": form,
            "error": error,
            "limits": {
                "upload": human_size(_max_upload()),
                "files": max_files(),
                "unpacked": human_size(max_bytes()),
            },
            "jobs": list(Job.objects.of_kind(IMPORT_KIND).select_related("requested_by").newest_first()[:RECENT_JOBS]),
        },
        status=status,
    )


@require_GET
def import_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_importer(request.user)
    return _page(request, EvidenceImportForm())


@streaming_upload_with(_max_upload)
def import_upload(request: AuthenticatedHttpRequest, *, upload: StreamingUpload) -> HttpResponse:
    _require_importer(request.user)
    campaign = campaign_for_request(request, for_change=True)  # 403 on an archived campaign
    if campaign is None:
        message = _("There is no current campaign to file evidence under.")
        return _page(request, EvidenceImportForm(), error=message, status=400)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > _max_upload() + 1024 * 1024:
        message = _("The file is too large: at most %(limit)s.") % {"limit": human_size(_max_upload())}
        return _page(request, EvidenceImportForm(), error=message, status=413)
    problem, status = upload.receive()
    if problem:
        return _page(request, EvidenceImportForm(), error=problem, status=status)
    form = EvidenceImportForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    received = upload.file
    try:
        check_zip(received.temp_path)
    except ArchiveRefused as exc:
        return _page(request, form, error=_("Nothing was imported. %(reason)s") % {"reason": exc}, status=400)
    name = ""
    try:
        name = files.save_local_file(received.temp_path, files.import_zip_name())
        with transaction.atomic():
            job = jobs.job_start(
                IMPORT_KIND,
                user=request.user,
                params={
                    "zip": name,
                    "name": received.name[:200],
                    "office": form.cleaned_data["office"].pk,
                    "campaign": campaign.pk,
                    "dry_run": form.cleaned_data["dry_run"],
                },
            )
    except BaseException:
        files.delete_quietly([name])
        raise
    return redirect("evidence:import_job", pk=job.pk)


@require_GET
def import_job(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = get_job_for_user(request.user, pk)
    if job.kind != IMPORT_KIND:
        raise Http404
    job = jobs.job_refresh(job)
    summary = job.summary if job.status == Job.Status.DONE else {}
    lines = summary.get("lines", {})
    counts = summary.get("counts", {})
    sections = []
    for outcome in report.OUTCOMES:
        shown = lines.get(outcome, [])
        sections.append(
            {
                "outcome": outcome,
                "label": report.OUTCOME_LABELS[outcome],
                "lines": shown,
                "count": counts.get(outcome, 0),
                "more": max(0, counts.get(outcome, 0) - len(shown)),
                # only the columns something is said in (a phone has no room for empty ones)
                "columns": {name: any(line.get(name) for line in shown) for name in ("activity", "title", "reason")},
            }
        )
    kind = registry.get(job.kind)
    return render(
        request,
        "evidence/import_job.html",
        {
            "job": job,
            "kind": kind,
            "state": job_state(job),
            "done": job.status == Job.Status.DONE,
            "summary": summary,
            "counts": counts,
            "sections": sections,
            "may_import": access.can_import_evidence(request.user),
        },
    )
