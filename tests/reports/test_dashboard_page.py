"""The dashboard page: who gets which view, what it shows, that it stays CSP-safe, and that it asks the database the
same number of times at 1× and 10× the data."""

import datetime
import random
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaign.models import Assessment, Criterion, Stage
from evidence.models import EvidenceItem
from tasks.models import Task
from tests.reports.dataset import build, build_criteria, grow
from tests.tasks.factories import TaskFactory

DASHBOARD = reverse("reports:dashboard")
PRINT = reverse("reports:dashboard_print")


@pytest.fixture
def some_work(cast, campaign):
    today = timezone.localdate()
    TaskFactory(
        campaign=campaign,
        code="1",
        title="A的逾期任务",
        lead_office=cast.office_a,
        deadline=today - datetime.timedelta(days=3),
    )
    TaskFactory(
        campaign=campaign,
        code="2",
        title="B的到期任务",
        lead_office=cast.office_b,
        deadline=today + datetime.timedelta(days=2),
    )


def main_of(response) -> str:
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


def test_leadership_and_the_coordinator_land_on_the_organ_wide_dashboard(cast, some_work, login):
    for user in (cast.leader, cast.coordinator, cast.admin):
        response = login(user).get("/")
        assert response.templates[0].name == "reports/dashboard.html", user
        data = response.context["data"]
        assert data.office is None
        assert data.headline.tasks.total == 2
        assert [o.office for o in data.offices] == [cast.office_a, cast.office_b]


def test_staff_and_heads_keep_their_workbench_with_a_link_to_their_offices_view(cast, some_work, login):
    for user in (cast.staff_a, cast.head_a):
        response = login(user).get("/")
        assert response.templates[0].name == "reports/home.html"
        assert f'href="{DASHBOARD}"' in response.content.decode()


def test_staff_of_office_a_see_only_office_as_view(cast, some_work, login):
    response = login(cast.staff_a).get(DASHBOARD)
    data = response.context["data"]
    assert data.office == cast.office_a
    assert data.headline.tasks.total == 1
    assert [o.office for o in data.offices] == [cast.office_a]
    body = main_of(response)
    assert "A的逾期任务" in body
    assert "B的到期任务" not in body
    assert 'data-testid="office-picker"' not in body  # one office: nothing to choose


def test_staff_of_office_a_asking_for_office_b_get_404(cast, some_work, login):
    client = login(cast.staff_a)
    assert client.get(f"{DASHBOARD}?office={cast.office_b.pk}").status_code == 404
    assert client.get(f"{PRINT}?office={cast.office_b.pk}").status_code == 404
    assert client.get(f"{DASHBOARD}?office=99999").status_code == 404


def test_a_head_chooses_between_their_office_and_the_office_they_head(cast, some_work, login):
    cast.office_b.head = cast.head_a
    cast.office_b.save()
    response = login(cast.head_a).get(f"{DASHBOARD}?office={cast.office_b.pk}")
    assert response.context["data"].office == cast.office_b
    assert 'data-testid="office-picker"' in response.content.decode()


def test_leadership_may_open_any_offices_view(cast, some_work, login):
    response = login(cast.leader).get(f"{DASHBOARD}?office={cast.office_b.pk}")
    assert response.context["data"].office == cast.office_b
    assert response.context["data"].headline.tasks.total == 1


def test_a_value_that_is_not_an_office_is_ignored(cast, some_work, login):
    response = login(cast.leader).get(f"{DASHBOARD}?office=%3Cscript%3E")
    assert response.status_code == 200
    assert response.context["data"].office is None


def test_anonymous_visitors_are_sent_to_login(client, cast, some_work):
    for url in ("/", DASHBOARD, PRINT):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_without_a_campaign_the_dashboard_says_so(cast, login):
    response = login(cast.leader).get("/")
    assert response.status_code == 200
    assert "当前没有进行中的创建周期" in response.content.decode()
    # the dashboard itself: its header, and an empty state saying who starts a campaign
    html = login(cast.leader).get(DASHBOARD).content.decode()
    assert 'data-testid="page-header"' in html
    assert 'data-testid="empty-state"' in html
    assert "当前没有进行中的创建周期" in html


