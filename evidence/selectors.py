"""Reads of the evidence archive shared by pages (and later by exports and the report)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q

from campaign.models import Criterion, CriterionRequirement
from civunit import access

from .models import EvidenceItem, EvidenceStandard


def visible_items(user):
    """The current, not deleted evidence `user` may read, with what the lists show, newest first."""
    return (
        access.evidence_visible_to(user, EvidenceItem.objects.current().alive())
        .select_related("stored_file", "office", "uploader", "primary_standard")
        .order_by("-created_at", "-pk")
    )


def standard_counts(criterion_ids: Iterable[int]) -> dict[int, dict]:
    """Organ-wide counts of current, not deleted evidence per standard and per category (one query).

    Returns {criterion_id: {"total": n, "accepted": n, "by_category": {category: (total, accepted)}}}.
    These are figures of the plan (every signed-in person reads them); they reveal no item.
    """
    rows = (
        EvidenceStandard.objects.filter(
            criterion_id__in=list(criterion_ids), item__is_current=True, item__deleted_at__isnull=True
        )
        .values("criterion_id", "item__category")
        .annotate(
            total=Count("item_id", distinct=True),
            accepted=Count("item_id", filter=Q(item__status=EvidenceItem.Status.ACCEPTED), distinct=True),
        )
        .order_by()
    )
    counts: dict[int, dict] = defaultdict(lambda: {"total": 0, "accepted": 0, "by_category": {}})
    for row in rows:
        entry = counts[row["criterion_id"]]
        entry["total"] += row["total"]
        entry["accepted"] += row["accepted"]
        entry["by_category"][row["item__category"]] = (row["total"], row["accepted"])
    return counts


def annotate_standards(criteria: list[Criterion]) -> list[Criterion]:
    """Give each standard `evidence_total`, `evidence_accepted` and `evidence_requirements` (a list of dicts:
    requirement, count, accepted, met, enough_uploaded) for templates such as evidence/_criterion_evidence.html.
    Two queries whatever the number of standards."""
    ids = [c.pk for c in criteria]
    counts = standard_counts(ids)
    requirements = defaultdict(list)
    for req in CriterionRequirement.objects.filter(criterion_id__in=ids).order_by("criterion_id", "pk"):
        requirements[req.criterion_id].append(req)
    for criterion in criteria:
        entry = counts.get(criterion.pk, {"total": 0, "accepted": 0, "by_category": {}})
        criterion.evidence_total = entry["total"]  # type: ignore[attr-defined]  # set for the template
        criterion.evidence_accepted = entry["accepted"]  # type: ignore[attr-defined]  # set for the template
        rows = []
        for req in requirements[criterion.pk]:
            total, accepted = entry["by_category"].get(req.category, (0, 0))
            rows.append(
                {
                    "requirement": req,
                    "count": total,
                    "accepted": accepted,
                    # Met only by accepted items; enough uploaded but not yet accepted is shown apart.
                    "met": accepted >= req.min_count,
                    "enough_uploaded": total >= req.min_count,
                }
            )
        criterion.evidence_requirements = rows  # type: ignore[attr-defined]  # set for the template
    return criteria
