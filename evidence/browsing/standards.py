"""The standards tree: the campaign's criteria tree with organ-wide evidence counts and a warning
wherever a standard's structured evidence requirement is not met."""

from __future__ import annotations

from dataclasses import dataclass

from campaign.models import Criterion
from campaign.selectors import Node, criteria_tree

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


def one_item(nodes: list[TreeNode], code: str = "") -> tuple[TreeNode | None, list[TreeNode], list[TreeNode]]:
    """The page shows one 测评项目 at a time: the item coded `code` (else the first), the items to switch between
    (the roots, with their summed counts) and the rows of the chosen item's branch. No query."""
    roots = [n for n in nodes if n.depth == 0]
    chosen = next((r for r in roots if r.criterion.code == code), roots[0] if roots else None)
    rows: list[TreeNode] = []
    inside = False
    for n in nodes:  # depth-first: an item's branch follows it until the next item
        if n.depth == 0:
            inside = n is chosen
        if inside:
            rows.append(n)
    return chosen, roots, rows
