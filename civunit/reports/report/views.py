"""The report pages: the report to 市文明办 for the selected campaign (ask for one, follow its progress) with its
history (报送记录), a record of the history (its figures, its files, marking it sent) and the files' downloads.
The web process never draws the report: asking for one starts a background job (jobs.py)."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from campaign.access import campaign_for_request, require_open
from civunit import downloads
from civunit.http import AuthenticatedHttpRequest
from civunit.jobs import registry
from civunit.jobs.models import FileDownload, Job
from civunit.jobs.services import job_refresh, job_start
from civunit.jobs.views import job_state
from civunit.reports.models import ReportRecord

from . import access, history
from .jobs import KIND

PAGE_SIZE = 20
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class ReportForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Date of the report"),
        required=False,
        help_text=gettext_lazy("Written under the signature; today when left empty."),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )

    def clean_date(self) -> datetime.date | None:
        day: datetime.date | None = self.cleaned_data.get("date")
        today = timezone.localdate()
        if day and not (today - datetime.timedelta(days=366) <= day <= today + datetime.timedelta(days=31)):
            raise forms.ValidationError(_("Choose a date within a year before today and a month after it."))
        return day


class SentForm(forms.Form):
    sent_on = forms.DateField(
        label=gettext_lazy("Sent on"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=history.SENT_NOTE_LIMIT,
        help_text=gettext_lazy("How and to whom it was sent, e.g. the document number."),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


def _campaign_jobs(campaign_pk: int):  # type: ignore[no-untyped-def]
    return Job.objects.of_kind(KIND).filter(params__campaign=campaign_pk).newest_first()


@require_GET
def report_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_read(request.user)
    campaign = campaign_for_request(request)
    records = ReportRecord.objects.none()
    job = None
    if campaign is not None:
        records = ReportRecord.objects.filter(campaign=campaign).select_related("author", "sent_by")
        latest = _campaign_jobs(campaign.pk).select_related("requested_by").first()
        newest = records.first()
        # The job in progress, or the last one if it failed after the newest report was kept.
        if latest is not None and (
            not latest.finished
            or (latest.status == Job.Status.FAILED and (newest is None or latest.created_at > newest.created_at))
        ):
            job = job_refresh(latest)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    may_make = access.can_make_reports(request.user) and campaign is not None and not campaign.is_archived
    return render(
        request,
        "reports/report/page.html",
        {
            "campaign": campaign,
            "page_obj": page,
            "records": page.object_list,
            "job": job,
            "kind": registry.get(KIND),
            "state": job_state(job) if job else None,
            "may_make": may_make,
            "form": ReportForm(initial={"date": timezone.localdate()}) if may_make else None,
        },
    )


@require_POST
def report_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_make(request.user)
    campaign = campaign_for_request(request, for_change=True)
    if campaign is None:
        messages.error(request, _("There is no current campaign to report on."))
        return redirect("reports:report")
    form = ReportForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("reports:report")
    day = form.cleaned_data.get("date")
    with transaction.atomic():
        running = [job_refresh(j) for j in _campaign_jobs(campaign.pk).unfinished().select_for_update()]
        if any(not j.finished for j in running):
            messages.warning(request, _("A report of this campaign is already being generated; wait for it."))
            return redirect("reports:report")
        job_start(
            KIND,
            user=request.user,
            params={"campaign": campaign.pk, "date": day.isoformat() if day else None},
        )
    messages.success(request, _("The report is being generated; this page shows its progress."))
    return redirect("reports:report")


@require_GET
def record_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    record = access.get_record_for_user(request.user, pk)
    may_mark = access.can_make_reports(request.user) and not record.is_sent and not record.campaign.is_archived
    return render(
        request,
        "reports/report/record.html",
        {
            "record": record,
            "form": SentForm(initial={"sent_on": timezone.localdate()}) if may_mark else None,
            "figures": _figures(record.summary),
            "technical": access.can_make_reports(request.user),
        },
    )


FIGURES = [
    ("standards", gettext_lazy("Standards")),
    ("standards_met", gettext_lazy("Standards met")),
    ("score", gettext_lazy("Self score")),
    ("max_score", gettext_lazy("Maximum score")),
    ("tasks", gettext_lazy("Tasks")),
    ("tasks_done", gettext_lazy("Tasks done")),
    ("evidence_accepted", gettext_lazy("Evidence accepted")),
    ("evidence_items", gettext_lazy("Items in the evidence index")),
    ("photos", gettext_lazy("Photos shown")),
    ("veto_triggered", gettext_lazy("Veto conditions triggered")),
    ("pages", gettext_lazy("Pages in the PDF")),
]


def _figures(summary: dict[str, object]) -> list[tuple[str, object]]:
    return [(str(label), summary[key]) for key, label in FIGURES if summary.get(key) not in (None, "")]


@require_POST
def record_sent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    record = access.get_record_for_user(request.user, pk)
    access.require_make(request.user)
    require_open(record.campaign)
    form = SentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(record)
    try:
        history.record_mark_sent(
            record=record, user=request.user, sent_on=form.cleaned_data["sent_on"], note=form.cleaned_data["note"]
        )
    except history.RecordRefused as error:
        messages.error(request, str(error))
        return redirect(record)
    messages.success(request, _("The report is marked sent; it is kept as it is from now on."))
    return redirect(record)


def file_name(record: ReportRecord, ext: str) -> str:
    stamp = timezone.localtime(record.created_at)
    return f"{record.title}_{stamp:%Y%m%d-%H%M}.{ext}"


def _download(request: AuthenticatedHttpRequest, pk: int, ext: str) -> FileResponse:
    record = access.get_record_for_user(request.user, pk)
    field = record.pdf if ext == "pdf" else record.docx
    if not field.name:
        raise Http404
    try:
        fh = field.storage.open(field.name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(fh, content_type=CONTENT_TYPES[ext])
    name = file_name(record, ext)
    downloads.record_download(
        user=request.user, source=FileDownload.Source.REPORT, object_id=record.pk, variant=ext, file_name=name
    )
    return downloads.protect(response, filename=name, fallback=f"report-{record.pk}")


@require_GET
@downloads.throttle_not_found
def record_pdf(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    return _download(request, pk, "pdf")


@require_GET
@downloads.throttle_not_found
def record_docx(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    return _download(request, pk, "docx")
