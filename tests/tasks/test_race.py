"""Two people checking off (or reviewing) the same task at the same moment: exactly one wins, on SQLite and on
PostgreSQL alike. The conditional UPDATE on (pk, version) decides, not a lock held by Python.

SQLite's shared in-memory test database cannot take two writers ("table is locked"), so on SQLite this test runs
its threads against a file-backed database of its own in tmp_path (a copy of one migrated once per test session;
safe under xdist, each worker has its own tmp_path). On PostgreSQL the threads share the test database.
"""

import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, connections

from campaign.models import Campaign
from civunit.accounts.models import Office, User
from civunit.accounts.roles import Role
from tasks import services
from tasks.models import Status, Task

pytestmark = pytest.mark.slow


def in_thread(fn: Callable):
    """Run fn in a fresh thread (a fresh database connection) and return its result or raise its error."""
    box = {}

    def run():
        try:
            box["result"] = fn()
        except BaseException as error:
            box["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    if "error" in box:
        raise box["error"]
    return box.get("result")


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory) -> Path:
    """A file-backed SQLite database with every migration applied, made once per session (per xdist worker):
    migrating takes seconds, copying the file milliseconds."""
    path = tmp_path_factory.mktemp("race") / "migrated.sqlite3"
    settings_dict = connections.settings["default"]
    saved = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    try:
        in_thread(lambda: call_command("migrate", verbosity=0, interactive=False))
    finally:
        settings_dict["NAME"] = saved
    return path


@pytest.fixture
def race_db(transactional_db, tmp_path, request):
    """Yield once the database the threads use is ready (a file on SQLite, the test database on PostgreSQL)."""
    if connection.vendor != "sqlite":
        yield
        return
    migrated = request.getfixturevalue("migrated_sqlite_file")
    settings_dict = connections.settings["default"]
    saved = settings_dict["NAME"]
    settings_dict["NAME"] = str(tmp_path / "race.sqlite3")
    for part in migrated.parent.glob(f"{migrated.name}*"):  # the database, and its WAL files if any are left
        shutil.copyfile(part, tmp_path / part.name.replace(migrated.stem, "race"))
    try:
        yield
    finally:
        settings_dict["NAME"] = saved


def make_task():
    office = Office.objects.create(name="研究室")
    head = User.objects.create(username="head", real_name="李明", office=office)
    head.groups.add(Group.objects.get_or_create(name=Role.OFFICE_HEAD.group_name)[0])
    office.head = head
    office.save()
    coordinator = User.objects.create(username="coord", real_name="陈静", is_superuser=True)
    campaign = Campaign.objects.create(
        title="创建", organ_name="政协", start_date="2026-01-01", end_date="2027-12-31", is_current=True
    )
    task = Task.objects.create(
        campaign=campaign, code="1", code_key="1", title="任务", lead_office=office, status=Status.IN_PROGRESS
    )
    return task.pk, head.pk, coordinator.pk


def race(n: int, load: Callable[[], object], act: Callable[[int, object], object]) -> list:
    """n threads each load() their copy of the rows, wait for each other, then act(i, loaded) at the same
    moment; returns what each act returned or raised."""
    barrier = threading.Barrier(n)
    outcomes: list = [None] * n

    def run(i):
        try:
            loaded = load()
            barrier.wait(10)
            outcomes[i] = act(i, loaded)
        except Exception as error:
            outcomes[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def test_two_heads_checking_off_at_once_exactly_one_wins(race_db):
    task_pk, head_pk, _coord = in_thread(make_task)

    def load():
        # each thread loads the task before either writes: both hold version 1, as two open pages would
        return Task.objects.select_related("campaign", "lead_office__head", "parent").get(pk=task_pk), User.objects.get(
            pk=head_pk
        )

    def check_off(i, loaded):
        task, user = loaded
        return services.task_check_off(task=task, user=user, note=f"第{i}人", version=1)

    outcomes = race(2, load, check_off)
    winners = [o for o in outcomes if not isinstance(o, Exception)]
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1 and isinstance(losers[0], services.StaleTask), outcomes
    assert "刷新" in str(losers[0]) or "Reload" in str(losers[0])

    def after():
        task = Task.objects.get(pk=task_pk)
        return task.status, task.version, task.events.count()

    assert in_thread(after) == (Status.PENDING_REVIEW, 2, 1)


def test_accept_and_return_at_once_leave_one_decision(race_db):
    task_pk, head_pk, coord_pk = in_thread(make_task)
    in_thread(lambda: Task.objects.filter(pk=task_pk).update(status=Status.PENDING_REVIEW, checked_off_by_id=head_pk))

    def load():
        return Task.objects.select_related("campaign", "lead_office__head", "parent").get(pk=task_pk), User.objects.get(
            pk=coord_pk
        )

    def decide(i, loaded):
        task, user = loaded
        if i == 0:
            return services.task_accept(task=task, user=user, version=1)
        return services.task_return(task=task, user=user, reason="材料不全", version=1)

    outcomes = race(2, load, decide)
    assert sum(isinstance(o, services.StaleTask) for o in outcomes) == 1, outcomes

    def after():
        task = Task.objects.get(pk=task_pk)
        return task.status, list(task.events.values_list("action", flat=True))

    status, actions = in_thread(after)
    assert (status, actions) in ((Status.DONE, ["accepted"]), (Status.RETURNED, ["returned"]))
