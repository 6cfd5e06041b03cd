"""The robots pages: for the coordinator and administrators only (the page answers others 403, a robot's own URLs
404), adding refuses addresses outside the allow-list, secrets are never shown again, the test button shows the
robot's answer, failed messages are listed and can be sent again."""

import pytest
from django.urls import reverse
from django.utils import timezone

from civunit.notifications.robots import crypto, services
from civunit.notifications.robots.models import Robot, RobotGroup, RobotMessage
from tests.notifications.robots_data import DINGTALK_SECRET, add_robot, token


@pytest.fixture
def robot(cast, robot_server):
    return add_robot(robot_server, kind="dingtalk", office=cast.office_a, name="研究室工作群")


def test_the_coordinator_and_administrators_see_the_robots_page_and_its_navigation_entry(cast, login, robot):
    for user in (cast.coordinator, cast.admin):
        response = login(user).get(reverse("robots:list"))
        assert response.status_code == 200
        assert b'data-nav="robots"' in response.content
        assert "研究室工作群".encode() in response.content
    assert b'data-nav="robots"' not in login(cast.head_a).get(reverse("reports:home")).content


@pytest.mark.parametrize("who", ["staff_a", "head_a", "leader"])
def test_others_are_refused_the_page_and_do_not_find_the_robots(cast, login, robot, who):
    client = login(getattr(cast, who))
    robot_obj, _tok = robot
    assert client.get(reverse("robots:list")).status_code == 403
    assert client.get(reverse("robots:add")).status_code == 403
    assert client.post(reverse("robots:add"), {"group": "organ", "kind": "wecom", "url": "x"}).status_code == 403
    for name in ("robots:detail", "robots:edit", "robots:delete"):
        assert client.get(reverse(name, args=[robot_obj.pk])).status_code == 404
    assert client.post(reverse("robots:test", args=[robot_obj.pk])).status_code == 404
    assert client.post(reverse("robots:delete", args=[robot_obj.pk]), {"confirm": "on"}).status_code == 404
    assert Robot.objects.count() == 1


def test_anonymous_visitors_are_sent_to_login(client, robot):
    response = client.get(reverse("robots:list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_coordinator_adds_a_robot_and_its_secret_is_never_shown_again(cast, login, robot_server):
    client = login(cast.coordinator)
    tok = token()
    robot_server.secrets[tok] = DINGTALK_SECRET
    response = client.post(
        reverse("robots:add"),
        {
            "group": RobotGroup.OFFICE,
            "office": cast.office_b.pk,
            "kind": "dingtalk",
            "name": "提案委工作群",
            "url": robot_server.url("dingtalk", tok),
            "secret": DINGTALK_SECRET,
        },
    )
    robot = Robot.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("robots:detail", args=[robot.pk])
    assert (robot.office, robot.kind, robot.created_by) == (cast.office_b, "dingtalk", cast.coordinator)
    for url in (
        reverse("robots:list"),
        reverse("robots:detail", args=[robot.pk]),
        reverse("robots:edit", args=[robot.pk]),
    ):
        page = client.get(url).content.decode()
        assert tok not in page and DINGTALK_SECRET not in page, url
    assert tok[-4:] in client.get(reverse("robots:detail", args=[robot.pk])).content.decode()


def test_error_reports_never_carry_the_address_or_secret(cast, login, robot):
    """Django's error reports (a 500's log or e-mail) show POST data unless the view names it sensitive."""
    from django.views.debug import SafeExceptionReporterFilter

    robot_obj, _tok = robot
    client = login(cast.coordinator)
    for url in (reverse("robots:add"), reverse("robots:edit", args=[robot_obj.pk])):
        response = client.post(
            url, {"group": "organ", "kind": "dingtalk", "url": "https://x/?t=SECRET1", "secret": "S2"}
        )
        shown = SafeExceptionReporterFilter().get_post_parameters(response.wsgi_request)
        assert "SECRET1" not in str(shown) and "S2" not in str(shown.values())


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/robot/send?access_token=abcdef123456",
        "https://10.1.2.3/robot/send?access_token=abcdef123456",
        "https://192.168.0.5/robot/send?access_token=abcdef123456",
        "https://internal.example/robot/send?access_token=abcdef123456",
        "http://oapi.dingtalk.com/robot/send?access_token=abcdef123456",
    ],
)
def test_the_form_refuses_addresses_outside_the_allow_list(cast, login, url):
    response = login(cast.coordinator).post(
        reverse("robots:add"), {"group": RobotGroup.ORGAN, "kind": "dingtalk", "url": url}
    )
    assert response.status_code == 200
    assert "只接受以下列前缀开头的 https 地址" in response.content.decode()
    assert not Robot.objects.exists()


def test_an_office_robot_needs_its_office(cast, login):
    response = login(cast.coordinator).post(
        reverse("robots:add"),
        {
            "group": RobotGroup.OFFICE,
            "kind": "wecom",
            "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1234567",
        },
    )
    assert "请选择机器人所在工作群对应的委室" in response.content.decode()
    assert not Robot.objects.exists()


def test_the_add_link_of_an_office_preselects_it(cast, login):
    page = login(cast.coordinator).get(reverse("robots:add"), {"office": cast.office_b.pk}).content.decode()
    assert f'<option value="{cast.office_b.pk}" selected>' in page
    assert login(cast.coordinator).get(reverse("robots:add"), {"office": "99999999999999999999999"}).status_code == 200


