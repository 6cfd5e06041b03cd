"""Faults: a full disk, an exception in the middle of a multi-model write, a database connection that drops
between requests, a worker killed in the middle of an import.

A job's worker killed in the middle of its file and an upload killed between its file and its row are shown in
tests/jobs/test_jobs.py (test_a_job_whose_worker_died_is_failed_and_keeps_no_file) and
tests/evidence/test_integrity.py (test_the_sweep_removes_an_interrupted_uploads_files_and_nothing_else); a
report that meets a full disk in tests/reports/report/test_build_report.py.

PostgreSQL going away during traffic (test_the_app_answers_again_after_postgresql_goes_away_during_traffic):
by default every other connection to the test database is terminated (pg_terminate_backend), which is what a
restart does to the app's connections; with CIVUNIT_PG_RESTART=1 the server itself is restarted (pg_ctlcluster,
else service), which breaks every other test run on the machine's shared server, so it is opt-in.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from tests.evidence import samples
from tests.hostile.conftest import Snapshot
from tests.tasks.test_excel_import import HEADER, xlsx_bytes

FULL = {"BACKEND": "tests.hostile.full_storage.FullStorage"}
CHINESE = re.compile(r"[\u4e00-\u9fff]{4,}")


@pytest.fixture
def full_disk(settings):
    settings.STORAGES = {**settings.STORAGES, "default": FULL}


def test_an_upload_onto_a_full_disk_is_refused_with_a_message_and_writes_nothing(cast, campaign, login, full_disk):
    client = login(cast.staff_a)
    before = Snapshot()
    response = client.post(
        reverse("evidence:upload_file"),
        {"file": SimpleUploadedFile("照片.jpg", samples.jpeg(), content_type="image/jpeg"), "title": "照片"},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert 400 <= response.status_code < 500 or response.status_code == 503, response.status_code
    assert "存储空间已满" in response.json()["error"], response.content
    assert before.unchanged() == []


def test_an_upload_onto_a_disk_that_fills_part_way_through_the_file_keeps_no_half_file(cast, campaign, login, settings):
    """Django's FileSystemStorage writes a streamed file in place and leaves what it wrote when the disk fills;
    the app's storage writes it beside its place first and renames it whole."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "tests.hostile.full_storage.FillingStorage"}}
    client = login(cast.staff_a)
    before = Snapshot()
    response = client.post(
        reverse("evidence:upload_file"),
        {"file": SimpleUploadedFile("照片.jpg", samples.jpeg(), content_type="image/jpeg"), "title": "照片"},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert response.status_code == 503, response.status_code
    assert "存储空间已满" in response.json()["error"], response.content
    assert before.unchanged() == []
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_a_breakdown_uploaded_onto_a_full_disk_is_refused_with_a_message_and_keeps_nothing(
    cast, campaign, login, full_disk
):
    client = login(cast.coordinator)
    client.raise_request_exception = False
    before = Snapshot()
    data = xlsx_bytes([HEADER, [1, "", "组织理论学习", "", "研究室", "", "", "张伟", "2026-09-30", "", "", ""]])
    response = client.post(reverse("tasks:excel_import"), {"file": SimpleUploadedFile("分解表.xlsx", data)})
    assert response.status_code == 503, response.status_code
    assert "存储空间已满" in response.content.decode()
    assert before.unchanged() == []


# --- An exception in the middle of a multi-model write: everything rolled back, the audit record included -------


class Injected(Exception):
    pass


def _raise(*args, **kwargs):
    raise Injected


@pytest.fixture
def task_of_a(cast, campaign):
    from tests.tasks.factories import TaskFactory

    return TaskFactory(campaign=campaign, code="1", lead_office=cast.office_a, people=[cast.staff_a])


WRITES = {
    # what is sent, who sends it, and the last step of the write, made to fail after the others have run
    "check-off": ("tasks:check_off", "head_a", {"note": "已完成", "version": "1"}, "tasks.services.workflow._notify"),
    "progress": ("tasks:progress", "staff_a", {"text": "已开展"}, "tasks.services.workflow._event"),
    "new office": (
        "accounts:office_add",
        "admin",
        {"name": "新科室", "kind": "section", "ordering": "9"},
        "civunit.accounts.services._record",
    ),
}


@pytest.mark.parametrize("write", WRITES)
def test_an_exception_inside_a_multi_model_write_leaves_nothing_of_it(cast, task_of_a, login, monkeypatch, write):
    from tasks.models import Status, Task

    name, who, data, last_step = WRITES[write]
    Task.objects.filter(pk=task_of_a.pk).update(status=Status.IN_PROGRESS)
    url = reverse(name, args=[task_of_a.pk]) if name.startswith("tasks:") else reverse(name)
    client = login(getattr(cast, who))
    client.raise_request_exception = False
    monkeypatch.setattr(last_step, _raise)
    before = Snapshot()
    response = client.post(url, data)
    assert response.status_code == 500  # the injected fault
    assert before.unchanged() == []
    monkeypatch.undo()
    response = client.post(url, data)  # the same write without the fault goes through
    assert response.status_code in (200, 302)
    assert before.unchanged() != []


# --- The database connection drops between requests ------------------------------------------------------------


def _drop(conn) -> None:
    """What the server going away does to a kept connection: the next statement on it fails."""
    if conn.vendor == "postgresql":
        import psycopg2

        s = conn.settings_dict
        other = psycopg2.connect(
            dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"], host=s["HOST"] or None, port=s["PORT"] or None
        )
        other.autocommit = True
        with other.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(%s)", [conn.connection.info.backend_pid])
        other.close()
    else:
        conn.connection.close()


def test_the_app_reconnects_after_the_database_connection_dropped(transactional_db, cast, login, settings):
    from django.conf import settings as live
    from django.db import close_old_connections

    if connection.vendor == "postgresql":
        assert live.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
        assert live.DATABASES["default"]["CONN_MAX_AGE"] > 0
    if "mode=memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("SQLite's in-memory test database is gone with its connection")
    connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    client = login(cast.staff_a)
    assert client.get(reverse("tasks:mine")).status_code == 200
    _drop(connection)
    close_old_connections()  # what Django runs as the next request starts (the test client skips it)
    assert client.get(reverse("tasks:mine")).status_code == 200


# --- PostgreSQL goes away while requests run ------------------------------------------------------------------

RESTART_COMMANDS = (["pg_ctlcluster", "15", "main", "restart"], ["service", "postgresql", "restart"])
START_COMMANDS = (["pg_ctlcluster", "15", "main", "start"], ["service", "postgresql", "start"])


def _server_answers(settings_dict, timeout: float = 60) -> bool:
    import psycopg2

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            psycopg2.connect(
                dbname="postgres",
                user=settings_dict["USER"],
                password=settings_dict["PASSWORD"],
                host=settings_dict["HOST"] or None,
                port=settings_dict["PORT"] or None,
                connect_timeout=2,
            ).close()
            return True
        except psycopg2.OperationalError:
            time.sleep(0.5)
    return False


def _run_first(commands) -> str:
    """The first of `commands` that is installed and succeeds, as text; "" when none does."""
    for command in commands:
        if shutil.which(command[0]):
            done = subprocess.run(command, capture_output=True, timeout=120, check=False)  # noqa: S603
            if done.returncode == 0:
                return " ".join(command)
    return ""


def _terminate_the_test_databases_connections(settings_dict) -> int:
    """Every backend connected to this test's own database but the one asking (never another run's database)."""
    import psycopg2

    own = psycopg2.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"],
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
    )
    own.autocommit = True
    with own.cursor() as cur:
        cur.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        row = cur.fetchone()
    own.close()
    return int(row[0]) if row else 0


