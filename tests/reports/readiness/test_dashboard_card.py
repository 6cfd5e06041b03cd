"""The dashboard's readiness card: the open findings of the latest check by severity and their rectifications,
read with the current campaign (no query of its own), on the organ's view."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civunit.reports import dashboard as figures
from civunit.reports.models import ReadinessFinding
from civunit.reports.readiness.services import finding_rectify, readiness_refresh
from tasks.models import Status, Task


def card(response) -> str:
    body = response.content.decode()
    start = body.index('data-figure="readiness"')
    return body[start : body.index("</div>\n  </div>", start)]


def queries(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_card_counts_open_findings_and_rectifications(cast, campaign, tree, login):
    client = login(cast.leader)
    before = client.get("/")
    assert before.context["readiness"] == figures.ReadinessFigures()
    assert "尚未自查" in card(before)
    empty = queries(client, "/")

    readiness_refresh(campaign=campaign)
    record = ReadinessFinding.objects.get(rule="no_accepted_evidence", criterion=tree.s112)
    finding_rectify(record=record, user=cast.coordinator)
    done = ReadinessFinding.objects.get(rule="no_accepted_evidence", criterion=tree.s111)
    task = finding_rectify(record=done, user=cast.coordinator)
    Task.objects.filter(pk=task.pk).update(status=Status.DONE)
    ReadinessFinding.objects.filter(pk=done.pk).update(resolved_at=done.checked_at)  # as if the rule stopped

    response = client.get("/")
    shown = response.context["readiness"]
    assert (shown.critical, shown.warning, shown.notice, shown.open) == (2, 2, 1, 5)
    assert (shown.rectifying, shown.rectified) == (1, 1)
    assert shown.checked_at is not None
    html = card(response)
    assert "<span data-value>5</span>" in html
    assert "严重 2 项" in html and "整改中 1 项" in html and "已整改 1 项" in html
    assert reverse("reports:readiness") in html
    # read with the current campaign: the page asks the database as often as before
    assert queries(client, "/") == empty


def test_the_card_is_the_organs_only(cast, campaign, tree, login):
    readiness_refresh(campaign=campaign)
    office_view = login(cast.leader).get(reverse("reports:dashboard"), {"office": cast.office_a.pk})
    assert office_view.context["readiness"] is None
    assert b'data-figure="readiness"' not in office_view.content
    staff_view = login(cast.staff_a).get(reverse("reports:dashboard"))
    assert b'data-figure="readiness"' not in staff_view.content


def test_the_figures_are_read_when_the_campaign_carries_no_annotations(cast, campaign, tree):
    readiness_refresh(campaign=campaign)
    assert figures.readiness_figures(campaign).open == 6
