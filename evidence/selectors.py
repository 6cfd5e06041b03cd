"""Reads of the evidence archive shared by pages (and later by exports and the report)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, Sum

from campaign.models import Criterion, CriterionRequirement
from evidence import access

from .models import ArchiveCheck, EvidenceItem, StandardEvidenceCount


def visible_items(user):
    """The current, not deleted evidence `user` may read, with what the lists show, newest first."""
    return (
        access.evidence_visible_to(user, EvidenceItem.objects.current().alive())
        .select_related("stored_file", "office", "uploader", "primary_standard")
        .order_by("-created_at", "-pk")
    )


def latest_archive_check() -> ArchiveCheck | None:
    """The last run of the integrity check (one query): the dashboard's card, the archive page."""
    return ArchiveCheck.objects.newest_first().first()


# --- A standard's evidence against its structured requirement ------------------------------------------------


@dataclass(frozen=True)
class RequirementCount:
    """One structured requirement of a standard (会议纪要 ≥ 2) beside the evidence of its category."""

    requirement: CriterionRequirement
    present: int = 0  # current, not deleted items of the category, whatever their review status
    accepted: int = 0

    @property
    def category(self) -> str:
        return self.requirement.category

    @property
    def required(self) -> int:
        return self.requirement.min_count

    @property
    def met(self) -> bool:
        """Met only by accepted items: enough uploaded but not yet accepted is `enough_uploaded`."""
        return self.accepted >= self.required

    @property
    def enough_uploaded(self) -> bool:
        return self.present >= self.required


@dataclass(frozen=True)
class StandardEvidence:
    """A standard's current, not deleted evidence (organ-wide) and its structured requirement.

    The one answer to "is this standard's evidence requirement met": pages, the standards tree, the dashboard
    and the report read `met` from here. Plan-level figures: they reveal no item."""

    criterion_id: int
    total: int = 0
    accepted: int = 0
    pending: int = 0
    returned: int = 0
    requirements: tuple[RequirementCount, ...] = ()

    @property
    def has_requirements(self) -> bool:
        return bool(self.requirements)

    @property
    def met(self) -> bool:
        """Every structured requirement is met by accepted items (true when none is stated)."""
        return all(r.met for r in self.requirements)

    @property
    def unmet(self) -> int:
        """How many of its requirements are not met."""
        return sum(1 for r in self.requirements if not r.met)

    @property
    def required(self) -> dict[str, int]:
        """Minimum count per category."""
        return {r.category: r.required for r in self.requirements}


class EvidenceByStandard(dict[int, StandardEvidence]):
    """{criterion_id: StandardEvidence}; a standard with neither evidence nor requirements reads as empty."""

    def __missing__(self, criterion_id: int) -> StandardEvidence:
        return StandardEvidence(criterion_id=criterion_id)


def standards_evidence(*, campaign=None, criterion_ids: Iterable[int] | None = None) -> EvidenceByStandard:
    """The evidence and requirement of every standard of `campaign` (or of the given criteria).

    Two queries whatever the number of standards and items: the requirements, and the counts of current, not
    deleted items by standard, category and review status (StandardEvidenceCount)."""
    if (campaign is None) == (criterion_ids is None):
        raise TypeError("standards_evidence() takes either campaign or criterion_ids")
    scope = Q(criterion__campaign=campaign) if campaign is not None else Q(criterion_id__in=list(criterion_ids or ()))
    requirements: dict[int, list[CriterionRequirement]] = defaultdict(list)
    for req in CriterionRequirement.objects.filter(scope).order_by("criterion_id", "pk"):
        requirements[req.criterion_id].append(req)
    # The counts come from StandardEvidenceCount, kept by triggers as items and links change: one row per
    # (campaign, standard, category, status) whatever the number of items, where counting the items themselves
    # reads every current item and its links. A campaign's counts are those of its own items.
    kept = StandardEvidenceCount.objects.filter(n__gt=0)
    if campaign is not None:
        kept = kept.filter(
            campaign_id=campaign.pk, criterion_id__in=Criterion.objects.filter(campaign=campaign).values("pk")
        )
    else:
        kept = kept.filter(criterion_id__in=list(criterion_ids or ()))
    rows = kept.values("criterion_id", "category", "status").annotate(n=Sum("n")).order_by()
    by_status: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_category: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in rows:
        pk, status, n = row["criterion_id"], row["status"], row["n"]
        by_status[pk][status] += n
        counts = by_category[pk][row["category"]]
        counts[0] += n
        if status == EvidenceItem.Status.ACCEPTED:
            counts[1] += n
    result = EvidenceByStandard()
    for pk in by_status.keys() | requirements.keys():
        statuses = by_status.get(pk, {})
        categories = by_category.get(pk, {})
        result[pk] = StandardEvidence(
            criterion_id=pk,
            total=sum(statuses.values()),
            accepted=statuses.get(EvidenceItem.Status.ACCEPTED, 0),
            pending=statuses.get(EvidenceItem.Status.PENDING, 0),
            returned=statuses.get(EvidenceItem.Status.RETURNED, 0),
            requirements=tuple(
                RequirementCount(req, *categories.get(req.category, (0, 0))) for req in requirements.get(pk, [])
            ),
        )
    return result


def annotate_standards(criteria: list[Criterion]) -> list[Criterion]:
    """Give each standard `standard_evidence` (its StandardEvidence) and, for templates such as
    evidence/_criterion_evidence.html, `evidence_total`, `evidence_accepted` and `evidence_requirements`.
    Two queries whatever the number of standards (standards_evidence)."""
    evidence = standards_evidence(criterion_ids=[c.pk for c in criteria])
    for criterion in criteria:
        entry = evidence[criterion.pk]
        criterion.standard_evidence = entry  # type: ignore[attr-defined]  # set for the pages and templates
        criterion.evidence_total = entry.total  # type: ignore[attr-defined]  # set for the templates
        criterion.evidence_accepted = entry.accepted  # type: ignore[attr-defined]  # set for the templates
        criterion.evidence_requirements = entry.requirements  # type: ignore[attr-defined]  # set for the templates
    return criteria
