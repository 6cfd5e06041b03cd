"""Datasets of the evidence pages: filtered lists and search, the standards tree with organ-wide counts and
requirement warnings, an activity's evidence by what inspectors expect, the review queue and the recycle bin.

Every list of items starts from evidence.access.evidence_visible_to, so a person finds only what they may read.
Each function costs a fixed number of queries however many items there are.
"""

from .activities import (
    ACTIVITY_PARTS,
    ActivityChoice,
    ExpectedPart,
    activity_choices,
    activity_defaults,
    activity_record,
    activity_rows,
    apply_activity_defaults,
)
from .queues import recycle_bin_rows, review_queue
from .search import LIST_RELATED, SEARCH_FIELDS, EvidenceFilters, evidence_rows, search_q
from .standards import ItemEvidence, StandardsOverview, TreeNode, standards_overview, standards_tree

__all__ = [
    "ACTIVITY_PARTS",
    "LIST_RELATED",
    "SEARCH_FIELDS",
    "ActivityChoice",
    "EvidenceFilters",
    "ExpectedPart",
    "ItemEvidence",
    "StandardsOverview",
    "TreeNode",
    "activity_choices",
    "activity_defaults",
    "activity_record",
    "activity_rows",
    "apply_activity_defaults",
    "evidence_rows",
    "recycle_bin_rows",
    "review_queue",
    "search_q",
    "standards_overview",
    "standards_tree",
]
