"""The browse page's task filter: the task is named by its 序号 (typed, or chosen from the matches the page's script
loads from tasks:choices), never offered as one <option> per task of the campaign; a 序号 of no task of the
campaign is ignored with a message; the filter combines with the others."""

import re

import pytest
from django.urls import reverse

from tests.evidence.review_factories import make_item
from tests.factories import CampaignFactory
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db
URL = reverse("evidence:browse")


@pytest.fixture
def linked(cast, campaign):
    task = TaskFactory(campaign=campaign, code="3.2", title="组织志愿服务活动", lead_office=cast.office_a)
    other = TaskFactory(campaign=campaign, code="4", title="文明礼仪培训", lead_office=cast.office_a)
    make_item(campaign=campaign, uploader=cast.staff_a, title="志愿服务照片", tasks=[task])
    make_item(campaign=campaign, uploader=cast.staff_a, title="礼仪培训签到表", tasks=[other])
    make_item(campaign=campaign, uploader=cast.staff_a, title="没有任务的照片")
    return task


def test_the_chosen_task_filters_the_list(cast, campaign, linked, login):
    client = login(cast.staff_a)
    page = client.get(URL, {"task": "3.2"}).content.decode()
    assert 'data-testid="result-count"' in page and "志愿服务照片" in page
    assert "礼仪培训签到表" not in page and "没有任务的照片" not in page
    # the field keeps the 序号 and shows the task's title; the script that makes it a search-as-you-type choice
    assert re.search(r'<input type="text" name="task" value="3.2"', page)
    assert 'data-testid="task-choice-label">组织志愿服务活动<' in page
    assert 'data-url="/tasks/choices/"' in page and "js/task-choice.js" in page
    # combined with a search
    assert "志愿服务照片" not in client.get(URL, {"task": "3.2", "q": "礼仪"}).content.decode()


def test_no_option_per_task(cast, campaign, linked, login):
    for n in range(30):
        TaskFactory(campaign=campaign, code=f"{10 + n}", title=f"任务{n}", lead_office=cast.office_b)
    page = login(cast.staff_a).get(URL).content.decode()
    assert '<select name="task"' not in page and "任务29" not in page


def test_a_number_of_no_task_is_ignored_with_a_message(cast, campaign, linked, login):
    elsewhere = CampaignFactory(title="上一届创建", is_current=False)
    TaskFactory(campaign=elsewhere, code="77", title="上一届的任务", lead_office=cast.office_a)
    client = login(cast.staff_a)
    for junk in ("77", "999", "<b>x</b>", "x" * 200):
        response = client.get(URL, {"task": junk})
        assert response.status_code == 200
        page = response.content.decode()
        assert "没有任务的照片" in page and "志愿服务照片" in page  # the filter dropped, the rest shown
    assert "没有序号为“77”的任务" in client.get(URL, {"task": "77"}).content.decode()
