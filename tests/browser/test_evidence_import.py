"""The coordinator imports an existing archive from the imports page: the ZIP goes up, the job runs (immediately in
tests), and the report shows what was taken, what was a duplicate and what was refused; at 1280 and 390 px."""

import pytest

from evidence.models import EvidenceItem
from tests.evidence import samples, zips
from tests.factories import CampaignFactory, CriterionFactory

ACTIVITY = "6.2.1 常态化志愿服务/2026-03-05 学雷锋志愿服务进社区活动"


@pytest.mark.django_db(transaction=True)
def test_coordinator_imports_an_archive_and_reads_the_report(
    page, live_server, browser_login, screenshot, cast, tmp_path
):
    campaign = CampaignFactory()
    CriterionFactory(campaign=campaign, code="6.2.1", title="常态化志愿服务", is_leaf=True)
    archive = tmp_path / "研究室台账2025.zip"
    archive.write_bytes(
        zips.gbk(
            {
                f"{ACTIVITY}/照片/志愿者在阳光社区清理楼道合影.jpg": samples.jpeg(
                    color=(9, 8, 7), date="2026:03:05 09:30:00"
                ),
                "6.2.1 常态化志愿服务/2026年常态化志愿服务工作方案.pdf": samples.pdf(),
                "6.2.1 常态化志愿服务/方案副本.pdf": samples.pdf(),
                "6.2.1 常态化志愿服务/宣传页面.html": samples.html(),
                "9.9 其他材料/说明.docx": samples.docx(),
            }
        )
    )
    browser_login(page, cast.coordinator)
    page.goto(f"{live_server.url}/campaign/manage/")
    page.click("[data-testid=evidence-import-link]")
    page.locator("[data-testid=import-form]").wait_for()
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 860})
        screenshot(page, f"evidence-import-form-{width}")
    page.set_viewport_size({"width": 1280, "height": 860})
    page.set_input_files("[data-testid=import-file]", str(archive))
    page.select_option("select[name=office]", label="研究室")
    page.click("[data-testid=import-submit]")
    page.locator("[data-testid=import-counts]").wait_for()
    counts = page.locator("[data-testid=import-counts]").inner_text()
    assert "已导入 2" in counts and "重复 1" in counts and "拒收 1" in counts and "未归档 1" in counts
    assert "志愿者在阳光社区清理楼道合影" in page.locator("[data-testid=import-taken]").inner_text()
    assert "学雷锋志愿服务进社区活动" in page.locator("[data-testid=import-activities-created]").inner_text()
    assert "不能上传网页" in page.locator("[data-testid=import-refused]").inner_text()
    assert page.locator("[data-testid=import-report]").count() == 1
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 860})
        screenshot(page, f"evidence-import-report-{width}")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page scrolls sideways at {width} px"
    assert EvidenceItem.objects.filter(office=cast.office_a).count() == 2
