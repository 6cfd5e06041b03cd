"""The bulletin pages as each role of the cast: who lists, reads, drafts, edits and publishes; the notification
that reaches everyone; bad input answered in Chinese; query counts that do not grow."""

import datetime

import pytest
from django.utils import timezone

from civunit.notifications.models import Notification
from civunit.reports.models import Bulletin
from tests.reports.bulletins_data import build_organ, draft, last_month, publish
from tests.tasks.factories import TaskFactory

ROLES = ["staff_a", "head_a", "staff_b", "head_b", "coordinator", "leader", "admin"]
MANAGERS = {"coordinator", "admin"}  # administrators count as coordinators


def month_post(**extra) -> dict:
    start, _end = last_month()
    return {
        "period_kind": "month",
        "year": start.year,
        "month": start.month,
        "office_order": "ranked",
        "text": "各委室要对照测评体系查漏补缺。",
        **extra,
    }


@pytest.fixture
def bulletins(cast, campaign):
    build_organ(cast, campaign)
    return {"draft": draft(cast, campaign), "published": publish(draft(cast, campaign), cast.coordinator)}


@pytest.mark.parametrize("who", ROLES)
def test_everyone_lists_and_reads_published_bulletins_and_only_the_coordinator_sees_drafts(cast, login, bulletins, who):
    client = login(getattr(cast, who))
    listing = client.get("/bulletins/")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert f'data-bulletin="{bulletins["published"].pk}"' in body
    assert (f'data-draft="{bulletins["draft"].pk}"' in body) == (who in MANAGERS)
    assert client.get(bulletins["published"].get_absolute_url()).status_code == 200
    assert client.get(bulletins["draft"].get_absolute_url()).status_code == (200 if who in MANAGERS else 404)


@pytest.mark.parametrize("who", ROLES)
def test_only_the_coordinator_drafts_edits_and_publishes(cast, login, bulletins, who):
    client = login(getattr(cast, who))
    manages = who in MANAGERS
    draft_pk = bulletins["draft"].pk
    assert client.get("/bulletins/new/").status_code == (200 if manages else 403)
    assert client.post("/bulletins/new/", month_post()).status_code == (302 if manages else 403)
    # a draft is unreadable to others: 404, like a missing bulletin
    assert client.get(f"/bulletins/{draft_pk}/edit/").status_code == (200 if manages else 404)
    response = client.post(f"/bulletins/{draft_pk}/publish/", {"version": bulletins["draft"].version})
    assert response.status_code == (302 if manages else 404)
    assert Bulletin.objects.get(pk=draft_pk).is_published == manages
    # a published bulletin: readable by all, changed by nobody (403)
    published_pk = bulletins["published"].pk
    assert client.get(f"/bulletins/{published_pk}/edit/").status_code == 403
    assert client.post(f"/bulletins/{published_pk}/edit/", month_post(version=2)).status_code == 403
    assert client.post(f"/bulletins/{published_pk}/delete/", {"version": 2}).status_code == 403
    assert Bulletin.objects.get(pk=published_pk).text == "请各委室抓紧推进。"


