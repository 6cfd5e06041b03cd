"""The recycle bin: deleting an item (all its versions) moves it there, the coordinator restores it or purges it
for good with its files. Each function is one transaction with its history entry."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evidence import access

from .. import files
from ..models import EvidenceEvent, EvidenceItem, StoredFile
from ._common import ReviewError, _event


@transaction.atomic
def evidence_delete(*, user, item: EvidenceItem) -> None:
    """Move an item (all its versions) to the recycle bin. Nothing is destroyed."""
    if not access.can_delete_evidence(user, item):
        raise PermissionDenied
    changed = EvidenceItem.objects.filter(lineage=item.lineage, deleted_at__isnull=True).update(
        deleted_at=timezone.now(), deleted_by=user
    )
    if not changed:
        raise ReviewError(_("“%(title)s” is already in the recycle bin.") % {"title": item.title})
    _event(item=item, lineage=item.lineage, user=user, action=EvidenceEvent.Action.DELETED, title=item.title)


@transaction.atomic
def evidence_restore(*, user, item: EvidenceItem) -> None:
    if not access.can_manage_recycle_bin(user):
        raise PermissionDenied
    changed = EvidenceItem.objects.filter(lineage=item.lineage, deleted_at__isnull=False).update(
        deleted_at=None, deleted_by=None
    )
    if not changed:
        raise ReviewError(_("“%(title)s” is not in the recycle bin.") % {"title": item.title})
    _event(item=item, lineage=item.lineage, user=user, action=EvidenceEvent.Action.RESTORED, title=item.title)


def _file_names(stored: StoredFile) -> list[str]:
    return [f.name for f in (stored.file, stored.thumbnail, stored.screen, stored.print_copy) if f and f.name]


@transaction.atomic
def evidence_purge(*, user, item: EvidenceItem) -> list[str]:
    """Destroy an item in the recycle bin: every version's row, and every file no other item uses (the files are
    removed after the commit, so a rollback loses nothing). The history stays, with a purge entry.
    Returns the storage names removed."""
    if not access.can_manage_recycle_bin(user):
        raise PermissionDenied
    versions = list(EvidenceItem.objects.filter(lineage=item.lineage).order_by("-version"))
    if not versions or any(v.deleted_at is None for v in versions):
        raise ReviewError(_("Only an item in the recycle bin can be purged."))
    file_ids = {v.stored_file_id for v in versions if v.stored_file_id}
    pks = [v.pk for v in versions]
    EvidenceItem.objects.filter(pk__in=pks).update(previous=None)
    EvidenceItem.objects.filter(pk__in=pks).delete()
    orphaned = list(StoredFile.objects.filter(pk__in=file_ids).exclude(items__isnull=False))
    names = [name for stored in orphaned for name in _file_names(stored)]
    StoredFile.objects.filter(pk__in=[s.pk for s in orphaned]).delete()
    _event(
        item=None,
        lineage=item.lineage,
        user=user,
        action=EvidenceEvent.Action.PURGED,
        title=item.title,
        versions=len(versions),
        files=len(orphaned),
    )

    files.delete_after_commit(names)
    return names
