"""Archive numbers under concurrency: registrations at the same moment never share a number."""

import threading

import pytest
from django.db import connection, connections, transaction

from evidence.models import ArchiveSequence
from evidence.services import allocate_archive_number
from tests.factories import CampaignFactory, CriterionFactory


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="needs concurrent connections; the in-memory SQLite test database has one (SQLite serialises writers)",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_allocations_get_distinct_consecutive_numbers():
    criterion = CriterionFactory(campaign=CampaignFactory(), code="6.2.1", is_leaf=True)
    numbers, errors = [], []
    start = threading.Barrier(6)

    def allocate():
        try:
            start.wait()
            with transaction.atomic():
                numbers.append(allocate_archive_number(criterion))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=allocate) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == [f"6.2.1-{n:03d}" for n in range(1, 7)]
    assert ArchiveSequence.objects.get(pk=criterion.pk).last_number == 6


@pytest.mark.django_db
def test_numbers_continue_after_the_last_one_given(campaign):
    criterion = CriterionFactory(campaign=campaign, code="3.1.2", is_leaf=True)
    ArchiveSequence.objects.create(criterion=criterion, last_number=41)
    with transaction.atomic():
        assert allocate_archive_number(criterion) == "3.1.2-042"
