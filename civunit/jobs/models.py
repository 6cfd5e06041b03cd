"""A background job as the people who asked for it see it: its stage, its progress and its file.

Django's task framework runs the work (`civunit.jobs.tasks.run_job`) but has no progress API and does not
recover a job whose worker died, so the state people see is kept here, written only by `civunit.jobs.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civunit.audit import client_address


class JobQuerySet(models.QuerySet["Job"]):
    def of_kind(self, kind: str) -> JobQuerySet:
        return self.filter(kind=kind)

    def unfinished(self) -> JobQuerySet:
        return self.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING])

    def newest_first(self) -> JobQuerySet:
        return self.order_by("-created_at", "-pk")


class JobStatus(models.TextChoices):
    """A job's state (Job.Status); at module level so that the constraints below can name it."""

    # With a context: the catalogs share one namespace, and the robots' "Failed" is 发送失败.
    QUEUED = "queued", pgettext_lazy("job status", "Queued")
    RUNNING = "running", pgettext_lazy("job status", "Running")
    DONE = "done", pgettext_lazy("job status", "Done")
    FAILED = "failed", pgettext_lazy("job status", "Failed")


class Job(models.Model):
    Status = JobStatus

    kind = models.CharField(_("kind"), max_length=50)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(_("stage"), max_length=40, blank=True)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    result = models.FileField(_("result file"), max_length=300, blank=True)
    result_name = models.CharField(_("file name"), max_length=255, blank=True)
    result_size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    result_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [
            models.Index(fields=["kind", "-created_at"], name="jobs_kind_created"),
            models.Index(fields=["status", "heartbeat_at"], name="jobs_status_heartbeat"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=JobStatus.values), name="jobs_status_valid"),
            models.CheckConstraint(condition=Q(done__lte=models.F("total")) | Q(total=0), name="jobs_done_le_total"),
            # A finished job with a file knows its size and hash; only a done job has a file.
            models.CheckConstraint(
                condition=Q(result="")
                | (Q(status=JobStatus.DONE) & Q(result_size__isnull=False) & ~Q(result_sha256="")),
                name="jobs_result_only_when_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0


class DownloadSource(models.TextChoices):
    """Which kind of file a FileDownload is of (FileDownload.Source; at module level for its constraint)."""

    JOB = "job", _("Generated file")  # jobs:download, the object is the Job
    REPORT = "report", _("Kept report")  # reports:report_record_pdf/docx, the object is the ReportRecord


class FileDownload(models.Model):
    """One download of a generated file (who, when, which, from which address): a background job's result (the
    evidence binder, the report, the Excel exports) or a kept report's PDF or Word copy. Written by
    `civunit.downloads.record_download` only, one insert per download, and never changed (the admin is
    read-only); evidence files keep their downloads in their own history (EvidenceEvent)."""

    Source = DownloadSource

    source = models.CharField(_("what"), max_length=10, choices=Source.choices)
    object_id = models.PositiveBigIntegerField(_("object number"))
    variant = models.CharField(_("file"), max_length=50, blank=True)  # the job's kind, or "pdf" / "docx"
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(
        _("address"), null=True, blank=True, editable=False, default=client_address
    )

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("file download")
        verbose_name_plural = _("file downloads")
        constraints = [
            models.CheckConstraint(condition=Q(source__in=DownloadSource.values), name="filedownload_source_valid"),
        ]
        indexes = [
            # the audit trail: newest first, and one object's downloads
            models.Index(fields=["at"], name="filedownload_recent_idx"),
            models.Index(fields=["source", "object_id", "at"], name="filedownload_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.object_id} {self.at:%Y-%m-%d %H:%M}"

    def get_action_display(self) -> str:
        return str(_("Downloaded"))