def test_editing_with_empty_address_and_secret_keeps_them(cast, login, robot):
    robot_obj, _tok = robot
    before = (crypto.decrypt(robot_obj.url_encrypted), crypto.decrypt(robot_obj.secret_encrypted))
    response = login(cast.coordinator).post(
        reverse("robots:edit", args=[robot_obj.pk]),
        {
            "group": RobotGroup.OFFICE,
            "office": cast.office_a.pk,
            "kind": "dingtalk",
            "name": "新名称",
            "url": "",
            "secret": "",
        },
    )
    assert response.status_code == 302
    robot_obj.refresh_from_db()
    assert robot_obj.name == "新名称" and not robot_obj.is_active  # the box was not ticked
    assert (crypto.decrypt(robot_obj.url_encrypted), crypto.decrypt(robot_obj.secret_encrypted)) == before


def test_editing_can_replace_or_remove_the_secret(cast, login, robot):
    robot_obj, _tok = robot
    client = login(cast.coordinator)
    data = {"group": RobotGroup.OFFICE, "office": cast.office_a.pk, "kind": "dingtalk", "is_active": "on"}
    client.post(reverse("robots:edit", args=[robot_obj.pk]), {**data, "secret": "SECnew"})
    robot_obj.refresh_from_db()
    assert crypto.decrypt(robot_obj.secret_encrypted) == "SECnew"
    client.post(reverse("robots:edit", args=[robot_obj.pk]), {**data, "clear_secret": "on"})
    robot_obj.refresh_from_db()
    assert robot_obj.secret_encrypted == "" and robot_obj.is_active


def test_the_test_button_shows_the_robots_answer(cast, login, robot, robot_server):
    robot_obj, tok = robot
    client = login(cast.coordinator)
    response = client.post(reverse("robots:test", args=[robot_obj.pk]), follow=True)
    page = response.content.decode()
    assert "测试消息已发送。机器人回复：errcode 0: ok" in page
    assert len(robot_server.delivered(tok)) == 1
    robot_server.secrets[tok] = "SECwrong"
    page = client.post(reverse("robots:test", args=[robot_obj.pk]), follow=True).content.decode()
    assert "测试消息发送失败。errcode 310000: sign not match" in page


def test_failed_messages_are_listed_and_can_be_sent_again(
    cast, login, robot, robot_server, settings, django_capture_on_commit_callbacks
):
    robot_obj, tok = robot
    message = RobotMessage.objects.create(
        robot=robot_obj,
        kind=RobotMessage.Kind.DIGEST,
        day=timezone.localdate(),
        title="t",
        body={"msgtype": "markdown", "markdown": {"title": "提醒", "text": "内容"}},
        status=RobotMessage.Status.FAILED,
        attempts=4,
        response="errcode 130101: send too fast, exceed 20 times per minute",
    )
    client = login(cast.coordinator)
    page = client.get(reverse("robots:list")).content.decode()
    assert 'data-testid="failed-messages"' in page and "send too fast" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("robots:resend", args=[message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == RobotMessage.Status.SENT
    assert len(robot_server.delivered(tok)) == 1
    # a message that did not fail is not sent again
    client.post(reverse("robots:resend", args=[message.pk]))
    assert len(robot_server.of(tok)) == 1
    assert login(cast.head_a).post(reverse("robots:resend", args=[message.pk])).status_code == 404


def test_removing_a_robot_asks_first(cast, login, robot):
    robot_obj, _tok = robot
    client = login(cast.coordinator)
    assert client.post(reverse("robots:delete", args=[robot_obj.pk]), {}).status_code == 200
    assert Robot.objects.exists()
    assert client.post(reverse("robots:delete", args=[robot_obj.pk]), {"confirm": "on"}).status_code == 302
    assert not Robot.objects.exists()


def test_the_page_warns_when_no_key_is_set(cast, login, settings):
    settings.ROBOT_SECRET_KEY = []
    settings.DEBUG = False
    client = login(cast.coordinator)
    assert 'data-testid="no-key"' in client.get(reverse("robots:list")).content.decode()
    response = client.post(
        reverse("robots:add"),
        {
            "group": RobotGroup.ORGAN,
            "kind": "wecom",
            "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k12345678",
        },
    )
    assert "尚未设置 ROBOT_SECRET_KEY" in response.content.decode()
    assert not Robot.objects.exists()


@pytest.mark.parametrize("robots", [1, 9])
def test_the_list_costs_a_fixed_number_of_queries(cast, login, robot_server, django_assert_num_queries, robots):
    offices = [cast.office_a, cast.office_b, cast.office_main]
    for n in range(robots):
        robot, _tok = add_robot(robot_server, kind=("dingtalk", "wecom", "feishu")[n % 3], office=offices[n // 3])
        services.robot_test(robot=robot, user=None)  # each robot has a latest message
    client = login(cast.coordinator)
    client.get(reverse("robots:list"))
    # session, user (with roles); the robots with their latest message; the failed messages; the offices; the
    # bell; the campaigns (the navigation's campaign switcher)
    with django_assert_num_queries(7):
        client.get(reverse("robots:list"))
