"""Search: a substring over title, caption, description, place, people, original name and activity title; a
two-character query such as 志愿 finds its items on SQLite and PostgreSQL alike; combined with the filters; never
an item the user may not read."""

import datetime

import pytest
from django.urls import reverse

from evidence import browsing
from evidence.models import Activity, EvidenceItem
from tests.evidence.review_factories import make_item


@pytest.fixture
def activity(cast, campaign):
    return Activity.objects.create(
        campaign=campaign, title="三月学雷锋志愿活动", date=datetime.date(2026, 3, 5), organiser_office=cast.office_a
    )


def _titles(user, campaign, **filters):
    rows = browsing.evidence_rows(user=user, campaign=campaign, filters=browsing.EvidenceFilters(**filters))
    return sorted(rows.values_list("title", flat=True))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "学雷锋志愿服务"),
        ("caption", "社区志愿者清扫楼道"),
        ("description", "组织青年志愿队"),
        ("place", "志愿服务站"),
        ("people", "全体志愿者"),
        ("original_name", "志愿_01.jpg"),
    ],
)
def test_a_two_character_query_finds_the_item_by_any_field(cast, campaign, field, value):
    fields = {"title": "照片"} | {field: value}
    make_item(campaign=campaign, uploader=cast.staff_a, **fields)
    make_item(campaign=campaign, uploader=cast.staff_a, title="无关材料")
    assert _titles(cast.coordinator, campaign, q="志愿") == [fields["title"]]


def test_the_activity_title_is_searched_too(cast, campaign, activity):
    make_item(campaign=campaign, uploader=cast.staff_a, title="签到表", activity=activity)
    assert _titles(cast.staff_a, campaign, q="志愿") == ["签到表"]


def test_search_never_finds_an_item_the_user_may_not_read(cast, campaign):
    make_item(campaign=campaign, uploader=cast.staff_a, title="研究室志愿照片")
    make_item(campaign=campaign, uploader=cast.staff_b, title="提案办志愿照片")
    assert _titles(cast.staff_a, campaign, q="志愿") == ["研究室志愿照片"]
    assert _titles(cast.staff_b, campaign, q="志愿") == ["提案办志愿照片"]
    assert _titles(cast.leader, campaign, q="志愿") == ["提案办志愿照片", "研究室志愿照片"]
    body = _page(cast.staff_b, "志愿")
    assert "提案办志愿照片" in body and "研究室志愿照片" not in body


def _page(user, q, **params):
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get(reverse("evidence:browse"), {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


def test_search_leaves_out_the_recycle_bin_and_superseded_versions(cast, campaign):
    from evidence import services

    binned = make_item(campaign=campaign, uploader=cast.staff_a, title="志愿（已删）")
    services.evidence_delete(user=cast.staff_a, item=binned)
    kept = make_item(campaign=campaign, uploader=cast.staff_a, title="志愿旧标题")
    services.evidence_accept(user=cast.head_a, item=kept)
    services.evidence_edit(user=cast.staff_a, item=kept, changes={"title": "志愿新标题"})  # waits for review
    assert _titles(cast.coordinator, campaign, q="志愿") == ["志愿旧标题"]


def test_search_combines_with_the_filters(cast, campaign, activity):
    make_item(campaign=campaign, uploader=cast.staff_a, title="志愿照片甲", taken_on=datetime.date(2026, 3, 5))
    make_item(
        campaign=campaign,
        uploader=cast.staff_a,
        title="志愿纪要",
        category="minutes",
        taken_on=datetime.date(2026, 3, 6),
        activity=activity,
    )
    make_item(campaign=campaign, uploader=cast.staff_b, title="志愿照片乙", taken_on=datetime.date(2026, 4, 1))
    user = cast.coordinator
    assert _titles(user, campaign, q="志愿", category="minutes") == ["志愿纪要"]
    assert _titles(user, campaign, q="志愿", office=cast.office_b) == ["志愿照片乙"]
    assert _titles(user, campaign, q="志愿", date_from=datetime.date(2026, 3, 6)) == ["志愿照片乙", "志愿纪要"]
    assert _titles(user, campaign, q="志愿", date_to=datetime.date(2026, 3, 31)) == ["志愿照片甲", "志愿纪要"]
    assert _titles(user, campaign, q="志愿", activity=activity) == ["志愿纪要"]
    assert _titles(user, campaign, q="志愿 纪要") == ["志愿纪要"]  # every word must match
    body = _page(user, "志愿", category="minutes")
    assert "志愿纪要" in body and "志愿照片甲" not in body


def test_bad_filter_values_are_ignored_not_an_error(cast, campaign, login):
    make_item(campaign=campaign, uploader=cast.staff_a, title="志愿照片")
    response = login(cast.staff_a).get(
        reverse("evidence:browse"),
        {"standard": "abc", "task": "999999", "date_from": "2026-13-45", "kind": "<script>", "page": "x"},
    )
    assert response.status_code == 200
    assert "志愿照片" in response.content.decode()


def test_an_item_in_another_campaign_is_not_found(cast, campaign):
    from tests.factories import CampaignFactory

    old = CampaignFactory(title="上一周期", is_current=False)
    make_item(campaign=old, uploader=cast.staff_a, title="旧周期志愿")
    assert _titles(cast.coordinator, campaign, q="志愿") == []
    assert EvidenceItem.objects.count() == 1
