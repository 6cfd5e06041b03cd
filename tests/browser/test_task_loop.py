"""The task loop in a real browser: the office head splits a task and assigns the sub-task; staff report
progress; the head checks the task off; the coordinator returns it once (the staff member's bell count rises and
the notification leads to the task), then accepts it."""

import datetime

import pytest
from django.utils import timezone

from tasks.models import Status, Task
from tests.factories import CriterionFactory
from tests.tasks.factories import TaskFactory


def bell_count(page) -> int:
    badge = page.get_by_test_id("bell-count")
    return int(badge.inner_text()) if badge.count() else 0


def switch_user(page, browser_login, user):
    page.locator("[data-testid=user-menu]").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/accounts/login/")
    browser_login(page, user)


@pytest.mark.django_db(transaction=True)
def test_split_assign_report_check_off_return_and_accept(page, live_server, cast, campaign, browser_login, screenshot):
    standard = CriterionFactory(campaign=campaign, code="6.2.1", title="常态化志愿服务")
    task = TaskFactory(
        campaign=campaign,
        code="24",
        title="常态化开展学雷锋志愿服务",
        measures="每月到联系社区开展志愿服务，做好服务记录。",
        lead_office=cast.office_a,
        people=[cast.staff_a],
        supporting=[cast.office_b],
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        evidence_requirement="活动照片（标明时间地点人员）、服务记录",
    )
    task.standards.add(standard)
    url = f"{live_server.url}/tasks/{task.pk}/"

    # The head splits off a sub-task for a staff member of the office.
    browser_login(page, cast.head_a)
    page.goto(url)
    page.get_by_role("button", name="开始办理").click()
    page.get_by_test_id("split-link").click()
    page.fill("input[name=title]", "联系社区周末志愿服务")
    page.get_by_label(cast.staff_a.display_name).check()
    screenshot(page, "task-loop-1-split-form")
    page.get_by_role("button", name="创建子任务").click()
    page.wait_for_url("**/tasks/*/")
    assert "子任务 24.1 已创建" in page.content()
    assert cast.staff_a.display_name in page.get_by_test_id("responsible").inner_text()
    sub = Task.objects.get(parent=task)

    # Staff see it among their tasks and report progress.
    switch_user(page, browser_login, cast.staff_a)
    page.goto(f"{live_server.url}/tasks/mine/")
    page.get_by_test_id("assigned").get_by_role("link", name="联系社区周末志愿服务").click()
    page.get_by_role("button", name="开始办理").click()
    page.get_by_test_id("progress-form").locator("textarea").fill("11月23日在联系社区开展环境整治，8人参加。")
    page.get_by_role("button", name="报告进展").click()
    assert "8人参加" in page.get_by_test_id("progress-reports").inner_text()
    screenshot(page, "task-loop-2-progress")
    assert Task.objects.get(pk=sub.pk).status == Status.IN_PROGRESS
    unread_before = bell_count(page)

    # The head checks the task off.
    switch_user(page, browser_login, cast.head_a)
    page.goto(url)
    page.get_by_test_id("check-off-form").locator("textarea").fill("本月志愿服务已开展，照片和服务记录已上传。")
    page.get_by_test_id("check-off-form").get_by_role("button", name="销号").click()
    # its standard has no accepted evidence yet: the app says so and asks again before checking it off
    assert page.get_by_test_id("check-off-concerns").is_visible()
    page.get_by_test_id("check-off-confirm-form").locator("button[type=submit]").click()
    assert "待审核" in page.get_by_test_id("task-status").inner_text()

    # The coordinator returns it once, with a reason...
    switch_user(page, browser_login, cast.coordinator)
    page.goto(f"{live_server.url}/tasks/mine/")
    page.get_by_test_id("to-review").get_by_role("link", name="常态化开展学雷锋志愿服务").click()
    page.get_by_test_id("return-form").locator("textarea").fill("照片缺少时间地点说明，请补充。")
    page.get_by_test_id("return-form").get_by_role("button", name="退回").click()
    assert "已退回" in page.get_by_test_id("task-status").inner_text()

    # The staff member responsible for the task sees the bell count rise; the notification leads to the task.
    switch_user(page, browser_login, cast.staff_a)
    assert bell_count(page) == unread_before + 1
    screenshot(page, "task-loop-3-bell")
    page.get_by_test_id("bell").click()
    returned = page.locator("[data-kind=returned]").first
    assert "照片缺少时间地点说明" in returned.inner_text()
    returned.get_by_test_id("open").click()
    page.wait_for_url(url)
    assert "照片缺少时间地点说明" in page.get_by_test_id("return-reason").inner_text()

    # ...the head sees why, checks it off again...
    switch_user(page, browser_login, cast.head_a)
    page.goto(url)
    assert "照片缺少时间地点说明" in page.get_by_test_id("return-reason").inner_text()
    screenshot(page, "task-loop-3-returned")
    page.get_by_test_id("check-off-form").locator("textarea").fill("已补充照片说明。")
    page.get_by_test_id("check-off-form").get_by_role("button", name="销号").click()
    page.get_by_test_id("check-off-confirm-form").locator("button[type=submit]").click()
    assert "待审核" in page.get_by_test_id("task-status").inner_text()

    # ...and the coordinator accepts it.
    switch_user(page, browser_login, cast.coordinator)
    page.goto(url)
    page.get_by_test_id("accept-form").get_by_role("button", name="审核通过").click()
    assert "已完成" in page.get_by_test_id("task-status").inner_text()
    history = page.get_by_test_id("history").inner_text()
    assert history.count("销号") >= 2 and "退回" in history
    screenshot(page, "task-loop-4-accepted")
    assert Task.objects.get(pk=task.pk).status == Status.DONE

    page.goto(f"{live_server.url}/tasks/")
    screenshot(page, "task-loop-5-list")
