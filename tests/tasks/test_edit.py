"""The coordinator writes the breakdown in the browser too: new top-level tasks and edits, audited and versioned."""

import pytest

from tasks.models import Task, TaskEvent
from tests.factories import CriterionFactory


def form_data(cast, **overrides):
    data = {
        "code": "30",
        "title": "开展文明交通劝导",
        "measures": "每周一次在责任路口劝导。",
        "lead_office": cast.office_a.pk,
        "supporting_offices": [cast.office_b.pk],
        "leader_in_charge_name": "赵国强",
        "deadline": "2026-12-31",
        "recurrence": "none",
        "evidence_requirement": "照片、排班表",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_coordinator_creates_a_task_with_its_standards_and_leader(cast, campaign, login):
    standard = CriterionFactory(campaign=campaign, code="9.2.1")
    response = login(cast.coordinator).post("/tasks/new/", form_data(cast, standards=[standard.pk]))
    assert response.status_code == 302
    task = Task.objects.get(code="30")
    assert (task.lead_office, task.leader_in_charge) == (cast.office_a, cast.leader)
    assert list(task.standards.all()) == [standard]
    assert list(task.supporting_offices.all()) == [cast.office_b]
    assert task.events.get().action == TaskEvent.Action.CREATED


def test_a_new_recurring_task_gets_its_periods(cast, campaign, login):
    login(cast.coordinator).post("/tasks/new/", form_data(cast, recurrence="monthly", deadline=""))
    assert Task.objects.get(code="30").occurrences.count() >= 1


@pytest.mark.parametrize("who", ["staff_a", "head_a", "leader"])
def test_only_the_coordinator_creates_and_edits_tasks(cast, campaign, login, who):
    client = login(getattr(cast, who))
    assert client.get("/tasks/new/").status_code == 403
    assert client.post("/tasks/new/", form_data(cast)).status_code == 403
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": "12a"}, "code"),
        ({"code": ""}, "code"),
        ({"title": ""}, "title"),
        ({"supporting_offices": ["LEAD"]}, "supporting_offices"),
        ({"deadline": ""}, "deadline"),
        ({"deadline": "2026-02-30"}, "deadline"),
        ({"recurrence": "weekly"}, "recurrence"),
        ({"lead_office": "987654"}, "lead_office"),
    ],
)
def test_bad_task_input_is_shown_on_the_form_and_nothing_is_written(cast, campaign, login, overrides, field):
    data = form_data(cast, **overrides)
    if data.get("supporting_offices") == ["LEAD"]:
        data["supporting_offices"] = [cast.office_a.pk]
    response = login(cast.coordinator).post("/tasks/new/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Task.objects.exists()


def test_coordinator_edits_a_task_and_a_stale_edit_is_refused(cast, task_a, login):
    client = login(cast.coordinator)
    page = client.get(f"/tasks/{task_a.pk}/edit/")
    assert page.status_code == 200
    data = form_data(cast, code="1", title="新的任务名称", version=task_a.version)
    assert client.post(f"/tasks/{task_a.pk}/edit/", data).status_code == 302
    task = Task.objects.get(pk=task_a.pk)
    assert (task.title, task.version) == ("新的任务名称", task_a.version + 1)
    assert task.events.get().action == TaskEvent.Action.UPDATED
    # the same form posted again carries the old version
    client.post(f"/tasks/{task_a.pk}/edit/", {**data, "title": "旧表单"})
    assert Task.objects.get(pk=task_a.pk).title == "新的任务名称"


def test_a_number_used_by_another_task_is_refused(cast, task_a, login, campaign):
    from tests.tasks.factories import TaskFactory

    TaskFactory(campaign=campaign, code="2", lead_office=cast.office_b)
    response = login(cast.coordinator).post(
        f"/tasks/{task_a.pk}/edit/", form_data(cast, code="2", version=task_a.version)
    )
    assert response.status_code == 200 and "code" in response.context["form"].errors


def test_the_admin_shows_tasks_and_their_history_read_only(cast, task_a, login):
    client = login(cast.admin)
    assert client.get("/admin/tasks/task/").status_code == 200
    page = client.get(f"/admin/tasks/task/{task_a.pk}/change/")
    assert page.status_code == 200
    assert client.post(f"/admin/tasks/task/{task_a.pk}/change/", {"title": "x"}).status_code == 403
    assert client.get("/admin/tasks/task/add/").status_code == 403
    assert Task.objects.get(pk=task_a.pk).title == task_a.title
