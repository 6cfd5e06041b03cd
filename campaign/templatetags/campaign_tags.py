"""Formatting only: scores, statuses, shares."""

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from campaign.models import Assessment, VetoCondition

register = template.Library()

# The status colours of tasks and evidence (static/css/civunit.css, "Status colours"), so that 推进中 or 达标 looks
# the same on every page.
STATUS_CLASSES: dict[str, str] = {
    Assessment.Status.NOT_STARTED: "status status-not_started",
    Assessment.Status.IN_PROGRESS: "status status-in_progress",
    Assessment.Status.BASICALLY_MET: "status status-basically_met",
    Assessment.Status.MET: "status status-done",
}
VETO_CLASSES: dict[str, str] = {
    VetoCondition.Status.CLEAR: "text-bg-success",
    VetoCondition.Status.AT_RISK: "text-bg-warning",
    VetoCondition.Status.TRIGGERED: "text-bg-danger",
}


@register.filter
def score(value) -> str:
    """Decimal("12.50") → "12.5"; None → "" (the template says 未赋分 or —)."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    text = format(value.quantize(Decimal("0.01")).normalize(), "f")
    return text


@register.simple_tag
def status_badge(status: str) -> str:
    label = Assessment.Status(status).label if status in Assessment.Status.values else status
    return format_html(
        '<span class="badge {}" data-status="{}">{}</span>', STATUS_CLASSES.get(status, "text-bg-light"), status, label
    )


@register.simple_tag
def veto_badge(status: str) -> str:
    label = VetoCondition.Status(status).label
    return format_html('<span class="badge {}" data-veto-status="{}">{}</span>', VETO_CLASSES[status], status, label)


@register.filter
def kind_label(kind: str) -> str:
    from campaign.models import Criterion

    return str(Criterion.Kind(kind).label) if kind != Criterion.Kind.SCORED else ""


@register.simple_tag
def days_until(date, today) -> str:
    if not date:
        return ""
    days = (date - today).days
    if days > 0:
        return _("%(days)d days to go") % {"days": days}
    if days == 0:
        return _("today")
    return _("%(days)d days ago") % {"days": -days}
