"""Entry points of the processes the concurrency and fault tests start (multiprocessing, spawn: each a fresh
interpreter with Django set up on the test's database, as gunicorn workers and the job worker are)."""

from __future__ import annotations

import os
import traceback
from typing import Any

from django.db import connection


def database_url() -> str:
    """The URL of the database this test process uses (a file for SQLite, the test database on PostgreSQL)."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


def setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "civunit.settings"
    import django

    django.setup()


def run(url: str, barrier, name: str, args: tuple, queue) -> None:
    """Set up Django, wait for the others, run ACTIONS[name](*args); put ("ok", result) or ("error", kind, text)."""
    try:
        setup(url)
        from tests.hostile.mutants import apply_from_environment

        apply_from_environment()  # a defect injected on purpose (tests/hostile/mutants.py), or none
        barrier.wait(120)
        queue.put(("ok", ACTIONS[name](*args)))
    except Exception as error:
        queue.put(("error", type(error).__name__, f"{error}\n{traceback.format_exc()}"))


def _progress(task_pk: int, user_pk: int, n: int, who: int) -> int:
    """n progress reports (each a transaction that reads, then writes three tables) and n task events."""
    from civunit.accounts.models import User
    from tasks import services
    from tasks.models import Task

    user = User.objects.get(pk=user_pk)
    for i in range(n):
        task = Task.objects.select_related("campaign", "lead_office__head").get(pk=task_pk)
        services.progress_report_add(task=task, user=user, text=f"第{who}人第{i}次进展")
    return n


def _check_off(task_pk: int, user_pk: int, who: int) -> str:
    from civunit.accounts.models import User
    from tasks import services
    from tasks.models import Task

    task = Task.objects.select_related("campaign", "lead_office__head", "parent").get(pk=task_pk)
    try:
        services.task_check_off(task=task, user=User.objects.get(pk=user_pk), note=f"第{who}人", version=1)
    except services.StaleTask:
        return "stale"
    return "won"


def _review_task(task_pk: int, user_pk: int, who: int) -> str:
    from civunit.accounts.models import User
    from tasks import services
    from tasks.models import Task

    task = Task.objects.select_related("campaign", "lead_office__head", "parent").get(pk=task_pk)
    user = User.objects.get(pk=user_pk)
    try:
        if who % 2:
            services.task_return(task=task, user=user, reason="材料不全", version=1)
            return "returned"
        services.task_accept(task=task, user=user, version=1)
        return "accepted"
    except services.StaleTask:
        return "stale"


def _review_evidence(item_pk: int, user_pk: int, who: int) -> str:
    from civunit.accounts.models import User
    from evidence.models import EvidenceItem
    from evidence.services import ReviewError, evidence_accept, evidence_return

    item = EvidenceItem.objects.select_related("campaign").get(pk=item_pk)
    user = User.objects.get(pk=user_pk)
    try:
        if who % 2:
            evidence_return(user=user, item=item, reason="照片不清")
            return "returned"
        evidence_accept(user=user, item=item)
        return "accepted"
    except ReviewError:
        return "refused"


ACTIONS: dict[str, Any] = {
    "progress": _progress,
    "check_off": _check_off,
    "review_task": _review_task,
    "review_evidence": _review_evidence,
}


def in_processes(name: str, args_of: list[tuple], timeout: float = 180) -> list:
    """Run ACTIONS[name] in one spawned process per args tuple, all released at once; their outcomes."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(args_of))
    queue = ctx.Queue()
    url = database_url()
    procs = [ctx.Process(target=run, args=(url, barrier, name, args, queue)) for args in args_of]
    for p in procs:
        p.start()
    outcomes = [queue.get(timeout=timeout) for _ in procs]
    for p in procs:
        p.join(30)
    return outcomes


def _import_and_die(campaign_pk: int, user_pk: int, data: bytes) -> None:
    """Apply a breakdown and be killed (SIGKILL) once its tasks are inserted, before the import's record."""
    import hashlib
    import signal

    from campaign.models import Campaign, ImportRecord
    from civunit.accounts.models import User
    from tasks.excel import apply_plan, plan_import, read_sheet
    from tasks.models import Task

    campaign = Campaign.objects.get(pk=campaign_pk)
    plan = plan_import(read_sheet(data, filename="分解表.xlsx", campaign=campaign), campaign=campaign)

    def die(**kwargs):
        assert Task.objects.filter(campaign=campaign).exists()  # the rows are written, not yet committed
        os.kill(os.getpid(), signal.SIGKILL)

    ImportRecord.objects.create = die  # type: ignore[method-assign]
    apply_plan(
        plan,
        campaign=campaign,
        user=User.objects.get(pk=user_pk),
        file_name="分解表.xlsx",
        sha256=hashlib.sha256(data).hexdigest(),
    )


ACTIONS["import_and_die"] = _import_and_die


def killed_in_process(name: str, args: tuple, timeout: float = 180) -> int | None:
    """Run ACTIONS[name] in a spawned process that is expected to die; its exit code (negative: the signal)."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(1)
    queue = ctx.Queue()
    proc = ctx.Process(target=run, args=(database_url(), barrier, name, args, queue))
    proc.start()
    proc.join(timeout)
    return proc.exitcode
