"""The robots' settings are checked when the app starts: a key that is not a Fernet key, or an allow-list entry that
is not an https address, stops it with a clear message (a fresh interpreter per case)."""

from tests.accounts.test_settings import load


def test_a_malformed_robot_key_refuses_to_start():
    result = load(ROBOT_SECRET_KEY="not-a-fernet-key")
    assert result.returncode != 0
    assert "ROBOT_SECRET_KEY must be Fernet keys" in result.stderr


def test_an_allow_list_entry_that_is_not_https_refuses_to_start():
    result = load(ROBOT_ALLOWED_URL_PREFIXES="https://oapi.dingtalk.com/robot/send,http://10.0.0.5/robot/send")
    assert result.returncode != 0
    assert "'http://10.0.0.5/robot/send' is not an https address" in result.stderr


def test_valid_robot_settings_start():
    result = load(
        ROBOT_SECRET_KEY="m3bX3d8pZ6nJq0n9T0m1bQ9YkQ2t8JdZ5tCq3wz6l0E=,WvXgjblTO5SBckiGkZYUoLgy7AaMk1nh2AHqw8o4iAU=",
        ROBOT_ALLOWED_URL_PREFIXES="https://oapi.dingtalk.com/robot/send,https://dingtalk.zj.gov.cn/robot/send",
    )
    assert result.returncode == 0, result.stderr
