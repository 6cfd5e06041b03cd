"""Who sees the report to 市文明办 and its history, and the get-or-404 helper scoped to the user.

The report covers the whole organ: the coordinator, leadership and administrators read its history and download
its files (and see a report's progress while it is made); only the coordinator asks for one and marks one sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from civunit import access
from civunit.reports.models import ReportRecord

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from civunit.accounts.models import User


def can_read_reports(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and access.sees_everything(user))


def can_make_reports(user: User | AnonymousUser) -> bool:
    """Ask for a report and mark one sent: the coordinator (administrators count as coordinators)."""
    return bool(user.is_authenticated and access.is_coordinator(user))


def require_read(user: User) -> None:
    if not can_read_reports(user):
        raise PermissionDenied(_("Only the leadership group's office and the leadership read the reports."))


def require_make(user: User) -> None:
    if not can_make_reports(user):
        raise PermissionDenied(_("Only the leadership group's office generates and sends the report."))


def get_record_for_user(user: User, pk: int) -> ReportRecord:
    """A record the user may read; 404 for one they may not, like a missing one."""
    record = (
        ReportRecord.objects.select_related("campaign", "author", "sent_by").filter(pk=pk).first()
        if can_read_reports(user)
        else None
    )
    if record is None:
        raise Http404
    return record
