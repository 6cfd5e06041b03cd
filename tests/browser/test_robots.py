"""The coordinator adds a 钉钉 robot for an office, sends a test message to it (the local robot server, which checks
the 加签 signature) and sees its answer; on a desktop (1280 px) and a phone (390 px)."""

import pytest

from civunit.notifications.robots.models import Robot, RobotMessage
from tests.notifications.robots_data import DINGTALK_SECRET, token

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


@pytest.mark.django_db(transaction=True)
def test_the_coordinator_adds_a_dingtalk_robot_and_sees_its_answer_to_a_test(
    page, live_server, cast, campaign, browser_login, screenshot, robot_server
):
    tok = token()
    robot_server.secrets[tok] = DINGTALK_SECRET
    browser_login(page, cast.coordinator)
    page.locator('[data-nav="robots"]').click()
    page.wait_for_url("**/robots/")
    screenshot(page, "robots-list-empty-1280")

    # the office's own "add" link preselects it
    page.locator(f'[data-target="office-{cast.office_a.pk}"] [data-testid="add-for"]').click()
    page.wait_for_url("**/robots/add/**")
    assert page.locator("#id_office").input_value() == str(cast.office_a.pk)
    page.select_option("#id_kind", "dingtalk")
    page.fill("#id_name", "研究室工作群")
    page.fill("#id_url", robot_server.url("dingtalk", tok))
    page.fill("#id_secret", DINGTALK_SECRET)
    screenshot(page, "robots-add-1280")
    page.get_by_test_id("save").click()
    page.wait_for_url("**/robots/*/")
    robot = Robot.objects.get()
    assert robot.office == cast.office_a
    assert tok not in page.content() and DINGTALK_SECRET not in page.content()

    page.get_by_test_id("test-robot").click()
    page.wait_for_load_state()
    alert = page.locator(".alert-success")
    assert "测试消息已发送。机器人回复：errcode 0: ok" in alert.inner_text()
    assert page.locator('[data-status="sent"] [data-testid="answer"]').first.inner_text() == "回复：errcode 0: ok"
    (received,) = robot_server.delivered(tok)
    assert "sign" in received.query
    assert RobotMessage.objects.get().status == RobotMessage.Status.SENT
    screenshot(page, "robots-tested-1280")

    page.set_viewport_size(PHONE)
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "robots-tested-390")
    page.goto(f"{live_server.url}/robots/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator(f'[data-robot="{robot.pk}"]').is_visible()
    screenshot(page, "robots-list-390")
    page.goto(f"{live_server.url}/robots/add/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "robots-add-390")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/robots/")
    screenshot(page, "robots-list-1280")
