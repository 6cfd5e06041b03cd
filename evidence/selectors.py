"""Reads of the evidence archive shared by pages (and later by exports and the report)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import F, Prefetch, Q, Sum
from django.utils import timezone

from campaign.models import Criterion, CriterionRequirement
from evidence import access

from .models import ArchiveCheck, EvidenceItem, EvidenceStandard, StandardEvidenceCount


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
    """The evidence and requirement of every standard of `campaign`, or of the given criteria (counting only
    `campaign`'s items when both are given, as the campaign's tree does).

    Two queries whatever the number of standards and items: the requirements, and the counts of current, not
    deleted items by standard, category and review status (StandardEvidenceCount)."""
    if campaign is None and criterion_ids is None:
        raise TypeError("standards_evidence() takes campaign or criterion_ids")
    ids = list(criterion_ids) if criterion_ids is not None else None
    scope = Q(criterion__campaign=campaign) if ids is None else Q(criterion_id__in=ids)
    requirements: dict[int, list[CriterionRequirement]] = defaultdict(list)
    for req in CriterionRequirement.objects.filter(scope).order_by("criterion_id", "pk"):
        requirements[req.criterion_id].append(req)
    # The counts come from StandardEvidenceCount, kept by triggers as items and links change: one row per
    # (campaign, standard, category, status) whatever the number of items, where counting the items themselves
    # reads every current item and its links. A campaign's counts are those of its own items.
    kept = StandardEvidenceCount.objects.filter(n__gt=0)
    if campaign is not None:
        kept = kept.filter(campaign_id=campaign.pk)
    if ids is None:
        kept = kept.filter(criterion_id__in=Criterion.objects.filter(campaign=campaign).values("pk"))
    else:
        kept = kept.filter(criterion_id__in=ids)
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


# --- The evidence index (佐证材料目录) ----------------------------------------------------------------------


@dataclass(frozen=True)
class IndexEntry:
    """One line of the evidence index: an item with its linked standards (the primary one first)."""

    item: EvidenceItem
    standards: tuple[Criterion, ...]

    @property
    def date(self) -> datetime.date:
        """The date the lists show and filter on: when it was taken, else when it was registered."""
        return self.item.taken_on or timezone.localdate(self.item.created_at)


@dataclass
class IndexGroup:
    """The entries filed under one standard (their primary standard); `standard` None: linked to none."""

    standard: Criterion | None
    entries: list[IndexEntry] = field(default_factory=list)


def evidence_index(campaign, *, user, accepted_only: bool = False) -> list[IndexGroup]:
    """The current, not deleted evidence of `campaign` that `user` may read, filed by primary standard in the
    tree's order and by archive number within a standard; items linked to no standard come last.

    Two queries whatever the number of items: the items (with office and primary standard) and their links."""
    qs = access.evidence_visible_to(user, EvidenceItem.objects.filter(campaign=campaign).current().alive())
    if accepted_only:
        qs = qs.accepted()
    links = EvidenceStandard.objects.select_related("criterion").order_by("position")
    qs = (
        qs.select_related("office", "primary_standard")
        .prefetch_related(Prefetch("standard_links", queryset=links))
        .order_by(
            F("primary_standard__ordering").asc(nulls_last=True),
            "primary_standard__code",
            "archive_number",
            "created_at",
            "pk",
        )
    )
    groups: list[IndexGroup] = []
    for item in qs:
        standards = tuple(link.criterion for link in item.standard_links.all())
        if not groups or groups[-1].standard != item.primary_standard:
            groups.append(IndexGroup(standard=item.primary_standard))
        groups[-1].entries.append(IndexEntry(item=item, standards=standards))
    return groups
