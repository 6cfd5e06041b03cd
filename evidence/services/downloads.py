"""Recording who downloaded which evidence file, when and from which address (the audit trail's downloads)."""

from __future__ import annotations

from ..models import EvidenceEvent, EvidenceItem


def evidence_downloaded(*, user, item: EvidenceItem, variant: str) -> EvidenceEvent:
    """One insert per download (the address comes from the request through civunit.audit); `variant` says which
    file: "original" or "print"."""
    return EvidenceEvent.objects.create(
        lineage=item.lineage,
        item_id=item.pk,
        actor_id=user.pk,
        action=EvidenceEvent.Action.DOWNLOADED,
        details={"variant": variant},
    )
