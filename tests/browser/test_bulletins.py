"""The coordinator drafts, previews and publishes a bulletin; a staff member opens it from the notification, on a
desktop and on a phone."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Dialog
from pypdf import PdfReader

from civunit.reports.models import Bulletin
from tests.reports.bulletins_data import build_organ

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


def log_out(page):
    page.locator("[data-testid=user-menu]").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/accounts/login/")


@pytest.mark.django_db(transaction=True)
def test_coordinator_publishes_and_staff_opens_it_from_the_notification(
    page, live_server, cast, campaign, browser_login, screenshot
):
    build_organ(cast, campaign)
    browser_login(page, cast.coordinator)
    page.locator("[data-nav=bulletins]").click()
    page.wait_for_url("**/bulletins/")
    page.get_by_test_id("new-bulletin").click()
    page.wait_for_url("**/bulletins/new/")
    # the script shows only the chosen period's fields
    assert page.locator("[data-period-field=start]").is_hidden()
    page.get_by_label("自定义日期").check()
    assert page.locator("[data-period-field=start]").is_visible()
    page.get_by_label("按月").check()
    page.get_by_label("按机关委室顺序").check()
    page.fill("textarea[name=text]", "各委室要对照测评体系查漏补缺，逾期任务务必在月底前完成。")
    screenshot(page, "bulletin-form-1280")
    page.get_by_test_id("save").click()
    page.wait_for_url("**/bulletins/*/")
    assert page.get_by_test_id("preview-note").is_visible()
    assert page.get_by_test_id("bulletin-number").inner_text() == "（发布时编号）"
    screenshot(page, "bulletin-preview-1280")

    questions: list[str] = []

    def answer(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    page.get_by_test_id("publish").click()
    page.wait_for_load_state()
    assert "不能再修改" in questions[0]
    bulletin = Bulletin.objects.get()
    assert bulletin.is_published
    assert page.get_by_test_id("bulletin-number").inner_text() == f"{bulletin.year}年第1期"
    assert "已通知全体人员" in page.content()
    log_out(page)

    browser_login(page, cast.staff_a)
    assert page.get_by_test_id("bell-count").inner_text() == "1"
    page.get_by_test_id("bell").click()
    page.wait_for_url("**/notifications/")
    screenshot(page, "bulletin-notification-1280")
    page.locator("[data-kind=bulletin] [data-testid=open]").click()
    page.wait_for_url(f"**{bulletin.get_absolute_url()}")
    assert page.get_by_test_id("bell-count").count() == 0
    assert "组织道德讲堂" in page.get_by_test_id("overdue-table").inner_text()
    assert page.get_by_test_id("publish").count() == 0
    screenshot(page, "bulletin-published-1280")
    # the PDF in the official layout, downloaded from the bulletin's page
    with page.expect_download() as download:
        page.get_by_test_id("pdf").click()
    assert download.value.suggested_filename == f"通报{bulletin.year}年第1期.pdf"
    official = PdfReader(download.value.path())
    assert "一、总体进展" in "".join(p.extract_text() for p in official.pages)

    page.set_viewport_size(PHONE)
    page.reload()
    # on a phone the tables keep their essential columns and the page does not scroll sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "bulletin-published-390")
    page.set_viewport_size(DESKTOP)

    # printed from the browser: A4, without the navigation and the buttons
    page.emulate_media(media="print")
    assert page.locator("nav.navbar").is_hidden()
    assert page.get_by_test_id("print").is_hidden()
    pdf = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots" / "bulletin-print.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    reader = PdfReader(pdf)
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    text = "".join(p.extract_text() for p in reader.pages)
    assert "组织道德讲堂" in text and "通报" in text
    assert "退出登录" not in text and "打印" not in text
    page.emulate_media(media="screen")


@pytest.mark.django_db(transaction=True)
def test_the_bulletin_list_on_a_phone(page, live_server, cast, campaign, browser_login, screenshot):
    from tests.reports.bulletins_data import draft, publish

    build_organ(cast, campaign)
    publish(draft(cast, campaign), cast.coordinator)
    publish(draft(cast, campaign, office_order=Bulletin.OfficeOrder.ORGAN), cast.coordinator)
    draft(cast, campaign)
    browser_login(page, cast.coordinator)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/bulletins/")
    assert page.locator("[data-bulletin]").count() == 2
    assert page.locator("[data-draft]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "bulletin-list-390")
    page.set_viewport_size(DESKTOP)
    page.reload()
    screenshot(page, "bulletin-list-1280")
