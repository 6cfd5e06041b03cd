"""`manage.py robots add|list|test|remove`: the group robots from the command line, for administrators and automation.

    robots add --office 研究室 --kind dingtalk --url https://oapi.dingtalk.com/robot/send?access_token=… --secret SEC…
    robots add --group leadership --kind wecom --url https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…
    robots list
    robots test 3
    robots remove 3

`--secret -` reads the secret from standard input (so that it stays out of the shell's history and the process
list). The address and secret are validated exactly as on the page (the same form) and never printed.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from civunit.accounts.models import Office
from civunit.forms import parse_id
from civunit.notifications.robots import services
from civunit.notifications.robots.forms import RobotForm
from civunit.notifications.robots.models import Robot, RobotGroup, RobotKind, RobotMessage


class Command(BaseCommand):
    help = "Add, list, test and remove the group robots (企业微信, 钉钉, 飞书) that post reminders in work groups."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="add|list|test|remove")
        add: ArgumentParser = actions.add_parser("add", help="Add a robot to an office's group or a whole group.")
        target = add.add_mutually_exclusive_group(required=True)
        target.add_argument("--office", help="The office (its name or short name) whose group the robot posts in.")
        target.add_argument("--group", choices=[RobotGroup.ORGAN, RobotGroup.LEADERSHIP], help="A whole group.")
        add.add_argument("--kind", required=True, choices=RobotKind.values)
        add.add_argument("--url", required=True, help="The robot's webhook address.")
        add.add_argument("--secret", default="", help="The signing secret (钉钉 加签, 飞书 签名校验); '-' reads stdin.")
        add.add_argument("--name", default="", help="A name to tell robots apart.")
        actions.add_parser("list", help="List the robots (addresses masked, secrets never shown).")
        test = actions.add_parser("test", help="Send a test message now and print the robot's answer.")
        test.add_argument("id")
        remove = actions.add_parser("remove", help="Remove a robot and its message log.")
        remove.add_argument("id")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"_{action}")(**options)

    # --- actions ------------------------------------------------------------------------------------------

    def _add(
        self, *, office: str | None, group: str | None, kind: str, url: str, secret: str, name: str, **_o: Any
    ) -> None:
        chosen = None
        if office is not None:
            chosen = (
                Office.objects.filter(name=office.strip()).first()
                or Office.objects.filter(short_name=office.strip()).first()
            )
            if chosen is None:
                names = "、".join(Office.objects.values_list("name", flat=True))
                raise CommandError(
                    _("No office is named “%(name)s”. Offices: %(names)s") % {"name": office, "names": names}
                )
        if secret == "-":  # noqa: S105 (the stdin marker, not a password)
            secret = sys.stdin.readline().strip()
        form = RobotForm(
            {
                "group": RobotGroup.OFFICE if chosen else group,
                "office": chosen.pk if chosen else "",
                "kind": kind,
                "url": url,
                "secret": secret,
                "name": name,
            }
        )
        if not form.is_valid():
            raise CommandError(" ".join(str(e) for errors in form.errors.values() for e in errors))
        try:
            robot = services.robot_save(robot=None, user=None, **form.values)
        except services.RobotError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("Robot %(id)s added: %(robot)s, %(hint)s") % {"id": robot.pk, "robot": robot, "hint": robot.url_hint}
        )

    def _list(self, **_o: Any) -> None:
        latest = RobotMessage.objects.filter(robot=OuterRef("pk")).order_by("-created_at", "-pk")
        robots = list(
            Robot.objects.select_related("office").annotate(
                last_status=Subquery(latest.values("status")[:1]), last_day=Subquery(latest.values("day")[:1])
            )
        )
        if not robots:
            self.stdout.write(_("No robots."))
            return
        for robot in robots:
            state = _("active") if robot.is_active else _("switched off")
            secret = _("signed") if robot.signs else _("no secret")
            status = robot.last_status
            latest_text = f"{RobotMessage.Status(status).label} {robot.last_day}" if status else "—"
            self.stdout.write(
                f"{robot.pk}\t{robot.target_label}\t{robot.get_kind_display()}\t{robot.name or '—'}\t"
                f"{robot.url_hint}\t{secret}\t{state}\t{latest_text}"
            )

    def _robot(self, value: str) -> Robot:
        pk = parse_id(value)
        robot = Robot.objects.select_related("office").filter(pk=pk).first() if pk is not None else None
        if robot is None:
            raise CommandError(_("No robot has the number %(id)s (see `robots list`).") % {"id": value})
        return robot

    def _test(self, *, id: str, **_o: Any) -> None:
        robot = self._robot(id)
        try:
            record = services.robot_test(robot=robot, user=None)
        except services.RobotError as error:
            raise CommandError(str(error)) from error
        if record.status != RobotMessage.Status.SENT:
            raise CommandError(_("The test message failed. %(answer)s") % {"answer": record.response})
        self.stdout.write(_("The test message was sent. The robot answered: %(answer)s") % {"answer": record.response})

    def _remove(self, *, id: str, **_o: Any) -> None:
        robot = self._robot(id)
        label = str(robot)
        services.robot_delete(robot=robot, user=None)
        self.stdout.write(_("Robot %(id)s removed: %(robot)s") % {"id": id, "robot": label})
