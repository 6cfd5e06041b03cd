"""The bell counts unread notifications; the list opens one (marking it read) and marks all read."""

import pytest

from civunit.notifications.models import Notification
from civunit.notifications.services import notify

Kind = Notification.Kind


@pytest.mark.django_db(transaction=True)
def test_bell_count_list_and_opening_a_notification(page, live_server, cast, campaign, browser_login, screenshot):
    notify(
        recipient=cast.staff_a,
        kind=Kind.ASSIGNED,
        obj=campaign,
        text="任务“3.1 组织学雷锋志愿服务”已分派给您。",
        actor=cast.head_a,
        url="/notifications/settings/",
    )
    notify(
        recipient=cast.staff_a,
        kind=Kind.RETURNED,
        obj=campaign,
        text="任务“2.4 道德讲堂”被退回：缺少活动照片和签到表。",
        actor=cast.coordinator,
        url="/",
    )
    notify(
        recipient=cast.staff_a,
        kind=Kind.OVERDUE,
        obj=campaign,
        text="任务“5.2 网络文明传播”已于 2026-06-14 到期，现已逾期 1 天。",
        url="/",
    )
    browser_login(page, cast.staff_a)
    assert page.get_by_test_id("bell-count").inner_text() == "3"
    screenshot(page, "notifications-bell")

    page.get_by_test_id("bell").click()
    page.wait_for_url("**/notifications/")
    assert page.locator("[data-notification]").count() == 3
    screenshot(page, "notifications-list")

    page.locator("[data-kind=assigned] [data-testid=open]").click()
    page.wait_for_url("**/notifications/settings/")
    assert page.get_by_test_id("bell-count").inner_text() == "2"
    screenshot(page, "notifications-preferences")

    page.get_by_test_id("bell").click()
    page.get_by_test_id("read-all").click()
    page.wait_for_url("**/notifications/")
    assert page.get_by_test_id("bell-count").count() == 0
    assert "所有通知已标为已读" in page.content()