def test_the_page_shows_each_part_with_its_numbers_beside_its_charts(cast, campaign, login):
    build(campaign, today=timezone.localdate(), standards=30, tasks=60, evidence=200, activities=5, offices=4)
    response = login(cast.leader).get("/")
    body = main_of(response)
    for part in ("headline", "coverage", "offices", "overdue", "due-soon", "stalled", "weekly", "recent"):
        assert f'data-testid="{part}"' in body, part
    assert body.count('role="img"') >= 6  # the offices' and the weekly charts in two widths, the donut, the bars
    data = response.context["data"]
    tree = reverse("evidence:standards_tree")
    for row in data.coverage:
        assert f'data-item="{row.criterion.code}"' in body  # the item table, each with its bar
        assert f'href="{tree}?item={row.criterion.code}"' in body  # its standards on the evidence-by-standard page
    assert body.count("<progress ") == len(data.coverage)
    for office in data.offices:
        assert f'data-office="{office.office.pk}"' in body  # the offices table beside its chart
    assert 'data-testid="recent-weeks"' in body  # the latest weeks' numbers beside the line chart
    assert 'data-testid="drilldown"' not in body  # the criteria tree is the evidence-by-standard page's


def test_standards_without_accepted_evidence_are_flagged(cast, campaign, login):
    build(campaign, today=timezone.localdate(), standards=16, tasks=10, evidence=40, activities=0, offices=2)
    from civunit.reports.dashboard import coverage_by_item

    response = login(cast.leader).get("/")
    # the tree's standards without accepted evidence (the page's are summed in the database)
    flagged = [
        s.criterion for row in coverage_by_item(campaign=campaign, user=cast.leader) for s in row.flagged_standards()
    ]
    assert flagged  # the data set leaves one standard in eight without evidence
    assert [s.pk for s in flagged] == [s.pk for row in response.context["data"].coverage for s in row.unevidenced]
    body = main_of(response)
    for s in flagged:
        assert f'data-standard="{s.code}"' in body
        assert reverse("campaign:criterion", args=[s.pk]) in body
    assert body.count("data-standard=") == len(flagged)
    assert "data-more=" not in body  # none of the items has more than the first few


def test_the_dashboard_lists_the_first_standards_without_evidence_per_item_and_the_print_view_all(
    cast, campaign, login
):
    """The page's size does not grow with the standards of an item: past the first few without accepted evidence,
    it says how many more there are and links to the item's standards; on paper, which follows no link, all."""
    from civunit.reports.dashboard import FLAGGED_SHOWN, coverage_by_item

    build(campaign, today=timezone.localdate(), standards=200, tasks=10, evidence=0, activities=0, offices=2)
    client = login(cast.leader)
    response = client.get("/")
    body = main_of(response)
    coverage = response.context["data"].coverage
    whole = coverage_by_item(campaign=campaign, user=cast.leader)
    tree = reverse("evidence:standards_tree")
    for row, full in zip(coverage, whole, strict=True):
        assert row.without_evidence > FLAGGED_SHOWN  # no evidence at all: every standard is without
        shown = row.flagged_first()
        assert len(shown) == FLAGGED_SHOWN
        # the first ones, in the tree's order
        assert [s.pk for s in shown] == [s.criterion.pk for s in full.flagged_standards()[:FLAGGED_SHOWN]]
        assert f'data-more="{row.without_evidence - FLAGGED_SHOWN}"' in body
        assert f'href="{tree}?item={row.criterion.code}" data-more=' in body
    assert body.count("data-standard=") == FLAGGED_SHOWN * len(coverage)
    printed = main_of(client.get(PRINT))
    assert printed.count("data-standard=") == sum(row.without_evidence for row in coverage) == 200
    assert "data-more=" not in printed


def test_the_dashboards_size_does_not_grow_with_the_standards(cast, campaign, login):
    build(campaign, today=timezone.localdate(), standards=40, tasks=20, evidence=0, activities=0, offices=2)
    client = login(cast.leader)
    small = len(client.get("/").content)
    Criterion.objects.filter(campaign=campaign).delete()
    cache.clear()
    build_criteria(campaign, standards=400, rng=random.Random(3))
    large = len(client.get("/").content)
    assert large < small * 1.1  # ten times the standards, under the same ten items


def test_no_inline_style_or_script_on_the_dashboard(cast, campaign, login):
    build(campaign, today=timezone.localdate(), standards=12, tasks=20, evidence=40, activities=2, offices=3)
    for url in ("/", PRINT):
        response = login(cast.leader).get(url)
        body = main_of(response)
        assert not re.search(r"\sstyle=", body), url
        page = response.content.decode()
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", page), url


