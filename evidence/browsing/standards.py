"""The standards tree: the campaign's criteria tree with organ-wide evidence counts and a warning
wherever a standard's structured evidence requirement is not met."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from campaign.models import Criterion, CriterionRequirement
from campaign.selectors import Node, criteria_tree, item_sql

from ..models import EvidenceItem, StandardEvidenceCount
from ..selectors import RequirementCount, StandardEvidence, standards_evidence


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


def standards_tree(campaign, *, item_id: int | None = None) -> list[TreeNode]:
    """The campaign's criteria tree (campaign.selectors.criteria_tree; with `item_id`, that 测评项目's branch only)
    decorated with organ-wide evidence counts (current versions, not in the recycle bin) and a warning wherever a
    standard's structured requirement is not met by ACCEPTED items (evidence.selectors.standards_evidence).

    Three queries: the tree, the requirements, the counts (grouped by standard, category and status).
    These are plan-level figures: they reveal no item, so everyone signed in sees the same numbers."""
    tree = criteria_tree(campaign, item_id=item_id)
    if item_id is None:
        evidence = standards_evidence(campaign=campaign)
    else:
        evidence = standards_evidence(campaign=campaign, criterion_ids=[n.criterion.pk for n in tree.nodes])
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


@dataclass
class ItemEvidence:
    """A 测评项目 in the list the tree switches by: the evidence counts of its branch (as its TreeNode sums them)."""

    pk: int
    code: str
    title: str
    ordering: int = 0
    total: int = 0
    accepted: int = 0
    pending: int = 0
    warnings: int = 0  # unmet requirements in its branch


@dataclass
class StandardsOverview:
    items: list[ItemEvidence]
    lacking: int  # the campaign's standards with an unmet requirement

    def item(self, code: str = "") -> ItemEvidence | None:
        """The item coded `code`, else the first."""
        return next((i for i in self.items if i.code == code), self.items[0] if self.items else None)


def standards_overview(campaign) -> StandardsOverview:
    """The campaign's 测评项目 with their branches' evidence counts and unmet requirements, and how many standards
    lack evidence: summed in the database over the kept counts (StandardEvidenceCount) and the requirements,
    grouped by item (campaign.selectors.item_sql), so that no criterion is loaded. One query.

    The same figures as `standards_tree`'s roots (tests/evidence/test_standards_overview.py holds them equal)."""
    cte, params = item_sql(campaign)
    table = connection.ops.quote_name(Criterion._meta.db_table)
    counts = connection.ops.quote_name(StandardEvidenceCount._meta.db_table)
    requirements = connection.ops.quote_name(CriterionRequirement._meta.db_table)
    # table names from the models in the text; every value a parameter
    sql = (
        f"{cte} SELECT 0, r.id, r.code, r.title, r.ordering, s.status, SUM(s.n), 0 "  # noqa: S608
        f"FROM item_of t JOIN {table} r ON r.id = t.root_id "
        f"LEFT JOIN {counts} s ON s.criterion_id = t.id AND s.campaign_id = %s AND s.n > 0 "
        "GROUP BY r.id, r.code, r.title, r.ordering, s.status "
        "UNION ALL SELECT 1, t.root_id, NULL, NULL, NULL, NULL, COUNT(*), "
        "COUNT(DISTINCT CASE WHEN c.is_leaf THEN q.criterion_id END) "
        f"FROM item_of t JOIN {table} c ON c.id = t.id JOIN {requirements} q ON q.criterion_id = t.id "
        f"LEFT JOIN (SELECT criterion_id, category, SUM(n) AS n FROM {counts} WHERE campaign_id = %s AND status = %s "
        "GROUP BY criterion_id, category) a ON a.criterion_id = q.criterion_id AND a.category = q.category "
        "WHERE COALESCE(a.n, 0) < q.min_count GROUP BY t.root_id"
    )
    params += [campaign.pk, campaign.pk, EvidenceItem.Status.ACCEPTED.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    items: dict[int, ItemEvidence] = {}
    unmet: list[tuple] = []
    lacking = 0
    for part, pk, code, title, ordering, status, n, standards in rows:
        if part == 1:
            unmet.append((pk, n))
            lacking += int(standards or 0)
            continue
        item = items.setdefault(pk, ItemEvidence(pk=pk, code=code, title=title, ordering=ordering))
        if status is not None:
            item.total += int(n or 0)
            item.accepted += int(n or 0) if status == EvidenceItem.Status.ACCEPTED else 0
            item.pending += int(n or 0) if status == EvidenceItem.Status.PENDING else 0
    for pk, n in unmet:
        items[pk].warnings += int(n or 0)
    return StandardsOverview(items=sorted(items.values(), key=lambda i: (i.ordering, i.pk)), lacking=lacking)