def test_anonymous_visitors_are_sent_to_log_in(client, bulletins):
    for url in ("/bulletins/", bulletins["published"].get_absolute_url(), "/bulletins/new/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_coordinator_drafts_previews_edits_and_publishes(cast, campaign, login, django_capture_on_commit_callbacks):
    build_organ(cast, campaign)
    client = login(cast.coordinator)
    response = client.post("/bulletins/new/", month_post(office_order="organ"))
    bulletin = Bulletin.objects.get()
    assert response["Location"] == bulletin.get_absolute_url()
    preview = client.get(bulletin.get_absolute_url()).content.decode()
    assert 'data-testid="preview-note"' in preview and "各委室要对照测评体系查漏补缺。" in preview

    edit = client.post(f"/bulletins/{bulletin.pk}/edit/", month_post(text="改后的导语", version=bulletin.version))
    assert edit.status_code == 302
    bulletin.refresh_from_db()
    assert (bulletin.text, bulletin.office_order, bulletin.version) == ("改后的导语", "ranked", 2)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/bulletins/{bulletin.pk}/publish/", {"version": bulletin.version})
    bulletin.refresh_from_db()
    assert bulletin.is_published and bulletin.number == 1
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="preview-note"' not in page
    assert 'data-testid="publish"' not in page and 'data-testid="edit"' not in page


def test_publishing_a_draft_changed_since_the_preview_is_refused(cast, campaign, login):
    bulletin = draft(cast, campaign)
    client = login(cast.coordinator)
    client.post(f"/bulletins/{bulletin.pk}/edit/", month_post(version=bulletin.version))
    response = client.post(f"/bulletins/{bulletin.pk}/publish/", {"version": bulletin.version}, follow=True)
    assert not Bulletin.objects.get(pk=bulletin.pk).is_published
    assert "已被修改或发布" in response.content.decode()


def test_the_coordinator_deletes_a_draft(cast, campaign, login):
    bulletin = draft(cast, campaign)
    response = login(cast.coordinator).post(f"/bulletins/{bulletin.pk}/delete/", {"version": bulletin.version})
    assert response.status_code == 302
    assert not Bulletin.objects.exists()


# --- Notifications ------------------------------------------------------------------------------------------


def test_everyone_active_is_notified_and_opening_the_notification_leads_to_the_bulletin(
    cast, campaign, login, django_capture_on_commit_callbacks
):
    cast.staff_b.is_active = False
    cast.staff_b.save()
    bulletin = draft(cast, campaign)
    assert not Notification.objects.exists()  # drafts tell nobody
    client = login(cast.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/bulletins/{bulletin.pk}/publish/", {"version": bulletin.version})

    told = set(
        Notification.objects.filter(kind=Notification.Kind.BULLETIN).values_list("recipient__username", flat=True)
    )
    assert told == {"staff_a", "head_a", "head_b", "leader", "admin"}  # not the publisher, not inactive people

    staff = login(cast.staff_a)
    notification = Notification.objects.get(recipient=cast.staff_a)
    assert "2026" in notification.text or str(timezone.localdate().year) in notification.text
    listing = staff.get("/notifications/").content.decode()
    assert 'data-kind="bulletin"' in listing
    opened = staff.post(f"/notifications/{notification.pk}/open/")
    assert opened["Location"] == bulletin.get_absolute_url()
    page = staff.get(opened["Location"])
    assert page.status_code == 200
    assert page.context["bulletin"].number == 1
    notification.refresh_from_db()
    assert notification.is_read


def test_notifications_are_queued_after_commit_only(cast, campaign, django_capture_on_commit_callbacks):
    bulletin = draft(cast, campaign)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publish(bulletin, cast.coordinator)
    assert len(callbacks) == 1
    assert not Notification.objects.exists()  # nothing until the publication commits
    callbacks[0]()
    assert Notification.objects.filter(kind=Notification.Kind.BULLETIN).count() == 6


def test_the_notification_job_runs_twice_without_telling_anyone_twice(cast, campaign):
    from civunit.reports.bulletins.jobs import bulletin_notify

    bulletin = publish(draft(cast, campaign), cast.coordinator)
    assert bulletin_notify.call(bulletin.pk) == 6
    assert bulletin_notify.call(bulletin.pk) == 0
    assert Notification.objects.count() == 6


# --- Bad input: a Chinese message, nothing saved -------------------------------------------------------------


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"period_kind": "custom", "start": "2026-03-10", "end": "2026-03-01"}, "结束日期早于开始日期"),
        ({"period_kind": "custom", "start": "2999-01-01", "end": "2999-01-31"}, "在未来"),
        ({"period_kind": "month", "year": 2999, "month": 1}, "2100"),
        ({"text": "字" * 1001}, "最多 1000 个字"),
        ({"period_kind": "custom", "start": "2026-02-30", "end": ""}, "有效的日期"),
        ({"period_kind": "quarter", "quarter": ""}, "所选周期"),
        ({"period_kind": "weekly"}, "有效的选项"),
    ],
)
def test_bad_input_gets_a_chinese_message_and_saves_nothing(cast, campaign, login, post, message):
    response = login(cast.coordinator).post("/bulletins/new/", month_post(**post))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Bulletin.objects.exists()


