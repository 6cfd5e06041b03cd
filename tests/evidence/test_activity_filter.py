"""The browse page's activity filter: the activity is named by its id (chosen from the matches the page's script
loads from evidence:activity_choices, or a link's ?activity=<id>) or by words of its title typed without the
script, never offered as one <option> per activity; an unknown one is ignored with a message."""

import datetime
import re

import pytest
from django.urls import reverse

from evidence.models import Activity
from tests.evidence.review_factories import make_item
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db
URL = reverse("evidence:browse")
CHOICES = reverse("evidence:activity_choices")


def _activity(campaign, office, title, date, **fields):
    return Activity.objects.create(campaign=campaign, title=title, date=date, organiser_office=office, **fields)


@pytest.fixture
def held(cast, campaign):
    volunteer = _activity(campaign, cast.office_a, "学雷锋志愿服务", datetime.date(2026, 3, 5), place="社区")
    etiquette = _activity(campaign, cast.office_a, "文明礼仪培训", datetime.date(2026, 5, 4), theme="礼仪")
    make_item(campaign=campaign, uploader=cast.staff_a, title="志愿服务照片", activity=volunteer)
    make_item(campaign=campaign, uploader=cast.staff_a, title="礼仪培训签到表", activity=etiquette)
    make_item(campaign=campaign, uploader=cast.staff_a, title="不属于活动的照片")
    return {"volunteer": volunteer, "etiquette": etiquette}


def test_the_chosen_activity_filters_the_list_and_shows_its_title(cast, held, login):
    client = login(cast.staff_a)
    page = client.get(URL, {"activity": held["volunteer"].pk}).content.decode()
    assert "志愿服务照片" in page and "礼仪培训签到表" not in page and "不属于活动的照片" not in page
    assert re.search(rf'<input type="text" name="activity" value="{held["volunteer"].pk}"', page)
    assert 'data-testid="activity-choice-label">2026-03-05 学雷锋志愿服务<' in page
    assert 'data-url="/evidence/activities/choices/"' in page and "js/task-choice.js" in page


def test_words_of_a_title_typed_without_the_script_filter_too(cast, held, login):
    page = login(cast.staff_a).get(URL, {"activity": "礼仪"}).content.decode()
    assert "礼仪培训签到表" in page and "志愿服务照片" not in page


def test_no_option_per_activity(cast, campaign, held, login):
    for n in range(30):
        _activity(campaign, cast.office_b, f"活动{n}", datetime.date(2026, 1, 1))
    page = login(cast.staff_a).get(URL).content.decode()
    assert '<select name="activity"' not in page and "活动29" not in page


def test_an_unknown_or_ambiguous_activity_is_ignored_with_a_message(cast, campaign, held, login):
    elsewhere = CampaignFactory(title="上一届创建", is_current=False)
    old = _activity(elsewhere, cast.office_a, "上一届的活动", datetime.date(2025, 1, 1))
    _activity(campaign, cast.office_a, "志愿服务总结会", datetime.date(2026, 6, 1))
    client = login(cast.staff_a)
    for junk in (str(old.pk), "999999", "9" * 40, "<b>x</b>", "x" * 300, "志愿服务", "\x00", "²", "٣"):
        response = client.get(URL, {"activity": junk})
        assert response.status_code == 200
        page = response.content.decode()
        assert "不属于活动的照片" in page and "志愿服务照片" in page  # the filter dropped, the rest shown
    assert f"没有编号为“{old.pk}”的活动" in client.get(URL, {"activity": old.pk}).content.decode()
    assert "有多个活动与“志愿服务”相符" in client.get(URL, {"activity": "志愿服务"}).content.decode()
    assert "没有名为“无此活动”的活动" in client.get(URL, {"activity": "无此活动"}).content.decode()


def test_the_choices_match_words_and_dates_newest_first_in_one_query(
    cast, campaign, held, login, django_assert_num_queries
):
    client = login(cast.staff_b)
    client.get(CHOICES)  # warm-up
    body = client.get(CHOICES, {"q": ""}).json()
    assert [r["title"] for r in body["results"]] == ["文明礼仪培训", "学雷锋志愿服务"]
    first = body["results"][0]
    assert first == {
        "id": held["etiquette"].pk,
        "value": str(held["etiquette"].pk),
        "code": "2026-05-04",
        "title": "文明礼仪培训",
        "label": "2026-05-04 文明礼仪培训",
    }
    assert [r["title"] for r in client.get(CHOICES, {"q": "社区"}).json()["results"]] == ["学雷锋志愿服务"]
    assert [r["title"] for r in client.get(CHOICES, {"q": "2026-03"}).json()["results"]] == ["学雷锋志愿服务"]
    assert client.get(CHOICES, {"q": "礼仪 社区"}).json()["results"] == []
    for n in range(30):
        _activity(campaign, cast.office_b, f"活动{n}", datetime.date(2026, 1, 1))
    assert len(client.get(CHOICES).json()["results"]) == 20
    # session, user, current campaign (and its stages), the matches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(CHOICES, {"q": "活动"})
    few = len(ctx.captured_queries)
    for n in range(30, 90):
        _activity(campaign, cast.office_b, f"活动{n}", datetime.date(2026, 1, 2))
    with django_assert_num_queries(few):
        assert len(client.get(CHOICES, {"q": "活动"}).json()["results"]) == 20
