"""Responsible people named in a table without an account are kept as text and linked when the account appears."""

from civunit.accounts.models import User
from tasks import services
from tasks.models import Task, TaskEvent


def test_names_matching_accounts_are_linked_and_the_rest_kept_as_text(cast, campaign):
    task = services.task_create(
        campaign=campaign,
        code="1",
        title="任务",
        lead_office=cast.office_a,
        responsible_names="张伟、王小明",
        source=TaskEvent.Source.IMPORT,
    )
    assert list(task.responsible_people.all()) == [cast.staff_a]
    assert Task.objects.get(pk=task.pk).responsible_names == "王小明"
    assert task.events.get().source == TaskEvent.Source.IMPORT


def test_a_new_account_with_that_name_is_linked(cast, campaign):
    task = services.task_create(
        campaign=campaign,
        code="1",
        title="任务",
        lead_office=cast.office_a,
        responsible_names="王小明，赵丽",
        leader_in_charge_name="王小明",
    )
    newcomer = User.objects.create(username="wxm", real_name="王小明", office=cast.office_a)
    assert services.link_pending_people(user=newcomer) == 2
    task = Task.objects.get(pk=task.pk)
    assert list(task.responsible_people.all()) == [newcomer]
    assert task.responsible_names == "赵丽"
    assert task.leader_in_charge == newcomer
    assert task.events.filter(action=TaskEvent.Action.PEOPLE_LINKED).exists()
    assert services.link_pending_people(user=newcomer) == 0  # nothing left to link


def test_two_accounts_of_the_same_name_are_left_for_a_person_to_choose(cast, campaign):
    User.objects.create(username="zw2", real_name="张伟", office=cast.office_b)
    task = services.task_create(
        campaign=campaign, code="1", title="任务", lead_office=cast.office_a, responsible_names="张伟"
    )
    assert not task.responsible_people.exists()
    assert Task.objects.get(pk=task.pk).responsible_names == "张伟"
    assert services.link_pending_people(user=cast.staff_a) == 0


def test_task_update_changes_fields_with_one_audit_record_and_refuses_a_stale_version(cast, campaign):
    task = services.task_create(campaign=campaign, code="1", title="旧标题", lead_office=cast.office_a)
    services.task_update(task=task, user=cast.coordinator, title="新标题", code="1.0", responsible_names="刘洋")
    task = Task.objects.get(pk=task.pk)
    assert (task.title, task.code, task.version) == ("新标题", "1.0", 2)
    assert list(task.responsible_people.all()) == [cast.staff_b]
    try:
        services.task_update(task=task, user=cast.coordinator, title="x", version=1)
    except services.StaleTask:
        pass
    else:
        raise AssertionError("a stale version was accepted")
    assert Task.objects.get(pk=task.pk).title == "新标题"


def test_the_daily_command_links_accounts_created_elsewhere_and_rolls_periods(cast, campaign, capsys):
    from django.core.management import call_command

    task = services.task_create(
        campaign=campaign, code="1", title="任务", lead_office=cast.office_a, responsible_names="钱多多"
    )
    User.objects.create(username="qdd", real_name="钱多多", office=cast.office_a)  # e.g. through the admin
    call_command("roll_occurrences")
    assert "1 tasks linked" in capsys.readouterr().out
    assert Task.objects.get(pk=task.pk).responsible_people.get().username == "qdd"
