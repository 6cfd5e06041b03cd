from tasks.models import Task
from tests.tasks.factories import TaskFactory


def test_creating_an_account_in_the_admin_links_tasks_that_name_the_person(cast, campaign, login):
    task = TaskFactory(campaign=campaign, code="5", lead_office=cast.office_a, responsible_names="周敏")
    response = login(cast.admin).post(
        "/admin/accounts/user/add/",
        {
            "username": "zhoumin",
            "password1": "a-long-Passw0rd-!",
            "password2": "a-long-Passw0rd-!",
            "usable_password": "true",
            "real_name": "周敏",
            "office": cast.office_a.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    task = Task.objects.get(pk=task.pk)
    assert [u.username for u in task.responsible_people.all()] == ["zhoumin"]
    assert task.pending_names == []
