"""The administrator adds a person, hands over the password link, and the person sets their password through it;
the people and offices lists at 1280 and 390 px fit without sideways scrolling."""

import re

import pytest

from civunit.accounts.models import User

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


@pytest.mark.django_db(transaction=True)
def test_the_administrator_adds_a_person_who_sets_a_password_through_the_link(
    page, browser, live_server, cast, browser_login, screenshot
):
    browser_login(page, cast.admin)
    page.locator('[data-nav="people"]').click()
    page.wait_for_url("**/people/")
    screenshot(page, "people-list-1280")
    page.get_by_test_id("add-person").click()
    page.fill("#id_real_name", "周敏")
    page.fill("#id_username", "zhoumin")
    page.select_option("#id_office", str(cast.office_b.pk))
    page.fill("#id_phone", "13800000000")
    page.check("input[name=roles][value=staff]")
    screenshot(page, "people-add-1280")
    page.get_by_test_id("save").click()
    page.wait_for_load_state()
    link = page.get_by_test_id("reset-link").input_value()
    assert re.match(rf"{live_server.url}/accounts/set-password/[^/]+/[^/]+/$", link)
    screenshot(page, "people-link-1280")

    for size, suffix in ((PHONE, "390"), (DESKTOP, "1280")):
        page.set_viewport_size(size)
        for path, name in (("/people/", "people-list"), ("/offices/", "offices-list")):
            page.goto(f"{live_server.url}{path}")
            assert page.evaluate("() => document.documentElement.scrollWidth") <= size["width"], path
            screenshot(page, f"{name}-{suffix}")
        person = User.objects.get(username="zhoumin")
        page.goto(f"{live_server.url}/people/{person.pk}/")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= size["width"]
        screenshot(page, f"person-detail-{suffix}")
        page.goto(f"{live_server.url}/offices/{cast.office_a.pk}/edit/")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= size["width"]
        screenshot(page, f"office-edit-{suffix}")

    other = browser.new_context(viewport=PHONE, locale="zh-CN")
    newcomer = other.new_page()
    newcomer.goto(link)
    newcomer.fill("#id_new_password1", "周敏的新密码-2026")
    newcomer.fill("#id_new_password2", "周敏的新密码-2026")
    screenshot(newcomer, "set-password-390")
    newcomer.locator("button[type=submit]").click()
    newcomer.wait_for_url("**/accounts/set-password/done/")
    newcomer.get_by_test_id("to-login").click()
    newcomer.fill("input[name=username]", "zhoumin")
    newcomer.fill("input[name=password]", "周敏的新密码-2026")
    newcomer.click("button[type=submit]")
    newcomer.wait_for_url(f"{live_server.url}/")
    newcomer.goto(link)
    assert newcomer.get_by_test_id("invalid-link").is_visible()
    other.close()