def test_the_print_view_is_laid_out_for_a4_landscape(cast, campaign, login, settings):
    build(campaign, today=timezone.localdate(), standards=12, tasks=10, evidence=20, activities=0, offices=2)
    response = login(cast.leader).get(PRINT)
    assert response.status_code == 200
    assert "data-print" in response.content.decode()  # the print button (static/js/civunit.js opens the dialog)
    assert 'data-testid="flagged-standards"' in response.content.decode()
    css = (settings.BASE_DIR / "static" / "css" / "dashboard.css").read_text()
    assert "@page { size: A4 landscape" in css
    assert "@media print" in css


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("who", "url", "expected"),
    [
        # session, user (with their roles, headships and office), the bell (base.html); the campaign (with its
        # change stamps) and its stages; every office (the picker, the offices table and the person's office in
        # the page header); the items' coverage (one query, summed in the database); tasks per office and
        # evidence per office (one grouped query each); overdue, due soon, stalled and awaiting review (one query
        # each, their totals the task counter's); evidence awaiting review; completed tasks and accepted evidence
        # per week (one UNION ALL each); activities of the period; recent task events and evidence events and the
        # person's 我分管的工作 (its count; the rows only when there are some)
        ("leader", "/", 20),
        # the coordinator: the same, and the last integrity check for the card
        ("coordinator", "/", 21),
        # the same, the offices the person may view instead of every office (the coverage kept to the standards
        # linked to the office's tasks within its one query)
        ("staff_a", DASHBOARD, 20),
    ],
)
def test_the_dashboard_asks_the_same_number_of_queries_at_1x_and_10x(cast, campaign, login, who, url, expected):
    today = timezone.localdate()
    data = build(campaign, today=today, standards=40, tasks=40, evidence=150, activities=4, offices=4)
    client = login(getattr(cast, who))
    client.get(url)  # warm-up
    cache.clear()  # computed afresh (the kept figures are tested below)
    small = _count(client, url)
    grow(data, today=today, tasks=360, evidence=1350)
    cache.clear()
    large = _count(client, url)
    assert small == large == expected
    assert expected <= 25


def test_the_figures_are_kept_until_something_changes(cast, campaign, login, settings):
    from tasks.services import progress_report_add

    settings.DASHBOARD_LAG_SECONDS = 0  # exact: the lag is tested below

    today = timezone.localdate()
    data = build(campaign, today=today, standards=20, tasks=20, evidence=60, activities=2, offices=3)
    client = login(cast.leader)
    first = client.get("/")
    # kept: session, user (roles), the campaign with its change stamps and its stages, every office, the bell,
    # the person's 我分管的工作
    assert _count(client, "/") == 7
    kept = client.get("/").context["data"]
    assert kept.headline == first.context["data"].headline
    assert kept.offices == first.context["data"].offices
    # a progress report (its audit event) makes the next request compute the figures again
    task = Task.objects.filter(campaign=campaign, lead_office=data.offices[1], parent=None).order_by("pk").first()
    head = data.offices[1].head
    assert task is not None
    progress_report_add(task=task, user=head, text="召开专题会议一次")
    assert _count(client, "/") == 20
    recent = client.get("/").context["data"].recent
    assert recent[0].target == task
    assert _count(client, "/") == 7


@pytest.mark.parametrize("change", ["accept_evidence", "accept_own_evidence", "assess", "new_stage"])
def test_each_kind_of_change_renews_the_figures(cast, campaign, login, change, settings):
    build(campaign, today=timezone.localdate(), standards=9, tasks=6, evidence=20, activities=1, offices=2)
    if change == "accept_evidence":
        settings.DASHBOARD_LAG_SECONDS = 0  # someone else's acceptance renews them at once only without the lag
    # the coordinator reads their own acceptance at once, whatever the lag; criteria and stages are never lagged
    client = login(cast.coordinator if change == "accept_own_evidence" else cast.leader)
    before = client.get("/").context["data"]
    if change in ("accept_evidence", "accept_own_evidence"):
        from evidence.services import evidence_accept

        pending = EvidenceItem.objects.filter(campaign=campaign, status=EvidenceItem.Status.PENDING, is_current=True)
        item = pending.order_by("pk").first()
        assert item is not None
        evidence_accept(user=cast.coordinator, item=item)
        after = client.get("/").context["data"]
        assert after.headline.evidence.accepted == before.headline.evidence.accepted + 1
    elif change == "assess":
        unmet = Assessment.objects.filter(criterion__campaign=campaign).exclude(status=Assessment.Status.MET)
        assessment = unmet.order_by("pk").first()
        assert assessment is not None
        assessment.status = Assessment.Status.MET
        assessment.save()
        after = client.get("/").context["data"]
        assert after.headline.standards_met == before.headline.standards_met + 1
    else:
        Stage.objects.create(
            campaign=campaign, name="总结提升", start_date=timezone.localdate() + datetime.timedelta(days=3)
        )
        after = client.get("/").context["data"]
        assert after.headline.next_stage.name == "总结提升"


