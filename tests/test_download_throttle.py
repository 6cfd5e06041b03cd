"""Walking the ids of download URLs (evidence files and previews) is throttled: past a number of 404s in a
window, the person's downloads answer 429 for a while, and the log says who."""

import logging
import time

import pytest
from django.urls import reverse

from tests.evidence.factories import make_evidence

LIMIT = 5


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.DOWNLOAD_NOT_FOUND_LIMIT = LIMIT
    settings.DOWNLOAD_NOT_FOUND_WINDOW = 600
    settings.DOWNLOAD_BLOCK_SECONDS = 900


@pytest.fixture
def item(cast, campaign):
    return make_evidence(user=cast.staff_a, campaign=campaign, name="照片.jpg")


def download(pk: int) -> str:
    return reverse("evidence:download", args=[pk])


def test_many_404s_on_download_urls_answer_429_for_a_while_and_are_logged(cast, item, login, caplog):
    client = login(cast.staff_a)
    with caplog.at_level(logging.WARNING, logger="civunit.downloads"):
        for pk in range(item.pk + 1, item.pk + LIMIT + 1):
            assert client.get(download(pk)).status_code == 404
    blocked = client.get(download(item.pk))  # even a file the person may read
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "900"
    assert "请稍后再试" in blocked.content.decode()
    [record] = [r for r in caplog.records if r.name == "civunit.downloads"]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert f"staff_a (#{cast.staff_a.pk})" in message
    assert f"met {LIMIT} not-found downloads" in message
    assert f"GET {download(item.pk + LIMIT)}" in message


def test_below_the_limit_nothing_changes(cast, item, login):
    client = login(cast.staff_a)
    for pk in range(item.pk + 1, item.pk + LIMIT):
        assert client.get(download(pk)).status_code == 404
    assert client.get(download(item.pk)).status_code == 200


def test_items_one_may_not_read_count_like_missing_ones_and_others_are_not_blocked(cast, item, login):
    # staff_b may not read office A's item: it answers 404 exactly like a missing one, and counts the same.
    prober = login(cast.staff_b)
    for _ in range(LIMIT):
        assert prober.get(download(item.pk)).status_code == 404
    assert prober.get(download(item.pk)).status_code == 429
    assert prober.get(reverse("evidence:preview", args=[item.pk, "thumbnail"])).status_code == 429
    assert login(cast.staff_a).get(download(item.pk)).status_code == 200


def test_preview_404s_count_too(cast, item, login):
    client = login(cast.staff_a)
    for pk in range(item.pk + 1, item.pk + LIMIT + 1):
        assert client.get(reverse("evidence:preview", args=[pk, "screen"])).status_code == 404
    assert client.get(download(item.pk)).status_code == 429


def test_404s_on_pages_that_are_not_downloads_do_not_count(cast, item, login):
    client = login(cast.staff_a)
    for pk in range(item.pk + 1, item.pk + 2 * LIMIT):
        assert client.get(reverse("evidence:detail", args=[pk])).status_code == 404
    assert client.get(download(item.pk)).status_code == 200


def test_the_block_ends_after_its_time(cast, item, login, settings):
    settings.DOWNLOAD_BLOCK_SECONDS = 1
    client = login(cast.staff_a)
    for pk in range(item.pk + 1, item.pk + LIMIT + 1):
        client.get(download(pk))
    assert client.get(download(item.pk)).status_code == 429
    time.sleep(1.1)
    assert client.get(download(item.pk)).status_code == 200
