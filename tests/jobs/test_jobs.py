"""Background jobs: progress, the stored result, failures that keep nothing, a dead worker, and who may see a job."""

from __future__ import annotations

import datetime
import hashlib
import os
import signal
import threading

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from civunit.jobs import registry
from civunit.jobs.models import Job
from civunit.jobs.services import JobContext, JobFailed, job_refresh, job_start, jobs_fail_stale, temp_dir

PAYLOAD = "进度报告".encode() * 10_000
seen_progress: list[tuple[str, int, int]] = []


def _writes_a_file(ctx: JobContext) -> None:
    ctx.stage("write", total=4)
    with ctx.result_file("结果 文件.txt") as out:
        for _ in range(4):
            out.write(PAYLOAD[: len(PAYLOAD) // 4])
            ctx.advance()
            job = Job.objects.get(pk=ctx.job.pk)
            seen_progress.append((job.stage, job.done, job.total))
    ctx.summary = {"parts": 4}


def _refuses(ctx: JobContext) -> None:
    with ctx.result_file("半个.txt") as out:
        out.write(b"half")
        raise JobFailed("材料不全，无法生成。")


def _breaks(ctx: JobContext) -> None:
    with ctx.result_file("半个.txt") as out:
        out.write(b"half")
    raise RuntimeError("disk on fire")


def _dies(ctx: JobContext) -> None:
    with ctx.result_file("半个.txt") as out:
        out.write(b"half")
        out.flush()
        os.kill(os.getpid(), signal.SIGKILL)


@pytest.fixture(autouse=True)
def kinds():
    for key, run in [("t-write", _writes_a_file), ("t-refuse", _refuses), ("t-break", _breaks), ("t-die", _dies)]:
        registry.register(registry.JobKind(key=key, label="测试任务", run=run, stages={"write": "写文件"}))
    seen_progress.clear()
    yield
    for key in ["t-write", "t-refuse", "t-break", "t-die"]:
        registry.unregister(key)


def _stored_job_files() -> list[str]:
    try:
        _dirs, files = default_storage.listdir("jobs/t-write")
    except FileNotFoundError:
        return []
    return files


def _leftover_temp() -> list[str]:
    return [p.name for p in temp_dir().iterdir()]


def test_a_job_reports_progress_and_keeps_its_file(cast, login, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("civunit.jobs.services.PROGRESS_INTERVAL", 0)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start("t-write", user=cast.staff_a, params={"x": 1})
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert seen_progress == [("write", 1, 4), ("write", 2, 4), ("write", 3, 4), ("write", 4, 4)]
    assert (job.done, job.total, job.percent, job.summary) == (4, 4, 100, {"parts": 4})
    assert job.result_size == len(PAYLOAD)
    assert job.result_sha256 == hashlib.sha256(PAYLOAD).hexdigest()
    assert job.result.name and default_storage.exists(job.result.name)
    assert _leftover_temp() == []

    response = login(cast.staff_a).get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PAYLOAD
    assert "filename*=UTF-8''%E7%BB%93%E6%9E%9C%20%E6%96%87%E4%BB%B6.txt" in response["Content-Disposition"]
    page = login(cast.staff_a).get(f"/jobs/{job.pk}/")
    assert page.status_code == 200
    assert "结果 文件.txt" in page.content.decode()
    state = login(cast.staff_a).get(f"/jobs/{job.pk}/status/").json()
    assert state["finished"] is True
    assert state["percent"] == 100
    assert state["status_label"] == "已完成"


def test_only_the_requester_and_administrators_see_a_job(cast, login, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start("t-write", user=cast.staff_a)
    for user in [cast.staff_b, cast.head_a, cast.leader, cast.coordinator]:
        for suffix in ["", "status/", "download/"]:
            assert login(user).get(f"/jobs/{job.pk}/{suffix}").status_code == 404, (user, suffix)
    assert login(cast.admin).get(f"/jobs/{job.pk}/download/").status_code == 200
    assert client.get(f"/jobs/{job.pk}/").status_code == 302
    assert login(cast.staff_a).get("/jobs/999999/").status_code == 404


def test_progress_is_written_at_most_twice_a_second(cast, monkeypatch):
    monkeypatch.setattr("civunit.jobs.services.PROGRESS_INTERVAL", 3600)
    job = Job.objects.create(kind="t-write", status=Job.Status.RUNNING)
    ctx = JobContext(job)
    ctx.stage("write", total=1000)
    for _ in range(999):
        ctx.advance()
    assert Job.objects.get(pk=job.pk).done == 0  # throttled: only the stage's start was written
    ctx.stage("next", total=2)
    assert (Job.objects.get(pk=job.pk).stage, Job.objects.get(pk=job.pk).total) == ("next", 2)


@pytest.mark.parametrize(
    ("kind", "message"),
    [("t-refuse", "材料不全，无法生成。"), ("t-break", "任务因错误而失败，未保留任何文件。")],
)
def test_a_failed_job_keeps_no_file(cast, login, kind, message, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind, user=cast.staff_a)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == message
    assert not job.result.name
    assert _leftover_temp() == []
    assert login(cast.staff_a).get(f"/jobs/{job.pk}/download/").status_code == 404
    assert message in login(cast.staff_a).get(f"/jobs/{job.pk}/").content.decode()


def test_a_job_whose_worker_died_is_failed_and_keeps_no_file(cast, login):
    if connection.vendor != "sqlite":
        pytest.skip("the worker is killed in a forked copy of the in-memory SQLite test database")
    if threading.active_count() > 1:
        # a fork copies only this thread; a lock another thread holds (a browser test's live server left in this
        # worker, say) stays held in the child for good
        pytest.skip("forking is unsafe while this process runs other threads")
    job = Job.objects.create(kind="t-die", requested_by=cast.staff_a)
    pid = os.fork()
    if pid == 0:  # the worker: runs the job and is killed in the middle of writing its file
        from civunit.jobs.services import job_run

        try:
            job_run(job.pk)
        finally:
            os._exit(1)  # not reached: the job kills the process
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status)
    assert os.WTERMSIG(status) == signal.SIGKILL
    # The worker got as far as a temporary file; nothing reached the storage.
    assert len(_leftover_temp()) == 1
    assert not default_storage.exists("jobs")
    # What the parent sees: the job as the dead worker left it, "running" with a heartbeat that will go stale.
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, heartbeat_at=timezone.now() - datetime.timedelta(hours=1)
    )
    os.utime(temp_dir() / _leftover_temp()[0], (0, 0))
    state = login(cast.staff_a).get(f"/jobs/{job.pk}/status/").json()
    assert state["status"] == "failed"
    assert "未保留" in state["message"]
    assert _leftover_temp() == []


def test_the_sweep_fails_only_stale_running_jobs(cast):
    now = timezone.now()
    old = now - datetime.timedelta(hours=1)
    stale = Job.objects.create(kind="t-write", status=Job.Status.RUNNING, heartbeat_at=old)
    alive = Job.objects.create(kind="t-write", status=Job.Status.RUNNING, heartbeat_at=now)
    queued = Job.objects.create(kind="t-write")
    assert jobs_fail_stale() == 1
    assert [j.status for j in Job.objects.filter(pk__in=[stale.pk, alive.pk, queued.pk]).order_by("pk")] == [
        "failed",
        "running",
        "queued",
    ]
    assert job_refresh(alive).status == "running"


def test_a_job_the_sweep_failed_stays_failed_when_its_worker_comes_back(cast, monkeypatch):
    """A worker that was only slow finishes after the sweep gave up on it: its file is removed, the job stays failed."""

    def _slow(ctx: JobContext) -> None:
        with ctx.result_file("迟到.txt") as out:
            out.write(b"late")
        Job.objects.filter(pk=ctx.job.pk).update(status=Job.Status.FAILED, message="swept")

    registry.register(registry.JobKind(key="t-slow", label="测试", run=_slow))
    try:
        job = Job.objects.create(kind="t-slow", requested_by=cast.staff_a)
        from civunit.jobs.services import job_run

        assert job_run(job.pk) == "failed"
        job.refresh_from_db()
        assert (job.status, job.message, job.result.name) == ("failed", "swept", "")
        _dirs, files = default_storage.listdir("jobs/t-slow")
        assert files == []
    finally:
        registry.unregister("t-slow")


def test_a_finished_job_is_not_run_again(cast):
    from civunit.jobs.services import job_run

    job = Job.objects.create(kind="t-write", status=Job.Status.FAILED)
    assert job_run(job.pk) == "failed"
    assert job_run(10**12) == "missing"


def test_the_database_refuses_a_file_on_a_job_that_is_not_done(cast):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(
            kind="t-write", status=Job.Status.RUNNING, result="jobs/x.pdf", result_size=1, result_sha256="a"
        )
