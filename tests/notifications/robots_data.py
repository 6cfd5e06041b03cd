"""Robots for the tests, pointed at the local fake server (tests/robot_server.py)."""

from __future__ import annotations

import uuid

from civunit.notifications.robots import services
from civunit.notifications.robots.models import Robot, RobotGroup

DINGTALK_SECRET = "SECa1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3"
FEISHU_SECRET = "feishuSignKey1234567890ab"


def token() -> str:
    return uuid.uuid4().hex + uuid.uuid4().hex[:8]


def add_robot(server, *, kind="dingtalk", office=None, group=None, secret=None, name="", user=None, tok=None):
    """A robot of `kind` for `office` (or `group`) posting to the fake server, its secret registered there.
    Returns (robot, token)."""
    tok = tok or token()
    if secret is None:
        secret = {"dingtalk": DINGTALK_SECRET, "feishu": FEISHU_SECRET}.get(kind, "")
    if secret:
        server.secrets[tok] = secret
    robot = services.robot_save(
        robot=None,
        user=user,
        group=group or RobotGroup.OFFICE,
        office=office,
        kind=kind,
        name=name,
        url=server.url(kind, tok),
        secret=secret or None,
    )
    return Robot.objects.get(pk=robot.pk), tok
