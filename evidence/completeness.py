"""The evidence check of campaign.completeness (registered in EvidenceConfig.ready): a standard whose structured
evidence requirement is not met by accepted items is not complete. Two queries whatever the number of standards
(selectors.standards_evidence)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .selectors import standards_evidence


def unmet_evidence(criteria: list) -> dict[int, list[str]]:
    evidence = standards_evidence(criterion_ids=[c.pk for c in criteria])
    result: dict[int, list[str]] = {}
    for criterion in criteria:
        entry = evidence[criterion.pk]
        lines = [
            _("%(code)s needs %(required)d accepted %(category)s, has %(accepted)d.")
            % {
                "code": criterion.code,
                "required": r.required,
                "category": r.requirement.get_category_display(),
                "accepted": r.accepted,
            }
            for r in entry.requirements
            if not r.met
        ]
        if lines:
            result[criterion.pk] = lines
    return result
