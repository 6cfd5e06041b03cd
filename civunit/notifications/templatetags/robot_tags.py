"""Formatting for the group robots' pages."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from civunit.notifications.robots.models import RobotMessageStatus

register = template.Library()

_TONES = {
    RobotMessageStatus.SENT: "success",
    RobotMessageStatus.FAILED: "danger",
    RobotMessageStatus.PENDING: "secondary",
    RobotMessageStatus.SENDING: "info",
}


@register.simple_tag
def message_status(status: str) -> SafeString:
    """A robot message's status as a coloured badge."""
    try:
        member = RobotMessageStatus(status)
    except ValueError:
        return format_html("{}", status)
    return format_html('<span class="badge text-bg-{}">{}</span>', _TONES[member], member.label)
