"""What the review, versions and recycle-bin services share: the error they raise and the history entry they write."""

from __future__ import annotations

from django.urls import reverse

from ..models import EvidenceEvent, EvidenceItem


class ReviewError(Exception):
    """An action that cannot be done in the item's present state; the message is shown to the user as it is."""


def _event(*, item: EvidenceItem | None, lineage, user, action: str, **details) -> EvidenceEvent:
    return EvidenceEvent.objects.create(lineage=lineage, item=item, actor=user, action=action, details=details)


def versions_url(item: EvidenceItem) -> str:
    return reverse("evidence:versions", args=[item.pk])
