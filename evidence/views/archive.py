"""The archive page (归档): the coordinator starts a binder export (a background job), watches its progress and
downloads the ZIP; the integrity checks' results. One view, one action: POST → redirect → GET."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaign.models import Campaign
from civunit.http import AuthenticatedHttpRequest
from civunit.jobs import services as jobs
from civunit.jobs.models import Job
from civunit.jobs.views import job_state
from evidence import access

from ..binder import Layout
from ..binder import jobs as binder_jobs
from ..forms.archive import BinderForm
from ..integrity import FINDING_LABELS
from ..models import ArchiveCheck
from ._common import nav_flags

RECENT_EXPORTS = 10
RECENT_CHECKS = 5


@dataclass(frozen=True)
class ExportRow:
    job: Job
    state: dict[str, object]
    campaign: str
    layout: str


@dataclass(frozen=True)
class FindingRow:
    kind: str
    label: str
    name: str
    detail: str


def _exports() -> list[ExportRow]:
    recent = list(Job.objects.of_kind(binder_jobs.KIND).select_related("requested_by").newest_first()[:RECENT_EXPORTS])
    titles = dict(Campaign.objects.filter(pk__in={j.params.get("campaign") for j in recent}).values_list("pk", "title"))
    layouts = dict(Layout.choices)
    return [
        ExportRow(
            job=job,
            state=job_state(job),
            campaign=titles.get(job.params.get("campaign"), "—"),
            layout=str(layouts.get(job.params.get("layout"), "")),
        )
        for job in recent
    ]


def _page(request: AuthenticatedHttpRequest, form: BinderForm, *, status: int = 200) -> HttpResponse:
    exports = _exports()
    checks = list(ArchiveCheck.objects.newest_first()[:RECENT_CHECKS])
    return render(
        request,
        "evidence/archive.html",
        {
            "form": form,
            "exports": exports,
            "checks": checks,
            "running": any(not row.job.finished for row in exports),
            **nav_flags(request.user),
        },
        status=status,
    )


@require_GET
def archive(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.can_export_binder(request.user):
        raise PermissionDenied
    return _page(request, BinderForm())


@require_POST
def archive_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.can_export_binder(request.user):
        raise PermissionDenied
    form = BinderForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    job = jobs.job_start(
        binder_jobs.KIND,
        user=request.user,
        params={"campaign": form.cleaned_data["campaign"].pk, "layout": form.cleaned_data["layout"]},
    )
    messages.success(request, _("The binder is being compiled; it is offered for download here when it is ready."))
    return redirect(f"{reverse('evidence:archive')}#export-{job.pk}")


@require_GET
def archive_check(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    check = access.get_archive_check_for_user(request.user, pk)
    findings = [
        FindingRow(
            kind=str(f.get("kind", "")),
            label=str(FINDING_LABELS.get(str(f.get("kind", "")), f.get("kind", ""))),
            name=str(f.get("name", "")),
            detail=str(f.get("detail", "")),
        )
        for f in check.findings
        if isinstance(f, dict)
    ]
    return render(
        request,
        "evidence/archive_check.html",
        {
            "check": check,
            "findings": findings,
            "not_kept": max(0, check.problems - len(findings)),
            **nav_flags(request.user),
        },
    )
