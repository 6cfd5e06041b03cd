"""seed_demo's task breakdown: realistic volume and variety, idempotent, and --scale multiplies it."""

import pytest
from django.db.models import Count

from campaign import demo as campaign_demo
from civunit.accounts import demo as accounts_demo
from tasks import demo
from tasks.models import Recurrence, Status, Task, TaskEvent


@pytest.mark.slow
def test_demo_breakdown_covers_every_office_and_standard_and_is_idempotent(db):
    accounts_demo.seed()
    campaign = campaign_demo.seed()
    demo.seed()
    tasks = Task.objects.filter(campaign=campaign)
    assert tasks.count() >= 60
    assert tasks.filter(parent__isnull=False).count() >= 15
    assert tasks.filter(recurrence__in=Recurrence.periodic()).count() >= 10
    assert tasks.filter(recurrence=Recurrence.ONGOING).exists()
    assert tasks.overdue().exists()
    assert tasks.filter(status=Status.RETURNED).exists()
    assert tasks.filter(status=Status.DONE).exists()
    assert tasks.filter(status=Status.PENDING_REVIEW).exists()
    assert tasks.stalled(campaign.stalled_after_days).exists()
    # every standard of the example criteria has a task, and all eleven working offices lead some
    standards = campaign.criteria.filter(is_leaf=True).exclude(code__startswith="N")
    assert not standards.annotate(n=Count("tasks")).filter(n=0).exists()
    assert tasks.values("lead_office").distinct().count() == 11
    # the history is what real use leaves: check-offs, returns, acceptances
    actions = set(TaskEvent.objects.values_list("action", flat=True))
    assert {"checked_off", "returned", "accepted", "progress", "split", "assigned"} <= actions

    before = (tasks.count(), TaskEvent.objects.count())
    demo.seed()
    assert (tasks.count(), TaskEvent.objects.count()) == before

    demo.seed(scale=2)
    assert tasks.count() == 2 * before[0]
    demo.seed(scale=2)
    assert tasks.count() == 2 * before[0]
