"""Only https addresses under an allowed prefix: never loopback, a private address or another host unless the
operator listed it; and the stored address and secret are encrypted, masked on the way out."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from civunit.notifications.robots import addresses, crypto, services
from civunit.notifications.robots.models import Robot, RobotGroup, RobotKind
from tests.notifications.robots_data import DINGTALK_SECRET

TOKEN = "0f3c9a7e5b1d4f2a8c6e0b9d7f5a3c1e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a"

ACCEPTED = [
    f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}",
    f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={TOKEN}",
    f"https://open.feishu.cn/open-apis/bot/v2/hook/{TOKEN}",
    f"https://OAPI.dingtalk.com/robot/send?access_token={TOKEN}",
    f"https://oapi.dingtalk.com:443/robot/send?access_token={TOKEN}",
]

REFUSED = [
    f"http://oapi.dingtalk.com/robot/send?access_token={TOKEN}",  # not https
    f"https://127.0.0.1/robot/send?access_token={TOKEN}",  # loopback
    f"https://localhost/robot/send?access_token={TOKEN}",
    f"https://[::1]/robot/send?access_token={TOKEN}",
    f"https://10.0.0.8/robot/send?access_token={TOKEN}",  # private addresses
    f"https://192.168.1.20/robot/send?access_token={TOKEN}",
    f"https://172.16.0.1/robot/send?access_token={TOKEN}",
    f"https://169.254.169.254/latest/meta-data?access_token={TOKEN}",  # cloud metadata
    f"https://example.com/robot/send?access_token={TOKEN}",  # another host
    f"https://oapi.dingtalk.com.evil.example/robot/send?access_token={TOKEN}",  # look-alike host
    f"https://evil.example/oapi.dingtalk.com/robot/send?access_token={TOKEN}",
    f"https://oapi.dingtalk.com@10.0.0.8/robot/send?access_token={TOKEN}",  # user info
    f"https://user:pw@oapi.dingtalk.com/robot/send?access_token={TOKEN}",
    f"https://oapi.dingtalk.com:8443/robot/send?access_token={TOKEN}",  # another port
    f"https://oapi.dingtalk.com/robot/sendx?access_token={TOKEN}",  # another path
    f"https://oapi.dingtalk.com/robot/send/../../admin?access_token={TOKEN}",  # climbing out
    f"https://open.feishu.cn/open-apis/bot/v2/hook/%2e%2e/%2e%2e/x{TOKEN}",
    "https://open.feishu.cn/open-apis/bot/v2/hook/",  # no token
    f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}#x",  # fragment
    f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN} ",  # whitespace
    f"https://oapi.dingtalk.com\\@10.0.0.8/robot/send?access_token={TOKEN}",  # backslash
    f"file:///etc/passwd?access_token={TOKEN}",
    f"https://oapi.dingtalk.com/robot/send?access_token={'a' * 1000}",  # too long
    "",
]


@pytest.mark.parametrize("url", ACCEPTED)
def test_the_public_endpoints_are_accepted(url):
    assert addresses.is_allowed(url)


@pytest.mark.parametrize("url", REFUSED)
def test_addresses_outside_the_allow_list_are_refused(url):
    assert not addresses.is_allowed(url)


def test_an_organ_adds_its_own_host_to_the_list(settings):
    url = f"https://dingtalk.zj.gov.cn/robot/send?access_token={TOKEN}"
    assert not addresses.is_allowed(url)
    settings.ROBOT_ALLOWED_URL_PREFIXES = [*settings.ROBOT_ALLOWED_URL_PREFIXES, "https://dingtalk.zj.gov.cn/robot/"]
    assert addresses.is_allowed(url)
    assert not addresses.is_allowed(f"https://dingtalk.zj.gov.cn/admin/?access_token={TOKEN}")


def test_the_masked_address_tells_robots_apart_without_the_token():
    hint = addresses.masked(ACCEPTED[0])
    assert hint == f"https://oapi.dingtalk.com/robot/send••••{TOKEN[-4:]}"
    assert TOKEN not in hint and TOKEN[:8] not in hint


def test_an_address_of_another_kind_of_robot_is_refused(cast):
    with pytest.raises(services.RobotError, match=r"钉钉|DingTalk"):
        services.check_address(ACCEPTED[0], RobotKind.FEISHU)


@pytest.fixture
def saved(cast):
    robot = services.robot_save(
        robot=None,
        user=cast.coordinator,
        group=RobotGroup.OFFICE,
        office=cast.office_a,
        kind=RobotKind.DINGTALK,
        url=ACCEPTED[0],
        secret=DINGTALK_SECRET,
    )
    return Robot.objects.get(pk=robot.pk)


def test_the_address_and_secret_are_stored_encrypted(saved):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM notifications_robot")
        raw = json.dumps(cursor.fetchall(), default=str)
    assert TOKEN not in raw and DINGTALK_SECRET not in raw and DINGTALK_SECRET[3:20] not in raw
    assert crypto.decrypt(saved.url_encrypted) == ACCEPTED[0]
    assert crypto.decrypt(saved.secret_encrypted) == DINGTALK_SECRET


def test_a_database_dump_reveals_neither_address_nor_secret(saved):
    out = io.StringIO()
    call_command("dumpdata", "notifications", stdout=out)
    dump = out.getvalue()
    assert '"model": "notifications.robot"' in dump
    assert TOKEN not in dump and DINGTALK_SECRET not in dump


def test_another_key_cannot_read_them_and_says_so(saved, settings):
    settings.ROBOT_SECRET_KEY = ["WvXgjblTO5SBckiGkZYUoLgy7AaMk1nh2AHqw8o4iAU="]
    with pytest.raises(crypto.Undecryptable):
        crypto.decrypt(saved.url_encrypted)


def test_a_rotated_key_still_reads_what_the_old_one_wrote(saved, settings):
    old = settings.ROBOT_SECRET_KEY[0]
    settings.ROBOT_SECRET_KEY = ["WvXgjblTO5SBckiGkZYUoLgy7AaMk1nh2AHqw8o4iAU=", old]
    assert crypto.decrypt(saved.secret_encrypted) == DINGTALK_SECRET


def test_without_a_key_and_debug_off_no_robot_can_be_saved(cast, settings):
    settings.ROBOT_SECRET_KEY = []
    settings.DEBUG = False
    with pytest.raises(services.RobotError, match="ROBOT_SECRET_KEY"):
        services.robot_save(
            robot=None, user=None, group=RobotGroup.ORGAN, office=None, kind=RobotKind.WECOM, url=ACCEPTED[1]
        )
    assert not Robot.objects.exists()


def test_with_debug_on_a_development_key_comes_from_secret_key(settings):
    settings.ROBOT_SECRET_KEY = []
    settings.DEBUG = True
    token = crypto.encrypt("SECxyz")
    assert crypto.decrypt(token) == "SECxyz"
    settings.SECRET_KEY = "another-development-secret-key"
    with pytest.raises(crypto.Undecryptable):
        crypto.decrypt(token)


def test_a_wecom_robot_takes_no_secret(cast):
    with pytest.raises(services.RobotError):
        services.robot_save(
            robot=None,
            user=None,
            group=RobotGroup.ORGAN,
            office=None,
            kind=RobotKind.WECOM,
            url=ACCEPTED[1],
            secret="SECsomething",
        )


def test_the_same_address_twice_for_one_group_is_refused(saved, cast):
    with pytest.raises(services.RobotError):
        services.robot_save(
            robot=None,
            user=None,
            group=RobotGroup.OFFICE,
            office=cast.office_a,
            kind=RobotKind.DINGTALK,
            url=ACCEPTED[0],
        )
