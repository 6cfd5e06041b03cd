"""The leadership's dashboard in a real browser, on a desktop (1280 px) and a phone (390 px), and printed on A4
landscape: it shows the campaign's figures over a campaign-sized data set, fits the screen, and carries no
inline style or script."""

import pytest
from django.utils import timezone

from tests.browser.conftest import SCREENSHOTS
from tests.reports.dataset import build


@pytest.mark.django_db(transaction=True)
def test_leadership_sees_the_dashboard_on_desktop_and_phone(
    page, live_server, cast, campaign, browser_login, screenshot
):
    build(campaign, today=timezone.localdate(), standards=90, tasks=240, evidence=900, activities=20)
    browser_login(page, cast.leader)  # lands on the home page, which is the dashboard for leadership
    assert page.get_by_test_id("dashboard-title").inner_text() == "创建工作进度看板"
    status = page.get_by_test_id("campaign-status")
    assert status.get_attribute("data-level") in {"on_track", "at_risk", "off_track"}
    for section in ("headline", "coverage", "offices", "overdue", "due-soon", "stalled", "weekly", "recent"):
        assert page.get_by_test_id(section).is_visible(), section
    # every chart is an accessible image with a title; nothing on the page (the shared shell aside: its bell icon)
    # carries a style attribute, and no script is inline
    assert page.locator("svg[role=img] > title").count() >= 6
    assert page.locator("main [style]").count() == 0
    assert page.locator("script:not([src])").count() == 0
    # each item with its bar, and the first of its standards without accepted evidence, which link to their page
    assert page.locator("[data-testid=coverage] tr[data-item] progress").first.is_visible()
    standard = page.locator("[data-testid=coverage] a[data-standard]").first
    assert standard.is_visible()
    screenshot(page, "dashboard-1280")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.get_by_test_id("headline").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"
    screenshot(page, "dashboard-390")

    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto(f"{live_server.url}/dashboard/print/")
    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible()
    assert page.get_by_test_id("flagged-standards").count() == 1
    screenshot(page, "dashboard-print")
    # the browser's own print of it, on A4 landscape pages, kept beside the screenshots to look at
    page.pdf(path=str(SCREENSHOTS / "dashboard-print.pdf"), prefer_css_page_size=True)

    # a standard without accepted evidence opens the standard's page; an item opens its standards on the
    # evidence-by-standard page (the criteria tree with the evidence of each standard, one item at a time)
    page.emulate_media(media="screen")
    page.goto(f"{live_server.url}/")
    standard_href = page.locator("[data-testid=coverage] a[data-standard]").first.get_attribute("href")
    page.locator("[data-testid=coverage] a[data-standard]").first.click()
    page.wait_for_url(f"**{standard_href}")
    page.goto(f"{live_server.url}/")
    page.locator("[data-testid=coverage] tr[data-item] td a").first.click()
    page.wait_for_url("**/evidence/standards/?item=*")
    assert page.get_by_test_id("standards-tree").is_visible()
