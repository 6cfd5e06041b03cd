"""The search-as-you-type choice of a standard (campaign:standard_choices), used by the evidence filters and the
upload page: a handful of the selected campaign's standards (leaves), by code prefix or words of the title; never
another campaign's; a constant number of queries whatever the size of the table."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.selection import SESSION_KEY
from campaign.selectors import CHOICE_LIMIT
from tests.factories import CampaignFactory, CriterionFactory

pytestmark = pytest.mark.django_db
URL = reverse("campaign:standard_choices")


def codes(client, q: str = "") -> list[str]:
    response = client.get(URL, {"q": q})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    return [r["code"] for r in response.json()["results"]]


@pytest.fixture
def table(campaign):
    item = CriterionFactory(campaign=campaign, code="1", title="思想道德建设", is_leaf=False, level=1, ordering=1)
    indicator = CriterionFactory(
        campaign=campaign, code="1.1", title="理论学习", is_leaf=False, level=2, parent=item, ordering=2
    )
    return {
        "item": item,
        "a": CriterionFactory(campaign=campaign, code="1.1.1", title="开展志愿服务", parent=indicator, ordering=3),
        "b": CriterionFactory(campaign=campaign, code="1.1.2", title="志愿服务记录", parent=indicator, ordering=4),
        "c": CriterionFactory(campaign=campaign, code="2.1.1", title="文明礼仪培训", ordering=5),
        "d": CriterionFactory(campaign=campaign, code="1.1.10", title="学习制度", parent=indicator, ordering=6),
    }


def test_by_code_prefix_or_title_words_standards_only(cast, campaign, table, login):
    client = login(cast.staff_a)
    assert codes(client, "1.1") == ["1.1.1", "1.1.2", "1.1.10"]  # leaves only: not the item nor the indicator
    assert codes(client, "1.1.1") == ["1.1.1", "1.1.10"]  # the exact code first
    assert codes(client, "志愿") == ["1.1.1", "1.1.2"]
    assert codes(client, "志愿 记录") == ["1.1.2"]  # every word must match
    assert codes(client, "思想") == []  # the item's title: not a standard
    assert codes(client) == ["1.1.1", "1.1.2", "2.1.1", "1.1.10"]  # no words: in the table's order
    body = client.get(URL, {"q": "礼仪"}).json()["results"]
    assert body == [{"id": table["c"].pk, "code": "2.1.1", "title": "文明礼仪培训", "label": "2.1.1 文明礼仪培训"}]


def test_only_the_selected_campaign(cast, campaign, table, login):
    other = CampaignFactory(title="上一届创建", is_current=False)
    CriterionFactory(campaign=other, code="9.9.9", title="志愿服务（上一届）")
    client = login(cast.staff_a)
    assert codes(client, "9.9") == [] and "9.9.9" not in codes(client, "志愿")
    session = client.session
    session[SESSION_KEY] = other.pk
    session.save()
    assert codes(client, "志愿") == ["9.9.9"]


def test_access(cast, campaign, table, login, client):
    """The table is the organ's plan, readable by every active person; nobody signed out or deactivated."""
    for user in (cast.staff_b, cast.leader):
        assert codes(login(user), "志愿") == ["1.1.1", "1.1.2"]
    response = client.get(URL, {"q": "志愿"})
    assert response.status_code == 302 and "/login" in response["Location"]
    cast.staff_a.is_active = False
    cast.staff_a.save()
    response = login(cast.staff_a).get(URL, {"q": "志愿"})
    assert response.status_code != 200 or response.json()["results"] == []


def test_at_most_a_handful_in_a_constant_number_of_queries(cast, campaign, login):
    client = login(cast.staff_a)
    client.get(URL, {"q": "标准"})

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, {"q": "标准"}).status_code == 200
        return len(ctx.captured_queries)

    CriterionFactory(campaign=campaign, code="1.1.1", title="标准一", ordering=1)
    small = count()
    for n in range(40):
        CriterionFactory(campaign=campaign, code=f"2.1.{n}", title=f"标准{n}", ordering=10 + n)
    assert count() == small == PINNED_QUERIES
    assert len(codes(client, "标准")) == CHOICE_LIMIT
    assert codes(client, "2.1")[:2] == ["2.1.0", "2.1.1"]


def test_odd_input_is_no_error(cast, campaign, table, login):
    client = login(cast.staff_a)
    for junk in ("%", "_", "'", "\\", "<script>", "x" * 500, "\u3000志愿\u3000", "志\x00愿"):
        assert client.get(URL, {"q": junk}).status_code == 200
    assert codes(client, "%") == [] and codes(client, "\u3000志愿\u3000")[0] == "1.1.1"
    assert client.post(URL, {"q": "志愿"}).status_code == 405


# session, user, the selected campaign, the matches
PINNED_QUERIES = 4
