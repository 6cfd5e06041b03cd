"""`manage.py robots add|list|test|remove`: the same validation as the page (the allow-list, the kind's secret),
addresses masked in the list, secrets never printed, the robot's answer printed by `test`."""

import io

import pytest
from django.core.management import CommandError, call_command

from civunit.notifications.robots import crypto
from civunit.notifications.robots.models import Robot, RobotGroup
from tests.notifications.robots_data import DINGTALK_SECRET, token


def robots(*args) -> str:
    out = io.StringIO()
    call_command("robots", *args, stdout=out)
    return out.getvalue()


def test_add_list_test_and_remove_an_office_robot(cast, robot_server, capsys):
    tok = token()
    robot_server.secrets[tok] = DINGTALK_SECRET
    out = robots(
        "add",
        "--office",
        "研究室",
        "--kind",
        "dingtalk",
        "--url",
        robot_server.url("dingtalk", tok),
        "--secret",
        DINGTALK_SECRET,
        "--name",
        "研究室工作群",
    )
    robot = Robot.objects.get()
    assert (robot.group, robot.office, robot.name) == (RobotGroup.OFFICE, cast.office_a, "研究室工作群")
    assert crypto.decrypt(robot.secret_encrypted) == DINGTALK_SECRET
    listing = robots("list")
    assert f"{robot.pk}\t研究室\t钉钉自定义机器人\t研究室工作群\t" in listing and "已加签" in listing
    assert "测试消息已发送。机器人回复：errcode 0: ok" in robots("test", str(robot.pk))
    assert len(robot_server.delivered(tok)) == 1
    assert "已删除机器人" in robots("remove", str(robot.pk))
    assert not Robot.objects.exists()
    printed = out + listing + capsys.readouterr().err
    assert tok not in printed and DINGTALK_SECRET not in printed


def test_a_whole_group_by_group_and_the_office_by_its_short_name(cast, robot_server):
    robots("add", "--group", "leadership", "--kind", "wecom", "--url", robot_server.url("wecom", token()))
    robots("add", "--office", "机关办公室", "--kind", "feishu", "--url", robot_server.url("feishu", token()))
    assert sorted(Robot.objects.values_list("group", "office__name")) == [
        ("leadership", None),
        ("office", "办公室"),
    ]


def test_the_secret_can_come_from_standard_input(cast, robot_server, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(DINGTALK_SECRET + "\n"))
    robots(
        "add", "--group", "organ", "--kind", "dingtalk", "--url", robot_server.url("dingtalk", token()), "--secret", "-"
    )
    assert crypto.decrypt(Robot.objects.get().secret_encrypted) == DINGTALK_SECRET


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/robot/send?access_token=abcdef123456",
        "https://[::1]:8443/robot/send?access_token=abcdef123456",
        "https://10.0.0.2/robot/send?access_token=abcdef123456",
        "https://intranet.example/robot/send?access_token=abcdef123456",
        "http://oapi.dingtalk.com/robot/send?access_token=abcdef123456",
    ],
)
def test_addresses_outside_the_allow_list_are_refused(cast, url):
    with pytest.raises(CommandError, match="https"):
        robots("add", "--group", "organ", "--kind", "dingtalk", "--url", url)
    assert not Robot.objects.exists()


def test_bad_arguments_are_explained(cast, robot_server):
    with pytest.raises(CommandError, match="没有名为“不存在”的委室"):
        robots("add", "--office", "不存在", "--kind", "wecom", "--url", robot_server.url("wecom", token()))
    with pytest.raises(CommandError, match="企业微信群机器人没有签名密钥"):
        robots(
            "add", "--group", "organ", "--kind", "wecom", "--url", robot_server.url("wecom", token()), "--secret", "x"
        )
    for bad in ("12", "abc", "99999999999999999999999"):
        with pytest.raises(CommandError, match="没有编号为"):
            robots("test", bad)
    assert not Robot.objects.exists()


def test_a_failed_test_exits_with_the_answer(cast, robot_server):
    tok = token()
    robots(
        "add", "--group", "organ", "--kind", "dingtalk", "--url", robot_server.url("dingtalk", tok), "--secret", "SECa"
    )
    robot_server.secrets[tok] = "SECb"
    with pytest.raises(CommandError, match="310000"):
        robots("test", str(Robot.objects.get().pk))
