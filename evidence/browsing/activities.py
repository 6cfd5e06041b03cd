"""Datasets for browsing and searching evidence: filtered lists, the standards tree with organ-wide counts and
requirement warnings, an activity's evidence by what inspectors expect, the review queue and the recycle bin.

Every list of items starts from evidence.access.evidence_visible_to, so a person finds only what they may read.
Each function costs a fixed number of queries however many items there are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from campaign.models import Criterion, EvidenceCategory
from campaign.selectors import Node, criteria_tree
from evidence import access

from ..models import Activity, EvidenceItem, EvidenceStandard
from ..selectors import RequirementCount, StandardEvidence, standards_evidence

LIST_RELATED = ("stored_file", "office", "uploader", "primary_standard", "activity")

# The fields a search looks in (substring, case-insensitive): a two-character query such as 志愿 must match on
# SQLite and PostgreSQL alike, which no default full-text tokenizer does for Chinese.
SEARCH_FIELDS = ("title", "caption", "description", "place", "people", "original_name", "activity__title")


@dataclass
class EvidenceFilters:
    q: str = ""
    standard: Criterion | None = None
    task: object | None = None
    activity: Activity | None = None
    office: object | None = None
    kind: str = ""
    category: str = ""
    status: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    @property
    def any(self) -> bool:
        return any(
            (self.q, self.standard, self.task, self.activity, self.office, self.kind, self.category, self.status)
        ) or bool(self.date_from or self.date_to)


def search_q(text: str) -> Q:
    """Every word of `text` must appear in one of the search fields."""
    condition = Q()
    for word in text.split()[:8]:
        any_field = Q()
        for name in SEARCH_FIELDS:
            any_field |= Q(**{f"{name}__icontains": word})
        condition &= any_field
    return condition


def _subtree_ids(campaign, criterion: Criterion) -> list[int]:
    """The criterion and everything below it (the campaign's criteria tree: one query)."""
    node = criteria_tree(campaign).by_code.get(criterion.code)
    return [n.criterion.pk for n in node.subtree()] if node is not None else [criterion.pk]


def evidence_rows(*, user, campaign, filters: EvidenceFilters | None = None) -> QuerySet[EvidenceItem]:
    """The current, not deleted items of the campaign `user` may read, filtered, newest first (a lazy queryset)."""
    qs = access.evidence_visible_to(
        user, EvidenceItem.objects.filter(campaign=campaign).current().alive()
    ).select_related(*LIST_RELATED)
    f = filters or EvidenceFilters()
    if f.q:
        qs = qs.filter(search_q(f.q))
    if f.standard is not None:
        ids = [f.standard.pk] if f.standard.is_leaf else _subtree_ids(campaign, f.standard)
        qs = qs.filter(Exists(EvidenceStandard.objects.filter(item=OuterRef("pk"), criterion_id__in=ids)))
    if f.task is not None:
        qs = qs.filter(
            Exists(EvidenceItem.tasks.through.objects.filter(evidenceitem_id=OuterRef("pk"), task_id=f.task.pk))
        )
    if f.activity is not None:
        qs = qs.filter(activity=f.activity)
    if f.office is not None:
        qs = qs.filter(office=f.office)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.date_from:
        qs = qs.filter(Q(taken_on__gte=f.date_from) | Q(taken_on__isnull=True, created_at__date__gte=f.date_from))
    if f.date_to:
        qs = qs.filter(Q(taken_on__lte=f.date_to) | Q(taken_on__isnull=True, created_at__date__lte=f.date_to))
    return qs.order_by("-created_at", "-pk")


# --- The standards tree ----------------------------------------------------------------------------------------


@dataclass
class TreeNode:
    """A node of campaign.selectors.criteria_tree with the evidence counts the standards tree shows."""

    node: Node
    depth: int  # 0 for the roots
    evidence: StandardEvidence  # its own (a parent's own is usually empty)
    total: int = 0  # current, not deleted items linked to it (or, for a parent, to its standards)
    accepted: int = 0
    pending: int = 0
    warnings: int = 0  # unmet requirements here (or, for a parent, below)

    @property
    def criterion(self) -> Criterion:
        return self.node.criterion

    @property
    def requirements(self) -> tuple[RequirementCount, ...]:
        return self.evidence.requirements


def standards_tree(campaign) -> list[TreeNode]:
    """The campaign's criteria tree (campaign.selectors.criteria_tree) decorated with organ-wide evidence counts
    (current versions, not in the recycle bin) and a warning wherever a standard's structured requirement is not
    met by ACCEPTED items (evidence.selectors.standards_evidence).

    Three queries: the tree, the requirements, the counts (grouped by standard, category and status).
    These are plan-level figures: they reveal no item, so everyone signed in sees the same numbers."""
    tree = criteria_tree(campaign)
    evidence = standards_evidence(campaign=campaign)
    rows: dict[int, TreeNode] = {}
    for node in tree.nodes:  # depth-first: a parent comes before its children
        parent = rows[node.parent.criterion.pk] if node.parent else None
        own = evidence[node.criterion.pk]
        rows[node.criterion.pk] = TreeNode(
            node=node,
            depth=parent.depth + 1 if parent else 0,
            evidence=own,
            total=own.total,
            accepted=own.accepted,
            pending=own.pending,
            warnings=own.unmet,
        )
    for node in reversed(tree.nodes):  # children before their parents: sum the counts upwards
        if node.parent is not None:
            row, parent = rows[node.criterion.pk], rows[node.parent.criterion.pk]
            parent.total += row.total
            parent.accepted += row.accepted
            parent.pending += row.pending
            parent.warnings += row.warnings
    return [rows[node.criterion.pk] for node in tree.nodes]


# --- Activities ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectedPart:
    """One part of an activity's record as inspectors read it, matched by evidence category."""

    key: str
    label: str
    categories: tuple[str, ...]
    min_count: int = 1


# What an activity's record holds, in the order inspectors read it: the plan or notice, the sign-in sheet, the
# minutes, photos (at least two showing the unit's name and the occasion), the write-up.
ACTIVITY_PARTS = (
    ExpectedPart("plan", _("Plan or notice"), (EvidenceCategory.PLAN, EvidenceCategory.OFFICIAL_DOCUMENT)),
    ExpectedPart("sign_in", _("Sign-in sheet"), (EvidenceCategory.TABLE,)),
    ExpectedPart("minutes", _("Minutes"), (EvidenceCategory.MINUTES,)),
    ExpectedPart("photos", _("Photos"), (EvidenceCategory.PHOTO,), 2),
    ExpectedPart(
        "write_up",
        _("Write-up"),
        (EvidenceCategory.SUMMARY, EvidenceCategory.BRIEFING, EvidenceCategory.MEDIA_REPORT),
    ),
)


def activity_rows(campaign):
    """Activities with organ-wide counts of their current, not deleted evidence (one query)."""
    alive = Q(evidence__is_current=True, evidence__deleted_at__isnull=True)
    return (
        Activity.objects.filter(campaign=campaign)
        .select_related("organiser_office")
        .annotate(
            evidence_total=Count("evidence", filter=alive),
            evidence_accepted=Count("evidence", filter=alive & Q(evidence__status=EvidenceItem.Status.ACCEPTED)),
        )
        .order_by("-date", "-pk")
    )


# An activity page shows at most this many items of each part, with a link to the rest.
PART_LIMIT = 24


def activity_record(*, user, activity: Activity) -> list[dict]:
    """The activity's evidence the user may read, grouped into the expected parts (then 'other'), each flagged
    when the organ as a whole has too few items of it that are not returned. Seven queries: the organ-wide
    counts, then at most PART_LIMIT items per part."""
    visible = (
        access.evidence_visible_to(user, EvidenceItem.objects.filter(activity=activity).current().alive())
        .select_related(*LIST_RELATED)
        .order_by("taken_on", "pk")
    )
    organ_counts = dict(
        EvidenceItem.objects.filter(activity=activity)
        .current()
        .alive()
        .exclude(status=EvidenceItem.Status.RETURNED)
        .values_list("category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    parts = []
    for part in ACTIVITY_PARTS:
        items = list(visible.filter(category__in=part.categories)[: PART_LIMIT + 1])
        have = sum(organ_counts.get(c, 0) for c in part.categories)
        parts.append(
            {
                "part": part,
                "items": items[:PART_LIMIT],
                "more": len(items) > PART_LIMIT,
                "count": have,
                "missing": have < part.min_count,
                "need": part.min_count,
            }
        )
    expected = [c for part in ACTIVITY_PARTS for c in part.categories]
    others = list(visible.exclude(category__in=expected)[: PART_LIMIT + 1])
    if others:
        parts.append(
            {
                "part": None,
                "items": others[:PART_LIMIT],
                "more": len(others) > PART_LIMIT,
                "count": len(others),
                "missing": False,
                "need": 0,
            }
        )
    return parts


def activity_defaults(activity: Activity) -> dict:
    """Caption fields an item uploaded into the activity inherits unless the uploader set them."""
    return {
        "taken_on": activity.date,
        "place": activity.place,
        "people": activity.participants[:500],
        "caption": activity.theme or activity.title,
    }


def apply_activity_defaults(fields: dict, activity: Activity | None) -> dict:
    """`fields` with every empty caption field filled from the activity."""
    if activity is None:
        return fields
    merged = dict(fields)
    for name, value in activity_defaults(activity).items():
        if not merged.get(name):
            merged[name] = value
    return merged


def nav_flags(user) -> dict:
    """Which of the evidence pages' tabs the user gets (the others would answer 403)."""
    return {
        "nav_review": access.evidence_review_office_ids(user) != frozenset(),
        "nav_bin": access.can_read_recycle_bin(user),
    }


# --- Review queue and recycle bin ---------------------------------------------------------------------------


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
