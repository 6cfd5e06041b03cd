"""Writers in several processes at once, as gunicorn's workers and the job worker are: on SQLite (a file, WAL,
IMMEDIATE transactions, a 20 s busy timeout) and on PostgreSQL alike.

- Ten processes writing at the same moment never meet "database is locked": every write lands.
- Check-off and review races between processes: exactly one wins, the others are told someone was first, and
  the history holds one event.
"""

from __future__ import annotations

import pytest
from django.db import connection

from tasks.models import Status, Task
from tests.hostile.processes import in_processes
from tests.tasks.test_race import in_thread, make_task

pytestmark = pytest.mark.slow


def test_the_sqlite_settings_are_the_ones_that_keep_writers_from_locking_each_other(settings):
    from django.conf import settings as live

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's settings")
    options = live.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 10
    assert "journal_mode=WAL" in options["init_command"]


def test_ten_processes_writing_at_once_all_succeed(race_db):
    task_pk, head_pk, _coordinator = in_thread(make_task)
    if connection.vendor == "sqlite":
        assert in_thread(lambda: connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]) == "wal"
    outcomes = in_processes("progress", [(task_pk, head_pk, 15, who) for who in range(10)])
    assert outcomes == [("ok", 15)] * 10, [o[:3] for o in outcomes if o[0] != "ok"]

    def counted():
        task = Task.objects.get(pk=task_pk)
        return task.progress_reports.count(), task.events.filter(action="progress").count()

    assert in_thread(counted) == (150, 150)


def test_five_processes_checking_off_at_once_one_wins(race_db):
    task_pk, head_pk, _coordinator = in_thread(make_task)
    outcomes = in_processes("check_off", [(task_pk, head_pk, who) for who in range(5)])
    assert sorted(o[1] for o in outcomes) == ["stale", "stale", "stale", "stale", "won"], outcomes

    def after():
        task = Task.objects.get(pk=task_pk)
        return task.status, task.version, task.events.count()

    assert in_thread(after) == (Status.PENDING_REVIEW, 2, 1)


def test_four_processes_accepting_and_returning_at_once_leave_one_decision(race_db):
    task_pk, head_pk, coordinator_pk = in_thread(make_task)
    in_thread(lambda: Task.objects.filter(pk=task_pk).update(status=Status.PENDING_REVIEW, checked_off_by_id=head_pk))
    outcomes = in_processes("review_task", [(task_pk, coordinator_pk, who) for who in range(4)])
    decided = [o[1] for o in outcomes if o[1] != "stale"]
    assert len(decided) == 1 and [o[0] for o in outcomes] == ["ok"] * 4, outcomes

    def after():
        task = Task.objects.get(pk=task_pk)
        return task.status, list(task.events.values_list("action", flat=True))

    expected = {"accepted": (Status.DONE, ["accepted"]), "returned": (Status.RETURNED, ["returned"])}
    assert in_thread(after) == expected[decided[0]]


def test_four_processes_reviewing_one_evidence_item_leave_one_decision(race_db):
    from evidence.models import EvidenceEvent, EvidenceItem

    def make_item():
        from campaign.models import Campaign
        from civunit.accounts.models import User
        from tests.evidence.factories import make_evidence

        _task, _head, coordinator_pk = make_task()
        staff = User.objects.create(username="staff", real_name="张伟", office_id=Task.objects.get().lead_office_id)
        item = make_evidence(user=staff, campaign=Campaign.objects.get())
        return item.pk, coordinator_pk

    item_pk, coordinator_pk = in_thread(make_item)
    outcomes = in_processes("review_evidence", [(item_pk, coordinator_pk, who) for who in range(4)])
    decided = [o[1] for o in outcomes if o[1] != "refused"]
    assert len(decided) == 1 and [o[0] for o in outcomes] == ["ok"] * 4, outcomes

    def after():
        item = EvidenceItem.objects.get(pk=item_pk)
        events = EvidenceEvent.objects.filter(lineage=item.lineage).exclude(action="uploaded")
        return item.status, list(events.values_list("action", flat=True))

    status, actions = in_thread(after)
    assert actions == [decided[0]] and status == decided[0]


def _events_of_the_task() -> int:
    return in_thread(lambda: Task.objects.get().events.count())


def _decisions_on_the_item() -> int:
    from evidence.models import EvidenceEvent

    return in_thread(lambda: EvidenceEvent.objects.filter(action__in=["accepted", "returned"]).count())


@pytest.mark.parametrize(
    ("mutant", "race", "transitions"),
    [
        ("task_conditional_update", test_five_processes_checking_off_at_once_one_wins, _events_of_the_task),
        (
            "task_conditional_update",
            test_four_processes_accepting_and_returning_at_once_leave_one_decision,
            _events_of_the_task,
        ),
        (
            "evidence_conditional_update",
            test_four_processes_reviewing_one_evidence_item_leave_one_decision,
            _decisions_on_the_item,
        ),
    ],
    ids=["check-off", "task-review", "evidence-review"],
)
def test_each_race_test_fails_when_its_guard_is_removed(race_db, monkeypatch, mutant, race, transitions):
    """The race test run against a service whose conditional UPDATE is made unconditional in the racing
    processes (tests/hostile/mutants.py) must fail, and fail because the row moved more than once."""
    monkeypatch.setenv("CIVUNIT_MUTANT", mutant)
    with pytest.raises(AssertionError):
        race(race_db)
    assert transitions() > 1  # a double transition, the defect the race test is there to catch
