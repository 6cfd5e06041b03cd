"""The audit trail page (审计日志) and its workbook: the coordinator's and the administrators' (others: 403)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civunit import access
from civunit.accounts.models import User
from civunit.downloads import attachment
from civunit.forms import parse_id
from civunit.http import AuthenticatedHttpRequest
from civunit.xlsx_table import XLSX_TYPE

from . import selectors
from .export import EXPORT_LIMIT, audit_workbook

PAGE_SIZE = 50


def _require(user: User) -> None:
    if not access.is_coordinator(user):
        raise PermissionDenied(_("Only the coordinator and the administrators see the audit trail."))


def _date(value: str | None) -> tuple[datetime.date | None, bool]:
    if not value:
        return None, True
    try:
        return datetime.date.fromisoformat(value), True
    except ValueError:
        return None, False


def _filter(request: AuthenticatedHttpRequest) -> selectors.AuditFilter:
    """The filter from the query; a value that is not understood is left out, with a message saying so."""
    q = request.GET
    f = selectors.AuditFilter(
        person=parse_id(q.get("person")),
        office=parse_id(q.get("office")),
        source=q.get("kind", "") if q.get("kind", "") in selectors.SOURCES else "",
        object=parse_id(q.get("object")),
    )
    bad = []
    for name in ("person", "office", "object"):
        if q.get(name) and getattr(f, name) is None:
            bad.append(name)
    if q.get("kind") and not f.source:
        bad.append("kind")
    f.start, ok_start = _date(q.get("start"))
    f.end, ok_end = _date(q.get("end"))
    if not (ok_start and ok_end):
        bad.append("date")
    if f.object is not None and not f.source:
        bad.append("object")
        f.object = None
    if bad:
        messages.warning(
            request,
            _("Some filters were not understood and are left out (dates as 2026-03-05, an object with its kind)."),
        )
    return f


@require_GET
def audit_trail(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request.user)
    f = _filter(request)
    page = Paginator(selectors.timeline(f), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.hydrate(page.object_list)
    return render(
        request,
        "reports/audit/page.html",
        {
            "page": page,
            "rows": rows,
            "filter": f,
            "sources": list(selectors.SOURCES.values()),
            "people": selectors.person_choices(),
            "offices": selectors.office_choices(),
            "export_limit": EXPORT_LIMIT,
        },
    )


@require_GET
def audit_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request.user)
    f = _filter(request)
    data = audit_workbook(f)
    name = _("Audit trail") + f" {timezone.localdate():%Y%m%d}.xlsx"
    return attachment(data, content_type=XLSX_TYPE, filename=name, fallback="audit-trail")
