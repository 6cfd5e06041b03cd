"""Get-or-404 helpers: evidence a person may not read answers 404 exactly like missing evidence."""

from django.http import Http404

from civunit import access

from .models import EvidenceItem


def get_evidence_for_user(user, pk: int) -> EvidenceItem:
    """One version of an item the user may read. Items in the recycle bin are only for the coordinator."""
    qs = access.evidence_visible_to(user, EvidenceItem.objects.all()).select_related(
        "stored_file", "office", "uploader", "primary_standard", "campaign", "activity", "reviewed_by"
    )
    if not access.is_coordinator(user):
        qs = qs.alive()
    item = qs.filter(pk=pk).first()
    if item is None:
        raise Http404
    return item
