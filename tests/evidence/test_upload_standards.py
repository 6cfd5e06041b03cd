"""The upload page's standard selects list the standards of the person's own and their office's tasks and the ones
chosen (from a task, from a standard's page), never the whole table: any other is added by typing
(campaign:standard_choices); the posted form still takes any standard of the campaign."""

import pytest
from django.urls import reverse

from tests.factories import CriterionFactory
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db
URL = reverse("evidence:upload")


@pytest.fixture
def table(cast, campaign):
    s = {code: CriterionFactory(campaign=campaign, code=code, title=f"标准{code}") for code in ("1.1", "1.2", "2.1")}
    TaskFactory(campaign=campaign, code="1", title="本处任务", lead_office=cast.office_a).standards.set([s["1.1"]])
    TaskFactory(campaign=campaign, code="2", title="他处任务", lead_office=cast.office_b).standards.set([s["1.2"]])
    return s


def test_lists_the_standards_of_ones_own_tasks_and_the_chosen_ones(cast, table, login):
    client = login(cast.staff_a)
    body = client.get(URL).content.decode()
    assert "1.1 标准1.1</option>" in body
    assert "1.2 标准1.2</option>" not in body and "2.1 标准2.1</option>" not in body
    assert 'data-url="/campaign/standards/choices/"' in body and 'data-target="id_primary_standard"' in body
    body = client.get(URL, {"standard": table["2.1"].pk}).content.decode()
    assert f'<option value="{table["2.1"].pk}" selected>2.1 标准2.1</option>' in body


def test_the_query_count_does_not_grow_with_the_table(cast, campaign, table, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(cast.staff_a)
    client.get(URL)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for n in range(30):
        CriterionFactory(campaign=campaign, code=f"3.{n}", title=f"更多标准{n}")
    body = client.get(URL).content.decode()
    assert count() == small and "更多标准" not in body
