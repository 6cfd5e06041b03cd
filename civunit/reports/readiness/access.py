"""Who sees the readiness check and who makes rectification tasks of its findings.

The coordinator (领导小组办公室), leadership and administrators see every finding; an office head (the
委室负责人 role) sees the findings of the offices they head; everyone else gets 403 on the page. A finding someone
may not see answers 404 like a missing one. Only the coordinator (and administrators) turn a finding into a
rectification task, or run the check again on demand: leadership and heads who may see it get 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from civunit import access
from civunit.accounts.roles import Role
from civunit.reports.models import ReadinessFinding

if TYPE_CHECKING:
    from campaign.models import Campaign
    from civunit.accounts.models import User


def can_view_readiness(user: User) -> bool:
    """The page: the organ's readers, and office heads (by role: which offices they head decides what they see)."""
    return access.sees_everything(user) or (access.is_active_user(user) and user.has_role(Role.OFFICE_HEAD))


def readiness_office_ids(user: User) -> frozenset[int] | None:
    """The offices whose findings `user` sees: None means every finding (offices or none)."""
    if access.sees_everything(user):
        return None
    if can_view_readiness(user):
        return frozenset(user.headed_office_ids)
    return frozenset()


def can_rectify(user: User) -> bool:
    return access.has_working_role(user) and access.is_coordinator(user)


def can_recheck(user: User) -> bool:
    """Who runs the check again on demand (the page's button): those who act on its findings."""
    return can_rectify(user)


def require_view(user: User) -> None:
    if not can_view_readiness(user):
        raise PermissionDenied(_("The readiness check is for the leadership group, its office and office heads."))


def require_rectify(user: User) -> None:
    if not can_rectify(user):
        raise PermissionDenied(_("Only the leadership group's office turns findings into rectification tasks."))


def require_recheck(user: User) -> None:
    if not can_recheck(user):
        raise PermissionDenied(_("Only the leadership group's office runs the readiness check again."))


def visible_findings(user: User, campaign: Campaign) -> QuerySet[ReadinessFinding]:
    rows = ReadinessFinding.objects.filter(campaign=campaign)
    office_ids = readiness_office_ids(user)
    if office_ids is not None:
        rows = rows.filter(office_id__in=office_ids)
    return rows


def get_finding_for_user(user: User, campaign: Campaign, pk: int) -> ReadinessFinding:
    """A finding of the current campaign `user` may see (404 otherwise)."""
    if not can_view_readiness(user):
        raise Http404
    finding = (
        visible_findings(user, campaign)
        .select_related("campaign", "criterion", "office__head", "task")
        .filter(pk=pk)
        .first()
    )
    if finding is None:
        raise Http404
    return finding
