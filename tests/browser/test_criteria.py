"""The coordinator imports the criteria through the web page, sees the row errors of a bad workbook, then the
tree of a good one, and writes an explanation report whose counter stops at the limit."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from openpyxl.worksheet.worksheet import Worksheet

from campaign.models import Criterion, Explanation
from tests.factories import CampaignFactory

GOOD = Path(settings.BASE_DIR) / "fixtures" / "criteria" / "province-merged.xlsx"


def _bad_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)
    ws.append(["编码", "名称", "分值", "测评方法"])
    ws.append(["1", "组织领导", "十二分", "材料审核"])
    ws.append(["1.1", "党组研究", 5, "材料审核"])
    ws.append(["1.1", "重复的编码", 5, "材料审核"])
    ws.append(["2.1", "上级不存在", 5, "材料审核"])
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    return path


@pytest.mark.django_db(transaction=True)
def test_coordinator_imports_criteria_sees_errors_then_the_tree_and_writes_an_explanation(
    page, live_server, browser_login, screenshot, cast, tmp_path
):
    campaign = CampaignFactory(explanation_limit=30)
    browser_login(page, cast.coordinator)

    page.goto(f"{live_server.url}/campaign/manage/")
    page.set_input_files("input[name=file]", str(_bad_workbook(tmp_path / "测评表-有误.xlsx")))
    page.click("[data-testid=import]")
    errors = page.locator("[data-testid=import-errors]")
    errors.wait_for()
    text = errors.inner_text()
    assert "第 2 行" in text and "十二分" in text
    assert "第 4 行" in text and "第 5 行" in text
    screenshot(page, "criteria-import-errors")
    assert not Criterion.objects.filter(campaign=campaign).exists()

    page.set_input_files("input[name=file]", str(GOOD))
    page.click("[data-testid=import]")
    page.wait_for_url(f"{live_server.url}/campaign/criteria/")
    tree = page.locator("[data-testid=criteria-tree]")
    # one 测评项目 at a time, the first by default; the list switches to another
    assert tree.locator("tr[data-code='1.1.1']").count() == 1 and tree.locator("tr[data-code='6.2.1']").count() == 0
    assert "0 / 100" in page.locator("[data-testid=total-score]").inner_text()
    page.click("[data-testid=item-tabs] a[data-item='6']")
    page.wait_for_url("**/campaign/criteria/?item=6")
    assert tree.locator("tr[data-code='6.2.1']").count() == 1
    assert "0 / 100" in page.locator("[data-testid=total-score]").inner_text()
    screenshot(page, "criteria-tree")
    # an item beyond the strip of links around the one shown: chosen in the picker's list
    assert page.locator("[data-testid=item-tabs] a[data-item='1']").count() == 0
    page.select_option("[data-testid=item-select]", "1")
    page.click("[data-testid=item-picker] button[type=submit]")
    page.wait_for_url("**/campaign/criteria/?item=1")

    page.click("tr[data-code='1.1'] a")
    area = page.locator("[data-testid=explanation-text]")
    counter = page.locator("[data-testid=explanation-counter]")
    assert counter.inner_text() == "0 / 30"
    # 12 + a line break + an emoji + an Extension-B character + 13 = 28; JavaScript's .length would say 30.
    area.press_sequentially("党组每季度研究创建工作。")
    area.press("Enter")
    area.press_sequentially("😀𠀀领导小组办公室配备专人负责")
    assert counter.inner_text() == "28 / 30"
    area.press_sequentially("日常工作并按月通报")  # 9 more: only 2 are taken
    assert counter.inner_text() == "30 / 30"
    assert page.locator("[data-testid=explanation-limit-note]").is_visible()
    assert page.evaluate("Array.from(document.querySelector('[data-testid=explanation-text]').value).length") == 30
    screenshot(page, "criteria-explanation-limit")
    page.click("[data-testid=explanation] button[type=submit]")
    page.locator(".alert-success").wait_for()
    saved = Explanation.objects.get(criterion__campaign=campaign, criterion__code="1.1")
    assert len(saved.text) == 30
    assert saved.text.startswith("党组每季度研究创建工作。\n😀𠀀")


@pytest.mark.django_db(transaction=True)
def test_the_demo_plan_and_veto_list_read_well(page, live_server, browser_login, screenshot, cast):
    from campaign import demo

    demo.seed()
    browser_login(page, cast.leader)
    page.goto(f"{live_server.url}/campaign/plan/")
    assert "迎检验收" in page.locator("[data-testid=inspection-date]").inner_text()
    assert page.locator("[data-testid=leadership] tbody tr").count() == 5
    assert page.locator("[data-testid=plan-edit]").count() == 0  # leadership reads only
    screenshot(page, "campaign-plan")
    page.goto(f"{live_server.url}/campaign/veto/")
    assert page.locator("[data-testid=veto-list] tr[data-code]").count() == 7
    screenshot(page, "campaign-veto")
    page.goto(f"{live_server.url}/campaign/criteria/?status=met")
    # the note that the table is an example is for who can replace it, not for the leadership
    assert page.locator("[data-testid=criteria-note]").count() == 0
    assert page.locator("tr[data-code='1.1.1']").count() == 1
    assert page.locator("tr[data-code='2.1.1']").count() == 0
    screenshot(page, "criteria-filtered")
