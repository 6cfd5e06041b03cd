"""The dashboard's figures are computed once per key: a reader arriving while another request computes them waits
for that result instead of computing the same figures beside it; a reader whose wait runs out computes them."""

import threading

import pytest
from django.core.cache import cache

from campaign.models import Campaign
from civunit.reports import dashboard as figures


@pytest.fixture
def stamped(campaign):
    return Campaign.objects.annotate(**figures.change_stamps()).get(pk=campaign.pk)


@pytest.fixture
def computed(monkeypatch):
    calls = []
    real = figures.dashboard

    def counting(**kwargs):
        calls.append(kwargs["campaign"].pk)
        return real(**kwargs)

    monkeypatch.setattr(figures, "dashboard", counting)
    return calls


def test_a_reader_waits_for_the_figures_another_request_is_computing(cast, stamped, computed):
    key = figures.dashboard_key(campaign=stamped, user=cast.leader)
    assert key is not None
    cache.add(f"{key}:computing", 1, 30)  # another request has begun computing them
    theirs = figures.dashboard(campaign=stamped, user=cast.leader)
    computed.clear()
    timer = threading.Timer(0.3, lambda: cache.set(key, theirs, 60))
    timer.start()
    try:
        mine = figures.cached_dashboard(campaign=stamped, user=cast.leader)
    finally:
        timer.cancel()
    assert computed == []  # not computed a second time
    assert mine.headline.tasks.total == theirs.headline.tasks.total


def test_a_reader_computes_the_figures_when_the_other_request_never_finishes(cast, stamped, computed, monkeypatch):
    monkeypatch.setattr(figures, "COMPUTE_WAIT_SECONDS", 0.2)
    key = figures.dashboard_key(campaign=stamped, user=cast.leader)
    cache.add(f"{key}:computing", 1, 30)  # held by a request that died
    data = figures.cached_dashboard(campaign=stamped, user=cast.leader)
    assert computed == [stamped.pk]
    assert cache.get(key) is not None and data is not None
    assert cache.get(f"{key}:computing") is None  # released for the next change


def test_the_first_reader_computes_at_once_and_releases_the_key(cast, stamped, computed):
    figures.cached_dashboard(campaign=stamped, user=cast.leader)
    figures.cached_dashboard(campaign=stamped, user=cast.leader)
    key = figures.dashboard_key(campaign=stamped, user=cast.leader)
    assert computed == [stamped.pk]
    assert cache.get(f"{key}:computing") is None
