"""Exports by entitlement: the coordinator and leadership download the whole breakdown, an office head their own
office's lines, staff nothing."""

import io

import openpyxl
import pytest
from django.urls import reverse

from tests.tasks.factories import TaskFactory


@pytest.fixture
def breakdown(cast, campaign):
    TaskFactory(campaign=campaign, code="1", title="研究室的任务", lead_office=cast.office_a)
    TaskFactory(
        campaign=campaign, code="2", title="提案委的任务", lead_office=cast.office_b, supporting=[cast.office_a]
    )
    TaskFactory(campaign=campaign, code="3", title="办公室的任务", lead_office=cast.office_main)
    return campaign


def codes(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [str(row[0]) for row in sheet.iter_rows(min_row=4, values_only=True) if row[0] is not None]


@pytest.mark.parametrize("who", ["coordinator", "leader", "admin"])
def test_the_coordinator_and_leadership_export_the_whole_breakdown(cast, breakdown, login, who):
    assert codes(login(getattr(cast, who)).get(reverse("tasks:excel_export"))) == ["1", "2", "3"]


def test_an_office_head_exports_only_the_tasks_their_office_leads(cast, breakdown, login):
    client = login(cast.head_a)
    response = client.get(reverse("tasks:excel_export"))
    assert codes(response) == ["1"]
    assert "%E7%A0%94%E7%A9%B6%E5%AE%A4" in response["Content-Disposition"]  # 研究室 in the file name
    # one sheet per office gives their own office's sheet only
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("tasks:excel_export") + "?by_office=1").content))
    assert book.sheetnames == ["工作任务分解表", "研究室"]
    assert codes(login(cast.head_b).get(reverse("tasks:excel_export"))) == ["2"]


def test_staff_may_not_export_and_only_get_answers(cast, breakdown, login):
    assert login(cast.staff_a).get(reverse("tasks:excel_export")).status_code == 403
    assert login(cast.coordinator).post(reverse("tasks:excel_export")).status_code == 405


def test_the_pages_offer_the_export_to_those_entitled(cast, breakdown, login):
    office_page = login(cast.head_a).get(reverse("tasks:office")).content.decode()
    assert 'data-testid="office-export"' in office_page
    assert 'data-testid="office-export"' not in login(cast.staff_a).get(reverse("tasks:office")).content.decode()
    assert 'data-testid="list-export"' in login(cast.leader).get(reverse("tasks:list")).content.decode()
    assert 'data-testid="list-export"' not in login(cast.head_a).get(reverse("tasks:list")).content.decode()
