"""Review: 待审核 → 已采用 / 已退回, one version or several at once.

Each function is one transaction with its history entry (EvidenceEvent). The status changes by a conditional
UPDATE on the version's status, so that of two reviewers acting at once exactly one wins (the other gets
ReviewError). Only the latest version of an item is reviewed; an accepted newer version becomes the current one.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civunit.notifications.models import Notification
from civunit.notifications.services import notifications_mark_done, notify
from evidence import access

from ..models import EvidenceEvent, EvidenceItem
from ._common import ReviewError, _event, versions_url
from .versions import is_latest


def _check_review(*, user, item: EvidenceItem) -> None:
    if not access.can_review_evidence(user, item, allow_self_review=item.campaign.allow_self_review):
        raise PermissionDenied
    if item.is_deleted:
        raise ReviewError(_("“%(title)s” is in the recycle bin.") % {"title": item.title})
    if item.status != EvidenceItem.Status.PENDING:
        raise ReviewError(_("“%(title)s” is not awaiting review.") % {"title": item.title})
    if not is_latest(item):
        raise ReviewError(_("“%(title)s” has a newer version; review that one.") % {"title": item.title})


def _set_status(*, user, item: EvidenceItem, status: str, note: str) -> None:
    now = timezone.now()
    changed = EvidenceItem.objects.filter(pk=item.pk, status=EvidenceItem.Status.PENDING).update(
        status=status, reviewed_by=user, reviewed_at=now, review_note=note, updated_at=now
    )
    if changed != 1:
        raise ReviewError(_("Someone else reviewed “%(title)s” in the meantime.") % {"title": item.title})
    item.status, item.reviewed_by, item.reviewed_at, item.review_note = status, user, now, note


def _accept(*, user, item: EvidenceItem) -> None:
    _set_status(user=user, item=item, status=EvidenceItem.Status.ACCEPTED, note="")
    if not item.is_current:
        # The accepted version becomes the current one; the old current steps aside first (one current per lineage).
        EvidenceItem.objects.filter(lineage=item.lineage, is_current=True).update(is_current=False)
        EvidenceItem.objects.filter(pk=item.pk).update(is_current=True)
        item.is_current = True
    _event(item=item, lineage=item.lineage, user=user, action=EvidenceEvent.Action.ACCEPTED, version=item.version)
    notify(
        recipient=item.uploader,
        kind=Notification.Kind.EVIDENCE_ACCEPTED,
        obj=item,
        text=_("“%(title)s” was accepted.") % {"title": item.title},
        actor=user,
        url=versions_url(item),
    )


def _return(*, user, item: EvidenceItem, reason: str) -> None:
    _set_status(user=user, item=item, status=EvidenceItem.Status.RETURNED, note=reason)
    _event(
        item=item,
        lineage=item.lineage,
        user=user,
        action=EvidenceEvent.Action.RETURNED,
        version=item.version,
        reason=reason,
    )
    notify(
        recipient=item.uploader,
        kind=Notification.Kind.EVIDENCE_RETURNED,
        obj=item,
        text=_("“%(title)s” was returned: %(reason)s") % {"title": item.title, "reason": reason},
        actor=user,
        url=versions_url(item),
    )


def _reviewed(*, user, items: Sequence[EvidenceItem]) -> None:
    """The reviewer's notifications that these versions await review have been acted on."""
    notifications_mark_done(user=user, objs=items, kinds=[Notification.Kind.AWAITING_REVIEW])


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError(_("Say why it is returned, so the uploader knows what to fix."))
    return reason[:2000]


@transaction.atomic
def evidence_accept(*, user, item: EvidenceItem) -> EvidenceItem:
    """已采用. An accepted newer version replaces the accepted one as the item's current version."""
    _check_review(user=user, item=item)
    _accept(user=user, item=item)
    _reviewed(user=user, items=[item])
    return item


@transaction.atomic
def evidence_return(*, user, item: EvidenceItem, reason: str) -> EvidenceItem:
    """已退回 with a reason; the uploader is notified. A returned newer version leaves the accepted one current."""
    reason = _clean_reason(reason)
    _check_review(user=user, item=item)
    _return(user=user, item=item, reason=reason)
    _reviewed(user=user, items=[item])
    return item


ACCEPT, RETURN = "accept", "return"


@transaction.atomic
def evidence_bulk_review(*, user, items: Sequence[EvidenceItem], action: str, reason: str = "") -> int:
    """Accept or return several versions at once: all of them, or (on any refusal) none."""
    if action not in (ACCEPT, RETURN):
        raise ReviewError(_("Choose accept or return."))
    if not items:
        raise ReviewError(_("Select at least one item."))
    if action == RETURN:
        reason = _clean_reason(reason)
    for item in items:
        _check_review(user=user, item=item)
    for item in items:
        if action == ACCEPT:
            _accept(user=user, item=item)
        else:
            _return(user=user, item=item, reason=reason)
    _reviewed(user=user, items=items)
    return len(items)
