"""The standard filter of browse and search: the standard's code as text (chosen as one types from
campaign:standard_choices), never an option per standard; a branch's code takes the standards below it; an unknown
code, or another campaign's, is a clear Chinese error and filters nothing."""

import pytest
from django.urls import reverse

from tests.evidence.review_factories import make_item
from tests.factories import CampaignFactory, CriterionFactory

pytestmark = pytest.mark.django_db
URL = reverse("evidence:browse")


@pytest.fixture
def table(cast, campaign):
    item = CriterionFactory(campaign=campaign, code="6", title="志愿服务", is_leaf=False, level=1)
    s1 = CriterionFactory(campaign=campaign, code="6.1", title="开展志愿服务", parent=item, level=2)
    s2 = CriterionFactory(campaign=campaign, code="6.2", title="志愿服务记录", parent=item, level=2)
    make_item(campaign=campaign, uploader=cast.staff_a, standards=[s1], title="甲材料")
    make_item(campaign=campaign, uploader=cast.staff_a, standards=[s2], title="乙材料")
    make_item(campaign=campaign, uploader=cast.staff_a, title="丙材料")
    return {"item": item, "s1": s1, "s2": s2}


def page(client, **params) -> str:
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def test_by_the_standards_code_or_a_branchs(cast, table, login):
    client = login(cast.staff_a)
    body = page(client, standard="6.1")
    assert "甲材料" in body and "乙材料" not in body and "丙材料" not in body
    assert 'data-testid="standard-choice-label">开展志愿服务<' in body
    body = page(client, standard=" 6 ")
    assert "甲材料" in body and "乙材料" in body and "丙材料" not in body


def test_the_field_is_text_never_an_option_per_standard(cast, table, login):
    body = page(login(cast.staff_a))
    assert 'name="standard"' in body and 'type="text"' in body
    assert "开展志愿服务</option>" not in body and 'data-url="/campaign/standards/choices/"' in body


def test_an_unknown_code_is_a_clear_error_and_filters_nothing(cast, campaign, table, login):
    CriterionFactory(campaign=CampaignFactory(title="上一届", is_current=False), code="7.7", title="旧标准")
    client = login(cast.staff_a)
    for code in ("9.9", "7.7", "<b>"):
        body = page(client, standard=code)
        assert "没有编号为" in body and 'data-testid="standard-choice-error"' in body, code
        assert "甲材料" in body and "丙材料" in body
