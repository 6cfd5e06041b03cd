"""The standard choice in Chromium at 1280 and 390 px: on browse, typing a code or words shows matches loaded from
campaign:standard_choices, choosing one fills in its code and title, the search lists its evidence; on the upload
page a found standard is added to the select and chosen; the trees show one 测评项目 with the list to switch;
nothing scrolls sideways."""

import pytest

from tests.evidence.review_factories import make_item
from tests.factories import CriterionFactory


def no_sideways_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def type_into_choice(page, field_id: str, text: str, matches: int):
    """Type `text` into the choice box #`field_id`, wait for `matches` options; the box and the options' texts."""
    box = page.locator(f"#{field_id}")
    box.click()
    box.press_sequentially(text, delay=30)
    page.wait_for_function(f"() => document.querySelectorAll('#{field_id}-matches [role=option]').length === {matches}")
    return box, page.locator(f"#{field_id}-matches [role=option]").all_inner_texts()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 390])
def test_choosing_a_standard_by_typing(page, live_server, cast, campaign, browser_login, screenshot, width):
    item = CriterionFactory(campaign=campaign, code="6", title="志愿服务", is_leaf=False, level=1)
    chosen = CriterionFactory(campaign=campaign, code="6.2.1", title="开展学雷锋志愿服务", parent=item, level=2)
    other = CriterionFactory(campaign=campaign, code="7", title="文明礼仪", is_leaf=False, level=1)
    for n in range(30):
        CriterionFactory(campaign=campaign, code=f"7.{n}", title=f"礼仪标准{n}", parent=other, level=2)
    make_item(campaign=campaign, uploader=cast.staff_a, title="志愿服务照片", standards=[chosen])
    make_item(campaign=campaign, uploader=cast.staff_a, title="没有标准的照片")
    page.set_viewport_size({"width": width, "height": 860})
    browser_login(page, cast.staff_a)
    page.goto(f"{live_server.url}/evidence/")
    assert page.locator("select[name=standard]").count() == 0
    box, options = type_into_choice(page, "id_standard", "志愿", 1)
    assert options == ["6.2.1开展学雷锋志愿服务"]
    assert no_sideways_scroll(page)
    screenshot(page, f"evidence-standard-choice-{width}")
    page.locator("#id_standard-matches [role=option]").first.click()
    assert box.input_value() == "6.2.1"
    page.locator("[data-testid=search-submit]").click()
    page.wait_for_url("**standard=6.2.1**")
    body = page.inner_text("body")
    assert "志愿服务照片" in body and "没有标准的照片" not in body
    assert page.locator("[data-testid=standard-choice-label]").inner_text() == "开展学雷锋志愿服务"

    # the upload page: not every standard listed; a found one is added to the select and chosen
    page.goto(f"{live_server.url}/evidence/upload/")
    assert page.locator("#id_primary_standard option").count() < 5
    search = page.locator("#standard-choice-upload")
    search.click()
    search.press_sequentially("7.1", delay=30)
    page.wait_for_function(
        "() => (document.querySelector('#standard-choice-upload-matches [role=option]') || {}).dataset?.code === '7.1'"
    )
    page.locator("#standard-choice-upload-matches [role=option]").first.click()
    assert page.locator("#id_primary_standard option:checked").inner_text().startswith("7.1 ")
    assert no_sideways_scroll(page)
    screenshot(page, f"evidence-upload-standard-choice-{width}")

    # the trees: one item at a time, the list switches
    page.goto(f"{live_server.url}/evidence/standards/")
    assert page.locator("[data-testid=standards-tree] tr[data-criterion='7.1']").count() == 0
    page.click("[data-testid=item-tabs] a[data-item='7']")
    page.wait_for_url("**item=7")
    assert page.locator("[data-testid=standards-tree] tr[data-criterion='7.1']").count() == 1
    assert no_sideways_scroll(page)
    screenshot(page, f"evidence-standards-tree-items-{width}")
    page.goto(f"{live_server.url}/campaign/criteria/?item=7")
    assert page.locator("[data-testid=criteria-tree] tr[data-code='7.1']").count() == 1
    assert page.locator("[data-testid=criteria-tree] tr[data-code='6.2.1']").count() == 0
    assert no_sideways_scroll(page)
    screenshot(page, f"criteria-tree-items-{width}")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 390])
def test_choosing_an_activity_by_typing(page, live_server, cast, campaign, browser_login, screenshot, width):
    import datetime

    from evidence.models import Activity

    def held(title, day, **fields):
        return Activity.objects.create(
            campaign=campaign, title=title, date=datetime.date(2026, 3, day), organiser_office=cast.office_a, **fields
        )

    chosen = held("学雷锋志愿服务", 5, place="社区")
    for n in range(30):
        held(f"其他活动{n}", 10)
    make_item(campaign=campaign, uploader=cast.staff_a, title="志愿服务照片", activity=chosen)
    make_item(campaign=campaign, uploader=cast.staff_a, title="不属于活动的照片")
    page.set_viewport_size({"width": width, "height": 860})
    browser_login(page, cast.staff_a)
    page.goto(f"{live_server.url}/evidence/")
    assert page.locator("select[name=activity]").count() == 0
    box, options = type_into_choice(page, "id_activity", "雷锋", 1)
    assert options == ["2026-03-05学雷锋志愿服务"]
    assert no_sideways_scroll(page)
    screenshot(page, f"evidence-activity-choice-{width}")
    page.locator("#id_activity-matches [role=option]").first.click()
    assert box.input_value() == str(chosen.pk)
    page.locator("[data-testid=search-submit]").click()
    page.wait_for_url(f"**activity={chosen.pk}**")
    body = page.inner_text("body")
    assert "志愿服务照片" in body and "不属于活动的照片" not in body
    assert page.locator("[data-testid=activity-choice-label]").inner_text() == "2026-03-05 学雷锋志愿服务"
