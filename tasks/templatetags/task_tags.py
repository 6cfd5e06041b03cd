"""Formatting only: status badges and percentages."""

from django import template
from django.utils.html import format_html

from tasks.models import Status

register = template.Library()


@register.simple_tag
def status_badge(status: str) -> str:
    """The task status as a badge, in the colours static/css/civunit.css gives every status (.status-<value>)."""
    try:
        member = Status(status)
    except ValueError:
        return ""
    return format_html(
        '<span class="badge status status-{}" data-status="{}">{}</span>', member.value, member.value, member.label
    )


@register.filter
def percent(done, total) -> int:
    try:
        return round(100 * int(done) / int(total)) if int(total) else 0
    except (TypeError, ValueError):
        return 0
