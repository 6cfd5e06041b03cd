"""Formatting only: progress bars (server-side SVG), trend arrows, day counts."""

from __future__ import annotations

import datetime
from typing import SupportsFloat

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from civunit import charts

register = template.Library()


@register.simple_tag
def progress_bar(value: SupportsFloat | str | None, total: SupportsFloat | str | None, title: str = "") -> SafeString:
    """A CSP-safe progress bar (an SVG with presentation attributes, no style attribute). The template may pass
    anything: what is not a number draws an empty bar."""
    try:
        return charts.progress(float(value or 0), float(total or 0), title=title or _("Progress"))
    except (TypeError, ValueError):
        return charts.progress(0, 0, title=title or _("Progress"))


@register.simple_tag
def trend_arrow(trend: int) -> SafeString:
    """↑ more work finished than in the previous period, ↓ less, → as much; with words for screen readers."""
    if trend > 0:
        symbol, css, words = "↑", "text-success", _("more than the previous period")
    elif trend < 0:
        symbol, css, words = "↓", "text-danger", _("less than the previous period")
    else:
        symbol, css, words = "→", "text-muted", _("as much as the previous period")
    return format_html(
        '<span class="trend {}" data-trend="{}" title="{}" aria-label="{}">{}</span>', css, trend, words, words, symbol
    )


@register.filter
def days_since(day: datetime.date | None, today: datetime.date | None) -> int | str:
    """Whole days from `day` to `today` (the dashboard's date)."""
    if not isinstance(day, datetime.date) or not isinstance(today, datetime.date):
        return ""
    return (today - day).days


@register.filter
def days_until(day: datetime.date | None, today: datetime.date | None) -> int | str:
    if not isinstance(day, datetime.date) or not isinstance(today, datetime.date):
        return ""
    return (day - today).days
