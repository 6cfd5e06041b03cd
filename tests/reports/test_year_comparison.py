"""The dashboard shows this campaign beside the previous one (standards met, self score, tasks done on time) where
both exist, from the same sources as the headline, at a fixed number of queries (at most 25)."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaign.models import Assessment, Campaign
from civunit.reports import dashboard as figures
from tests.factories import CampaignFactory
from tests.reports.dataset import build, grow

HOME = reverse("reports:home")


@pytest.fixture
def last_term(db):
    return CampaignFactory(
        title="上一届创建周期",
        start_date=datetime.date(2023, 1, 1),
        end_date=datetime.date(2025, 12, 31),
        is_current=False,
        status=Campaign.Status.CLOSED,
    )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_dashboard_puts_this_campaign_beside_the_previous_one(cast, campaign, last_term, login):
    today = timezone.localdate()
    build(last_term, today=today, standards=20, tasks=30, evidence=40, activities=1, offices=3, seed=3)
    build(campaign, today=today, standards=24, tasks=20, evidence=30, activities=1, offices=3, seed=4)
    response = login(cast.leader).get(HOME)
    page = response.content.decode()
    assert 'data-testid="year-comparison"' in page and last_term.title in page
    comparison = response.context["data"].comparison
    assert comparison.previous.campaign == last_term and comparison.current.campaign == campaign
    # this campaign's column is its headline; the previous one's is what its own dashboard would say
    headline = response.context["data"].headline
    assert (comparison.current.standards_met, comparison.current.standards) == (
        headline.standards_met,
        headline.standards,
    )
    assert comparison.current.score == headline.score and comparison.current.tasks == headline.tasks.total
    before = figures.headline_figures(campaign=last_term, user=cast.leader)
    assert comparison.previous.standards == before.standards > 0
    assert (
        comparison.previous.standards_met
        == before.standards_met
        == Assessment.objects.filter(
            criterion__campaign=last_term, criterion__is_leaf=True, status=Assessment.Status.MET
        ).count()
    )
    assert comparison.previous.score == before.score
    last_offices = figures.office_figures(campaign=last_term, user=cast.leader)
    assert comparison.previous.done_on_time == sum(o.done_on_time for o in last_offices)
    assert f"{comparison.previous.done_on_time} / {comparison.previous.tasks}" in page


def test_without_a_previous_campaign_or_in_an_offices_view_there_is_no_comparison(cast, campaign, last_term, login):
    today = timezone.localdate()
    build(campaign, today=today, standards=6, tasks=6, evidence=6, activities=0, offices=2)
    office_view = login(cast.staff_a).get(reverse("reports:dashboard"))
    assert office_view.context["data"].comparison is None
    last_term.delete()
    assert login(cast.leader).get(HOME).context["data"].comparison is None


def test_the_previous_years_figures_beside_the_chosen_older_campaign(cast, campaign, last_term, login):
    """Leadership looking at last term (chosen in the switcher) sees it beside the term before it, if any: none."""
    today = timezone.localdate()
    build(last_term, today=today, standards=6, tasks=6, evidence=6, activities=0, offices=2)
    client = login(cast.leader)
    client.post(reverse("campaign:select"), {"campaign": last_term.pk})
    data = client.get(HOME).context["data"]
    assert data.campaign == last_term and data.comparison is None


def test_the_comparison_costs_the_same_queries_at_1x_and_10x_and_at_most_25(cast, campaign, last_term, login):
    today = timezone.localdate()
    old = build(last_term, today=today, standards=30, tasks=30, evidence=100, activities=2, offices=4, seed=5)
    new = build(campaign, today=today, standards=30, tasks=30, evidence=100, activities=2, offices=4, seed=6)
    client = login(cast.leader)
    client.get(HOME)  # warm-up
    cache.clear()  # computed afresh
    small = _count(client, HOME)
    grow(old, today=today, tasks=270, evidence=900, seed=7)
    grow(new, today=today, tasks=270, evidence=900, seed=8)
    cache.clear()
    large = _count(client, HOME)
    # the dashboard's queries (tests/reports/test_dashboard_page.py), the campaigns loaded with the chosen one's
    # stamps and stages serving the switcher too, and the previous campaign's coverage (one query, summed in the
    # database) and tasks by office
    assert small == large == 22
    # kept figures: the comparison is kept with the rest
    kept = _count(client, HOME)
    assert kept < small
