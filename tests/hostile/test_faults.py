"""Faults: a full disk, an exception in the middle of a multi-model write, a database connection that drops
between requests, a worker killed in the middle of an import.

A job's worker killed in the middle of its file and an upload killed between its file and its row are shown in
tests/jobs/test_jobs.py (test_a_job_whose_worker_died_is_failed_and_keeps_no_file) and
tests/evidence/test_integrity.py (test_the_sweep_removes_an_interrupted_uploads_files_and_nothing_else); a
report that meets a full disk in tests/reports/report/test_build_report.py. PostgreSQL restarting during traffic
is not run here: the server is shared by every test run on the machine.
"""

from __future__ import annotations

import re

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
