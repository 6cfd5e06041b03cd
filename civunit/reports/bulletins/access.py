"""Who reads and who changes bulletins, and get-or-404 helpers scoped to the user.

Everyone signed in reads a published bulletin. A draft is the coordinator's working copy: nobody else reads it
(it answers 404 like a missing one). Only the coordinator drafts, edits and publishes; a published bulletin is
never changed, by anyone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from campaign.access import require_open
from civunit import access
from civunit.reports.models import Bulletin

if TYPE_CHECKING:
    from civunit.accounts.models import User


def can_manage_bulletins(user: User) -> bool:
    """Draft, edit, publish and delete drafts: the coordinator (administrators count as coordinators)."""
    return access.is_coordinator(user)


def can_read_bulletin(user: User, bulletin: Bulletin) -> bool:
    if bulletin.is_published:
        return access.can_read_plan(user)
    return can_manage_bulletins(user)


def bulletins_readable_by(user: User, queryset: QuerySet[Bulletin]) -> QuerySet[Bulletin]:
    """can_read_bulletin() as a queryset filter."""
    if can_manage_bulletins(user):
        return queryset
    if access.can_read_plan(user):
        return queryset.filter(status=Bulletin.Status.PUBLISHED)
    return queryset.none()


def register_read_rules() -> None:
    """Called by ReportsConfig.ready(): a bulletin's notification, for instance, shows only to who may read it."""
    access.register_read_rule(Bulletin, can_read_bulletin)
    access.register_read_filter(Bulletin, bulletins_readable_by)


def visible_bulletins(user: User) -> QuerySet[Bulletin]:
    """The bulletins the user may read: published ones, and the drafts for the coordinator."""
    rows = Bulletin.objects.all()
    if not can_manage_bulletins(user):
        rows = rows.filter(status=Bulletin.Status.PUBLISHED)
    return rows


def get_bulletin_for_user(user: User, pk: int) -> Bulletin:
    bulletin = Bulletin.objects.select_related("campaign", "published_by", "created_by").filter(pk=pk).first()
    if bulletin is None or not access.can_read(user, bulletin):
        raise Http404
    return bulletin


def require_manage(user: User) -> None:
    if not can_manage_bulletins(user):
        raise PermissionDenied(_("Only the leadership group's office drafts and publishes bulletins."))


def get_draft_for_change(user: User, pk: int) -> Bulletin:
    """A draft the coordinator may change: 404 when unreadable, 403 for others, for a published bulletin and for
    one of an archived campaign."""
    bulletin = get_bulletin_for_user(user, pk)
    require_manage(user)
    require_open(bulletin.campaign)
    if bulletin.is_published:
        raise PermissionDenied(_("A published bulletin cannot be changed."))
    return bulletin
