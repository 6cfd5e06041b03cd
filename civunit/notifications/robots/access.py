"""Who manages the group robots: the coordinator (领导小组办公室) and administrators, nobody else.

The robots page answers others 403 ("you may not"); a robot's or a message's own URL answers them 404, like a
missing one, so nobody learns which robots exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from civunit import access

from .models import Robot, RobotMessage

if TYPE_CHECKING:
    from civunit.accounts.models import User


def can_manage_robots(user: User) -> bool:
    return access.is_coordinator(user)


def require_manage(user: User) -> None:
    if not can_manage_robots(user):
        raise PermissionDenied(_("Only the leadership group's office and administrators manage group robots."))


def get_robot_for_user(user: User, pk: int) -> Robot:
    robot = Robot.objects.select_related("office").filter(pk=pk).first() if can_manage_robots(user) else None
    if robot is None:
        raise Http404
    return robot


def get_message_for_user(user: User, pk: int) -> RobotMessage:
    message = (
        RobotMessage.objects.select_related("robot__office").filter(pk=pk).first() if can_manage_robots(user) else None
    )
    if message is None:
        raise Http404
    return message
