"""The review queue (待审核) of a reviewer and the recycle bin's rows."""

from __future__ import annotations

from django.db.models import QuerySet

from evidence import access

from ..models import EvidenceItem
from .search import LIST_RELATED


def review_queue(*, user, campaign) -> QuerySet[EvidenceItem]:
    """The latest versions awaiting review that `user` reviews (own uploads left out unless allowed)."""
    office_ids = access.evidence_review_office_ids(user)
    qs = EvidenceItem.objects.filter(
        campaign=campaign, status=EvidenceItem.Status.PENDING, deleted_at__isnull=True, next_versions__isnull=True
    )
    if office_ids is not None:
        qs = qs.filter(office_id__in=office_ids)
    if not campaign.allow_self_review:
        qs = qs.exclude(uploader_id=user.pk)
    return qs.select_related(*LIST_RELATED).order_by("created_at", "pk")


def recycle_bin_rows(campaign) -> QuerySet[EvidenceItem]:
    """Items in the recycle bin: one row per item (its current version), most recently deleted first."""
    return (
        EvidenceItem.objects.filter(campaign=campaign, is_current=True)
        .in_recycle_bin()
        .select_related(*LIST_RELATED, "deleted_by")
        .order_by("-deleted_at", "-pk")
    )
