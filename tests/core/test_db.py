import datetime

from civunit.db import insert_many
from tasks.models import TaskEvent, TaskOccurrence
from tests.tasks.factories import TaskFactory


def test_insert_many_fills_defaults_and_auto_timestamps(cast, campaign):
    task = TaskFactory(campaign=campaign, lead_office=cast.office_a)
    events = [TaskEvent(task=task, actor=cast.coordinator, action=TaskEvent.Action.CREATED) for _ in range(3)]
    assert insert_many(TaskEvent, events) == 3
    rows = list(TaskEvent.objects.filter(task=task))
    assert len(rows) == 3
    assert all(e.created_at is not None and e.actor_id == cast.coordinator.pk for e in rows)


def test_insert_many_can_skip_rows_that_break_a_unique_constraint(cast, campaign):
    task = TaskFactory(campaign=campaign, lead_office=cast.office_a)
    start = datetime.date(2026, 3, 1)

    def period():
        return TaskOccurrence(task=task, period_start=start, period_end=start, due_date=start)

    insert_many(TaskOccurrence, [period()], ignore_conflicts=True)
    insert_many(TaskOccurrence, [period(), period()], ignore_conflicts=True)
    assert TaskOccurrence.objects.filter(task=task).count() == 1


def test_insert_values_takes_defaults_and_the_present_time_for_missing_fields(cast, campaign):
    from civunit.db import insert_values

    task = TaskFactory(campaign=campaign, lead_office=cast.office_a)
    start = datetime.date(2026, 4, 1)
    rows = [{"task_id": task.pk, "period_start": start, "period_end": start, "due_date": start}]
    assert insert_values(TaskOccurrence, rows + rows, ignore_conflicts=True) == 2
    (occurrence,) = TaskOccurrence.objects.filter(task=task)
    assert occurrence.status == "not_started"  # the field's default
    assert occurrence.version == 1
    assert occurrence.created_at is not None
    insert_values(TaskEvent, [{"task_id": task.pk, "action": TaskEvent.Action.CREATED, "note": "导入"}])
    event = TaskEvent.objects.get(task=task)
    assert (event.note, event.actor_id, event.to_status) == ("导入", None, "")
    assert event.created_at is not None


def test_write_atomically_replaces_the_file_whole_or_not_at_all(tmp_path, monkeypatch):
    import os

    import pytest

    from civunit.utils import write_atomically

    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "表.xlsx"
    write_atomically(target, b"first")
    assert target.read_bytes() == b"first"

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomically(target, b"second")
    assert target.read_bytes() == b"first"
    assert [p.name for p in folder.iterdir()] == ["表.xlsx"]  # no temporary file left behind
