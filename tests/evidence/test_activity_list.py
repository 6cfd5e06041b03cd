"""The activities page: 20 a page, newest first, the total count shown, each row's evidence counted; the same
number of queries with 5 activities as with 45; a page number that is not one answers a page, not an error."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evidence.browsing.activities import ACTIVITY_PAGE_SIZE
from evidence.models import Activity, EvidenceItem
from tests.evidence.review_factories import make_item

Status = EvidenceItem.Status
FIRST_DAY = datetime.date(2026, 3, 1)
URL = reverse("evidence:activities")


def add_activities(cast, campaign, start: int, count: int) -> list[Activity]:
    """Activities numbered start.. on consecutive days from FIRST_DAY (the highest number is the newest)."""
    offices = [cast.office_a, cast.office_b]
    return Activity.objects.bulk_create(
        Activity(
            campaign=campaign,
            title=f"活动{n:03d}",
            date=FIRST_DAY + datetime.timedelta(days=n),
            place=f"会场{n}",
            theme=f"主题{n}" if n % 2 else "",
            organiser_office=offices[n % 2],
        )
        for n in range(start, start + count)
    )


def titles(body: str) -> list[str]:
    return re.findall(r">(活动\d{3})</a>", body)


def total(body: str) -> str:
    found = re.search(r'activity-total">([^<]*)<', body)
    assert found, "no total count"
    return found[1]


def count_queries(client, params=None) -> tuple[int, str]:
    client.get(URL, params or {})  # warm-up: session, user, content types
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("who", ["staff_a", "head_a", "coordinator"])
def test_the_page_asks_as_many_queries_for_45_activities_as_for_5(cast, campaign, login, who):
    activities = add_activities(cast, campaign, 0, 5)
    for a in activities:
        make_item(campaign=campaign, uploader=cast.staff_a, activity=a, status=Status.ACCEPTED)
    client = login(getattr(cast, who))
    small, body = count_queries(client)
    assert len(titles(body)) == 5
    more = add_activities(cast, campaign, 5, 40)
    for a in more[::3]:
        make_item(campaign=campaign, uploader=cast.staff_a, activity=a)
    large, body = count_queries(client)
    assert len(titles(body)) == ACTIVITY_PAGE_SIZE == 20
    assert large == small == PINNED[who]


# session, user, the selected campaign, roles, headed offices, the bell's unread notifications, the menu's
# office (staff and heads), the count of activities, the page of them (organiser joined), their evidence counted
# in one grouped query (one query more than when the counts were joined into the page: the join counted every
# item of every activity before the page was cut)
PINNED = {"staff_a": 7, "head_a": 7, "coordinator": 7}


def test_newest_first_twenty_a_page_and_page_two_shows_the_rest(cast, campaign, login):
    add_activities(cast, campaign, 0, 25)
    client = login(cast.staff_a)
    first = client.get(URL).content.decode()
    assert titles(first) == [f"活动{n:03d}" for n in range(24, 4, -1)]
    assert 'data-testid="activity-total"' in first and "25" in total(first)
    assert 'href="?page=2"' in first
    second = client.get(URL, {"page": 2}).content.decode()
    assert titles(second) == [f"活动{n:03d}" for n in range(4, -1, -1)]
    assert 'href="?page=1"' in second
    assert "25" in total(second)


def test_other_parameters_survive_paging(cast, campaign, login):
    """The page has no filter of its own (the campaign is the session's choice), but the pager keeps whatever
    the address holds besides the page: a filter added later needs no change to the links."""
    add_activities(cast, campaign, 0, 45)
    body = login(cast.staff_a).get(URL, {"page": 2, "sort": "x y"}).content.decode()
    assert 'href="?page=1&amp;sort=x+y"' in body
    assert 'href="?page=3&amp;sort=x+y"' in body


@pytest.mark.parametrize(
    ("page", "newest"),
    [("abc", 44), ("999", 4), ("0", 4), ("-1", 4), ("1.5", 44), ("", 44), ("9" * 30, 4)],
)
def test_a_bad_page_number_answers_a_page(cast, campaign, login, page, newest):
    """Not a number: the first page; beyond the end (or before the start): the last, as Paginator.get_page."""
    add_activities(cast, campaign, 0, 45)
    response = login(cast.staff_a).get(URL, {"page": page})
    assert response.status_code == 200
    assert titles(response.content.decode())[0] == f"活动{newest:03d}"


def test_each_row_counts_its_current_evidence_and_names_its_organiser(cast, campaign, login):
    older, newer = add_activities(cast, campaign, 0, 2)
    make_item(campaign=campaign, uploader=cast.staff_a, activity=newer, status=Status.ACCEPTED)
    make_item(campaign=campaign, uploader=cast.staff_a, activity=newer, status=Status.RETURNED)
    make_item(
        campaign=campaign,
        uploader=cast.staff_a,
        activity=newer,
        deleted_at=datetime.datetime(2026, 3, 9, tzinfo=datetime.UTC),
    )
    make_item(campaign=campaign, uploader=cast.staff_a, activity=older, is_current=False)
    body = login(cast.staff_b).get(URL).content.decode()
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)[1:]
    assert "活动001" in rows[0] and "1 / 2" in rows[0] and cast.office_b.name in rows[0] and "主题1" in rows[0]
    assert "活动000" in rows[1] and "0 / 0" in rows[1] and cast.office_a.name in rows[1] and "会场0" in rows[1]


def test_no_activities_shows_the_empty_state_without_a_count(cast, campaign, login):
    body = login(cast.staff_a).get(URL).content.decode()
    assert 'data-testid="activity-total"' not in body
    assert "pagination" not in body


def test_another_campaigns_activities_are_not_listed(cast, campaign, login):
    from tests.factories import CampaignFactory

    add_activities(cast, CampaignFactory(is_current=False), 0, 3)
    add_activities(cast, campaign, 10, 1)
    assert titles(login(cast.staff_a).get(URL).content.decode()) == ["活动010"]
