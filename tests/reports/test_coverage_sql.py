"""The dashboard's coverage and headline, summed in the database (civunit.reports.coverage_sql), are the criteria
tree's (`coverage_by_item`, which the PDF report and the Excel workbook read): on a table with every kind of node,
with evidence and structured requirements met and unmet, organ-wide and for an office (the standards linked to a
task it leads or supports), and in one query whatever the size of the table."""

from decimal import Decimal

import pytest

from campaign.models import Criterion, CriterionRequirement, EvidenceCategory
from campaign.selectors import criteria_tree
from civunit.reports import dashboard as d
from civunit.reports.coverage_sql import item_figures
from evidence.models import EvidenceItem, StandardEvidenceCount
from tests.campaign.test_rollups import _node, table  # noqa: F401  (the fixture)
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db

E, C = EvidenceItem.Status, EvidenceCategory
NAMES = (
    "standards",
    "met",
    "without_evidence",
    "with_requirements",
    "requirements_met",
    "evidence_total",
    "evidence_accepted",
    "evidence_pending",
    "score",
    "max_score",
)


@pytest.fixture
def world(table, cast):  # noqa: F811  (the fixture imported above)
    by_code = {c.code: c for c in Criterion.objects.filter(campaign=table)}
    # the tree's order is the siblings' (not one ordering over the table): a standard added after the others but
    # ordered first under its indicator, and that indicator moved after the standard beside it
    early = _node(table, "1.2.0", by_code["1.2"])
    Criterion.objects.filter(pk=early.pk).update(ordering=0)
    Criterion.objects.filter(pk=by_code["1.2"].pk).update(ordering=100)
    by_code["1.2.0"] = early

    def count(code, category, status, n):
        StandardEvidenceCount.objects.create(
            campaign_id=table.pk, criterion_id=by_code[code].pk, category=category, status=status, n=n
        )

    count("1.1.1", C.MINUTES, E.ACCEPTED, 2)  # its requirement met
    count("1.1.2", C.MINUTES, E.ACCEPTED, 1)  # accepted, but fewer than required
    count("1.1.2", C.PLAN, E.PENDING, 3)
    count("1.2.1", C.PLAN, E.PENDING, 1)  # pending only: without accepted evidence
    count("1.2.1", C.SUMMARY, E.RETURNED, 1)
    count("1.2.2", C.PLAN, E.ACCEPTED, 0)  # a kept count gone to zero
    count("2.1.1", C.SUMMARY, E.ACCEPTED, 1)
    count("3.1.2", C.OFFICIAL_DOCUMENT, E.ACCEPTED, 4)
    count("4", C.MINUTES, E.ACCEPTED, 1)
    count("1", C.MINUTES, E.ACCEPTED, 5)  # on an item itself: not a standard's
    for code, category, least in (("1.1.1", C.MINUTES, 2), ("1.1.2", C.MINUTES, 2), ("1.1.2", C.PLAN, 1)):
        CriterionRequirement.objects.create(criterion=by_code[code], category=category, min_count=least)
    CriterionRequirement.objects.create(criterion=by_code["3.1.2"], category=C.OFFICIAL_DOCUMENT, min_count=1)
    CriterionRequirement.objects.create(criterion=by_code["2.2.1"], category=C.PLAN, min_count=1)
    # office A leads a task of three standards and supports a sub-task of two others; office B leads one of "5"
    lead = TaskFactory(campaign=table, lead_office=cast.office_a)
    lead.standards.set([by_code[c] for c in ("1.1.2", "1.2.0", "3.1.1")])
    other = TaskFactory(campaign=table, lead_office=cast.office_b)
    other.standards.set([by_code["5"]])
    sub = TaskFactory(campaign=table, lead_office=cast.office_b, parent=other)
    sub.supporting_offices.set([cast.office_a])
    sub.standards.set([by_code[c] for c in ("2.2.1", "4")])
    return table


def _rows(rows) -> list[tuple]:
    return [(r.criterion.code, *(getattr(r, n) for n in NAMES)) for r in rows]


@pytest.mark.parametrize("office", [None, "office_a", "office_b", "office_main"])
def test_the_coverage_summed_in_the_database_is_the_trees(world, cast, office, django_assert_num_queries):
    scope = getattr(cast, office) if office else None
    tree = d.coverage_by_item(campaign=world, user=cast.leader, office=scope)
    with django_assert_num_queries(1):
        rows = item_figures(world.pk, office_id=scope.pk if scope else None, limit=2)
    assert _rows(rows) == _rows(tree)
    if office is None:
        assert [r.criterion.code for r in rows] == ["1", "2", "3", "4", "5"]
    for row, whole in zip(rows, tree, strict=True):
        flagged = [s.criterion.code for s in whole.flagged_standards()]
        assert [s.code for s in row.unevidenced] == flagged[:2]
        assert row.flagged_more == max(0, len(flagged) - 2)
    every = item_figures(world.pk, office_id=scope.pk if scope else None, limit=None)
    assert [[s.code for s in r.unevidenced] for r in every] == [
        [s.criterion.code for s in whole.flagged_standards()] for whole in tree
    ]


def test_the_office_keeps_only_its_standards(world, cast):
    rows = item_figures(world.pk, office_id=cast.office_a.pk)
    assert [(r.criterion.code, r.standards) for r in rows] == [("1", 2), ("2", 1), ("3", 1), ("4", 1)]
    assert item_figures(world.pk, office_id=cast.office_main.pk) == []
    # the tree's order among siblings, not the order of creation
    assert [s.code for s in item_figures(world.pk)[0].unevidenced] == ["1.3", "1.2.0", "1.2.1"]


@pytest.mark.parametrize("office", [None, "office_a", "office_b"])
def test_the_headline_is_the_trees(world, cast, office):
    scope = getattr(cast, office) if office else None
    head = d.headline_figures(campaign=world, user=cast.leader, office=scope)
    tree = d.coverage_by_item(campaign=world, user=cast.leader, office=scope)
    assert head.standards == sum(r.standards for r in tree)
    assert head.standards_met == sum(r.met for r in tree)
    assert head.standards_without_evidence == sum(r.without_evidence for r in tree)
    assert head.standards_with_requirements == sum(r.with_requirements for r in tree)
    assert head.standards_requirement_met == sum(r.requirements_met for r in tree)
    standards = [s for r in tree for s in r.walk() if s.is_standard]
    assert head.standards_basically_met == sum(s.node.basically_met for s in standards)
    scored = [r.score for r in tree if r.score is not None]
    maxima = [r.max_score for r in tree if r.max_score is not None]
    assert head.score == (sum(scored, Decimal(0)) if scored else None)
    assert head.max_score == (sum(maxima, Decimal(0)) if maxima else None)
    if office is None:
        whole = criteria_tree(world).total
        assert (head.score, head.max_score) == (whole.score_total, whole.max_total)