class WsgiLikeClient:
    """The test client as a WSGI server drives the app: Django's close_old_connections (where
    CONN_HEALTH_CHECKS finds a connection the server dropped) before and after each request, which
    django.test.Client skips."""

    def __init__(self, client):
        self.client = client
        client.raise_request_exception = False

    def request(self, method: str, url: str, data=None) -> int:
        from django.db import close_old_connections

        close_old_connections()
        try:
            response = getattr(self.client, method)(url, data or {})
            return response.status_code
        finally:
            close_old_connections()


@pytest.mark.slow
def test_the_app_answers_again_after_postgresql_goes_away_during_traffic(transactional_db, cast, task_of_a, login):
    """Three clients write progress reports and read their task list while every connection of the app is
    dropped (or, with CIVUNIT_PG_RESTART=1, the server restarts): once the server answers again every request
    succeeds (no 500), and each report that was written has its history entry (nothing half-written)."""
    from django.conf import settings as live

    from tasks.models import ProgressReport, Status, Task, TaskEvent

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's connections (SQLite has no server to lose)")
    assert live.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True and live.DATABASES["default"]["CONN_MAX_AGE"] > 0
    restart = os.environ.get("CIVUNIT_PG_RESTART") == "1"
    if restart and os.geteuid() != 0:
        pytest.skip("CIVUNIT_PG_RESTART=1 restarts the server, which needs root")
    settings_dict = dict(connection.settings_dict)
    Task.objects.filter(pk=task_of_a.pk).update(status=Status.IN_PROGRESS)
    progress = reverse("tasks:progress", args=[task_of_a.pk])
    mine = reverse("tasks:mine")
    clients = [WsgiLikeClient(login(cast.staff_a)) for _ in range(3)]
    log: list[tuple[float, str, int]] = []  # (when the request started, what, status; 0 for an exception)
    lock = threading.Lock()
    stop = threading.Event()
    back_at: list[float] = []

    def traffic(client: WsgiLikeClient, n: int) -> None:
        from django.db import connection as own

        i = 0
        try:
            while not stop.is_set():
                i += 1
                for what, method, url, data in (
                    ("write", "post", progress, {"text": f"第{n}人第{i}次进展"}),
                    ("read", "get", mine, None),
                ):
                    started = time.monotonic()
                    try:
                        status = client.request(method, url, data)
                    except Exception:  # a fault outside the view (the session, the middleware): counted, not raised
                        status = 0
                    with lock:
                        log.append((started, what, status))
                time.sleep(0.05)
        finally:
            own.close()

    threads = [threading.Thread(target=traffic, args=(c, n)) for n, c in enumerate(clients)]
    for t in threads:
        t.start()
    how = ""
    try:
        time.sleep(1.5)  # traffic before
        if restart:
            how = _run_first(RESTART_COMMANDS)
            assert how, "no command restarted PostgreSQL"
        else:
            killed = _terminate_the_test_databases_connections(settings_dict)
            how = f"pg_terminate_backend of {killed} connections"
        assert _server_answers(settings_dict), "PostgreSQL does not answer after the fault"
        back_at.append(time.monotonic())
        deadline = back_at[0] + 60
        while time.monotonic() < deadline:  # traffic after: a dozen requests begun once the server is back
            with lock:
                if sum(1 for entry in log if entry[0] >= back_at[0] + 0.5) >= 12:
                    break
            time.sleep(0.2)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
        if restart and not _server_answers(settings_dict, timeout=20):
            _run_first(START_COMMANDS)  # never leave the shared server stopped
            _server_answers(settings_dict)
    connection.close()  # this thread's connection was dropped too: the next query opens a new one

    before = [entry for entry in log if entry[0] < back_at[0]]
    after = [entry for entry in log if entry[0] >= back_at[0] + 0.5]  # requests begun once the server is back
    assert before and len(after) >= 12, (how, len(before), len(after))
    bad_after = [entry for entry in after if entry[2] not in (200, 302)]
    assert bad_after == [], (how, bad_after)
    written = ProgressReport.objects.filter(task=task_of_a).count()
    answered = sum(1 for _at, what, status in log if what == "write" and status == 302)
    attempted = sum(1 for _at, what, _status in log if what == "write")
    # a report whose COMMIT reached the server before its connection died is kept though its answer was lost
    assert answered <= written <= attempted, (how, answered, written, attempted)
    assert TaskEvent.objects.filter(task=task_of_a, action=TaskEvent.Action.PROGRESS).count() == written
    Task.objects.get(pk=task_of_a.pk)  # and the task row itself is whole
    print(  # the figures, shown with -rP
        f"{how}: {len(before)} requests before the server answered again "
        f"({sum(1 for e in before if e[2] not in (200, 302))} of them failed), {len(after)} after (all answered); "
        f"{written} reports written of {attempted} sent, {answered} answered, each with its history entry"
    )


# --- A worker killed in the middle of an import -----------------------------------------------------------------


@pytest.mark.slow
def test_a_process_killed_in_the_middle_of_an_import_leaves_no_row_of_it(race_db):
    import signal

    from campaign.models import Campaign, ImportRecord
    from tasks.models import Task, TaskEvent
    from tests.hostile.processes import killed_in_process
    from tests.tasks.test_race import in_thread, make_task

    _task, head_pk, _coordinator = in_thread(make_task)
    rows = [[n, "", f"任务{n}", "", "研究室", "", "", "", "2026-09-30", "", "", ""] for n in range(2, 40)]
    data = xlsx_bytes([HEADER, *rows])
    campaign_pk = in_thread(lambda: Campaign.objects.get().pk)
    assert killed_in_process("import_and_die", (campaign_pk, head_pk, data)) == -signal.SIGKILL

    def left():
        return Task.objects.count(), TaskEvent.objects.count(), ImportRecord.objects.count()

    assert in_thread(left) == (1, 0, 0)  # only the task made before; none of the import's 38 nor their events
