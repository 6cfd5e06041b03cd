"""The search-as-you-type choice of a task (tasks:choices), used by the evidence filters and the upload page: a
handful of the campaign's tasks the person may read, found by 序号 or Chinese words of the title, their own and
their office's first; never another campaign's; a constant number of queries whatever the breakdown's size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.selection import SESSION_KEY
from tasks.selectors import CHOICE_LIMIT
from tests.factories import CampaignFactory
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db
URL = reverse("tasks:choices")


def codes(client, q: str = "") -> list[str]:
    response = client.get(URL, {"q": q})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    return [r["code"] for r in response.json()["results"]]


@pytest.fixture
def breakdown(cast, campaign):
    return {
        "other": TaskFactory(campaign=campaign, code="1", title="开展学雷锋志愿服务", lead_office=cast.office_b),
        "office": TaskFactory(campaign=campaign, code="2", title="志愿服务记录整理", lead_office=cast.office_a),
        "mine": TaskFactory(
            campaign=campaign, code="3", title="组织志愿服务活动", lead_office=cast.office_b, people=[cast.staff_a]
        ),
        "supported": TaskFactory(
            campaign=campaign, code="4", title="文明礼仪培训", lead_office=cast.office_b, supporting=[cast.office_a]
        ),
        "sub": TaskFactory(campaign=campaign, code="1.1", title="志愿者注册", lead_office=cast.office_b),
    }


def test_matches_by_chinese_words_own_and_office_first(cast, campaign, breakdown, login):
    client = login(cast.staff_a)
    # 志愿: every task whose title has it; the person's own, then their office's, then the rest in 序号 order
    assert codes(client, "志愿") == ["3", "2", "1", "1.1"]
    assert codes(client, "志愿 活动") == ["3"]  # every word must match
    assert codes(client, "不存在的词") == []
    body = client.get(URL, {"q": "礼仪"}).json()["results"]
    assert body == [
        {"id": breakdown["supported"].pk, "code": "4", "title": "文明礼仪培训", "label": "4 文明礼仪培训", "group": 1}
    ]
    # no words: the person's own and their office's first
    assert codes(client)[:3] == ["3", "2", "4"]


def test_matches_by_number_the_exact_one_first(cast, campaign, breakdown, login):
    client = login(cast.staff_a)
    assert codes(client, "1")[:2] == ["1", "1.1"]
    assert codes(client, "1.1") == ["1.1"]


def test_only_the_campaign_the_person_works_in(cast, campaign, breakdown, login):
    other_campaign = CampaignFactory(title="上一届创建", is_current=False)
    TaskFactory(campaign=other_campaign, code="9", title="志愿服务（上一届）", lead_office=cast.office_a)
    client = login(cast.staff_a)
    assert "9" not in codes(client, "志愿") and codes(client, "9") == []
    # choosing the other campaign in the switcher: its tasks only
    session = client.session
    session[SESSION_KEY] = other_campaign.pk
    session.save()
    assert codes(client, "志愿") == ["9"]


def test_the_access_rule_of_the_breakdown(cast, campaign, breakdown, login, client):
    """The breakdown is the organ's plan, readable by every active person (civunit.access.can_read_plan):
    another office's tasks are found too, after one's own. Nobody signed out or deactivated gets any."""
    assert codes(login(cast.staff_b), "志愿")[0] in {"1", "3"}  # office B leads both
    response = client.get(URL, {"q": "志愿"})
    assert response.status_code == 302 and "/login" in response["Location"]
    cast.staff_a.is_active = False
    cast.staff_a.save()
    response = login(cast.staff_a).get(URL, {"q": "志愿"})
    assert response.status_code != 200 or response.json()["results"] == []


def test_at_most_a_handful_in_a_constant_number_of_queries(cast, campaign, login):
    client = login(cast.staff_a)
    client.get(URL, {"q": "任务"})

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, {"q": "任务"}).status_code == 200
        return len(ctx.captured_queries)

    TaskFactory(campaign=campaign, code="1", title="任务一", lead_office=cast.office_b)
    small = count()
    for n in range(60):
        TaskFactory(campaign=campaign, code=f"{10 + n}", title=f"任务{n}", lead_office=cast.office_b)
    assert count() == small == PINNED_CHOICES
    assert len(codes(client, "任务")) == CHOICE_LIMIT
    assert codes(client, "任务")[:3] == ["1", "10", "11"]  # 序号 order, naturally


def test_odd_input_is_no_error(cast, campaign, breakdown, login):
    client = login(cast.staff_a)
    for junk in ("%", "_", "'", "\\", "<script>", "x" * 500, "\u3000志愿\u3000", "志\x00愿"):
        assert client.get(URL, {"q": junk}).status_code == 200
    assert codes(client, "%") == [] and codes(client, "\u3000志愿\u3000")[0] == "3"
    assert client.post(URL, {"q": "志愿"}).status_code == 405


# session, user (with the offices they head: own and office first), the readable campaigns (the selected one), the
# matches
PINNED_CHOICES = 4
