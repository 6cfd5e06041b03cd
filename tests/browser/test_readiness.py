"""The readiness check in a real browser: the coordinator opens the readiness page (from the navigation), turns
the finding about a photo filed twice into a rectification task, and the office head finds it in their office's
task list and on the page, on a desktop and on a phone."""

import datetime

import pytest
from django.utils import timezone

from campaign.models import Stage
from evidence.models import Activity
from tasks.models import Task
from tests.evidence.factories import make_evidence
from tests.reports.readiness.conftest import node
from tests.reports.readiness.photos import jpeg, scene
from tests.tasks.factories import TaskFactory

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


def log_out(page):
    page.locator("[data-testid=user-menu]").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/accounts/login/")


def build(cast, campaign):
    today = timezone.localdate()
    Stage.objects.create(
        campaign=campaign, kind=Stage.Kind.INSPECTION, name="迎检验收", start_date=today + datetime.timedelta(days=45)
    )
    item = node(campaign, "6")
    indicator = node(campaign, "6.2", item)
    volunteer = node(campaign, "6.2.1", indicator, leaf=True)
    community = node(campaign, "6.2.2", indicator, leaf=True)
    item.title, volunteer.title, community.title = "学雷锋志愿服务", "常态化开展学雷锋志愿服务", "深化社区结对共建"
    for c in (item, volunteer, community):
        c.save()
    for code, standard, office in (("1", volunteer, cast.office_a), ("2", community, cast.office_b)):
        task = TaskFactory(
            campaign=campaign, code=code, lead_office=office, deadline=today + datetime.timedelta(days=30)
        )
        task.standards.set([standard])
    day = today - datetime.timedelta(days=20)
    march = Activity.objects.create(
        campaign=campaign, title="学雷锋志愿服务进社区", date=day, organiser_office=cast.office_a, place="阳光社区"
    )
    shot = scene(seed=51)
    stamp = f"{day:%Y:%m:%d} 09:30:00"
    caption = {"caption": "学雷锋志愿服务", "place": "阳光社区", "people": "机关青年志愿者"}
    make_evidence(
        user=cast.staff_a, campaign=campaign, data=jpeg(shot, date=stamp), standards=[volunteer], activity=march,
        title="志愿者为社区老人义诊", **caption,
    )  # fmt: skip
    make_evidence(
        user=cast.staff_a, campaign=campaign, data=jpeg(shot, size=(600, 450), quality=60, date=stamp),
        standards=[community], title="结对共建座谈会现场", **caption,
    )  # fmt: skip
    make_evidence(user=cast.staff_b, campaign=campaign, standards=[community], title="社区共建照片")


@pytest.mark.django_db(transaction=True)
def test_the_coordinator_makes_a_finding_a_rectification_task_and_the_head_sees_it(
    page, live_server, cast, campaign, browser_login, screenshot
):
    build(cast, campaign)
    browser_login(page, cast.coordinator)
    assert "尚未自查" in page.locator("[data-figure=readiness]").inner_text()
    page.locator("[data-nav=readiness]").click()
    page.wait_for_url("**/readiness/")
    assert page.get_by_test_id("readiness-title").inner_text() == "迎检自查"
    duplicate = page.locator("[data-rule=near_duplicate_photo]")
    assert duplicate.count() == 1
    assert "结对共建座谈会现场" in duplicate.inner_text()
    assert "志愿者为社区老人义诊" in duplicate.inner_text()
    assert "研究室" in duplicate.get_by_test_id("finding-office").inner_text()
    assert page.locator("[data-severity-count=critical]").inner_text().startswith("严重")
    screenshot(page, "readiness-1280")

    page.set_viewport_size(PHONE)
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "readiness-390")
    page.set_viewport_size(DESKTOP)

    duplicate.get_by_test_id("rectify").click()
    page.wait_for_url("**/readiness/*")
    assert "整改任务 整改-1 已交给研究室。" in page.content()
    duplicate = page.locator("[data-rule=near_duplicate_photo]")
    assert duplicate.get_by_test_id("finding-state").inner_text() == "整改中：未开始"
    assert duplicate.get_by_test_id("finding-task").inner_text() == "整改-1"
    assert duplicate.get_by_test_id("rectify").count() == 0
    screenshot(page, "readiness-rectified-1280")
    task = Task.objects.get(code="整改-1")
    assert task.lead_office == cast.office_a

    # the dashboard counts it
    page.goto(f"{live_server.url}/")
    assert "整改中 1 项" in page.locator("[data-figure=readiness]").inner_text()
    log_out(page)

    browser_login(page, cast.head_a)
    assert page.get_by_test_id("bell-count").inner_text() == "1"
    page.goto(f"{live_server.url}/tasks/office/")
    row = page.locator('[data-task="整改-1"]')
    assert row.count() == 1
    assert "整改：" in row.inner_text()
    screenshot(page, "readiness-head-tasks-1280")
    page.locator("[data-nav=readiness]").click()
    page.wait_for_url("**/readiness/")
    # the head sees their office's findings only, with the task's state
    offices = {t.strip() for t in page.get_by_test_id("finding-office").all_inner_texts()}
    assert offices == {"研究室"}
    assert page.locator("[data-rule=near_duplicate_photo] [data-testid=finding-state]").inner_text() == "整改中：未开始"
    page.set_viewport_size(PHONE)
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "readiness-head-390")
