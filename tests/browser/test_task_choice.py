"""The evidence filters' task choice in Chromium at 1280 and 390 px: typing Chinese words shows a handful of
matches loaded from tasks:choices (the person's own first), choosing one fills in its 序号 and title, and the
search lists the task's evidence; nothing scrolls sideways."""

import pytest

from tests.evidence.review_factories import make_item
from tests.tasks.factories import TaskFactory


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 390])
def test_typing_and_choosing_a_task_filters_the_evidence(
    page, live_server, cast, campaign, browser_login, screenshot, width
):
    mine = TaskFactory(
        campaign=campaign, code="3.2", title="组织志愿服务活动", lead_office=cast.office_b, people=[cast.staff_a]
    )
    TaskFactory(campaign=campaign, code="1", title="开展学雷锋志愿服务", lead_office=cast.office_b)
    for n in range(30):
        TaskFactory(campaign=campaign, code=f"{10 + n}", title=f"其他工作{n}", lead_office=cast.office_b)
    make_item(campaign=campaign, uploader=cast.staff_a, title="志愿服务照片", tasks=[mine])
    make_item(campaign=campaign, uploader=cast.staff_a, title="没有任务的照片")
    page.set_viewport_size({"width": width, "height": 860})
    browser_login(page, cast.staff_a)
    page.goto(f"{live_server.url}/evidence/")
    assert page.locator("select[name=task]").count() == 0
    box = page.locator("#id_task")
    box.click()
    box.press_sequentially("志愿", delay=30)
    matches = page.locator("#id_task-matches [role=option]")
    matches.first.wait_for()
    page.wait_for_function("() => document.querySelectorAll('#id_task-matches [role=option]').length === 2")
    assert matches.all_inner_texts() == ["3.2组织志愿服务活动", "1开展学雷锋志愿服务"]  # own task first
    assert box.get_attribute("aria-expanded") == "true"
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"evidence-task-choice-{width}")
    matches.first.click()
    assert box.input_value() == "3.2"
    assert page.locator("[data-testid=task-choice] [data-task-choice-label]").inner_text() == "组织志愿服务活动"
    page.locator("[data-testid=search-submit]").click()
    page.wait_for_url("**task=3.2**")
    body = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
    assert "志愿服务照片" in body and "没有任务的照片" not in body
    assert page.locator("[data-testid=task-choice-label]").inner_text() == "组织志愿服务活动"
    # the keyboard: ↓ and Enter choose, the next Enter searches
    box.fill("")
    box.press_sequentially("学雷锋", delay=30)
    page.wait_for_function("() => document.querySelectorAll('#id_task-matches [role=option]').length === 1")
    box.press("ArrowDown")
    box.press("Enter")
    assert box.input_value() == "1"
    screenshot(page, f"evidence-task-chosen-{width}")
