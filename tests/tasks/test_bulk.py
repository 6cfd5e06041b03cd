"""Bulk actions for office heads: limited to their own office's tasks, resolved once on the server; a request
naming any other task is refused whole."""

import datetime

import pytest

from civunit.notifications.models import Notification
from tasks.models import Task, TaskEvent
from tests.tasks.factories import TaskFactory


@pytest.fixture
def tasks_ab(cast, campaign):
    a1 = TaskFactory(campaign=campaign, code="1", lead_office=cast.office_a)
    a2 = TaskFactory(campaign=campaign, code="2", lead_office=cast.office_a, supporting=[cast.office_b])
    b1 = TaskFactory(campaign=campaign, code="3", lead_office=cast.office_b)
    return a1, a2, b1


def test_head_assigns_several_of_their_office_tasks_at_once(cast, tasks_ab, login):
    a1, a2, _b1 = tasks_ab
    response = login(cast.head_a).post(
        "/tasks/bulk/", {"action": "assign", "tasks": [a1.pk, a2.pk], "people": [cast.staff_a.pk]}
    )
    assert response.status_code == 302
    for task in (a1, a2):
        assert list(task.responsible_people.all()) == [cast.staff_a]
        assert task.events.get().source == TaskEvent.Source.BULK
    # one notification per task, de-duplicated per object and day
    assert Notification.objects.filter(recipient=cast.staff_a, kind=Notification.Kind.ASSIGNED).count() == 2


def test_head_sets_a_deadline_on_several_tasks(cast, tasks_ab, login):
    a1, a2, _b1 = tasks_ab
    login(cast.head_a).post("/tasks/bulk/", {"action": "deadline", "tasks": [a1.pk, a2.pk], "deadline": "2026-10-31"})
    assert set(Task.objects.filter(pk__in=[a1.pk, a2.pk]).values_list("deadline", flat=True)) == {
        datetime.date(2026, 10, 31)
    }


def test_a_bulk_action_naming_another_office_task_is_refused_whole(cast, tasks_ab, login):
    a1, _a2, b1 = tasks_ab
    response = login(cast.head_a).post(
        "/tasks/bulk/", {"action": "deadline", "tasks": [a1.pk, b1.pk], "deadline": "2026-10-31"}
    )
    assert response.status_code == 403
    assert Task.objects.get(pk=a1.pk).deadline == a1.deadline  # nothing half-written
    assert Task.objects.get(pk=b1.pk).deadline == b1.deadline
    assert not TaskEvent.objects.exists()


def test_a_supporting_office_head_cannot_bulk_act_on_the_lead_office_task(cast, tasks_ab, login):
    _a1, a2, _b1 = tasks_ab
    response = login(cast.head_b).post(
        "/tasks/bulk/", {"action": "deadline", "tasks": [a2.pk], "deadline": "2026-10-31"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["staff_a", "leader"])
def test_people_who_head_no_office_get_403(cast, tasks_ab, login, who):
    a1, _a2, _b1 = tasks_ab
    response = login(getattr(cast, who)).post(
        "/tasks/bulk/", {"action": "deadline", "tasks": [a1.pk], "deadline": "2026-10-31"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "data",
    [
        {"action": "assign", "tasks": ["1x"]},
        {"action": "assign", "tasks": []},
        {"action": "assign"},  # no people
        {"action": "explode"},
        {"action": "deadline", "deadline": "31/10/2026"},
        {"action": "assign", "people": ["STAFF_B"]},  # someone of another office
        {"action": "assign", "tasks": ["987654"]},
    ],
)
def test_bad_bulk_input_changes_nothing_and_never_errors(cast, tasks_ab, login, data):
    a1, _a2, _b1 = tasks_ab
    data = {"tasks": [a1.pk], **data}
    if data.get("people") == ["STAFF_B"]:
        data["people"] = [cast.staff_b.pk]
    response = login(cast.head_a).post("/tasks/bulk/", data)
    assert response.status_code in (302, 403)
    assert not TaskEvent.objects.exists()
    assert not Task.objects.get(pk=a1.pk).responsible_people.exists()


def test_the_office_page_offers_bulk_actions_only_to_its_head(cast, tasks_ab, login, campaign):
    a1, _a2, _b1 = tasks_ab
    supported = TaskFactory(campaign=campaign, code="4", lead_office=cast.office_b, supporting=[cast.office_a])
    head_page = login(cast.head_a).get("/tasks/office/").content.decode()
    assert 'data-testid="bulk-form"' in head_page
    # only the tasks the office leads can be selected; the ones it supports are listed without a checkbox
    assert f'name="tasks" value="{a1.pk}"' in head_page
    assert 'data-task="4"' in head_page and f'name="tasks" value="{supported.pk}"' not in head_page
    staff_page = login(cast.staff_a).get("/tasks/office/").content.decode()
    assert 'data-testid="bulk-form"' not in staff_page and 'data-task="1"' in staff_page
    other = login(cast.head_b).get(f"/tasks/office/?office={cast.office_a.pk}").content.decode()
    assert 'data-testid="bulk-form"' not in other