def test_fields_of_another_kind_of_period_are_ignored(cast, campaign, login):
    response = login(cast.coordinator).post(
        "/bulletins/new/",
        month_post(period_kind="custom", start="2026-03-01", end="2026-03-31", year="abc", quarter="9"),
    )
    assert response.status_code == 302
    bulletin = Bulletin.objects.get()
    assert (bulletin.period_start, bulletin.period_end) == (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))


def test_a_period_not_yet_over_is_refused(cast, campaign, login):
    today = timezone.localdate()
    if (today + datetime.timedelta(days=1)).day == 1:
        pytest.skip("the last day of the month: this month is over today")
    response = login(cast.coordinator).post("/bulletins/new/", month_post(year=today.year, month=today.month))
    assert "尚未结束" in response.content.decode()
    assert not Bulletin.objects.exists()


def test_a_long_text_counts_line_breaks_once(cast, campaign, login):
    text = "\r\n".join(["字" * 99] * 10) + "字"  # 1,000 characters once CRLF counts as one (1,009 if twice)
    response = login(cast.coordinator).post("/bulletins/new/", month_post(text=text))
    assert response.status_code == 302
    assert Bulletin.objects.get().text == "\n".join(["字" * 99] * 10) + "字"


def test_without_a_current_campaign_no_draft_is_made(cast, login):
    response = login(cast.coordinator).get("/bulletins/new/", follow=True)
    assert "没有当前的创建周期" in response.content.decode()


# --- Pages: navigation, print, query counts ---------------------------------------------------------------------


def test_the_navigation_shows_bulletins_to_everyone(cast, login):
    for user in (cast.staff_a, cast.leader):
        assert 'data-nav="bulletins"' in login(user).get("/bulletins/").content.decode()


def test_a_bulletin_prints_with_its_own_stylesheet_and_no_inline_script(cast, login, bulletins):
    body = login(cast.staff_a).get(bulletins["published"].get_absolute_url()).content.decode()
    assert "reports/bulletin.css" in body and "data-print" in body
    assert "<script>" not in body and "onclick" not in body
    assert 'role="img"' in body  # the chart of offices, drawn on the server


def test_the_list_makes_the_same_queries_for_few_and_many_bulletins(
    cast, campaign, login, django_assert_max_num_queries
):
    client = login(cast.coordinator)
    publish(draft(cast, campaign), cast.coordinator)
    draft(cast, campaign)
    client.get("/bulletins/")  # warm-up: session, user, roles, content types
    with django_assert_max_num_queries(50) as few:
        client.get("/bulletins/")
    for _i in range(12):
        publish(draft(cast, campaign), cast.coordinator)
        draft(cast, campaign)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/bulletins/")


def test_a_published_bulletin_makes_the_same_queries_however_large(
    cast, campaign, login, django_assert_max_num_queries
):
    small = publish(draft(cast, campaign), cast.coordinator)
    late = timezone.localdate() - datetime.timedelta(days=3)
    for i in range(40):
        TaskFactory(campaign=campaign, code=f"{100 + i}", lead_office=cast.office_b, deadline=late)
    large = publish(draft(cast, campaign), cast.coordinator)
    assert large.snapshot is not None
    assert len(large.snapshot["overdue"]["rows"]) == 40
    client = login(cast.staff_a)
    client.get(small.get_absolute_url())  # warm-up
    # session, user, roles, the bulletin (with campaign and people), the bell: the figures cost nothing
    with django_assert_max_num_queries(12) as few:
        client.get(small.get_absolute_url())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(large.get_absolute_url())


def test_the_preview_makes_the_same_queries_for_few_and_many_tasks(
    cast, campaign, login, django_assert_max_num_queries
):
    build_organ(cast, campaign)
    bulletin = draft(cast, campaign)
    client = login(cast.coordinator)
    client.get(bulletin.get_absolute_url())  # warm-up
    # the dashboard's selectors: criteria, requirements, evidence, stages, tasks and evidence by office, …
    with django_assert_max_num_queries(30) as few:
        client.get(bulletin.get_absolute_url())
    late = timezone.localdate() - datetime.timedelta(days=3)
    for i in range(60):
        TaskFactory(
            campaign=campaign, code=f"{100 + i}", lead_office=cast.office_b if i % 2 else cast.office_a, deadline=late
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(bulletin.get_absolute_url())
