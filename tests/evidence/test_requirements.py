"""The one answer to "is a standard's structured evidence requirement met" (evidence.selectors.standards_evidence):
counts per category and status on a hand-built archive, met only by accepted items, two queries for any number of
standards and items; and the standards tree that decorates campaign.selectors.criteria_tree with it."""

import uuid

import pytest

from campaign.models import CriterionRequirement, EvidenceCategory
from campaign.selectors import criteria_tree
from evidence import browsing, services
from evidence.models import EvidenceItem, EvidenceKind, EvidenceStandard
from evidence.selectors import StandardEvidence, annotate_standards, standards_evidence
from tests.evidence.review_factories import make_item, make_stored_file
from tests.factories import CriterionFactory

Status = EvidenceItem.Status
PHOTO, MINUTES = EvidenceCategory.PHOTO, EvidenceCategory.MINUTES


@pytest.fixture
def archive(cast, campaign, standard, other_standard):
    """standard (photos ≥ 2, minutes ≥ 1): photos accepted, pending and returned, accepted minutes, plus a binned
    accepted photo and a superseded accepted version that do not count; other_standard has no requirement."""
    photo = {"campaign": campaign, "uploader": cast.staff_a, "standards": [standard]}
    make_item(**photo, status=Status.ACCEPTED)
    make_item(**photo, status=Status.PENDING)
    make_item(**photo, status=Status.RETURNED)
    make_item(**photo, status=Status.ACCEPTED, category=MINUTES, title="纪要")
    binned = make_item(campaign=campaign, uploader=cast.staff_b, standards=[standard], status=Status.ACCEPTED)
    services.evidence_delete(user=cast.staff_b, item=binned)
    make_item(**photo, status=Status.ACCEPTED, is_current=False, title="旧版本")
    make_item(campaign=campaign, uploader=cast.staff_b, standards=[other_standard], status=Status.PENDING)
    return campaign


def test_counts_per_category_and_status_and_met_only_by_accepted_items(cast, archive, standard, other_standard):
    evidence = standards_evidence(campaign=archive)
    entry = evidence[standard.pk]
    assert (entry.total, entry.accepted, entry.pending, entry.returned) == (4, 2, 1, 1)
    assert [(r.category, r.required, r.present, r.accepted, r.met, r.enough_uploaded) for r in entry.requirements] == [
        (PHOTO, 2, 3, 1, False, True),  # three photos uploaded, one accepted
        (MINUTES, 1, 1, 1, True, True),
    ]
    assert entry.required == {PHOTO: 2, MINUTES: 1}
    assert (entry.has_requirements, entry.met, entry.unmet) == (True, False, 1)

    # A second accepted photo (linked to both standards) meets the requirement and counts on each standard.
    make_item(campaign=archive, uploader=cast.staff_a, standards=[standard, other_standard], status=Status.ACCEPTED)
    evidence = standards_evidence(campaign=archive)
    assert (evidence[standard.pk].met, evidence[standard.pk].unmet, evidence[standard.pk].accepted) == (True, 0, 3)
    assert (evidence[other_standard.pk].total, evidence[other_standard.pk].accepted) == (2, 1)


def test_a_standard_without_a_structured_requirement_is_met_and_says_it_has_none(archive, other_standard):
    entry = standards_evidence(campaign=archive)[other_standard.pk]
    assert (entry.total, entry.has_requirements, entry.met, entry.requirements) == (1, False, True, ())


def test_a_standard_with_nothing_reads_as_empty(archive):
    bare = CriterionFactory(campaign=archive, code="6.9.9", is_leaf=True)
    assert standards_evidence(campaign=archive)[bare.pk] == StandardEvidence(criterion_id=bare.pk)
    assert standards_evidence(criterion_ids=[bare.pk])[bare.pk].met


def test_by_campaign_and_by_criteria_give_the_same_answer(archive, standard, other_standard):
    by_campaign = standards_evidence(campaign=archive)
    by_ids = standards_evidence(criterion_ids=[standard.pk, other_standard.pk])
    assert by_ids[standard.pk] == by_campaign[standard.pk]
    assert by_ids[other_standard.pk] == by_campaign[other_standard.pk]
    assert standard.pk not in standards_evidence(criterion_ids=[other_standard.pk])
    with pytest.raises(TypeError):
        standards_evidence()
    # both: those criteria, counting the campaign's items (the by-standard tree's one item)
    assert standards_evidence(campaign=archive, criterion_ids=[standard.pk]) == {standard.pk: by_campaign[standard.pk]}


