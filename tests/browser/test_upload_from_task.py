"""The upload page opened from a task (1280 and 390 px): the task and its standards are chosen, another office's
task is found by typing and added, phones see "tap" and no Ctrl or drag hint, nothing scrolls sideways; the head's
home page with 待我审核 counting evidence."""

import pytest

from tests.evidence.review_factories import make_item
from tests.factories import CriterionFactory
from tests.tasks.factories import TaskFactory


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 390])
def test_upload_from_a_task_and_the_home_at_two_widths(
    page, live_server, cast, campaign, browser_login, screenshot, width
):
    standard = CriterionFactory(campaign=campaign, code="6.2.1", title="开展学雷锋志愿服务", is_leaf=True)
    task = TaskFactory(campaign=campaign, code="7", title="组织学雷锋志愿服务活动", lead_office=cast.office_a)
    task.standards.set([standard])
    for n in range(8):
        TaskFactory(campaign=campaign, code=str(20 + n), title=f"其他科室的任务{n}", lead_office=cast.office_b)
    make_item(campaign=campaign, uploader=cast.staff_a)
    page.set_viewport_size({"width": width, "height": 860})
    browser_login(page, cast.head_a)
    screenshot(page, f"home-head-{width}")
    assert page.locator("[data-testid=awaiting-total]").inner_text() == "1"

    page.goto(f"{live_server.url}/evidence/upload/?task={task.pk}")
    assert page.locator("#id_primary_standard").input_value() == str(standard.pk)
    assert page.eval_on_selector("#id_tasks", "s => Array.from(s.selectedOptions).map(o => o.value)") == [str(task.pk)]
    ctrl_hint = page.get_by_text("按住 Ctrl")
    tap_hint = page.get_by_text("点按选择")
    if width < 768:
        assert not ctrl_hint.is_visible() and tap_hint.is_visible()
        assert not page.get_by_text("拖").first.is_visible() if page.get_by_text("拖").count() else True
    else:
        assert ctrl_hint.is_visible() and not tap_hint.is_visible()
    # another office's task is not listed: typing finds it and adds it to the chosen ones
    listed = page.eval_on_selector("#id_tasks", "s => Array.from(s.options).map(o => o.text)")
    assert listed == ["7 组织学雷锋志愿服务活动"]
    page.fill("#task-choice-upload", "其他科室的任务3")
    page.locator("#task-choice-upload-matches [role=option]", has_text="其他科室的任务3").click()
    chosen = page.eval_on_selector("#id_tasks", "s => Array.from(s.selectedOptions).map(o => o.text)")
    assert chosen == ["7 组织学雷锋志愿服务活动", "23 其他科室的任务3"]  # the task from the link stays chosen
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"upload-from-task-{width}")
