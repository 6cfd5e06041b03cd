"""The report as a background job (civunit.jobs): asked for on the report page, drawn by the worker (the web
process never renders it), its progress shown by stage, and the finished PDF and Word copy kept in the history
(history.record_report) rather than as the job's own file: the job's summary names the record.

A failing render, a full disk or a worker killed mid-render keeps nothing: the files are drawn into the jobs'
temporary folder (removed on failure here, or by `jobs_sweep` after a dead worker's heartbeat times out) and the
record is written only once both are complete, in a transaction that first checks that the job is still
running (so a job the sweep already failed never leaves a record behind).
"""

from __future__ import annotations

import datetime
import errno
import os
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.models import Campaign
from civunit.jobs import registry
from civunit.jobs.models import Job
from civunit.jobs.services import TEMP_SUFFIX, JobFailed, temp_dir

from . import access
from .content import report_content
from .history import RecordRefused, record_report
from .pdf import ReportRenderError, render_report_pdf

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from civunit.accounts.models import User
    from civunit.jobs.services import JobContext

KIND = "report"
STAGES = {
    "content": gettext_lazy("Gathering the content"),
    "body": gettext_lazy("Drawing the body"),
    "attachments": gettext_lazy("Drawing the attachments"),
    "join": gettext_lazy("Joining the parts"),
    "docx": gettext_lazy("Writing the Word copy"),
    "store": gettext_lazy("Keeping the report"),
}


class _Stages:
    """Turns the renderers' progress(stage, done, total) into the job's stages and counts."""

    def __init__(self, ctx: JobContext):
        self.ctx = ctx
        self.current = ""

    def set(self, code: str, done: int, total: int) -> None:
        job = self.ctx.job
        if code != self.current:
            self.current = code
            self.ctx.stage(code, total=total)
        elif total != job.total:
            self.ctx.set_total(total)
        if done > job.done:
            self.ctx.advance(done - job.done)


def _temp_path() -> Path:
    return temp_dir() / f"{uuid.uuid4().hex}{TEMP_SUFFIX}"


def _still_running(ctx: JobContext) -> None:
    """Inside the record's transaction: the job is still ours (and alive for the sweep), or nothing is kept."""
    alive = Job.objects.filter(pk=ctx.job.pk, status=Job.Status.RUNNING).update(heartbeat_at=timezone.now())
    if not alive:
        raise JobFailed(_("The job was given up while it ran; nothing was kept."))


def _date(value: object) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise JobFailed(_("The report's date is not valid.")) from exc


def run(ctx: JobContext) -> None:
    from .docx import render_report_docx  # python-docx is loaded by the worker only

    pk = ctx.params.get("campaign")
    campaign = Campaign.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if campaign is None:
        raise JobFailed(_("The campaign no longer exists."))
    user = ctx.user
    if user is None or not access.can_make_reports(user):
        raise JobFailed(_("The person who asked for this report may no longer generate it."))
    day = _date(ctx.params.get("date"))
    stages = _Stages(ctx)
    part = [0]

    def on_part(index: int, count: int) -> None:
        part[0] = index

    def pdf_progress(stage: str, done: int, total: int) -> None:
        if stage == "content":
            stages.set("content", done, total)
        elif stage == "layout":
            stages.set("body" if part[0] == 0 else "attachments", done, total)
        else:
            stages.set("join", done, total)

    with translation.override(settings.LANGUAGE_CODE), ExitStack() as cleanup:
        stages.set("content", 0, 0)
        content = report_content(campaign, user=user, on=day)
        pdf_path, docx_path = _temp_path(), _temp_path()
        for path in (pdf_path, docx_path):
            cleanup.callback(path.unlink, missing_ok=True)
        try:
            with open(pdf_path, "xb") as fh:
                pages = render_report_pdf(content, fh, user=user, progress=pdf_progress, on_part=on_part)
                fh.flush()
                os.fsync(fh.fileno())
            stages.set("docx", 0, 0)
            with open(docx_path, "xb") as fh:
                render_report_docx(content, fh, user=user, progress=lambda _s, d, t: stages.set("docx", d, t))
                fh.flush()
                os.fsync(fh.fileno())
            stages.set("store", 0, 1)
            record = record_report(
                campaign=campaign,
                author=user,
                content=content,
                pdf_path=pdf_path,
                docx_path=docx_path,
                pages=pages,
                before_commit=lambda: _still_running(ctx),
            )
        except (ReportRenderError, RecordRefused) as exc:
            raise JobFailed(str(exc)) from exc
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise JobFailed(_("There is no space left on the disk; nothing was kept.")) from exc
            raise
    ctx.summary = {"record": record.pk, "campaign": campaign.pk, "pages": pages, "bytes": record.pdf_size}


def can_read(user: User | AnonymousUser, job: Job) -> bool:
    """Whoever reads the reports' history sees a report being made (the coordinator's colleagues included)."""
    return access.can_read_reports(user)


def register() -> None:
    registry.register(
        registry.JobKind(
            key=KIND,
            label=gettext_lazy("Report to the civilization office"),
            run=run,
            stages=STAGES,
            can_read=can_read,
        )
    )
