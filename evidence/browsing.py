"""Datasets for browsing and searching evidence: filtered lists, the standards tree with organ-wide counts and
requirement warnings, an activity's evidence by what inspectors expect, the review queue and the recycle bin.

Every list of items starts from civunit.access.evidence_visible_to, so a person finds only what they may read.
Each function costs a fixed number of queries however many items there are.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from campaign.models import Criterion, CriterionRequirement, EvidenceCategory
from civunit import access

from .models import Activity, EvidenceItem, EvidenceStandard

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from civunit.accounts.models import Office
    from tasks.models import Task

LIST_RELATED = ("stored_file", "office", "uploader", "primary_standard", "activity")

# The fields a search looks in (substring, case-insensitive): a two-character query such as 志愿 must match on
# SQLite and PostgreSQL alike, which no default full-text tokenizer does for Chinese.
SEARCH_FIELDS = ("title", "caption", "description", "place", "people", "original_name", "activity__title")


@dataclass
class EvidenceFilters:
    q: str = ""
    standard: Criterion | None = None
    task: Task | None = None
    activity: Activity | None = None
    office: Office | None = None
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


def _subtree_ids(criterion: Criterion) -> list[int]:
    """The criterion and everything below it (one query for the campaign's tree, assembled in memory)."""
    children = defaultdict(list)
    for pk, parent_id in Criterion.objects.filter(campaign_id=criterion.campaign_id).values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    ids, stack = [], [criterion.pk]
    while stack:
        pk = stack.pop()
        ids.append(pk)
        stack.extend(children[pk])
    return ids


def evidence_rows(*, user, campaign, filters: EvidenceFilters | None = None) -> QuerySet[EvidenceItem]:
    """The current, not deleted items of the campaign `user` may read, filtered, newest first (a lazy queryset)."""
    qs = access.evidence_visible_to(
        user, EvidenceItem.objects.filter(campaign=campaign).current().alive()
    ).select_related(*LIST_RELATED)
    f = filters or EvidenceFilters()
    if f.q:
        qs = qs.filter(search_q(f.q))
    if f.standard is not None:
        ids = [f.standard.pk] if f.standard.is_leaf else _subtree_ids(f.standard)
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
    criterion: Criterion
    depth: int
    total: int = 0  # current, not deleted items linked to it (or, for a parent, to its standards)
    accepted: int = 0
    pending: int = 0
    requirements: list[dict] = field(default_factory=list)  # requirement, accepted, met
    warnings: int = 0  # unmet requirements here (or, for a parent, below)


def requirement_rows(requirements, by_category: dict[str, int]) -> list[dict]:
    """Each structured requirement beside the ACCEPTED items of its category; met when there are enough."""
    rows = []
    for req in requirements:
        accepted = by_category.get(req.category, 0)
        rows.append({"requirement": req, "accepted": accepted, "met": accepted >= req.min_count})
    return rows


def standards_tree(campaign) -> list[TreeNode]:
    """The campaign's criteria in tree order with organ-wide evidence counts (current versions, not in the
    recycle bin) and a warning wherever a standard's structured requirement is not met by ACCEPTED items.

    Three queries: the tree, the requirements, the counts (grouped by standard, category and status).
    These are plan-level figures: they reveal no item, so everyone signed in sees the same numbers."""
    criteria = list(Criterion.objects.filter(campaign=campaign).order_by("ordering", "pk"))
    requirements = defaultdict(list)
    for req in CriterionRequirement.objects.filter(criterion__campaign=campaign).order_by("criterion_id", "pk"):
        requirements[req.criterion_id].append(req)
    counts = (
        EvidenceStandard.objects.filter(
            criterion__campaign=campaign, item__is_current=True, item__deleted_at__isnull=True
        )
        .values("criterion_id", "item__category", "item__status")
        .annotate(n=Count("item_id"))
        .order_by()
    )
    per_status: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    accepted_by_category: dict[int, dict[str, int]] = defaultdict(dict)
    for row in counts:
        per_status[row["criterion_id"]][row["item__status"]] += row["n"]
        if row["item__status"] == EvidenceItem.Status.ACCEPTED:
            accepted_by_category[row["criterion_id"]][row["item__category"]] = row["n"]

    children = defaultdict(list)
    for c in criteria:
        children[c.parent_id].append(c)
    nodes: list[TreeNode] = []

    def visit(c: Criterion, depth: int) -> TreeNode:
        node = TreeNode(criterion=c, depth=depth)
        nodes.append(node)
        statuses = per_status.get(c.pk, {})
        node.accepted = statuses.get(EvidenceItem.Status.ACCEPTED, 0)
        node.pending = statuses.get(EvidenceItem.Status.PENDING, 0)
        node.total = sum(statuses.values())
        node.requirements = requirement_rows(requirements.get(c.pk, []), accepted_by_category.get(c.pk, {}))
        node.warnings = sum(1 for r in node.requirements if not r["met"])
        for child in children.get(c.pk, []):
            sub = visit(child, depth + 1)
            node.total += sub.total
            node.accepted += sub.accepted
            node.pending += sub.pending
            node.warnings += sub.warnings
        return node

    known = {c.pk for c in criteria}
    for root in [c for c in criteria if c.parent_id is None or c.parent_id not in known]:
        visit(root, 0)
    return nodes


# --- Activities ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectedPart:
    """One part of an activity's record as inspectors read it, matched by evidence category."""

    key: str
    label: StrOrPromise
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
