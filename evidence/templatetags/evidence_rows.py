"""What every row of an evidence list writes, in Python: its thumbnail, its status badge, its category and kind.

The lists wrote these through {% include "evidence/_thumb.html" %} and "_status.html" and the models'
get_…_display() (which rebuilds a hashable copy of the choices, translating each label, on every call): a few
hundred microseconds a row, most of a 50-row page's own time. These write the same HTML.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from campaign.models import EvidenceCategory

from ..models import EvidenceItem, EvidenceKind, StoredFile

register = template.Library()

_KINDS = dict(EvidenceKind.choices)
_CATEGORIES = dict(EvidenceCategory.choices)
_STATUSES = dict(EvidenceItem.Status.choices)
_PREVIEW = dict(StoredFile.PreviewStatus.choices)


# An id no row has, reversed once per URL name: the row's URL is the same text with the row's id in its place.
_SENTINEL = 2**62 + 271828
_URL_PARTS: dict[tuple, tuple[str, str]] = {}


@register.simple_tag
def item_url(name: str, pk: int, *args) -> str:
    """reverse(name, args=[pk, *args]) for a row (`{% item_url 'evidence:accept' item.pk %}`) without resolving the
    URL pattern again for each row (~0.1 ms each, four a row in the review queue)."""
    key = (get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF, name, *args)
    parts = _URL_PARTS.get(key)
    if parts is None:
        before, found, after = reverse(name, args=[_SENTINEL, *args]).partition(str(_SENTINEL))
        if not found:  # not an id the pattern writes as it is: reverse each row
            return reverse(name, args=[pk, *args])
        parts = _URL_PARTS[key] = (before, after)
    return f"{parts[0]}{int(pk)}{parts[1]}"


def _label(labels: dict, value) -> str:
    """The choice's label, in the request's language (the value itself when it is none of the choices, like
    get_FOO_display)."""
    return str(labels.get(value, value))


@register.filter
def kind_label(item) -> str:
    return _label(_KINDS, item.kind)


@register.filter
def category_label(item) -> str:
    return _label(_CATEGORIES, item.category)


@register.simple_tag
def evidence_thumb(item) -> SafeString:
    """The row's thumbnail, or what stands for it: the preview failed, is pending, or the item has no file."""
    stored = item.stored_file
    if stored is not None and stored.thumbnail:
        return format_html(
            '<img src="{}" alt="{}" class="evidence-thumb" loading="lazy">',
            item_url("evidence:preview", item.pk, "thumbnail"),
            item.title,
        )
    if stored is not None and stored.preview_status == StoredFile.PreviewStatus.FAILED:
        return format_html(
            '<span class="evidence-thumb evidence-thumb-empty text-danger small">{}</span>',
            _label(_PREVIEW, StoredFile.PreviewStatus.FAILED),
        )
    if stored is not None and stored.preview_status == StoredFile.PreviewStatus.PENDING:
        return format_html(
            '<span class="evidence-thumb evidence-thumb-empty small text-muted">{}</span>',
            _label(_PREVIEW, StoredFile.PreviewStatus.PENDING),
        )
    return format_html('<span class="evidence-thumb evidence-thumb-empty small text-muted">{}</span>', kind_label(item))


@register.simple_tag
def evidence_status(item) -> SafeString:
    """The review status badge (static/css/civunit.css colours it by status)."""
    return format_html(
        '<span class="badge status status-{}" data-status="{}">{}</span>\n',
        item.status,
        item.status,
        _label(_STATUSES, item.status),
    )
