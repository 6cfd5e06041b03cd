"""The evidence section of a standard's page (registered with campaign.links in EvidenceConfig.ready):
organ-wide counts beside the standard's requirements, and the items the reader may see."""

from evidence.selectors import annotate_standards, visible_items

SHOWN = 12


def evidence_of_standard(request, criterion) -> dict | None:
    if not criterion.is_leaf:
        return None
    annotate_standards([criterion])
    items = list(visible_items(request.user).filter(standard_links__criterion=criterion)[:SHOWN])
    return {"template": "evidence/_criterion_section.html", "criterion": criterion, "items": items}
