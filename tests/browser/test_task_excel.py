"""The coordinator uploads a task breakdown, sees the row errors of a bad one, previews and imports a good one
(the LibreOffice-written fixture), and downloads the formatted export."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from openpyxl.worksheet.worksheet import Worksheet

from campaign.models import ImportRecord
from tasks.models import Task
from tests.factories import CampaignFactory

GOOD = Path(settings.BASE_DIR) / "fixtures" / "tasks" / "breakdown-libreoffice.xlsx"


def _bad_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)
    ws.append(["序号", "工作任务", "牵头科室", "配合科室", "完成时限"])
    ws.append([1, "组织理论学习", "研究室", "", "2026-09-30"])
    ws.append([2, "开展志愿服务", "宣传部", "", "2026年2月30日"])
    ws.append([1, "重复的序号", "研究室", "", ""])
    ws.append([5.1, "没有上级任务", "研究室", "委员会", ""])
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    return path


@pytest.mark.django_db(transaction=True)
def test_coordinator_sees_row_errors_then_previews_imports_and_exports_the_breakdown(
    page, live_server, browser_login, screenshot, cast, tmp_path
):
    from tests.factories import OfficeFactory

    OfficeFactory(name="经济委员会办公室")
    CampaignFactory()
    browser_login(page, cast.coordinator)

    page.goto(f"{live_server.url}/campaign/manage/")
    page.click("[data-testid=tasks-excel-import]")
    page.set_input_files("input[name=file]", str(_bad_workbook(tmp_path / "分解表-有误.xlsx")))
    page.click("[data-testid=excel-upload]")
    errors = page.locator("[data-testid=excel-error-rows]")
    errors.wait_for()
    text = errors.inner_text()
    assert "宣传部" in text and "2026年2月30日" in text and "委员会" in text
    rows = page.locator("[data-testid=excel-error-rows] tbody tr td:first-child")
    assert rows.all_inner_texts() == ["3", "3", "4", "5", "5"]  # every bad row, by its number in the sheet
    assert page.locator("[data-testid=excel-apply]").count() == 0
    screenshot(page, "task-excel-errors")

    page.click("[data-testid=excel-upload-another]")
    page.set_input_files("input[name=file]", str(GOOD))
    page.click("[data-testid=excel-upload]")
    page.locator("[data-testid=excel-counts]").wait_for()
    assert page.locator("[data-count=created]").inner_text() == "4"
    assert page.locator("[data-testid=excel-created] tbody tr").count() == 4
    screenshot(page, "task-excel-preview")
    assert not Task.objects.exists()

    page.click("[data-testid=excel-apply]")
    page.locator("[data-testid=excel-result]").wait_for()
    screenshot(page, "task-excel-result")
    assert Task.objects.count() == 4
    assert ImportRecord.objects.get(kind=ImportRecord.Kind.TASKS).user == cast.coordinator

    page.goto(f"{live_server.url}/tasks/excel/")
    assert page.locator("[data-testid=excel-records] tbody tr").count() == 1
    screenshot(page, "task-excel-import-page")
    with page.expect_download() as info:
        page.click("[data-testid=excel-download]")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    ws = book.active
    assert isinstance(ws, Worksheet)
    assert ws["A3"].value == "序号"
    assert [ws.cell(row=r, column=1).value for r in range(4, 8)] == ["1", "1.1", "2", "4"]


def _workbook(path: Path, rows) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    return path


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 390])
def test_the_preview_shows_conflicts_first_groups_of_offices_and_work_undone_at_desktop_and_phone_widths(
    page, live_server, browser_login, screenshot, cast, tmp_path, width
):
    from civunit.accounts.models import Office
    from tests.factories import OfficeFactory
    from tests.tasks.test_excel_real_tables import imported

    OfficeFactory(name="人事科", kind=Office.Kind.SECTION, ordering=5)
    OfficeFactory(name="机关服务中心", kind=Office.Kind.SECTION, ordering=6)
    campaign = CampaignFactory()
    header = ["序号", "工作任务", "牵头科室", "配合科室", "责任人", "状态"]
    ours = [
        header,
        [1, "组织党组理论学习中心组学习", "办公室", "", "张伟", "已完成"],
        [2, "开展志愿服务活动", "研究室", "", "", ""],
    ]
    imported(_workbook(tmp_path / "ours.xlsx", ours).read_bytes(), campaign, cast.coordinator)
    theirs = [
        header,
        [1, "组织党组理论学习中心组学习（修订）", "办公室", "各委室、机关服务中心", "", "未开始"],
        [2, "机关食堂节能改造", "研究室", "机关各科室", "", ""],
        [3, "建设道德讲堂", "人事科", "全机关", "李明", ""],
    ]
    page.set_viewport_size({"width": width, "height": 860})
    browser_login(page, cast.coordinator)
    page.goto(f"{live_server.url}/tasks/excel/")
    page.set_input_files("input[name=file]", str(_workbook(tmp_path / "别的表.xlsx", theirs)))
    page.click("[data-testid=excel-upload]")
    page.locator("[data-testid=excel-conflicts]").wait_for()

    assert page.locator("[data-testid=excel-conflicts] tbody tr").count() == 1
    assert "机关食堂节能改造" in page.locator("[data-testid=excel-conflicts]").inner_text()
    assert page.locator("[data-testid=excel-apply]").count() == 0  # only: update those tasks, or nothing
    expanded = page.locator("[data-testid=excel-expanded]").inner_text()
    assert "各委室" in expanded and "机关党组、人事科、机关服务中心" in expanded
    assert page.locator("[data-testid=excel-backwards-state]").count() == 1
    assert page.locator("[data-testid=excel-cleared-people]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    screenshot(page, f"task-excel-preview-conflicts-{width}")

    page.click("[data-testid=excel-apply-conflicts]")
    page.locator("[data-testid=excel-result]").wait_for()
    assert Task.objects.get(code="2").title == "机关食堂节能改造"
    assert page.locator("[data-testid=excel-result-backwards]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"task-excel-result-conflicts-{width}")
