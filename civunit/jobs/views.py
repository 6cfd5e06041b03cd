from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from civunit import downloads
from civunit.http import AuthenticatedHttpRequest

from . import registry, services
from .access import get_job_for_user
from .models import FileDownload, Job


def job_state(job: Job) -> dict[str, object]:
    """What the progress indicator shows, as the status endpoint sends it."""
    kind = registry.get(job.kind)
    return {
        "status": job.status,
        "status_label": str(job.get_status_display()),
        # a finished job's last stage says nothing more (a failed one's says where it stopped)
        "stage": kind.stage_label(job.stage) if kind and job.stage and job.status != Job.Status.DONE else "",
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "finished": job.finished,
        "message": job.message,
    }


@require_GET
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = services.job_refresh(get_job_for_user(request.user, pk))
    kind = registry.get(job.kind)
    return render(request, "jobs/detail.html", {"job": job, "kind": kind, "state": job_state(job)})


@require_GET
def status(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    job = services.job_refresh(get_job_for_user(request.user, pk))
    response = JsonResponse(job_state(job))
    response["Cache-Control"] = downloads.CACHE_CONTROL
    return response


@require_GET
@downloads.throttle_not_found
def download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    job = get_job_for_user(request.user, pk)
    if job.status != Job.Status.DONE or not job.result.name:
        raise Http404
    content_type = _content_type(job.result_name)
    try:
        offloaded = downloads.offloaded_file_response(
            job.result.storage,
            job.result.name,
            content_type=content_type,
            filename=job.result_name,
            inline=False,
            fallback=f"job-{job.pk}",
        )
    except FileNotFoundError as exc:
        raise Http404 from exc
    if offloaded is not None:
        response: HttpResponseBase = offloaded
    else:
        try:
            fh = job.result.storage.open(job.result.name, "rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = downloads.protect(
            FileResponse(fh, content_type=content_type), filename=job.result_name, fallback=f"job-{job.pk}"
        )
    downloads.record_download(
        user=request.user,
        source=FileDownload.Source.JOB,
        object_id=job.pk,
        variant=job.kind,
        file_name=job.result_name,
    )
    return response


def _content_type(name: str) -> str:
    import mimetypes

    return mimetypes.guess_type(name)[0] or "application/octet-stream"
