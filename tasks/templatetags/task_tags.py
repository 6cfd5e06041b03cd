"""Formatting only: status badges and percentages."""

from django import template
from django.utils.html import format_html

from tasks.models import Status

register = template.Library()

_BADGE = {
    Status.NOT_STARTED: "secondary",
    Status.IN_PROGRESS: "primary",
    Status.PENDING_REVIEW: "warning text-dark",
    Status.DONE: "success",
    Status.RETURNED: "danger",
}


@register.simple_tag
def status_badge(status: str) -> str:
    try:
        member = Status(status)
    except ValueError:
        return ""
    return format_html(
        '<span class="badge bg-{}" data-status="{}">{}</span>', _BADGE[member], member.value, member.label
    )


@register.filter
def percent(done, total) -> int:
    try:
        return round(100 * int(done) / int(total)) if int(total) else 0
    except (TypeError, ValueError):
        return 0