def test_the_pages_annotations_are_the_same_figures(archive, standard):
    [criterion] = annotate_standards([standard])
    entry = standards_evidence(campaign=archive)[standard.pk]
    assert criterion.standard_evidence == entry  # type: ignore[attr-defined]  # set by annotate_standards()
    assert (criterion.evidence_total, criterion.evidence_accepted) == (entry.total, entry.accepted)  # type: ignore[attr-defined]  # set by annotate_standards()
    assert criterion.evidence_requirements == entry.requirements  # type: ignore[attr-defined]  # set by annotate_standards()


def _bulk(cast, campaign, standards, count: int, stored_file) -> None:
    """`count` current items spread over the standards, all sharing one stored file (fast to make)."""
    statuses = [Status.PENDING, Status.ACCEPTED, Status.RETURNED]
    items = EvidenceItem.objects.bulk_create(
        EvidenceItem(
            campaign=campaign,
            lineage=uuid.uuid4(),
            stored_file=stored_file,
            original_name=f"IMG_{n}.jpg",
            kind=EvidenceKind.PHOTO,
            category=PHOTO if n % 2 else MINUTES,
            title=f"照片{n}",
            office=cast.office_a,
            uploader=cast.staff_a,
            status=statuses[n % 3],
        )
        for n in range(count)
    )
    if items[0].pk is None:  # backends that do not return primary keys from bulk_create
        items = list(EvidenceItem.objects.filter(original_name__startswith="IMG_").order_by("-pk")[:count])
    EvidenceStandard.objects.bulk_create(
        EvidenceStandard(item=item, criterion=standards[n % len(standards)], position=0) for n, item in enumerate(items)
    )


def test_two_queries_for_any_number_of_standards_and_items(cast, campaign, django_assert_num_queries):
    stored = make_stored_file()

    def standards(start: int, n: int):
        made = [CriterionFactory(campaign=campaign, code=f"1.{i}", is_leaf=True) for i in range(start, start + n)]
        CriterionRequirement.objects.bulk_create(
            CriterionRequirement(criterion=c, category=PHOTO, min_count=2) for c in made
        )
        return made

    few = standards(0, 3)
    _bulk(cast, campaign, few, 30, stored)
    with django_assert_num_queries(2):  # the requirements, the counts grouped by standard, category and status
        small = standards_evidence(campaign=campaign)
    many = few + standards(3, 60)
    _bulk(cast, campaign, many, 3_000, stored)
    with django_assert_num_queries(2):
        large = standards_evidence(campaign=campaign)
    with django_assert_num_queries(2):
        standards_evidence(criterion_ids=[c.pk for c in many])
    assert sum(e.total for e in small.values()) == 30
    assert sum(e.total for e in large.values()) == 3_030
    assert len(large) == 63


def test_the_standards_tree_decorates_the_criteria_tree(cast, campaign, standard, django_assert_num_queries):
    item = CriterionFactory(campaign=campaign, code="6", level=1, is_leaf=False, ordering=0)
    indicator = CriterionFactory(campaign=campaign, code="6.2", level=2, is_leaf=False, parent=item, ordering=1)
    standard.parent, standard.level, standard.ordering = indicator, 3, 2
    standard.save()
    make_item(campaign=campaign, uploader=cast.staff_a, standards=[standard], status=Status.ACCEPTED)

    with django_assert_num_queries(3):  # the tree, the requirements, the counts
        nodes = browsing.standards_tree(campaign)
    tree = criteria_tree(campaign)
    assert [n.node.code for n in nodes] == [n.code for n in tree.nodes] == ["6", "6.2", "6.2.1"]
    assert [n.depth for n in nodes] == [0, 1, 2]
    leaf = nodes[-1]
    assert leaf.evidence == standards_evidence(campaign=campaign)[standard.pk]
    assert (leaf.accepted, leaf.warnings, nodes[0].accepted, nodes[0].warnings) == (1, 2, 1, 2)
