"""The browse and search page's list: the current, not deleted items a person may read, filtered by standard,
task, activity, office, kind, category, status and dates, and searched by words (one query, lazily)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from campaign.models import Criterion
from campaign.selectors import criteria_tree
from civunit.accounts.models import Office
from evidence import access
from tasks.models import Task

from ..models import Activity, EvidenceItem, EvidenceStandard

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
