"""Across the years in a real browser: the coordinator starts a yearly review (复查) from the demo campaign with a
preview, makes it current and archives the old one, links an old photo into the review, and the leadership sees both
years, on a desktop (1280 px) and a phone (390 px)."""

import pytest
from django.core.management import call_command

from campaign.models import Campaign
from civunit.accounts.demo import DEMO_PASSWORD
from civunit.accounts.models import User
from evidence.models import EvidenceItem, EvidenceKind


def _sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def _fits(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll} px wide on a {width} px screen"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_coordinator_starts_a_review_links_an_old_photo_and_leadership_sees_both_years(
    page, browser, live_server, settings, screenshot
):
    settings.DEBUG = True
    call_command("seed_demo")
    demo = Campaign.objects.get(is_current=True)

    # the coordinator starts the next campaign: a yearly review, from the current one
    _sign_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/campaign/campaigns/")
    page.get_by_test_id("start-next").click()
    page.wait_for_url("**/campaign/campaigns/new/")
    assert page.locator("#id_title").input_value() == "2029年复查"  # the year after the demo campaign ends
    assert page.locator("#id_target").input_value() == Campaign.Target.NATIONAL_REVIEW
    page.check("input[name=copy][value=tasks]")
    page.check("#id_make_current")
    page.get_by_test_id("preview").click()
    preview = page.get_by_test_id("next-campaign-preview")
    preview.wait_for()
    text = preview.inner_text()
    assert "迎检验收" in text and "2029-12-31" in text  # the inspection closes the new year
    assert "佐证材料" in page.get_by_test_id("not-copied").inner_text()  # evidence is not copied
    assert Campaign.objects.count() == 1  # the preview wrote nothing
    screenshot(page, "campaign-new-preview-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    _fits(page, 390)
    screenshot(page, "campaign-new-preview-390")
    page.set_viewport_size({"width": 1280, "height": 860})
    page.get_by_test_id("confirm").click()
    page.wait_for_url("**/campaign/campaigns/")
    review = Campaign.objects.get(title="2029年复查")
    assert review.is_current and review.tasks.exists() and review.criteria.exists()
    # the old campaign is archived: read-only from now on
    page.locator(f"tr[data-campaign='{demo.pk}'] [data-action=archive]").click()
    page.wait_for_url("**/campaign/campaigns/")
    assert page.locator(f"tr[data-campaign='{demo.pk}'] [data-status=closed]").is_visible()
    assert page.get_by_test_id("campaign-events").inner_text().count("创建全国文明单位") >= 2
    screenshot(page, "campaigns-1280")

    # an old photo is linked into the review: the same stored file, a new item awaiting review
    photo = EvidenceItem.objects.filter(
        campaign=demo, kind=EvidenceKind.PHOTO, is_current=True, deleted_at=None
    ).first()
    assert photo is not None
    page.goto(f"{live_server.url}/evidence/{photo.pk}/")
    assert page.get_by_test_id("campaign-banner").count() == 0  # the item's page says which campaign it is of
    assert "创建全国文明单位" in page.get_by_test_id("other-campaign").inner_text()
    page.get_by_test_id("link-into-current").click()
    page.wait_for_url("**/evidence/*/")
    linked = EvidenceItem.objects.get(campaign=review, stored_file=photo.stored_file)
    assert page.url.endswith(f"/evidence/{linked.pk}/")
    assert page.get_by_test_id("evidence-title").inner_text() == photo.title
    assert "从往期创建周期链接" in page.get_by_test_id("evidence-history").inner_text()
    screenshot(page, "evidence-linked-1280")

    # the leadership sees this year beside last year on the dashboard, and can open last year
    leader = browser.new_page(viewport={"width": 1280, "height": 860}, locale="zh-CN", timezone_id="Asia/Shanghai")
    _sign_in(leader, live_server, "leader")
    comparison = leader.get_by_test_id("year-comparison")
    comparison.wait_for()
    assert "2029年复查" in comparison.inner_text() and "创建全国文明单位" in comparison.inner_text()
    assert leader.locator("main [style]").count() == 0
    screenshot(leader, "dashboard-years-1280")
    leader.get_by_test_id("campaign-switcher-toggle").click()
    leader.locator(f"[data-campaign='{demo.pk}']").first.click()
    leader.wait_for_url(f"{live_server.url}/")
    assert "创建全国文明单位" in leader.get_by_test_id("dashboard-title").locator("xpath=..").inner_text()
    assert "已归档" in leader.get_by_test_id("campaign-banner").inner_text()
    screenshot(leader, "dashboard-archived-1280")
    leader.set_viewport_size({"width": 390, "height": 844})
    leader.get_by_test_id("back-to-current").click()
    leader.wait_for_url(f"{live_server.url}/")
    assert leader.get_by_test_id("year-comparison").is_visible()
    _fits(leader, 390)
    screenshot(leader, "dashboard-years-390")
    leader.locator(".navbar-toggler").click()
    leader.locator(".navbar-collapse.show").wait_for()  # the menu has finished opening
    leader.get_by_test_id("campaign-switcher-toggle").click()
    leader.get_by_test_id("campaign-switcher").locator(f"[data-campaign='{demo.pk}']").wait_for(state="visible")
    _fits(leader, 390)
    screenshot(leader, "campaign-switcher-390")
    assert User.objects.get(username="leader").is_active
