"""What every row of an evidence list writes, in Python: its thumbnail, its status badge, its category and kind.

The lists wrote these through {% include "evidence/_thumb.html" %} and "_status.html" and the models'
get_…_display() (which rebuilds a hashable copy of the choices, translating each label, on every call): a few
hundred microseconds a row, most of a 50-row page's own time. These write the same HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import template
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import dateformat
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in django-stubs
from django.utils.translation import gettext

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
    return _thumb(item, _thumbnail_url, _label)


def _thumbnail_url(pk: int) -> str:
    return item_url("evidence:preview", pk, "thumbnail")


def _thumb(item, thumbnail_url: Callable[[int], str], label: Callable[[dict, Any], str]) -> SafeString:
    """evidence_thumb() with the thumbnail's URL and the labels from the given functions (a table works them out
    once for all its rows)."""
    stored = item.stored_file
    if stored is not None and stored.thumbnail:
        return format_html(
            '<img src="{}" alt="{}" class="evidence-thumb" loading="lazy">', thumbnail_url(item.pk), item.title
        )
    if stored is not None and stored.preview_status == StoredFile.PreviewStatus.FAILED:
        return format_html(
            '<span class="evidence-thumb evidence-thumb-empty text-danger small">{}</span>',
            label(_PREVIEW, StoredFile.PreviewStatus.FAILED),
        )
    if stored is not None and stored.preview_status == StoredFile.PreviewStatus.PENDING:
        return format_html(
            '<span class="evidence-thumb evidence-thumb-empty small text-muted">{}</span>',
            label(_PREVIEW, StoredFile.PreviewStatus.PENDING),
        )
    return format_html(
        '<span class="evidence-thumb evidence-thumb-empty small text-muted">{}</span>', label(_KINDS, item.kind)
    )


def _per_table() -> tuple[Callable[[Any], str], Callable[[dict, Any], str]]:
    """What a table's rows share, worked out once per table: the thumbnail URL of an item (reversed once, the
    item's id filled in) and a choice's label (translated once per value)."""
    thumb_before, thumb_found, thumb_after = _thumbnail_url(_SENTINEL).partition(str(_SENTINEL))
    thumbnail_url = (lambda pk: f"{thumb_before}{int(pk)}{thumb_after}") if thumb_found else _thumbnail_url
    labels: dict[tuple[int, Any], str] = {}

    def label(choices: dict, value: Any) -> str:
        key = (id(choices), value)
        if (text := labels.get(key)) is None:
            text = labels[key] = _label(choices, value)
        return text

    return thumbnail_url, label


@register.simple_tag
def evidence_status(item) -> SafeString:
    """The review status badge (static/css/civunit.css colours it by status)."""
    return format_html(
        '<span class="badge status status-{}" data-status="{}">{}</span>\n',
        item.status,
        item.status,
        _label(_STATUSES, item.status),
    )


@register.simple_tag
def evidence_table_rows(page) -> SafeString:
    """The <tr> rows of evidence/_table.html for items carrying visible_items()' select_related.

    Written here rather than in the template: a list shows up to 50 rows and the template language spent ~0.2 ms
    on each (some 20 variable lookups, filters and tags); this writes the same HTML, byte for byte, in a fraction
    of it. The labels and the URL are worked out once per table, not once per row."""
    date_label = escape(gettext("Date"))
    before, found, after = item_url("evidence:detail", _SENTINEL).partition(str(_SENTINEL))
    head, tail = escape(before), escape(after)
    thumbnail_url, label = _per_table()

    badges: dict[str, str] = {}
    out: list[str] = []
    add = out.append
    for item in page:
        pk = int(item.pk)
        stored = item.stored_file
        standard = item.primary_standard
        office = escape(item.office.name)
        number = item.archive_number
        taken_on = item.taken_on
        extra = ""
        if stored:
            extra = f" · {escape(filesizeformat(stored.size))}"
        if standard:
            extra += f" · {escape(standard.code)}"
        if (badge := badges.get(item.status)) is None:
            badge = badges[item.status] = evidence_status(item)
        url = f"{head}{pk}{tail}" if found else escape(item_url("evidence:detail", pk))
        add(
            f'\n    <tr data-evidence="{pk}">\n'
            f'      <td class="col-thumb">{_thumb(item, thumbnail_url, label)}</td>\n'
            f'      <td><a href="{url}">{escape(item.title)}</a>'
            f'<div class="small text-muted">{escape(label(_KINDS, item.kind))}{extra}</div>'
            f'<div class="small text-muted d-md-none">{escape(number)} {office}</div></td>\n'
            f'      <td class="small text-nowrap d-none d-md-table-cell">{escape(number) if number else "—"}</td>\n'
            f'      <td class="small d-none d-md-table-cell">{escape(label(_CATEGORIES, item.category))}</td>\n'
            f'      <td class="small d-none d-md-table-cell">{office}'
            f'<div class="text-muted">{escape(item.uploader.display_name)}</div></td>\n'
            f'      <td class="small text-nowrap d-none d-sm-table-cell" data-label="{date_label}">'
            f"{_day(taken_on) if taken_on else '—'}</td>\n"
            f"      <td>{badge}</td>\n"
            "    </tr>\n  "
        )
    return mark_safe("".join(out))  # noqa: S308  # every value above is escaped


def _day(value) -> str:
    """As |date:"Y-m-d" writes a date (a DateField's value)."""
    return dateformat.format(value, "Y-m-d")


@register.simple_tag(takes_context=True)
def review_queue_rows(context, page) -> SafeString:
    """The <tr> rows of evidence/review_queue.html, each with its accept and return forms.

    Written here rather than in the template for the same reason as evidence_table_rows(): the queue fills its page
    with up to 50 rows and the template language spent most of the page's time on them. The same HTML, byte for
    byte: the CSRF token is the context's one (as {% csrf_token %} writes it), `next` the request's full path."""
    token = context.get("csrf_token")
    csrf = ""
    if token and token != "NOTPROVIDED":  # noqa: S105  # {% csrf_token %}'s marker of no token
        csrf = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
    request = context.get("request")
    here = escape(request.get_full_path()) if request is not None else ""
    t_category, t_office, t_uploaded = (
        escape(gettext("Category")),
        escape(gettext("Office")),
        escape(gettext("Uploaded")),
    )
    t_accept, t_reason, t_return = (
        escape(gettext("Accept")),
        escape(gettext("Reason for returning")),
        escape(gettext("Return")),
    )
    version_text = gettext("version %(n)s")
    thumbnail_url, label = _per_table()

    out: list[str] = []
    add = out.append
    for item in page:
        pk = int(item.pk)
        title = escape(item.title)
        office = item.office
        uploader = item.uploader
        created = item.created_at
        badge = ""
        if item.version > 1:
            badge = f' <span class="badge text-bg-info">{version_text % {"n": item.version}}</span>'
        add(
            f'\n    <tr data-evidence="{pk}" data-title="{title}">\n'
            f'      <td class="col-check"><input type="checkbox" class="form-check-input" name="items" value="{pk}"'
            f' form="bulk-form" aria-label="{title}"></td>\n'
            f'      <td class="col-thumb">{_thumb(item, thumbnail_url, label)}</td>\n'
            f'      <td><a href="{escape(item_url("evidence:versions", pk))}">{title}</a>{badge}\n'
            f'        <div class="small text-muted">{escape(Truncator(item.caption).chars(80))}</div></td>\n'
            f'      <td class="small" data-label="{t_category}">{escape(label(_CATEGORIES, item.category))}</td>\n'
            f'      <td class="small" data-label="{t_office}">{escape(office.name) if office is not None else ""}'
            f' <span class="text-muted">{escape(uploader.display_name) if uploader is not None else ""}</span></td>\n'
            f'      <td class="small text-nowrap" data-label="{t_uploaded}">'
            f"{dateformat.format(template_localtime(created), 'Y-m-d H:i') if created else ''}</td>\n"
            '      <td class="text-nowrap stack-actions">\n'
            f'        <form method="post" action="{escape(item_url("evidence:accept", pk))}" class="d-inline">{csrf}'
            f'<input type="hidden" name="next" value="{here}"><button class="btn btn-sm btn-success" type="submit"'
            f' data-testid="accept"><i class="bi bi-check-lg me-1" aria-hidden="true"></i>{t_accept}</button></form>\n'
            f'        <form method="post" action="{escape(item_url("evidence:return", pk))}"'
            f' class="d-inline-flex gap-1">{csrf}<input type="hidden" name="next" value="{here}">\n'
            '          <input type="text" name="reason" class="form-control form-control-sm w-12rem" maxlength="2000"'
            f' required placeholder="{t_reason}" aria-label="{t_reason}" data-testid="return-reason">\n'
            '          <button class="btn btn-sm btn-outline-danger" type="submit" data-testid="return">'
            f"{t_return}</button></form>\n"
            "      </td>\n"
            "    </tr>\n  "
        )
    return mark_safe("".join(out))  # noqa: S308  # every value above is escaped