def test_under_steady_work_readers_may_see_figures_up_to_the_lag_behind(cast, campaign, login, settings, monkeypatch):
    """Others' day-to-day work (a progress report, an accepted item) lets a reader keep the figures computed less
    than DASHBOARD_LAG_SECONDS ago, rendered once; the person who made the change sees it at once; past the lag,
    or after any other kind of change, everyone does."""
    import time

    from evidence.services import evidence_accept
    from tasks.services import progress_report_add

    settings.DASHBOARD_LAG_SECONDS = 30
    clock = [1_000_000.0]
    monkeypatch.setattr(time, "time", lambda: clock[0])  # the lag's clock (civunit.reports.dashboard)
    data = build(campaign, today=timezone.localdate(), standards=20, tasks=20, evidence=60, activities=2, offices=3)
    leader = login(cast.leader)
    first = leader.get("/")
    assert _count(leader, "/") == 7  # kept, the page drawn from its fragments
    task = Task.objects.filter(campaign=campaign, lead_office=data.offices[1], parent=None).order_by("pk").first()
    assert task is not None
    progress_report_add(task=task, user=data.offices[1].head, text="召开专题会议一次")
    clock[0] += 20
    # someone else's progress report, 20 s after the figures were computed: the same figures, not computed again
    assert _count(leader, "/") == 7
    kept = leader.get("/")
    assert kept.context["data"].recent == first.context["data"].recent
    # the coordinator accepts an item: shown to them at once (their own change), which renews everyone's figures
    coordinator = login(cast.coordinator)
    coordinator.get("/")
    accepted = coordinator.get("/").context["data"].headline.evidence.accepted
    item = EvidenceItem.objects.filter(campaign=campaign, status=EvidenceItem.Status.PENDING, is_current=True).first()
    assert item is not None
    evidence_accept(user=cast.coordinator, item=item)
    assert _count(coordinator, "/") == 21  # computed afresh for the person who made the change
    assert coordinator.get("/").context["data"].headline.evidence.accepted == accepted + 1
    assert leader.get("/").context["data"].headline.evidence.accepted == accepted + 1
    # past the lag, another person's change is computed afresh for every reader
    progress_report_add(task=task, user=data.offices[1].head, text="第二次专题会议")
    clock[0] += 31
    assert _count(leader, "/") == 20
    assert leader.get("/").context["data"].recent[0].target == task
    # within the lag, but the criteria changed: computed afresh too
    assessment = Assessment.objects.filter(criterion__campaign=campaign).order_by("pk").first()
    assert assessment is not None
    progress_report_add(task=task, user=data.offices[1].head, text="第三次专题会议")
    assessment.save()
    clock[0] += 1
    assert _count(leader, "/") == 20


def test_the_kept_figures_hold_of_the_criteria_only_the_items_and_their_first_standards_without_evidence(
    cast, campaign, login
):
    """The dashboard keeps its figures in the cache (pickled): of the coverage, the items with their figures
    (summed in the database, equal to the tree's) and their first standards without accepted evidence, never a
    criterion's whole row or the tree (a Node reaches the whole tree through its parent and children)."""
    import pickle

    from civunit.reports.coverage_sql import CriterionRef
    from civunit.reports.dashboard import FLAGGED_SHOWN, coverage_by_item

    build(campaign, today=timezone.localdate(), standards=120, tasks=10, evidence=300, activities=0, offices=2)
    data = login(cast.leader).get("/").context["data"]
    full = coverage_by_item(campaign=campaign, user=cast.leader)
    names = ("standards", "met", "without_evidence", "with_requirements", "requirements_met", "evidence_total")
    assert [(r.criterion.code, *(getattr(r, n) for n in names)) for r in data.coverage] == [
        (r.criterion.code, *(getattr(r, n) for n in names)) for r in full
    ]
    for kept, whole in zip(data.coverage, full, strict=True):
        assert [s.code for s in kept.unevidenced] == [
            s.criterion.code for s in whole.flagged_standards()[:FLAGGED_SHOWN]
        ]
        assert all(type(s) is CriterionRef for s in kept.unevidenced)
    assert len(pickle.dumps(data.coverage)) < len(pickle.dumps(full)) / 5
