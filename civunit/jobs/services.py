"""Every change of a background job's state, in one place.

    job = job_start("report", user=request.user, params={"campaign": campaign.pk})

creates the job and, once the transaction commits, hands it to the task framework (`civunit.jobs.tasks.run_job`,
the database-backed queue by default, Redis through django-tasks-rq by settings). The worker calls `job_run`,
which gives the kind's `run` a JobContext to report its stage and progress and to write its file:

    def run(ctx):
        ctx.stage("render", total=len(pages))
        with ctx.result_file("报告.pdf") as out:   # a local temporary file
            for page in pages:
                out.write(...)
                ctx.advance()

The file reaches the storage (Storage API) only when `run` returns; a job that raises, or whose worker dies,
keeps no file. A worker that died leaves its job "running" with a stale heartbeat: `jobs_fail_stale` (run by
`manage.py jobs_sweep` on a schedule, and whenever someone looks at such a job) marks it failed.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import logging
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import registry
from .models import Job

if TYPE_CHECKING:
    from civunit.accounts.models import User

logger = logging.getLogger("civunit.jobs")

TEMP_SUFFIX = ".job"
# Progress is written at most this often (seconds), so that a job of 100,000 steps costs a few hundred updates.
PROGRESS_INTERVAL = 0.5


class JobFailed(Exception):
    """Raised by a job's `run` with a message for the person who asked for it (in their language)."""


def temp_dir() -> Path:
    path = Path(settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir()) / "civunit-jobs"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def job_start(kind: str, *, user: User | None, params: dict[str, Any] | None = None) -> Job:
    """A new queued job of a registered kind; it is enqueued when the surrounding transaction commits."""
    if registry.get(kind) is None:
        raise LookupError(f"unknown job kind {kind!r}")
    job = Job.objects.create(kind=kind, params=params or {}, requested_by=user if user and user.pk else None)

    def enqueue() -> None:
        from .tasks import run_job

        run_job.enqueue(job.pk)

    transaction.on_commit(enqueue)
    return job


class _TemporaryResult(File[bytes]):
    """The finished local file, offered to the storage with its path so the file system storage renames it."""

    def temporary_file_path(self) -> str:
        return str(self.name)


class JobContext:
    """What a running job sees: its parameters, who asked, and the calls that report progress."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.params: dict[str, Any] = dict(job.params)
        self.user = job.requested_by
        self.summary: dict[str, Any] = {}
        self._result: tuple[Path, str] | None = None
        self._last_write = 0.0

    def stage(self, code: str, total: int = 0) -> None:
        """A new stage begins; `total` steps (0 when unknown)."""
        self.job.stage, self.job.done, self.job.total = code, 0, max(0, total)
        self._write(force=True)

    def advance(self, steps: int = 1) -> None:
        self.job.done += steps
        if self.job.total:
            self.job.done = min(self.job.done, self.job.total)
        self._write()

    def set_total(self, total: int) -> None:
        self.job.total = max(0, total)
        self.job.done = min(self.job.done, self.job.total) if self.job.total else self.job.done
        self._write()

    def heartbeat(self) -> None:
        """For long steps without progress to report: the job is still alive."""
        self._write()

    def _write(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_write < PROGRESS_INTERVAL:
            return
        self._last_write = now
        Job.objects.filter(pk=self.job.pk, status=Job.Status.RUNNING).update(
            stage=self.job.stage, done=self.job.done, total=self.job.total, heartbeat_at=timezone.now()
        )

    @contextlib.contextmanager
    def result_file(self, name: str) -> Iterator[IO[bytes]]:
        """A local temporary file to write the job's result into; `name` is what the download is called.
        The file is stored (Storage API) only when the job succeeds, and removed otherwise."""
        path = temp_dir() / f"{uuid.uuid4().hex}{TEMP_SUFFIX}"
        fh = open(path, "xb")  # noqa: SIM115 - closed below, kept open for the caller's writes
        try:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        except BaseException:
            fh.close()
            path.unlink(missing_ok=True)
            raise
        fh.close()
        if self._result is not None:
            self._result[0].unlink(missing_ok=True)
        self._result = (path, name)

    def _store_result(self) -> None:
        if self._result is None:
            return
        path, name = self._result
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1024 * 1024), b""):
                digest.update(chunk)
        size = path.stat().st_size
        ext = Path(name).suffix.lower()
        ext = ext if ext.isascii() and len(ext) <= 10 else ""
        with open(path, "rb") as fh:
            stored = default_storage.save(f"jobs/{self.job.kind}/{self.job.pk}{ext}", _TemporaryResult(fh, str(path)))
        path.unlink(missing_ok=True)
        self.job.result.name = stored
        self.job.result_name, self.job.result_size, self.job.result_sha256 = name, size, digest.hexdigest()

    def discard(self) -> None:
        if self._result is not None:
            self._result[0].unlink(missing_ok=True)
            self._result = None


def job_run(job_id: int) -> str:
    """Run one queued job (the worker's entry point). Returns the final status."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != Job.Status.QUEUED:
            return job.status if job else "missing"
        now = timezone.now()
        job.status, job.started_at, job.heartbeat_at = Job.Status.RUNNING, now, now
        job.save(update_fields=["status", "started_at", "heartbeat_at"])
    kind = registry.get(job.kind)
    ctx = JobContext(job)
    try:
        if kind is None:
            raise JobFailed(_("This kind of job is no longer known."))
        kind.run(ctx)
        ctx._store_result()
    except JobFailed as exc:
        ctx.discard()
        return _finish(job, Job.Status.FAILED, message=str(exc))
    except Exception:
        ctx.discard()
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        return _finish(job, Job.Status.FAILED, message=_("The job failed because of an error; nothing was kept."))
    job.summary = ctx.summary
    try:
        return _finish(job, Job.Status.DONE)
    except Exception:
        if job.result.name:
            default_storage.delete(job.result.name)
        raise


def _finish(job: Job, status: str, *, message: str = "") -> str:
    """End a running job; a job the sweep already failed stays failed, and a file it made is removed."""
    done = job.total if status == Job.Status.DONE else job.done
    finished = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=status,
        message=message,
        finished_at=timezone.now(),
        done=done,
        summary=job.summary if status == Job.Status.DONE else {},
        result=job.result.name or "",
        result_name=job.result_name,
        result_size=job.result_size,
        result_sha256=job.result_sha256,
    )
    if not finished and job.result.name:
        default_storage.delete(job.result.name)
    job.refresh_from_db()
    return job.status


def stale_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(seconds=settings.JOBS_HEARTBEAT_TIMEOUT)


def jobs_fail_stale(*, now: datetime.datetime | None = None) -> int:
    """Mark failed every running job whose worker has not been heard from within JOBS_HEARTBEAT_TIMEOUT, and
    remove temporary files of jobs older than that. Returns how many jobs were marked failed."""
    cutoff = stale_cutoff(now)
    failed = Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=cutoff).update(
        status=Job.Status.FAILED,
        message=_("The job stopped: its worker was not heard from for too long. Nothing was kept; start it again."),
        finished_at=now or timezone.now(),
    )
    for path in temp_dir().glob(f"*{TEMP_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime < cutoff.timestamp():
                path.unlink()
    return failed


def job_refresh(job: Job) -> Job:
    """The job as it is now, failed first if its worker died (for the pages that show it)."""
    if job.status == Job.Status.RUNNING and job.heartbeat_at and job.heartbeat_at < stale_cutoff():
        jobs_fail_stale()
        job.refresh_from_db()
    return job
